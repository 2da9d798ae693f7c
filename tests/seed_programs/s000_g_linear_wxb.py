# seed 000: y = w * x + b
import torch

x = torch.tensor(2.0, requires_grad=True)
w = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
print(x, w, b)

y = w * x + b
print(y)

y.backward()
print(x.grad)  # dy/dx = 3 → tensor(3.)
print(w.grad)  # dy/dw = 2 → tensor(2.)
print(b.grad)  # dy/db = 1 → tensor(1.)
