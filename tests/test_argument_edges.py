"""Differential tests (tests/oracle.py) for edge-case arguments of the public ops, found
by a sweep that called every op on 0-d, empty, size-1 and non-contiguous tensors of
each dtype with dims in and out of range, repeated or empty dim lists, wrong index
tensors and shapes that do not broadcast:

- dim lists: a repeated dim is refused as PyTorch's dim_list_to_bitset refuses it (also
  0 and -1 of a 0-d tensor); an empty list reduces every dim (sum, mean, var, std, norm,
  amax, amin, logsumexp and its own quirk) but none for all/any; ``sum(None)`` and
  ``mean(None)`` are the dim overloads (SumBackward1, MeanBackward1);
- reductions refuse what PyTorch refuses (integer var/std/norm, bool argmax, empty
  amax/amin, ``sum(dtype=torch.int64)`` of a tensor that requires grad) and keepdim
  results are contiguous with C strides;
- 0-d tensors in narrow, unbind, transpose, squeeze, gather and index_select; narrow's
  start/length checks, split/chunk sizes, sum_to_size's expandability check;
- gather and index_select check their index as PyTorch does, in its order;
- normal_/uniform_ go through check_inplace and record NormalBackward0/UniformBackward0;
- addmm uses alpha and beta (beta = 0 ignores self) and expands self as PyTorch does;
  expand reports the last mismatching dim first.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}

# Each program runs CODES on the INPUTS and prints the result's shape, dtype, values,
# strides (non-empty results), grad_fn and the gradient, or the exception.
PRELUDE = """
import torch
INPUTS = {
    "0d": "torch.tensor(1.5, requires_grad=True)",
    "1d": "torch.tensor([1., -2., 3.], requires_grad=True)",
    "2d": "torch.tensor([[1., -2., 3.], [0., 5., -1.]], requires_grad=True)",
    "tr": "torch.tensor([[1., -2., 3.], [0., 5., -1.]], requires_grad=True).t()",
    "e0": "torch.ones(0, requires_grad=True)",
    "e20": "torch.ones(2, 0, requires_grad=True)",
    "s1": "torch.tensor([[[2.], [3.]]], requires_grad=True)",
    "i0d": "torch.tensor(3)",
    "i1d": "torch.tensor([1, 0, 2])",
    "b1d": "torch.tensor([True, False])",
}

def rounded(v):  # the last bits of exp() are the vector library's
    return [rounded(e) for e in v] if isinstance(v, list) else round(v, 5)

def show(r):
    if isinstance(r, torch.Tensor):
        info = [tuple(r.shape), r.dtype, rounded(r.tolist()), r.grad_fn and r.grad_fn.name()]
        return info + ([r.stride()] if r.numel() else [])
    return [show(e) for e in r] if isinstance(r, (tuple, list)) else r

def run(codes, inputs=INPUTS):
    for name, make in inputs.items():
        for code in codes:
            x = eval(make)
            leaf = x if x.is_leaf else x._base
            try:
                r = eval(code)
            except Exception as e:
                print(name, code, type(e).__name__, e)
                continue
            outs = [o for o in (r if isinstance(r, tuple) else [r])
                    if isinstance(o, torch.Tensor) and o.requires_grad]
            if outs:
                total = sum(o.double().sum() * (i + 1) for i, o in enumerate(outs))
                grad = torch.autograd.grad(total, leaf, allow_unused=True)[0]
                print(name, code, show(r), None if grad is None else rounded(grad.tolist()))
            else:
                print(name, code, show(r))
