"""The checks PyTorch 2.13 makes before an in-place write (in-place ops, ``copy_``,
``x[idx] = v``, ``x[idx] += v``), compared with the oracle (tests/oracle.py):

- internal overlap: writing an expanded tensor (stride 0) is refused by TensorIterator
  ops and ``copy_``, allowed (and done) by ``zero_``/``fill_(number)``, a warning for
  ``index_put_``/``masked_fill_``;
- partial overlap between an input and the written-to tensor (``x.add_(x.t())``),
  and ``index_put_``'s stricter no-overlap-at-all;
- the shape and dtype checks of in-place broadcasting and of ``index_put_``,
  and their order relative to the autograd checks.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}

ATTEMPT = oracle.ATTEMPT_EXEC


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = ATTEMPT + textwrap.dedent(text)


program("expanded_writes", """
import torch
for code in ["x.expand(3, 2).zero_()", "x.expand(3, 2).fill_(2.0)",
             "x.expand(3, 2).fill_(torch.tensor(2.0))", "x.expand(3, 2).add_(1)",
             "x.expand(3, 2).sigmoid_()", "x.expand(3, 2).mul_(torch.ones(3, 2))",
             "x.expand(3, 2).copy_(torch.ones(3, 2))", "x.expand(3, 2).copy_(x.expand(3, 2))",
             "x.expand(3, 2).add_(torch.ones(4))", "x.expand(3, 2).normal_()",
             "x.expand(1, 2).add_(1)", "x.unsqueeze(0).expand(1, 2).mul_(2)"]:
    x = torch.tensor([1.0, 2.0])
    attempt(code, x=x)
    print(x, x._version)
""")

program("expanded_setitem", """
import torch
for code in ["x.expand(3, 2)[0] = 3.5", "x.expand(3, 2)[:, 0] = 4.5",
             "x.expand(3, 2)[...] = 1.5", "x.expand(3, 2)[[0, 1]] = 1.5",
             "x.expand(3, 2)[[0, 2]] = torch.tensor([[5.0, 6.0], [7.0, 8.0]])",
             "x.expand(3, 2)[torch.tensor([True, False, True])] = 2.5",
             "x.expand(3, 2)[torch.tensor([True, False, True])] = torch.tensor(2.5).double()",
             "x.expand(3, 2)[[0, 1]] += 1"]:
    x = torch.tensor([1.0, 2.0])
    attempt(code, x=x)
    print(x, x._version)
""")

program("partial_overlap", """
import torch
for code in ["y.add_(y.t())", "y.add_(y)", "y.mul_(y.view(4).view(2, 2))",
             "y[0].add_(y[1])", "y[0].add_(y[:, 0])", "y.view(4)[:2].copy_(y.view(4)[1:3])",
             "y.copy_(y)", "y.copy_(y.t())", "y.t().copy_(y.t())", "y[0] = y[:, 0]",
             "y[:] = y.t()", "y[...] = y[0]", "y[[0, 1]] = y", "y[[0]] = y[0]",
             "y[[1, 0]] = y[0:1]", "y[[1, 0]] = y.t().clone()", "y[0] += y[1]",
             "y[[0, 1]] += y", "y.clamp_(min=y.t())", "y.fill_(y[0, 0])"]:
    y = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    attempt(code, y=y)
    print(y, y._version)
""")

program("inplace_broadcast_shapes", """
import torch
for code in ["torch.tensor([1.0, 2.0]).add_(torch.ones(2, 2))",
             "torch.tensor(1.0).add_(torch.ones(2))", "torch.tensor(1.0).copy_(torch.ones(2))",
             "torch.ones(2).copy_(torch.ones(2, 2))", "torch.ones(2, 3).mul_(torch.ones(4, 2, 3))",
             "torch.ones(2).copy_(torch.ones(3))"]:
    attempt(code)
