"""Differential tests (tests/oracle.py) for the last mismatches of the differential
fuzzer (tests/test_fuzz_programs.py) on views, gradients and warnings:

- the order of errors with a stale view among an op's arguments (a view whose base was
  modified in place after it was made: pieces of split/unbind, views made under
  no_grad): PyTorch's autograd kernel asks for its history before the op checks the
  other arguments, except composite ops and ops without derivative;
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}

ATTEMPT = """
import warnings
warnings.simplefilter("always")

def attempt(code, **names):
    try:
        exec(code, {"torch": torch, **names})
        print("ok:", code)
    except Exception as e:
        print(f"{type(e).__name__}: {e} <- {code}")
"""


def program(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = ATTEMPT + textwrap.dedent(text)


program("stale_view_errors_first", """
import torch
CODES = ["v.view(7)", "v.view(3)", "v.reshape(7)", "v.t().reshape(7)", "v.squeeze(5)",
         "v + torch.ones(4)", "torch.ones(4) + v", "torch.ones(4) * v", "v @ torch.ones(4)",
         "v.mm(torch.ones(4, 2))", "v.softmax(5)", "torch.log_softmax(v, 5)", "v.sum(5)",
         "torch.cat([v, torch.ones(2, 2)])", "torch.stack([v, torch.ones(2)])", "v.flip(4)",
         "v.select(0, 5)", "v[5]", "v.expand(4, 4)", "v == torch.ones(4)", "v.argmax(5)",
         "v.permute(0)", "v.transpose(0, 4)", "v.unsqueeze(4)", "v.narrow(0, 0, 5)",
         "v.split(1, 4)", "v.chunk(0)", "v.gather(5, torch.tensor([[0]]))", "v.clamp()",
         "torch.where(torch.ones(4, dtype=torch.bool), v, 0.)", "torch.ones(2, 4).add_(v)",
         "torch.ones(2, 4)[0] = v", "torch.maximum(v, torch.ones(4))", "v.repeat(1)",
         "v.std(5)", "v.max(5)", "v.index_select(5, torch.tensor([0]))", "v.mv(torch.ones(4))",
         "v.dot(v)", "torch.outer(v, v)", "v.masked_fill(torch.ones(4, dtype=torch.bool), 1.)",
         "v.detach().view(7)", "v.view(3).sum()"]
for kind in ["split", "no_grad", "plain view"]:
    for code in CODES:
        a = torch.ones(2, 3, requires_grad=True).clone()
        if kind == "split":
            v = a.split(1)[0]
        elif kind == "no_grad":
            with torch.no_grad():
                v = a[:1]
        else:
            v = a[:1]
        a.mul_(2)
        attempt(code, v=v)
        if kind == "plain view":
            print(v.grad_fn.name())
# no grad mode, or nothing requires grad: the op's own error
for grad in [True, False]:
    a = torch.ones(2, 3, requires_grad=grad).clone()
    v = a.split(1)[0]
    a.mul_(2)
    with torch.set_grad_enabled(not grad):
        attempt("v.view(7)", v=v)
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    oracle.assert_same_output(PROGRAMS[name])
