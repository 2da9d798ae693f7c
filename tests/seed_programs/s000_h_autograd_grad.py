# seed 000: torch.autograd.grad of x**3 + 2*x**2
import torch

x = torch.tensor(2.0, requires_grad=True)
print(x)

y = x**3 + 2*x**2
print(y)

grad_x = torch.autograd.grad(y, x)  # Compute dy/dx
print(grad_x)
