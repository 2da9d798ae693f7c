# seed 001 (Jupyter), In [37]-[18]: y = x + 2, z = y * y * 3, mean, backward, y.grad, retain_grad
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)

# In [None]: never executed in the transcript; a NameError in either engine
try:
    y = tor  # noqa: F821
except Exception as e:
    print(type(e).__name__, e)

y = x + 2
print(y)

print(repr(y.grad_fn))

z = y * y * 3

out = z.mean()

print(z, out)

torch.manual_seed(0)
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

out.backward()

print(x.grad)

print(repr(y.grad))

print(repr(y.retain_grad))

print(repr(z.retain_grad))
