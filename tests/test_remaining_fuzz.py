"""Differential tests (tests/oracle.py) for the last mismatches of the differential
fuzzer (tests/test_fuzz_programs.py) on views, gradients and warnings:

- the order of errors with a stale view among an op's arguments (a view whose base was
  modified in place after it was made: pieces of split/unbind, views made under
  no_grad): PyTorch's autograd kernel asks for its history before the op checks the
  other arguments, except composite ops and ops without derivative;
- the sign of zeros: gradients written (select, slice, max/min over a dim, sort) keep a
  -0 that gradients added (index, gather, index_select) lose; the softmax kernels' sums
  along the last dim start from the first term; mm's rank-1 products; dot;
- warnings: softmax of inf is silent; var/std's degrees-of-freedom warning comes after
  the autograd kernel's checks (none when a stale view refuses first).
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
         "v.detach().view(7)", "v.view(3).sum()", "v.sum() @ torch.ones(2)",
         "torch.ones(4) @ v", "torch.ones(2, 2, 4) @ v.t()", "torch.ones(4, 2) @ v"]
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
# matmul checks for 0-d operands before its first op connects them
a = torch.ones(3, requires_grad=True).clone()
with torch.no_grad():
    s = a[0]
a.mul_(2)
for code in ["s @ torch.ones(2)", "torch.ones(2) @ s", "s.matmul(s)", "s.unsqueeze(0) @ s"]:
    attempt(code, s=s)
""")

program("signs_of_zero", """
import torch
for dtype in [torch.float32, torch.float64]:
    x = torch.tensor([[1., 3.], [2., 0.]], dtype=dtype, requires_grad=True)
    z = -torch.zeros(2, 2, dtype=dtype)
    for code in ["x.max(0)[0]", "x.max(1, keepdim=True)[0]", "x.min(0)[0]", "x.sort(0)[0]",
                 "x.max()", "x.amax()", "x.gather(0, torch.tensor([[1, 0]]))",
                 "x.index_select(0, torch.tensor([1]))", "x[1]", "x[:, 1:]", "x[[1, 0]]",
                 "x.unbind(0)[0]", "x.split(1)[0]", "x.narrow(0, 1, 1)", "x.select(1, 0)",
                 "x.expand(2, 2, 2)", "x.sum(0)", "x.clamp(min=1.5)", "x.relu()", "x.flip(0)",
                 "x.log_softmax(1)", "x.log_softmax(0)", "x.softmax(1)", "x.softmax(0)",
                 "x[0, 0].log_softmax(0)", "x[0, 0].softmax(0)", "x[:, :1].log_softmax(1)"]:
        y = eval(code)
        print(code, torch.autograd.grad(y, x, -torch.zeros(y.shape, dtype=dtype)))
    g = torch.tensor([[-0., -0., 0.], [0., -0., -0.]], dtype=dtype)
    x3 = torch.tensor([[-1.1, -1.1, -1.1], [-1.2, -1.0, -1.1]], dtype=dtype, requires_grad=True)
    for dim in [0, 1]:
        print(torch.autograd.grad(x3.log_softmax(dim), x3, g),
              torch.autograd.grad(x3.softmax(dim), x3, g))
    a = torch.tensor([[0.], [1.]], dtype=dtype)
    b = torch.tensor([[-1., 2.]], dtype=dtype)
    print(a @ b, a.mm(b), torch.tensor([[[0.]], [[1.]]], dtype=dtype) @ b,
          torch.zeros(2, 3, 1, dtype=dtype).bmm(-torch.ones(2, 1, 3, dtype=dtype)),
          torch.tensor([[0.]], dtype=dtype).mv(torch.tensor([-1.], dtype=dtype)),
          torch.tensor([0.], dtype=dtype).dot(torch.tensor([-1.], dtype=dtype)),
          torch.tensor([0.], dtype=dtype) @ b, a @ torch.tensor([-1.], dtype=dtype),
          torch.zeros(2, 2, dtype=dtype) @ -torch.ones(2, 2, dtype=dtype),
          torch.addmm(-torch.zeros(2, 2, dtype=dtype), a, b))
""")

program("warnings", """
import torch
x = torch.tensor([float("inf"), 1.], requires_grad=True)
for code in ["x.softmax(-1)", "x.log_softmax(0)", "torch.softmax(x, 0)",
             "torch.log_softmax(x.std(0, correction=2).unsqueeze(0), -1)",
             "torch.ones(2, 1).var(0, correction=2)"]:
    attempt(code, x=x)
a = torch.ones(2, 2, requires_grad=True).clone()
v = a.chunk(2, 1)[-1]
a[torch.tensor([0, 1])] += 2
attempt("v.std(dim=0, correction=2)", v=v)
attempt("v.var(dim=0, correction=2)", v=v)
""")


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_same_output(name):
    oracle.assert_same_output(PROGRAMS[name])