""")

program("setitem_values", """
import torch
for code in ["y[[0, 1]] = torch.ones(2, 2, 2)", "y[[0, 1]] = torch.ones(2).double()",
             "y[[0]] = torch.tensor(2.0).double()", "y[0] = torch.ones(2, 2).double()",
             "y[0] = torch.ones(1, 1, 2).double()", "y[1:] = torch.ones(3)",
             "y[torch.tensor([True, False])] = torch.ones(3, 3)",
             "y[torch.tensor([True, False])] = torch.ones(1).double()",
             "y[[1]] = torch.ones(1, 1, 2)", "y[0, 0] = torch.ones(1, 1)",
             "y[...] = torch.tensor(7.0)", "y[0] = torch.ones(2, dtype=torch.int64)"]:
    y = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    attempt(code, y=y)
    print(y, y._version)
""")

program("setitem_graph", """
import torch

def walk(fn, depth=0):
    if fn is not None:
        print(" " * depth + fn.name())
        for f, _ in fn.next_functions:
            walk(f, depth + 2)

x = torch.zeros(2, 3, requires_grad=True)
v = torch.ones(1, 3, requires_grad=True)
for code in ["y[0:2] = v", "y[0] = v", "y[0] = v[0, 0]", "y[...] = 2.0", "y[[0, 1]] = v",
             "y[torch.tensor([True, False])] = v[0, 0]", "y[:, 0:1] = v[0, 0:2].unsqueeze(1)"]:
    y = x * 1
    attempt(code, y=y, v=v)
    walk(y.grad_fn)
    y.sum().backward()
    print(x.grad, v.grad)
    x.grad = v.grad = None
""")

program("checks_order", """
import torch
a = torch.ones(2, requires_grad=True)
b = torch.ones(2, 2, requires_grad=True)
for code in ["a.add_(torch.ones(2, 2))", "a[0:2].add_(torch.ones(2, 2))",
             "a[0:2].copy_(torch.ones(3))", "a.expand(2, 2).copy_(torch.ones(3))",
             "b[0] = torch.ones(2, 2)", "b[[0]] = torch.ones(3)", "b.add_(b.t())"]:
    attempt(code, a=a, b=b)
y = torch.ones(1).expand(3).clone()
for code in ["y.expand(2, 3).copy_(torch.ones(4))", "y.add_(y.view(3, 1))",
             "y.expand(2, 3).add_(torch.ones(2, 3).double())"]:
    attempt(code, y=y)
""")

program("empty_and_size_one_dims", """
import torch
x = torch.tensor([[1.5]])
for code in ["x[1:, [0, 0]].neg_()", "x[1:, [0, 0]].mul_(torch.ones(0))",
             "x[1:].expand(0, 3).add_(1)"]:
    attempt(code, x=x)
y = torch.arange(12.0).reshape(2, 3, 2)
for code in ["y.expand(2, -1, -1, -1)[1:, None] = y", "y.unsqueeze(0).copy_(y.view(1, 2, 3, 2))",
             "y[None].add_(y.view(1, 2, 3, 2))", "y[:, None].mul_(y.view(2, 1, 3, 2))"]:
    attempt(code, y=y)
print(y)
""")

program("expanded_backward", """
import torch
a = torch.tensor([1.0, 2.0], requires_grad=True)
x = a * 1
e = x.expand(3, 2)
with torch.no_grad():
    x.add_(1)
e.sum().backward()
print(a.grad, e.grad_fn.name())

a = torch.tensor([1.0, 2.0], requires_grad=True)
x = a * 1
x.expand(3, 2).zero_()
print(x, x.grad_fn.name())
try:
    x.sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)

b = torch.tensor([1.0], requires_grad=True)
e = (b * 1).expand(2, 1).detach()
e.expand(2, -1, -1)[1, 0] = b.sum()
print(e, e.grad_fn.name())
try:
    e.sum().backward()
except RuntimeError as err:
    print("RuntimeError:", err)

a = torch.tensor([[0.5], [1.5]], requires_grad=True)
v = a.reshape(2, 1)
v.backward(torch.ones(2, 1))
e = v.expand(3, 2, 1)
with torch.no_grad():
    a.add_(a.grad, alpha=-0.1)
e.backward(torch.arange(6.0).reshape(3, 2, 1))
print(a.grad)
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    oracle.assert_same_output(PROGRAMS[name])
