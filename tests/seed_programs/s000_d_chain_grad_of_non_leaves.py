# seed 000: a -> b -> c -> out; .data/.grad/.grad_fn of leaves and non-leaves
import torch

a = torch.ones(2, 2)
print(a)

a = torch.ones(2, 2, requires_grad=True)
print(a)

print(a.data)
print(a.grad)
print(a.grad_fn)

b = a + 2
print(b)

c = b ** 2
print(c)

out = c.sum()
print(out)

print(out)
out.backward()

print(a.data)
print(a.grad)
print(a.grad_fn)

print(b.data)
print(b.grad)
print(b.grad_fn)

print(c.data)
print(c.grad)
print(c.grad_fn)

print(out.data)
print(out.grad)
print(out.grad_fn)
