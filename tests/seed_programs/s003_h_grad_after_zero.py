# seed 003: grad after first and second backward with zero_() between
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y1 = x * 2
z1 = y1.sum()
z1.backward()
print("Grad after first backward:", x.grad)
x.grad.zero_()
y2 = x * 3
z2 = y2.sum()
z2.backward()
print("Grad after second backward:", x.grad)
