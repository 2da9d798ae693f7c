# seed 003: z = (2x)^2 at x = 1
import torch

x = torch.tensor(1.0, requires_grad=True)
y = x * 2
z = y * y
z.backward()
print(x.grad)
