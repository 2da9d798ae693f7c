# seed 003: grad_fn of y = x * 3 and z = y + 4
import torch

x = torch.tensor([5.0], requires_grad=True)
y = x * 3
z = y + 4
print(z.grad_fn)
print(y.grad_fn)
