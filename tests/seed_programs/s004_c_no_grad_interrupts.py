# seed 004, In [10]: torch.no_grad() interrupts gradient tracking
import torch

#中断梯度追踪
x = torch.tensor(1.0, requires_grad=True)
y1 = x ** 2
with torch.no_grad():
    y2 = x ** 3
y3 = y1 + y2

print(x.requires_grad)
print(y1, y1.requires_grad)  # True
print(y2, y2.requires_grad)  # False
print(y3, y3.requires_grad)  # True

#y2的梯度被torch.no_grad()包裹，与它有关的梯度不会回传
y3.backward()
print(x.grad)
