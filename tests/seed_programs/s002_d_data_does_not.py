# seed 002, 2.3 .detach vs .data: zeroing through .data goes unnoticed
import torch

a = torch.tensor([1,2,3.], requires_grad = True)
b = a.exp()
c = b.data
print(repr(c.zero_()))

print(repr(b))

b.sum().backward()

print(repr(a.grad))
