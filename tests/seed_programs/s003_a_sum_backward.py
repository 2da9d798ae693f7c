# seed 003: z = sum(x * 2), backward
import torch

x = torch.tensor([2.0, 3.0], requires_grad=True)
y = x * 2
z = y.sum()
print("z:", z)

z.backward()
print("Gradient of x:", x.grad)

with torch.no_grad():
    y = x * 3
# OR
y = x.detach()
print(y, y.requires_grad)
