# seed 000: randn, requires_grad_(), grad_fn of a sum
import torch

torch.manual_seed(0)
a = torch.randn(3, 3)
a = a * 3
print(a)
print(a.requires_grad)

a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b)
print(b.grad_fn)
