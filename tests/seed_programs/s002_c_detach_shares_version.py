# seed 002, 2.3 .detach vs .data: zeroing a detached exp result breaks backward
import torch

a = torch.tensor([1,2,3.], requires_grad = True)
b = a.exp()
c = b.detach()
print(repr(c.zero_()))

print(repr(b))

# exp 함수는 자기 자신이 역전파에 필요
try:
    b.sum().backward()
except Exception as e:
    print(type(e).__name__, e)

print(repr(a.grad))
