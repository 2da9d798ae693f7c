# seed 003: gradients accumulate; zero_() between backward passes
import torch

x = torch.tensor([2.0, 3.0], requires_grad=True)
y = x * 2
z = y.sum()
z.backward()
print(x.grad)  # First backward
# Clear gradients before the next backward pass
x.grad.zero_()
z = (x * 3).sum()
z.backward()
print(x.grad)  # Second backward

print(z.grad_fn)  # or similar
