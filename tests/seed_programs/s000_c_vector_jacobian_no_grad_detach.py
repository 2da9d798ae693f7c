# seed 000: doubling loop, vector-Jacobian product, no_grad, detach
import torch

torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v, retain_graph=True)
print(x.grad)

print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)

print(x)
print(y)
print(x.requires_grad)
print(y.requires_grad)
y = x.detach()  # X의 값이 들어가는 것이지만, 기울기는 해제
print("-------------------------")
print(x)
print(y)
print(x.requires_grad)
print(y.requires_grad)
print(x.eq(y).all())

print(y)