"""


def program(name: str, codes: str, inputs: str | None = None):
    assert name not in PROGRAMS, name
    call = f"run({codes!r}.split(';'){', ' + inputs if inputs else ''})"
    PROGRAMS[name] = PRELUDE + "\n" + textwrap.dedent(call) + "\n"


program("dim_lists", ";".join(
    f"x.{op}({dims})" for op in ["sum", "mean", "all", "any", "amax", "amin", "norm",
                                 "var", "std", "logsumexp"]
    for dims in ["(0, 0)", "(0, -1)", "(-1,)", "()", "[]", "(1, 0, 1)", "(5, 0, 0)"]
    if op != "norm") + ";" + ";".join(
    f"x.norm(2, {dims})" for dims in ["(0, 0)", "(0, -1)", "()", "(-1,)"]))

program("dim_lists_keepdim", ";".join(
    f"x.{op}({dims}, True)" for op in ["sum", "mean", "all", "amax", "var", "logsumexp"]
    for dims in ["0", "-1", "()", "(0, 1)"]))

program("dim_none", ";".join(
    f"x.{op}(None)" for op in ["sum", "mean", "all", "any", "amax", "amin", "var", "std"])
    + ";x.sum(dim=None, keepdim=True);x.mean(None, True);x.norm(2, None)")

program("reduction_dtypes", ";".join([
    "x.var()", "x.std(0)", "x.norm()", "x.norm(0)", "x.norm(-1)", "x.norm(float('inf'))",
    "x.argmax()", "x.argmin(0)", "x.argmax(0, True)", "x.argmax(None, True)",
    "x.argmin(-1, keepdim=True)", "x.logsumexp(0)", "x.mean(dtype=torch.int64)",
    "x.sum(dtype=torch.int64)", "x.prod(dtype=torch.int64)", "x.cumsum(0, dtype=torch.int64)",
    "x.amax()", "x.amin(0)", "x.amax((0, 1))", "x.amin(-1)", "x.amax([])"]))

program("zero_dim_shape_ops", ";".join([
    "x.narrow(0, 0, 1)", "x.narrow(5, 0, 1)", "x.narrow(0, 0, -1)", "x.narrow(0, -4, 0)",
    "x.narrow(0, 3, 0)", "x.narrow(0, 2, 2)", "x.narrow(-1, -3, 3)", "x.narrow(0, 4, -1)",
    "x.unbind()", "x.unbind(-1)", "x.unbind(1)", "x.transpose(0, 0)", "x.transpose(0, -1)",
    "x.transpose(1, 0)", "x.squeeze((-1,))", "x.squeeze((0, -1))", "x.squeeze((1,))",
    "x.flip((0, 0))", "x.flip(0, -1)", "x.permute(0, 0)"]))

program("split_chunk_sum_to_size", ";".join([
    "x.split(0)", "x.split(-1)", "x.split(-1, 1)", "x.split([1, 1], -1)", "x.chunk(2)",
    "x.chunk(3, -1)", "x.sum_to_size(1)", "x.sum_to_size(3)", "x.sum_to_size(2, 1)",
    "x.sum_to_size(0)", "x.sum_to_size(1, 3)", "x.sum_to_size(1, 1)", "x.sum_to_size(())"]))

INDEXES = ["torch.tensor(0)", "torch.tensor([0])", "torch.tensor([[0]])", "torch.tensor([0, 2])",
           "torch.tensor([5])", "torch.tensor([-1])", "torch.tensor([0.])", "torch.tensor([True])",
           "torch.zeros(0, dtype=torch.long)", "torch.tensor([[0, 1], [1, 0]])",
           "torch.tensor([0], dtype=torch.int32)", "[0]"]
program("gather", ";".join(f"x.gather({d}, {i})" for d in ["0", "-1", "1"] for i in INDEXES))
program("index_select", ";".join(f"x.index_select({d}, {i})" for d in ["0", "-1", "1"]
                                 for i in INDEXES))



def plain(name: str, text: str):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = textwrap.dedent(text)


plain("random_fills_check_inplace", """
import torch
torch.manual_seed(0)
x = torch.ones(2, requires_grad=True)
for code in ["x.normal_()", "x.uniform_()", "x[0].normal_()", "(x * 2).normal_()",
             "(x * 2).uniform_(-1, 1)", "torch.ones(2, dtype=torch.long).normal_()",
             "torch.ones(2, dtype=torch.bool).uniform_()", "torch.ones(2).expand(3, 2).normal_()"]:
    try:
        y = eval(code)
        print(code, y, y.grad_fn and [f and f.name() for f, _ in y.grad_fn.next_functions])
        if y.requires_grad:
            print(torch.autograd.grad(y.sum(), x))
    except Exception as e:
        print(code, type(e).__name__, e)
with torch.no_grad():
    print(x.normal_())
print(x.grad_fn, x._version)
""")

plain("addmm_alpha_beta_and_bias_shape", """
import torch
b = torch.tensor([1., float('nan'), 3.], requires_grad=True)
m1 = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
m2 = torch.tensor([[1., 0., 2.], [0.5, 1., -1.]], requires_grad=True)
for kw in [{}, {"beta": 0}, {"alpha": 2}, {"beta": 0.5, "alpha": -1}, {"beta": 2, "alpha": 0}]:
    r = torch.addmm(b, m1, m2, **kw)
    print(kw, r, r.grad_fn.name())
    print(torch.autograd.grad(r.sum(), (b, m1, m2)))
for args in ["torch.ones(3), torch.ones(3, 2), torch.ones(2, 2)",
             "torch.ones(1, 2, 1), torch.ones(3, 2), torch.ones(2, 2)",
             "torch.ones(3, 1), torch.ones(3, 2), torch.ones(2, 2)",
             "torch.ones(2, 3), torch.ones(2, 2), torch.ones(3, 3)"]:
    try:
        print(eval(f"torch.addmm({args})").shape)
    except Exception as e:
        print(type(e).__name__, e)
for size in [(1, 0), (3, 2), (2, 2, 2), (4, 3, 1)]:
    try:
        torch.ones(2, 3).expand(*size)
    except RuntimeError as e:
        print(e)
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_argument_edges(name):
    oracle.assert_same_output(PROGRAMS[name])
