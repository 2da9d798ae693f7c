"""Differential tests (tests/oracle.py) for a second sweep of edge-case arguments:

- grad_fn names the overload decides: clamp with a number beside a 0-d tensor
  (ClampBackward1), clamp_min/clamp_max with a tensor (ClampMinBackward1...), rsub with a
  tensor (RsubBackward0, which also gives ``other`` its gradient), div with a
  rounding_mode (DivBackward2, zero gradients when rounded);
- remainder records RemainderBackward0/1; floor_divide and ``number % tensor`` have no
  derivative (PyTorch's NotImplemented node, whose backward fails);
- var/std backward of a full reduction without degrees of freedom (inf or nan);
- integer pow with negative exponents (PyTorch's powi), integer division by zero,
  and bool tensors where PyTorch's kernels refuse them or treat them specially;
- the argument checks of sub (bools), add/sub (alpha), mv, dot, allclose, equal,
  fill_, masked_fill and masked_fill_, view/expand/repeat sizes and norm, in PyTorch's
  order; masked_fill_ writes only masked elements (an expanded tensor: a warning);
  fmod (C's sign convention) and its gradients.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}

# Each program runs SETUP then one CODE at a time (each assigns ``r``) and prints r's
# dtype, shape, values and grad_fn name (recursively for tuples), or the exception.
PRELUDE = """
import torch

def show(r):
    if isinstance(r, torch.Tensor):
        return [r.dtype, tuple(r.shape), r.tolist(), r.grad_fn and r.grad_fn.name()]
    if isinstance(r, (tuple, list)):
        return [show(e) for e in r]
    return r.name() if hasattr(r, "next_functions") else r

def run(setup, codes):
    for code in codes:
        ns = {"torch": torch}
        exec(setup, ns)
        try:
            exec(code, ns)
            print(code, show(ns["r"]))
        except Exception as e:
            print(code, type(e).__name__, e)
