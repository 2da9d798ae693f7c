"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on seeds 20000 and up, which were never used while
the engine was fixed against seeds 0-19999:

- ``repeat`` writes a new contiguous tensor, also when every repeat is 1 and the input
  is expanded or transposed (numpy's ``tile`` would keep the input's layout), so a
  later ``flatten()`` of it is a view;
- ``reshape`` is composite in PyTorch: a contiguous tensor goes straight to ``view``
  (whose autograd kernel refuses a stale view before the size is checked), a
  non-contiguous one has its size checked first; ``flatten`` wraps its dims and checks
  ``start_dim <= end_dim`` (also for 0-d tensors) before it reshapes.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


program("repeat_is_contiguous", """
import torch
x = torch.arange(6.).reshape(1, 3, 2)
for y in [x.expand(3, -1, -1), x.permute(2, 1, 0), x[..., ::2], x.expand(2, 3, 3, 2)[0]]:
    for reps in [(1,) * y.dim(), (1,) * (y.dim() + 1), (2,) + (1,) * (y.dim() - 1)]:
        r = y.repeat(*reps)
        print(reps, r.shape, r.stride(), r.is_contiguous(), r.detach().flatten()._is_view())
""")


program("reshape_flatten_order_of_errors", """
import torch
def stale(how, kind):
    a = torch.ones(2, 3, requires_grad=True).clone()
    if kind == "split":
        v = eval(how.replace("a", "a.split(1)[0]", 1))
    elif kind == "no_grad":
        with torch.no_grad():
            v = eval(how)
    else:
        v = eval(how)
    a.mul_(2)
    return v
CODES = ["v.reshape(7)", "v.reshape(4)", "v.reshape(6)", "v.reshape(2)", "v.reshape(3)",
         "v.reshape(-1)", "v.reshape(-1, -1)", "v.reshape(0, -1)", "torch.reshape(v, (7,))",
         "v.reshape_as(torch.ones(7))", "v.reshape_as(torch.ones(v.numel()))",
         "v.view_as(torch.ones(7))", "v.flatten()", "v.flatten(3)", "v.flatten(1, 0)",
         "v.flatten(-1, -2)", "v.flatten(0, 0)", "v.flatten(-1, 0)", "torch.flatten(v, 5)"]
for kind in ["split", "no_grad", "fresh"]:
    for how in ["a", "a[:1]", "a[:, :1]", "a.t()", "a[:1].expand(2, 3)", "a[0, :1].expand(2, 2)",
                "a[0, 0].expand(2)", "a[:, 0]", "a[0]", "a[0, 0]"]:
        for code in CODES:
            v = stale(how, kind)
            try:
                r = eval(code)
                print(kind, how, code, r.shape, r.grad_fn.name())
            except Exception as e:
                print(kind, how, code, type(e).__name__, e)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name])
