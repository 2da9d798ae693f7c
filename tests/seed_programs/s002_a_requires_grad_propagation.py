# seed 002, 2.1 Autograd: requires_grad propagates through x + y
import torch

x = torch.ones(1)
print(repr(x.requires_grad))

y = torch.ones(1)
print(repr(y.requires_grad))

z = x + y

print(repr(z.requires_grad))

x.requires_grad_()
print(repr(x.requires_grad))

z = x + y

print(repr(z.requires_grad))
