# seed 000: x + 5, y * y, mean, backward
import torch

x = torch.ones(3, 3, requires_grad=True)
print(x)

y = x + 5
print(y)

z = y * y
out = z.mean()
print(z, out)

print(out)
out.backward()

print(x)
print(x.grad)
