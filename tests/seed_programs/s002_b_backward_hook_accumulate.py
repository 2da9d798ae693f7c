# seed 002, 2.2 Backward: max, non-scalar backward error, register_hook, retain_graph, zero_
import torch

y = torch.tensor([[1, 2], [3, 4]], dtype=torch.float32, requires_grad=True)
print(repr(y))

print(repr(y.sum()))

print(repr(y.max()))

z = 2*y + 1
print(repr(z))

print("y.requires_grad :", y.requires_grad)
print("z.requires_grad :", z.requires_grad)

print("")

print("y.grad :", y.grad)
print("z.grad :", z.grad)

print("")

print("y.grad_fn :", y.grad_fn)
print("z.grad_fn :", z.grad_fn)

# grad can be implicitly created only for scalar outputs
try:
    z.backward()
except Exception as e:
    print(type(e).__name__, e)

out = z.sum()
print(repr(out))

print("y.requires_grad :", y.requires_grad)
print("z.requires_grad :", z.requires_grad)
print("out.requires_grad :", out.requires_grad)

print("")

print("y.grad :", y.grad)
print("z.grad :", z.grad)
print("out.grad :", out.grad)

print("")

print("y.grad_fn :", y.grad_fn)
print("z.grad_fn :", z.grad_fn)
print("out.grad_fn :", out.grad_fn)

# By default, gradients are only retained for leaf variables. non-leaf variables
# gradients are not retained to be inspected later. This was done by design, to save memory.

zGrad = torch.zeros(2,2)

def extract(z):
    global zGrad
    zGrad = z

# hook the variable's gradient to function input
print(repr(z.register_hook(extract)))
# z.register_hook(print)

out.backward(retain_graph=True)

print("y.requires_grad :", y.requires_grad)
print("z.requires_grad :", z.requires_grad)
print("out.requires_grad :", out.requires_grad)

print("")

print("y.grad :", y.grad)
print("z.grad :", z.grad)
print("out.grad :", out.grad)

print("")

print("y.grad_fn :", y.grad_fn)
print("z.grad_fn :", z.grad_fn)
print("out.grad_fn :", out.grad_fn)

print(zGrad)

# retain_graph = True : accumulated gradient value
out.backward(retain_graph=True)
print(repr(y.grad))

# initialize gradient
y.grad.zero_()
out.backward()
print(repr(y.grad))
