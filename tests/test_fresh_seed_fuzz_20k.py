"""Differential tests (tests/oracle.py) for mismatches the differential fuzzer
(tests/test_fuzz_programs.py) found on seeds 20000 and up, which were never used while
the engine was fixed against seeds 0-19999:

- ``repeat`` writes a new contiguous tensor, also when every repeat is 1 and the input
  is expanded or transposed (numpy's ``tile`` would keep the input's layout), so a
  later ``flatten()`` of it is a view;
- ``reshape`` is composite in PyTorch: a contiguous tensor goes straight to ``view``
  (whose autograd kernel refuses a stale view before the size is checked), a
  non-contiguous one has its size checked first; ``flatten`` wraps its dims and checks
  ``start_dim <= end_dim`` (also for 0-d tensors) before it reshapes;
- ``view``/``reshape`` give PyTorch's strides (its ``computeStride``), also to size-1
  dims where numpy chooses others: the memory-overlap check of in-place ops compares
  strides, so ``y2[::2].reshape(1, 1) /= y2`` is a full overlap (allowed), not a
  partial one. (Strides of empty tensors are numpy's, which PyTorch never reads.)
- ``where`` writes its result in the layout of its condition (TensorIterator's first
  input) when that is a dense non-contiguous tensor of the result's shape, so a later
  ``contiguous()`` is a copy (fuzz seed 54566);
- softmax's backward along a dim that is not the last adds Σ grad·out with fused
  multiply-adds, in float64 too (a gradient that should be 0 is then ~1e-17, printed in
  scientific notation; fuzz seeds 22340, 54246);
- softmax and log_softmax of an empty tensor are empty (fuzz seeds 50061, 56566...);
- clone, flip and sort lay out their result as PyTorch's empty_like / TensorIterator do:
  dims ordered by the input's strides, an expanded (stride-0) dim telling nothing, so
  the flip of an expanded tensor is contiguous and can be viewed (fuzz seed 71856);
- a slice of a 0-d stale view reports the view first (the slice op's autograd kernel
  runs before its dim check; fuzz seeds 70796, 71864); elu and softplus overflow
  silently (fuzz seed 72256);
- a custom Function's inputs are connected (a stale view reports its error) before
  forward runs (fuzz seed 78448); mse_loss expands a differing input first
  (ExpandBackward0, fuzz seed 75940); an index into a size-0 dim has its own error, and
  indices are only checked when the result has elements (fuzz seed 78168);
- the gradient through AsStridedBackward0 of an empty view is plain zeros, not a view
  (fuzz seed 96490);
- elementwise results are laid out by TensorIterator's order over all the (broadcast)
  inputs, so ``(x.t()[None] * y).unsqueeze(4).reshape(-1)`` is a copy, not a view
  (fuzz seed 121546);
- AccumulateGrad keeps (detached) a first gradient that nothing else holds and that fits
  the leaf's layout; stacked scalars summed then get views of one expanded element, and
  a second backward adds into both leaves' ``.grad`` (fuzz seeds 115217, 125928);
- cat skips 1-d empty tensors (PyTorch's legacy rule) when it checks and joins, and
  gives them empty gradients (fuzz seed 130815);
- maximum/minimum lay out their result as TensorIterator does (fuzz seed 145658);
  matrix products of inf/nan are silent (fuzz seed 142719);
- indexing a 0-d tensor: a lone slice gives PyTorch's own error, a bool unsqueezes
  (found by the stride test above, not by the fuzzer).
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, str] = {}


def program(name: str, text: str, prelude=""):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = prelude + textwrap.dedent(text)


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


program("view_strides", """
import itertools
import torch
x = torch.arange(24.).reshape(2, 3, 4)
BASES = {"x": x, "x[:, :, ::2]": x[:, :, ::2], "x[:1, ::2, :1]": x[:1, ::2, :1],
         "x.transpose(0, 2)": x.transpose(0, 2), "x[0, :1, ::3]": x[0, :1, ::3],
         "x[1:, 1:2]": x[1:, 1:2], "x[:, :, 0]": x[:, :, 0], "x[0, 0, 0]": x[0, 0, 0],
         "x[:1].expand(3, 3, 4)": x[:1].expand(3, 3, 4), "x[..., None, ::4]": x[..., None, ::4],
         "x.permute(1, 0, 2)[:1]": x.permute(1, 0, 2)[:1], "x[1, ::2, ::3]": x[1, ::2, ::3]}
