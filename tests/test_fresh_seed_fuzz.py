"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on fresh seeds (10000-19999):

- ``DivBackward0`` saves ``other`` for both formulas, so PyTorch unpacks it even when
  no input needs a gradient: a second backward through it fails;
- ``masked_fill`` fills a contiguous clone of self: its result is contiguous whatever
  self's layout (a later ``contiguous()`` is then no clone);
- ``x[index] = v`` with ``v`` a view of ``x`` that index_put_'s overlap check cannot
  prove overlapping: PyTorch writes element by element, reading what it already wrote;
- in-place ops refuse ``self`` (a leaf, a view of a leaf, a view that may not be
  modified) before their autograd kernel asks a stale view among the other arguments
  for its history;
- ``MaximumBackward0`` unpacks ``other`` before ``self`` (which one a version error names);
- gradient versions: a gradient sent along several edges is added into in place once
  no other input buffer holds it any more (PyTorch's use count), not never.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


program("second_backward_through_div_without_input_edges", """
import torch
x = torch.tensor([[1.65, -0.57, -1.75]], requires_grad=True)
with torch.no_grad():
    v = x.transpose(1, -1)  # requires grad, but gives no edge
for f in [lambda: v / 2, lambda: v * 2, lambda: v.exp(), lambda: v * v, lambda: v + 1,
          lambda: x / 2]:
    y = f()
    y.sum().backward()
    try:
        y.sum().backward()
        print("ok", type(y.grad_fn).__name__)
    except RuntimeError as e:
        print(type(y.grad_fn).__name__, e)
""")

program("masked_fill_result_is_contiguous", """
import torch
x = torch.randn(3, 3, 3, requires_grad=True)
t = x.mT.unsqueeze(0)
for y in [t.masked_fill(t > 0, -1.5), t.masked_fill(t > 0, torch.tensor(2.)),
          t.masked_fill(torch.tensor(True), 1.), t[0, 0, 0].masked_fill(t > 0, 1.),
          t[0, 0, 0, 0].masked_fill(torch.tensor(True), 1.)]:
    print(y.shape, y.stride(), y.is_contiguous(), type(y.contiguous().grad_fn).__name__)
w = torch.where(t.masked_fill(t > 0, 1.) > 0, t.masked_fill(t > 0, 1.), t.trunc())
print(w.stride(), type(w.contiguous().grad_fn).__name__)
""")

program("version_of_gradient_sent_along_several_edges", """
import torch
x = torch.tensor([[0.89]], dtype=torch.float64, requires_grad=True)
for name, f in [("min", lambda: torch.minimum(x, x)), ("mul", lambda: x * x),
                ("add", lambda: x + x), ("sub", lambda: x - x)]:
    y = f()
    print(name, torch.autograd.grad(y.sum(), [x])[0]._version, end=" ")
    y = f()
    y += x
    print(torch.autograd.grad(y.sum(), [x])[0]._version, end=" ")
    y = f()
    y += x
    print(torch.autograd.grad(y.cumsum(1).select(0, 0).sum(), [x])[0]._version, end=" ")
    y = f() + x
    print(torch.autograd.grad(y.cumsum(1).sum(), [x])[0]._version, end=" ")
    y = f() + x * 2
    print(torch.autograd.grad(y.cumsum(1).sum(), [x])[0]._version)
""")

program("index_put_from_a_view_of_itself", """
import torch
CODES = ["y[[2, 0]] = y[::2]", "y[[0, 2]] = y[::2].flip(0)", "y[[1, 2, 0]] = y[::1][[0]].t()[0]",
         "y[[2, 1, 0]] = y[:, ::2][:, 0]", "y[[2, 0]] = y[::2, :1]",
         "y[torch.tensor([True, False, True])] = y[::2]", "y[[2, 0], [1, 0]] = y[0, ::2]",
         "y[[1, 2]] = y[::2]", "y[[0, 2]] = y.t()[:2, ::2].t()", "y[[2, 0]] = y[0]",
         "y[[2, 2]] = y[::2]"]
for code in CODES:
    y = torch.arange(12.).view(3, 4).requires_grad_().clone()
    try:
        exec(code, {"torch": torch, "y": y})
        print(code, y.tolist(), y._version, type(y.grad_fn).__name__)
    except RuntimeError as e:
        print(code, e)
""")

program("inplace_refusal_before_stale_argument", """
import torch
x = torch.tensor([0.8], requires_grad=True)
stale = x.unbind(0)[-1]
stale.detach().add_(0.5)
with torch.no_grad():
    nograd_view = x.clone()[:]
for code in ["x.t().copy_(stale)", "x[:].copy_(stale)", "x.copy_(stale)", "x[:].add_(stale)",
             "x.t().copy_(torch.ones(1))", "x.clone().copy_(stale)", "x.unbind(0)[0].copy_(stale)",
             "nograd_view.copy_(stale)", "x[:].zero_()", "x[:].fill_(stale)"]:
    try:
        exec(code)
        print("ok", code)
    except RuntimeError as e:
        print(code, e)
""")

program("maximum_minimum_unpack_other_first", """
import torch
for f in ["maximum", "minimum", "max", "min"]:
    a = torch.ones(2, requires_grad=True).clone()
    b = torch.ones(2, requires_grad=True).clone()
    y = getattr(torch, f)(a, b)
    a.add_(1)
    b.add_(1)
    b.add_(1)
    try:
        y.sum().backward()
    except RuntimeError as e:
        print(f, e)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name])
