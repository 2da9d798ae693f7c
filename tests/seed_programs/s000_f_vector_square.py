# seed 000: y = x**2 on a vector, backward(ones_like(y))
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
print(x)

y = x**2
print(y)

y.backward(torch.ones_like(y))
print("dy/dx : ", x.grad)
