"""Tutorial-style scripts (not from the seeds) give PyTorch's exact output, digits included.

The first is the polynomial fit from PyTorch's "Learning PyTorch with Examples", which
prints ``loss.item()`` at full precision: only sums and products added in PyTorch's order
reproduce it."""

import pytest
from oracle import assert_same_output

POLYNOMIAL_MANUAL = """
import math
import torch
torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = x * 0.5 - x ** 3 / 6
a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))
for t in range(400):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= 1e-6 * p.grad
            p.grad = None
print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
"""

POLYNOMIAL_NN = """
import math
import torch
torch.manual_seed(0)
x = torch.linspace(-math.pi, math.pi, 2000)
y = x * 0.5 - x ** 3 / 6
xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
for t in range(300):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
layer = model[0]
print(layer.bias.item(), layer.weight[:, 0].item(), layer.weight[:, 2].item())
print(model)
"""

AUTOGRAD_BASICS = """
import torch
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
Q.backward(gradient=torch.tensor([1., 1.]))
print(9*a**2 == a.grad, -2*b == b.grad)
inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nSecond call\\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nCall after zeroing gradients\\n{inp.grad}")
"""

LINEAR_REGRESSION = """
import torch
torch.manual_seed(42)
X = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 1.0], [4.0, 2.5]])
y = torch.tensor([[5.0], [4.0], [9.0], [2.0], [9.5]])
w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for epoch in range(50):
    loss = ((X @ w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        b -= 0.05 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 10 == 0:
        print(epoch, loss.item(), loss)
print(w, b)
"""


@pytest.mark.parametrize("program", [POLYNOMIAL_MANUAL, POLYNOMIAL_NN, AUTOGRAD_BASICS,
                                     LINEAR_REGRESSION],
                         ids=["polynomial_manual", "polynomial_nn", "autograd_basics",
                              "linear_regression"])
def test_tutorial_script(program):
    assert_same_output(program)
