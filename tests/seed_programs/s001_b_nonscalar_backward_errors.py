# seed 001 (Jupyter), In [19]-[30]: non-scalar backward, second backward, zero_grad
import torch

torch.manual_seed(1)
x = torch.randn(3, requires_grad=True)

y = x * 2

print(repr(y))

try:
    y.backward()
except Exception as e:
    print(type(e).__name__, e)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)

print(repr(x.grad))

print(repr(x))

v = torch.tensor([1, 1.0, 1], dtype=torch.float)
try:
    y.backward(v)
except Exception as e:
    print(type(e).__name__, e)

try:
    y.zero_grad()
except Exception as e:
    print(type(e).__name__, e)

x = torch.randn(3, requires_grad=True)

y = x * 2

v = torch.tensor([1, 1.0, 1], dtype=torch.float)
y.backward(v)

print(repr(x.grad))