for name, base in BASES.items():
    n = base.numel()
    shapes = [(n,), (1, n), (n, 1), (1, 1, n), (1, n, 1), (-1, 1, 1)]
    shapes += [(a, n // a) for a in range(2, n) if n % a == 0]
    shapes += [(a, 1, n // a, 1) for a in range(2, n) if n % a == 0]
    for shape in shapes:
        for how in ["view", "reshape"]:
            try:
                v = getattr(base, how)(*shape)
                print(name, how, shape, v.shape, v.stride(), v._is_view(), v.is_contiguous())
            except RuntimeError as e:
                print(name, how, shape, e)
    steps = ["[::2]", ".reshape(1, 1, -1)", ".flatten()", ".unsqueeze(1)"]
    for chain in itertools.permutations(steps, 3):
        try:
            v = eval("base" + "".join(chain))
            print(name, chain, v.shape, v.stride())
        except (RuntimeError, IndexError) as e:
            print(name, chain, e)
""")

program("overlap_of_reshaped_size1_views", """
import torch
for shape in [(1, 1), (1, 2), (2, 1), (1,), (1, 1, 3)]:
    for step in [1, 2]:
        for how in ["reshape(1, -1)", "reshape(-1, 1)", "view(-1)", "reshape(1, 1, -1)"]:
            x = torch.rand(shape, dtype=torch.float64, requires_grad=True)
            y = x.sort(dim=0)[0]
            v = y[::step]
            w = eval("v." + how)
            print(shape, step, how, w.shape, w.stride(), y.stride())
            for code in ["w /= y", "w.mul_(y)", "y.add_(w)", "w.copy_(y)"]:
                try:
                    exec(code)
                    print(code, "ok")
                except RuntimeError as e:
                    print(code, e)
""")


program("zero_dim_indexing", """
import torch
CODES = ["t[::2]", "t[:]", "t[0:1]", "t[1:]", "t[:, 0]", "t[0]", "t[..., ::2]", "t[None, ::2]",
         "t[None, 0]", "t[:, :]", "t[::2, None]", "t[[0]]", "t[torch.tensor(0)]", "t[..., 0]",
         "t[True]", "t[False]", "t[True, ::2]", "t[True, None]", "t[None, None]"]
for code in CODES:
    t = torch.tensor(1., requires_grad=True) * 2
    try:
        r = eval(code)
        print(code, r.shape, r.grad_fn.name())
    except IndexError as e:
        print(code, e)
    for write in [code + " = 5.", code + " += 5."]:
        t = torch.tensor(1.)
        try:
            exec(write)
            print(write, t)
        except IndexError as e:
            print(write, e)
""")


program("where_takes_the_condition_layout", """
import torch
x = torch.ones(3, 3, 3, requires_grad=True)
v = (x * 2).transpose(1, -3)
for code in ["torch.where(x > 0, x, v)", "torch.where(v > 0, x, v)", "torch.where(v > 0, x, 1.)",
             "torch.where(v > 0, 0., 1.)", "torch.where(v[0] > 0, x, v)", "v.where(v > 0, x)",
             "x.where(v > 0, v)", "torch.where(v.mT > 0, v, x)"]:
    r = eval(code)
    print(code, r.stride(), r.is_contiguous())
    with torch.no_grad():
        c = r.contiguous()
    print(c.requires_grad, c is r)
""")


program("softmax_backward_fused_sum_float64", """
import torch
torch.manual_seed(0)
for shape, dim in [((3, 4), 0), ((2, 3, 5), 1), ((5, 2), 0), ((7, 3, 2), 0)]:
    for trial in range(5):
        x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)  # out = 1/n alike
        x.softmax(dim).backward(torch.randn(shape, dtype=torch.float64))
        print(x.grad.tolist())
    x.grad = None
    x.softmax(dim).backward(torch.ones(shape, dtype=torch.float64))
    print(x.grad)
""")


program("softmax_of_empty_tensors", """
import torch
for shape, dim in [((0,), 0), ((2, 0), 0), ((0, 3), 0), ((0, 3), 1), ((2, 0), 1), ((2, 0, 3), -1)]:
    for f in ["softmax", "log_softmax"]:
        x = torch.ones(shape, requires_grad=True)
        r = getattr(x, f)(dim)
        r.sum().backward()
        print(shape, dim, f, r, r.grad_fn.name(), x.grad)
""")


program("clone_flip_sort_layouts", """
import torch
x = torch.arange(24.).reshape(2, 3, 4)
CASES = {"expand": torch.arange(3.).expand(2, 3), "expand_t": torch.arange(3.).expand(2, 3).t(),
         "step": x[:, :, ::2], "step_t": x.transpose(0, 2)[::2],
         "expand3": x[:, :1].expand(2, 3, 4),
         "perm_step": x.permute(2, 0, 1)[:, :, ::2],
         "e_mid": torch.arange(2.)[:, None, None].expand(2, 3, 4).permute(1, 2, 0),
         "t_step": x.transpose(1, 2)[:, ::3]}
for name, v in CASES.items():
    print(name, v.clone().stride(), v.flip(0).stride(), v.sort(0)[0].stride(),
          v.sort(-1)[1].stride(), v.contiguous().stride(), (-v).stride())
    print(v.flip(-1).reshape(-1)._is_view(), v.clone().is_contiguous())
""")

program("zero_dim_slice_of_a_stale_view", """
import torch
for kind in ["no_grad", "split"]:
    a = torch.ones(3, requires_grad=True).clone()
    if kind == "no_grad":
        with torch.no_grad():
            v = a[0]
    else:
        v = a.split(1)[0][0]
    a.mul_(2)
    for code in ["v[:]", "v[::2]", "v[1:]"]:
        try:
            eval(code)
        except (RuntimeError, IndexError) as e:
            print(kind, code, type(e).__name__, str(e)[:60])
""")

program("elu_softplus_overflow_silently", """
import warnings
import torch
warnings.simplefilter("error")
x = torch.tensor([1000., -1000., 100., 88.8], requires_grad=True)
for f in [torch.nn.functional.elu, torch.nn.functional.softplus]:
    y = f(x)
    y.sum().backward()
    print(y, x.grad)
    x.grad = None
""")


program("custom_function_input_is_a_stale_view", """
import torch

class Identity(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a

    @staticmethod
    def backward(ctx, grad):
        return grad

class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        return 2 * a * grad

for F in [Identity, Square, Double]:
    x = torch.ones(1, 2, requires_grad=True)
    y = x.clamp(min=0)
    v = Identity.apply(y)
    y[0][0] = -2
    try:
        F.apply(v)
    except RuntimeError as e:
        print(F.__name__, str(e)[:100])
""", prelude=oracle.DOUBLE_IN_PLACE)

program("mse_loss_broadcasts_with_expand", """
import warnings
import torch
warnings.simplefilter("ignore")
def names(t):
    return [t.grad_fn.name()] + [f.name() if f else None for f, _ in t.grad_fn.next_functions]
for sa, sb in [((3,), (3,)), ((3,), (2, 3)), ((2, 3), (3,)), ((1,), (3,)), ((2, 1), (1, 3))]:
    a = torch.linspace(-1, 1, 6)[:sa[-1]].expand(sa).clone().requires_grad_()
    b = torch.linspace(0, 2, 6)[:sb[-1]].expand(sb).clone().requires_grad_()
    for reduction in ["mean", "none"]:
        loss = torch.nn.functional.mse_loss(a, b, reduction=reduction)
        loss.sum().backward()
        print(sa, sb, reduction, names(loss), a.grad, b.grad)
""")

program("index_into_empty_dims", """
import torch
x = torch.ones(0, 3)
for code in ["x[[0, -1, 0]]", "x[[0]]", "x[torch.tensor([0])]", "x[:, [5]]", "x[[-1]]",
             "torch.ones(2, 0)[:, [0]]", "torch.ones(0)[[0]]", "torch.ones(3)[[5]]", "x[[]]",
             "torch.ones(3)[[-4]]", "torch.ones(0)[torch.tensor([], dtype=torch.long)]"]:
    try:
        print(code, eval(code).shape)
    except IndexError as e:
        print(code, e)
for code in ["x[[0]] = 1.", "torch.ones(0)[[0]] = 2.", "torch.ones(2, 0)[:, [1]] = 2."]:
    try:
        exec(code)
        print(code, "ok")
    except IndexError as e:
        print(code, e)
""")


program("empty_view_gradient_through_as_strided", """
import torch

for n in [1, 2, 3]:
    x = torch.ones(n, dtype=torch.float64, requires_grad=True)
    y = x * 1
    v = y[1:]
    v.mul_(2)
    g, = torch.autograd.grad(v.sum(), [x])
    print(n, g, g._is_view(), g._version, y.grad_fn.name(), v.grad_fn.name())
    x = torch.ones(n, dtype=torch.float64, requires_grad=True)
    w = x[1:]
    try:
        Double.apply(w)  # changes w, then refuses it (a view of a leaf)
    except RuntimeError as e:
        print(e)
    g, = torch.autograd.grad(w.sum(), [x])
    print(g, g._is_view(), g._version, w.grad_fn.name())
""", prelude=oracle.DOUBLE_IN_PLACE)


program("elementwise_layout_over_broadcast_inputs", """
import torch
x = torch.arange(6.).reshape(2, 3)
a, b, c = x.t(), x.t().contiguous(), torch.arange(3.).reshape(3, 1)
CODES = ["a + b", "b + a", "c + a", "a + c", "a * 2", "2 * a", "c + x.t()[:, :1]",
         "a[None] + x.t()[:, None]", "a[None] - b[:, None]", "torch.where(c > 0, a, b)",
         "a + a[:1]", "a[None] * torch.ones(2, 1, 1)", "torch.ones(2, 1, 1) * a[None]"]
for code in CODES:
    r = eval(code)
    print(code, r.stride(), r.unsqueeze(-1).reshape(-1)._is_view())
""")

program("stolen_gradients_share_memory", """
import torch
x1 = torch.tensor(1.5, requires_grad=True)
x2 = torch.tensor(0.5, requires_grad=True)
y = torch.stack((x1, x2))
y.sum().backward(retain_graph=True)
print(x1.grad, x2.grad, x1.grad._version)
y.sum().backward(retain_graph=True)
print(x1.grad, x2.grad)
y.backward(torch.tensor([-0.5, 0.25]))
print(x1.grad, x2.grad, x1.grad._version)
a = torch.ones(3, requires_grad=True)
b = a * 2
b.backward(torch.ones(3))
g = a.grad
(a * 3).sum().backward()
print(g, a.grad, g is a.grad)
w = torch.ones(2, 3, requires_grad=True)
(w.t() * 1).sum().backward()
print(w.grad.stride(), w.grad._version)
""")


program("cat_skips_legacy_empty_tensors", """
import torch
CODES = ["torch.cat([torch.ones(2, 3), torch.ones(0)])",
         "torch.cat([torch.ones(0), torch.ones(2, 3)], dim=1)",
         "torch.cat([torch.ones(0), torch.ones(0)])",
         "torch.cat([torch.ones(2, 3), torch.ones(0, 3)])",
         "torch.cat([torch.ones(2, 3), torch.ones(0, 2)])",
         "torch.cat([torch.ones(2, 3), torch.ones(1, 0)])",
         "torch.cat([torch.ones(0), torch.ones(2, 3)], dim=5)",
         "torch.cat([torch.ones(2, 3), torch.ones(0, dtype=torch.float64)]).dtype",
         "torch.cat([torch.ones(0), torch.ones(2, 3), torch.ones(3)])",
         "torch.cat([torch.ones(3), torch.ones(2, 3)])"]
for code in CODES:
    try:
        r = eval(code)
        print(code, getattr(r, "shape", r))
    except (RuntimeError, IndexError) as e:
        print(code, type(e).__name__, e)
a, c = torch.ones(0, requires_grad=True), torch.ones(0, requires_grad=True)
b = torch.ones(2, 3, requires_grad=True)
r = torch.cat([a, b, c])
r.sum().backward()
print(r.shape, a.grad, b.grad, c.grad, r.grad_fn.name())
""")


program("maximum_layout_and_silent_products", """
import warnings
import torch
warnings.simplefilter("error")
x4 = torch.arange(12.).reshape(2, 3, 2)
for f in [torch.maximum, torch.minimum]:
    y = f(x4.mT, torch.ones(2, 3))
    print(y.stride(), y.flatten()._is_view(), f(torch.ones(2, 3), x4.mT).stride())
n = torch.tensor([float("nan"), 1., float("inf")])
m = torch.tensor([[float("inf"), 1.], [0., float("nan")], [1., 2.]])
print(n @ n, n @ m, m.t() @ m, torch.mm(m.t(), m), n.dot(n), m.t().mv(n))
""")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_fresh_seed_program(name):
    oracle.assert_same_output(PROGRAMS[name])
