# seed 003: y = x * x, mean
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
z = y.mean()
z.backward()
print(x.grad)
