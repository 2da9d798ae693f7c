# seed 000: dy/dx of x**2 + 3*x + 5 at x = 2
import torch

x = torch.tensor(2.0, requires_grad=True)
print(x)

y = x**2 + 3*x + 5
print(y)

y.backward()
print(f'dy/dx at x=2: {x.grad.item()}')