"""


def program(name: str, setup: str, codes: list[str]):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = PRELUDE + f"\nrun({textwrap.dedent(setup)!r}, {codes!r})\n"


SETUP = """
x = torch.tensor([1.5, -2.5, 3.], requires_grad=True)
o = torch.tensor([2., -1.5, 0.7], requires_grad=True)
t = torch.tensor(1.)
tg = torch.tensor(1., requires_grad=True)
t1 = torch.tensor([1., 0, 2])
b = torch.tensor([True, False, True])
"""

program("clamp_overloads", SETUP, [
    "r = x.clamp(0, t)", "r = x.clamp(t, 2)", "r = x.clamp(t, t)", "r = x.clamp(min=t)",
    "r = x.clamp(None, t1)", "r = x.clamp(torch.tensor(1, dtype=torch.float64), 3)",
    "r = torch.tensor([1, -2, 3]).clamp(torch.tensor(0.5), 2)", "r = x.clamp(t1, 2)",
    "r = x.clamp(tg, 2)", "r = x.clamp(0, tg)", "r = x.clamp(t1, 2.5)",
    "r = x.clamp_min(t)", "r = x.clamp_max(t1)", "r = torch.clamp_min(x, t)",
    "r = torch.clamp_max(x, 1)", "r = x.clamp_min(torch.tensor(1, dtype=torch.float64))",
    "r = x.clamp_min(t1); r.sum().backward(); r = x.grad",
    "r = t1.clone().requires_grad_(); x.clamp_min(r).sum().backward(); r = (x.grad, r.grad)",
    "r = x.clamp_max(tg); r.sum().backward(); r = (x.grad, tg.grad)",
    "r = x.clamp_max(torch.tensor([1.5, 0, 3.], requires_grad=True)); "
    "r = torch.autograd.grad(r.sum(), x)",
    "r = x * 1; r.clamp_min_(t)", "r = x * 1; r.clamp_max_(t1)", "r = x * 1; r.clamp_(t1)",
])

program("rsub_and_sub_checks", SETUP, [
    "r = torch.rsub(x, torch.tensor(2.))", "r = torch.rsub(x, t1, alpha=2)",
    "r = torch.rsub(t1, x)", "r = torch.rsub(x, 2, alpha=3)", "r = 2 - x",
    "r = torch.rsub(x, o, alpha=2); r.sum().backward(); r = (x.grad, o.grad)",
    "r = torch.rsub(x, 0.1, alpha=3)", "r = torch.rsub(torch.tensor([1, 2]), 1, alpha=0.5)",
    "r = x.sub(True)", "r = x - torch.tensor(True)", "r = b - b", "r = b - 1", "r = 1 - b",
    "r = b - x", "r = torch.rsub(x, True)", "r = torch.rsub(b, b)", "r = x.sub(b, alpha=2)",
    "r = b.sub(True)", "r = x.detach().sub_(b)", "r = x.sub_(True)", "r = x.add(True)",
    "r = b - torch.ones(2)", "r = torch.tensor([1, 2]).sub(1, alpha=0.5)",
    "r = torch.tensor([1, 2]).add(torch.tensor([1, 2]), alpha=0.5)",
    "r = torch.tensor([1, 2]).add(torch.tensor([1, 2]), alpha=True)",
    "r = b.add(b, alpha=2)", "r = b.add(b, alpha=True)", "r = torch.ones(2).add(1, alpha=True)",
    "r = torch.ones(2).add(torch.ones(3), alpha=0.5)",
])

program("remainder_floor_divide_div_modes", SETUP, [
    "r = x.remainder(2)", "r = x.remainder(2); r.sum().backward(); r = x.grad",
    "r = x.remainder(o); r.sum().backward(); r = (x.grad, o.grad)",
    "r = x.remainder(torch.tensor(2.)); r = (r, r.grad_fn.next_functions[1][0])",
    "r = x.remainder(o.double()); r.sum().backward(); r = (x.grad, o.grad)",
    "r = torch.tensor(2.).remainder(o)", "r = 7 % o", "r = torch.remainder(7, o)",
    "r = torch.remainder(7, o); r.sum().backward()",
    "r = x * 1; r %= 2", "r = x * 1; r.remainder_(o)", "r = x * 1; r.floor_divide_(2)",
    "r = x.floor_divide(2)", "r = x // 2; r.sum().backward()",
    "r = x.floor_divide(2); r = torch.autograd.grad(r.sum(), x)",
    "r = x.detach().floor_divide(o); r = len(r.grad_fn.next_functions)",
    "r = x.div(2, rounding_mode='floor')", "r = x.div(o, rounding_mode='trunc')",
    "r = x.div(2, rounding_mode=None)", "r = x.div(2, rounding_mode='foo')",
    "r = x.div(2, rounding_mode='floor'); r = torch.autograd.grad(r.sum(), x)",
    "r = x.div(o, rounding_mode='trunc'); r = torch.autograd.grad(r.sum(), (x, o))",
    "r = x.div(o, rounding_mode=None); r = torch.autograd.grad(r.sum(), (x, o))",
    "r = torch.tensor([5, -5, 7, -7]).div(torch.tensor([2, 2, -3, -3]), rounding_mode='trunc')",
    "r = torch.tensor([5., -5]).div(torch.tensor([2, 0]), rounding_mode='trunc')",
    "r = torch.tensor([[1, 2]]).remainder(torch.tensor([[0, 0]]))",
    "r = torch.tensor([[1, 2]]) % 0", "r = torch.tensor([1, 2], dtype=torch.uint8).remainder(0)",
    "r = torch.tensor([[1, 2]]).div(0, rounding_mode='trunc')",
    "r = torch.tensor([[1, 2]]).floor_divide(torch.tensor([0, 1]))",
    "r = torch.ones(0, dtype=torch.long).remainder(0)",
    "r = torch.tensor([1., 2]).remainder(torch.tensor([0, 1]))",
    "r = b.remainder(b)", "r = b.floor_divide(b)", "r = b % 2", "r = b // 2",
    "r = b.div(b, rounding_mode='trunc')", "r = b.div(b, rounding_mode='floor')",
])

program("var_std_no_freedom_backward", "", [
    f"x = torch.tensor({values}).reshape({shape}).requires_grad_(); "
    f"v = x.{op}({dim}, correction={c}); r = torch.autograd.grad(v, x, torch.full_like(v, {g}))"
    for op in ["var", "std"] for values, shape in [("1.5", "()"), ("[1.5]", "(1,)"),
                                                   ("[1.5, 2., 4.]", "(3,)")]
    for c in [1, 2, 3, 3.5] for dim in ["None", "0", "[]"] for g in [1., -2.]
])

program("integer_pow", "", [
    "r = torch.tensor(-2).pow(torch.tensor(-2))", "r = torch.tensor(0).pow(torch.tensor(-1))",
    "r = torch.tensor([0, 1, -1, 2, -2]).pow(torch.tensor([-1, -1, -3, -1, -3]))",
    "r = torch.tensor([0, 1, -1, 2, -2, 3], dtype=torch.int8)"
    ".pow(torch.tensor([-1, -1, -3, -1, -3, 5], dtype=torch.int8))",
    "r = torch.tensor([0, 1, 255, 2], dtype=torch.uint8)"
    ".pow(torch.tensor([1, 3, 2, 9], dtype=torch.uint8))",
    "r = torch.tensor([0, 1, -1, 2]).pow(-1)", "r = 2 ** torch.tensor([-1, 0, 3])",
    "r = (-1) ** torch.tensor([-1, -2, 3])", "r = torch.pow(2, torch.tensor([-1, 0, 3]))",
    "r = torch.tensor([True, False]).pow(torch.tensor([True, True]))",
    "r = torch.tensor([True, False]).pow(torch.tensor([-1, 2]))",
    "r = torch.tensor([True, True]).pow(torch.tensor(True))", "r = torch.tensor(True) ** True",
    "r = torch.tensor([1, 2]) ** torch.tensor(-1)", "r = True ** torch.tensor([-1, 2])",
])

program("bool_kernels", "b = torch.tensor(True); b1 = torch.tensor([True, False])", [
    f"r = {code}" for code in [
        "b.abs()", "b1.abs()", "b.ceil()", "b.floor()", "b.round()", "b.round(decimals=1)",
        "b.trunc()", "b.relu()", "b.sign()", "b1.sign()", "b.sgn()", "b1.dot(b1)",
        "b1.mv(b1)", "torch.ones(2, 3, dtype=torch.bool).mv(torch.ones(3, dtype=torch.bool))",
        "torch.ones(2, 2, dtype=torch.bool).mm(torch.ones(2, 2, dtype=torch.bool))",
        "torch.ones(2, 3, dtype=torch.bool).mm(torch.ones(2, 2, dtype=torch.bool))",
        "torch.ones(2, 2, dtype=torch.bool).matmul(b1)", "b1.matmul(b1)", "b1.outer(b1)",
        "torch.ones(2, 2, 2, dtype=torch.bool).bmm(torch.ones(2, 2, 2, dtype=torch.bool))",
        "torch.addmm(*[torch.ones(2, 2, dtype=torch.bool)] * 3)",
        "torch.tensor([1, 2]).round(decimals=1)", "torch.tensor([1, -2]).relu()",
        "torch.tensor([1, -2], dtype=torch.uint8).sign()"]])

program("products_checks", "x = torch.tensor([1.5, -2.5, 3.], requires_grad=True); "
        "m = torch.ones(2, 3)", [
    f"r = {code}" for code in [
        "m.mv(torch.ones(3, 2))", "m.mv(torch.ones(()))", "x.mv(torch.ones(()))",
        "torch.ones(()).mv(x)", "x.mv(x)", "m.mv(torch.ones(2))",
        "m.mv(torch.ones(2, dtype=torch.float64))", "m.mv(torch.ones(3, dtype=torch.float64))",
        "m.mv(torch.ones(3, 1, dtype=torch.float64))", "torch.ones(2, 3, 4).mv(torch.ones(4))",
        "m.long().mv(torch.ones(3, dtype=torch.long))", "m.mv(3)", "m.mv(torch.ones(0))",
        "torch.ones(2, 0).mv(torch.ones(0))",
        "torch.tensor(1.).dot(torch.ones(3, dtype=torch.float64))",
        "x.dot(torch.ones(2, dtype=torch.float64))", "x.dot(torch.ones(2))",
        "x.dot(torch.ones(2, 2, dtype=torch.float64))", "x.dot(2)", "x.mm(2)", "x.bmm(2)",
        "x.matmul('a')", "x.matmul(2)", "x.outer(None)", "x.outer(2)", "torch.outer(2, x)",
        "x @ 2", "2 @ x", "x @ 'a'", "x.allclose(2)", "x.equal(None)", "x.allclose(None)"]])

program("allclose_equal", "", [
    f"r = torch.tensor({a}).{op}(torch.tensor({b}){kw})" for op, a, b, kw in [
        ("allclose", "1.", "1., dtype=torch.float64", ""),
        ("allclose", "1.", "1, dtype=torch.long", ""),
        ("allclose", "1", "1, dtype=torch.int32", ""),
        ("allclose", "[1., 2]", "[1., 2, 3]", ""), ("allclose", "[1., 2]", "[1.]", ""),
        ("allclose", "[1., 2]", "[[1., 2.]]", ""), ("allclose", "[1, 2]", "[1, 3]", ""),
        ("allclose", "[True]", "[True]", ""), ("allclose", "[True]", "[False]", ", atol=1"),
        ("allclose", "[1., 2]", "[1., 2]", ", rtol=-1"),
        ("allclose", "[1., 2]", "[1., 2]", ", atol=-0.5"),
        ("allclose", "[1., float('nan')]", "[1., float('nan')]", ""),
        ("allclose", "[1., float('nan')]", "[1., float('nan')]", ", equal_nan=True"),
        ("allclose", "[1., float('inf')]", "[1., float('inf')]", ""),
        ("allclose", "[1., float('inf')]", "[1., float('-inf')]", ""),
        ("allclose", "[1., 100]", "[1.001, 100.001]", ", rtol=1e-3"),
        ("allclose", "[1., 100]", "[1.001, 100.001]", ", rtol=0, atol=0"),
        ("allclose", "[10, 100]", "[11, 100]", ", rtol=0.1"),
        ("allclose", "[10, 100]", "[12, 100]", ", rtol=0.1"),
        ("equal", "[1., 2]", "[1., 2], dtype=torch.float64", ""),
        ("equal", "[1., 2]", "[[1., 2]]", ""), ("equal", "[True]", "[1]", ""),
        ("equal", "[1., float('nan')]", "[1., float('nan')]", "")]])

program("squeeze_dims_as_separate_ints", "x = torch.ones(1, 2, 1, 3, requires_grad=True)", [
    'r = (x.squeeze(0, 2), x.squeeze((0, 2)), x.squeeze(0, 1), x.squeeze(()), x.squeeze(0))',
    'r = x.squeeze(0, "a")',
    'r = x.squeeze(0, 1.5)',
    'r = x.squeeze(0, 0)',
    'r = x.squeeze(0, 2); r.sum().backward(); r = x.grad',
])

program("fmod", "x = torch.tensor([5., -5., 3.5, -0.0], requires_grad=True); "
        "y = torch.tensor([3., 3., -2., 2.], requires_grad=True)", [
    'r = torch.fmod(x, y); r.sum().backward(); r = (r, x.grad, y.grad)',
    'r = (torch.fmod(x, 2), x.fmod(2.5), torch.fmod(x.detach(), 0.))',
    'r = (torch.fmod(torch.tensor([5, -7]), 3), torch.tensor([5, -7]).fmod(2.5))',
    'r = torch.fmod(2, x)',
    'r = torch.fmod(x, "a")',
    'r = torch.fmod(torch.tensor([True]), torch.tensor([True]))',
    'r = torch.fmod(torch.tensor([5]), 0)',
    'r = x.fmod_(2)',
    'z = x.detach().clone(); z.fmod_(2); r = (z, z._version)',
    'r = torch.autograd.grad(torch.fmod(x * 3, y).sum(), [y], create_graph=True)',
    'r = torch.fmod(x, torch.ones(2))',
])

program("masked_fill_in_place", "x = torch.tensor([[1.5, -2.5, 3.], [0., 4., -1.]]); "
        "m = torch.tensor([True, False, True]); "
        "g = torch.tensor([[1.5, -2.5, 3.], [0., 4., -1.]], requires_grad=True); v = g * 1", [
    'r = x.masked_fill_(m, -1.)',
    'r = x.masked_fill_(m[None], torch.tensor(2.))',
    'r = x.masked_fill_(torch.ones(3, 2, 3, dtype=torch.bool), 0.)',
    'r = x.masked_fill_(torch.ones(3), 0.)',
    'r = x.masked_fill_(torch.ones(4, dtype=torch.bool), 1.)',
    'r = x.masked_fill_(torch.ones(4), torch.ones(2))',
    'r = x.masked_fill_(torch.ones(4), 1.)',
    'r = x.masked_fill_(m, torch.ones(2))',
    'r = x.masked_fill_(m, "a")',
    'r = x.masked_fill_(None, 1.)',
    'r = torch.zeros(3, dtype=torch.int64).masked_fill_(m, 1.5)',
    'r = torch.zeros(3, dtype=torch.uint8).masked_fill_(m, 300)',
    'r = torch.zeros(3).masked_fill_(m, 1e40)',
    'r = torch.zeros(1).expand(3).masked_fill_(m, 1.)',
    'r = g.masked_fill_(m, 0.)',
    'r = g[0].masked_fill_(m, 0.)',
    'r = v.masked_fill_(m, 0.); r.sum().backward(); r = (r, g.grad)',
    'r = v[1].masked_fill_(m, 0.); v.sum().backward(); r = (r, v, g.grad, r._version)',
    'r = v.t().masked_fill_(m[:, None][:2], 5.); r = (r, v, v._version)',
    't = torch.tensor(3., requires_grad=True); r = x.masked_fill_(m, t); r.sum().backward(); '
    'r = (r, t.grad)',
    'w = v.exp(); w.masked_fill_(m, 0.); r = w.sum(); r.backward()',
    'w = v * 1; w.masked_fill_(m, 0.); r = torch.autograd.grad(w.sum(), g, create_graph=True)',
])

program("fill_and_masked_fill_values", "x = torch.tensor([1.5, -2.5, 3.]); "
        "m = torch.tensor([True, False, True])", [
    'r = x.fill_(torch.tensor([1.]))',
    'r = x.fill_(torch.tensor(2.))',
    'r = x.fill_(torch.tensor(2, dtype=torch.long))',
    'r = x.fill_(torch.tensor([[2.]]))',
    'r = x.fill_(torch.ones(2))',
    "r = x.fill_('a')",
    'r = x.fill_(None)',
    'r = x.fill_(True)',
    'r = torch.tensor([1, 2]).fill_(2.7)',
    "r = torch.tensor([1, 2]).fill_(float('nan'))",
    'r = torch.tensor([1, 2], dtype=torch.uint8).fill_(-1)',
    'r = torch.tensor([1, 2], dtype=torch.uint8).fill_(300)',
    'r = torch.tensor([1, 2], dtype=torch.int8).fill_(300)',
    'r = torch.tensor([True]).fill_(2.5)',
    'r = x.fill_(1e40)',
    'r = x.masked_fill(torch.tensor([1,0,1]), 1.)',
    'r = x.masked_fill(torch.tensor([1,0,1], dtype=torch.uint8), 1.)',
    'r = x.masked_fill(m, torch.tensor([3.]))',
    'r = x.masked_fill(m, torch.tensor(3.))',
    'r = x.masked_fill(m, torch.tensor(3, dtype=torch.long))',
    'r = x.masked_fill(m, torch.tensor([[3.]]))',
    "r = x.masked_fill(m, 'a')",
    'r = x.masked_fill(m, None)',
    'r = x.masked_fill(m, torch.ones(3))',
    'r = x.masked_fill(torch.tensor([True, False]), 1.)',
    'r = x.masked_fill(torch.tensor([[True], [False]]), 1.)',
    'r = x.masked_fill(1, 1.)',
    'r = x.masked_fill(None, 1.)',
    'r = x.masked_fill(torch.tensor([1.,0,1]), 1.)',
    'r = x.masked_fill(torch.tensor([1,0,1]), torch.tensor([3.]))',
    'r = torch.tensor([1, 2, 3]).masked_fill(m, 2.5)',
    'r = torch.tensor([1, 2, 3]).masked_fill(m, torch.tensor(2.5))',
    'r = x.clone().requires_grad_().masked_fill(m, torch.tensor(3., requires_grad=True))',
    'r = torch.tensor([1,2]).masked_fill(torch.tensor([True,False]), float("nan"))',
    'r = torch.tensor([1.]).masked_fill(torch.tensor([True]), 1e40)',
    'r = torch.tensor([1], dtype=torch.uint8).fill_(-255)',
    'r = torch.tensor([1], dtype=torch.uint8).fill_(-256)',
    'r = torch.tensor([1], dtype=torch.uint8).fill_(-1.5)',
    'r = torch.tensor([1], dtype=torch.uint8).fill_(255.9)',
    'r = torch.tensor([1], dtype=torch.int8).fill_(-128.9)',
    'r = torch.tensor([1]).fill_(1e19)',
    'r = torch.tensor([1]).fill_(2**63)',
    'r = torch.tensor([1]).fill_(-2**63)',
    'r = torch.tensor([1.]).fill_(float("inf"))',
    'r = torch.tensor([1.]).fill_(float("nan"))',
    'r = torch.tensor([1]).fill_(float("-inf"))',
    'r = torch.tensor([1.], dtype=torch.half).fill_(1e5)',
    'r = torch.tensor([1.], dtype=torch.float64).fill_(1e300)',
    'r = torch.tensor([1]).fill_(torch.tensor(float("nan")))',
    'r = torch.tensor([1]).masked_fill(torch.tensor([True]), torch.tensor(1e40))',
    'r = torch.tensor([1.]).fill_(torch.tensor(1e40, dtype=torch.float64))',
    'r = torch.tensor([True, False]).fill_(5)',
    'r = torch.tensor([True, False]).masked_fill(torch.tensor([True, False]), 0.5)',
    'r = torch.tensor([1, 2]).masked_fill(torch.tensor([True, False]), True)',
    'r = torch.tensor([1., 2]).masked_fill(torch.tensor([True, False]), torch.tensor(True))',
    'r = torch.zeros(2, 2).t().masked_fill(torch.tensor([True, False]), 1.).stride()',
])

program("negative_sizes", "x = torch.tensor([1.5, -2.5, 3.])", [
    'r = x.view(-2)',
    'r = x.reshape(-2)',
    'r = x.view(-1, -1)',
    'r = torch.ones(0).view(0, -1)',
    'r = torch.ones(0).reshape(0, -1)',
    'r = torch.ones(0).view(-1)',
    'r = torch.ones(0).view(2, -1)',
    'r = torch.tensor(1.).expand(-1)',
    'r = x.expand(-1, -1)',
    'r = x.expand(2, -1)',
    'r = x.expand(-2)',
    'r = x.expand(-1)',
    'r = x.repeat(-1)',
    'r = x.repeat(2, -1)',
    'r = x.repeat(0)',
    'r = torch.tensor([True]).expand(2, 3)',
    'r = torch.tensor([True]).expand(-1, -1)',
    'r = torch.tensor([1]).expand(2, 3, 2)',
    'r = torch.tensor(1.).expand(2, -1)',
    'r = torch.tensor(1.).expand(-2)',
    'r = torch.tensor(1.).expand(-1, 2)',
    'r = x.expand(-2, 3)',
    'r = x.expand(-1, 3)',
    'r = x.expand(-1, -1, 3)',
    'r = torch.tensor(1.).expand(0)',
    'r = x.view(-1,-2,-1)',
    'r = x.view(-2,-1,-1)',
    'r = x.view(0, -1)',
    'r = x.view(-3)',
    'r = torch.ones(0).view(-2)',
    'r = x.repeat(-1, 2)',
    'r = x.repeat(-1, 0)',
    'r = x.repeat(0, -1)',
    'r = torch.ones(0).repeat(-1)',
    'r = torch.ones(2,0).repeat(1,-1)',
    'r = torch.ones(2, 3).view(-1, 0)',
    'r = torch.ones(2, 0).view(-1, 0)',
    'r = torch.ones(2, 0).reshape(3, -1, 0)',
    'r = torch.tensor([True, False]).expand(3, 3)',
    'r = torch.tensor([True]).expand(3, 2, 1, 0)',
])

program("norm_orders", "x = torch.tensor([[1.5, -2.5, 3.], [0., 1., 2.]])", [
    f"r = {code}" for code in [
        "x.norm('abc')", "x.long().norm('abc')", "x.long().norm('nuc')", "x.long().norm(2, 5)",
        "x.long().norm(2, (0, 0))", "x.long().norm('fro')", "x.norm('fro', dim=(0, 1))",
        "x.norm(2, 5)", "x.norm(p='fro', dim=0)"]])


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_argument_edges_2(name):
    oracle.assert_same_output(PROGRAMS[name])
