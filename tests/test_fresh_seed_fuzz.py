"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on fresh seeds (10000-19999):

- ``DivBackward0`` saves ``other`` for both formulas, so PyTorch unpacks it even when
  no input needs a gradient: a second backward through it fails;
- ``masked_fill`` fills a contiguous clone of self: its result is contiguous whatever
  self's layout (a later ``contiguous()`` is then no clone);
- ``x[index] = v`` with ``v`` a view of ``x`` that index_put_'s overlap check cannot
  prove overlapping: PyTorch writes element by element, reading what it already wrote.
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
          t.masked_fill(torch.tensor(True), 1.), t[0, 0, 0].masked_fill(t > 0, 1.)]:
    print(y.shape, y.stride(), y.is_contiguous(), type(y.contiguous().grad_fn).__name__)
w = torch.where(t.masked_fill(t > 0, 1.) > 0, t.masked_fill(t > 0, 1.), t.trunc())
print(w.stride(), type(w.contiguous().grad_fn).__name__)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name])
