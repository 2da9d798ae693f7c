# seed 001 (Jupyter), In [31]-[36]: y = x * x + 2 * x + 1 on torch.rand(1)
import torch

torch.manual_seed(2)
x = torch.rand(1, requires_grad=True)

y = x * x + 2* x+1

print(repr(y))

y.backward()

print(repr(x.grad))

print(repr(x))
