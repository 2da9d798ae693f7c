# seed 003: no_grad and detach give requires_grad=False
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x * 5
with torch.no_grad():
    z = y * 3
print(z.requires_grad)  # False
# Or using detach
z = (y * 3).detach()
print(z.requires_grad)  # False
