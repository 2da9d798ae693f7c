"""Regression tests for mismatches the differential fuzzer found (tests/test_fuzz_programs.py):
each program is the minimized finding, compared with PyTorch 2.13 by tests/oracle.py.
"""

from __future__ import annotations

import textwrap

import oracle
import pytest

PROGRAMS: dict[str, tuple[str, tuple]] = {}


def program(name: str, text: str, contains=()):
    assert name not in PROGRAMS, name
    PROGRAMS[name] = (textwrap.dedent(text), contains)


def attempt_all(body: str) -> str:
    """``body`` after ``attempt(f)``, which prints f()'s result or error."""
    return oracle.ATTEMPT_CALL + textwrap.dedent(body)


program("backward_of_view_made_under_no_grad", attempt_all("""
    import torch
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        v = x[...]
    print(v.requires_grad, v.is_leaf, v.grad_fn)
    attempt(lambda: v.backward())
    attempt(lambda: (v * 2).backward())
    print(x.grad)
"""), contains="does not require grad")

program("chunk_argument_errors", attempt_all("""
    import torch
    attempt(lambda: torch.tensor(1.0).chunk(1))
    attempt(lambda: torch.ones(3).chunk(0))
    attempt(lambda: torch.ones(3).chunk(-2))
    attempt(lambda: torch.ones(3).chunk(2, dim=1))
    attempt(lambda: [t.shape for t in torch.ones(3).chunk(5)])
"""), contains="chunk expects at least a 1-dimensional tensor")

program("var_std_without_degrees_of_freedom_warn_once_each", """
    import torch
    x = torch.tensor([[1.5], [-1.25]], dtype=torch.float64, requires_grad=True)
    print(torch.var(x, dim=1), x.std(dim=1, correction=2), x.var(correction=3))
""", contains="degrees of freedom is <= 0")

program("second_backward_through_copy_slices", attempt_all("""
    import torch
    x = torch.tensor(0.75, dtype=torch.float64, requires_grad=True)
    y = x.exp()
    y[None] = -2
    y.copy_(y)
    print(y.grad_fn.name(), [f.name() for f, _ in y.grad_fn.next_functions])
    for _ in range(3):
        attempt(lambda: y.sum().backward())
"""), contains="Trying to backward through the graph a second time")

# PyTorch names the producer of a modified saved tensor by its forward op
# (Node::forward_op_name): the "Backward" suffix goes, a number other than 0 stays.
program("modified_saved_tensor_names_its_forward_op", attempt_all("""
    import torch
    x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
    for make in (lambda: x.prod(0), lambda: x.max(), lambda: x.min(), lambda: 2.0 ** x,
                 lambda: x.clamp(-1, 1), lambda: x.exp(), lambda: x.softmax(0)):
        y = make()
        y.mul_(2)
        attempt(lambda: y.sum().backward())
"""), contains=("output 0 of Prod1", "output 0 of Pow2", "output 0 of Max1"))

program("pow_with_number_base_checks_exponent_before_result", attempt_all("""
    import torch
    x = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    e = x * 1
    y = 2.0 ** e
    e.tanh_()
    y.fill_(1.5)
    attempt(lambda: y.sum().backward())
"""), contains="output 0 of Tanh")

# Matrix products check their arguments in PyTorch's order: shapes before dtypes for
# mm/mv/bmm, dtypes first for dot and addmm.
program("matrix_product_argument_checks_in_order", attempt_all("""
    import torch
    f, d = torch.float32, torch.float64
    cases = [((2, 3), (4, 2)), ((2, 2, 3), (4, 2)), ((3,), (4, 2)), ((2, 3), (4,)),
             ((3,), (4,)), ((2, 2, 3), (2, 4, 2)), ((2, 3), (3, 2)), ((3, 2, 2), (2, 1)),
             ((3,), (2, 2, 3, 1))]
    for a, b in cases:
        x, y = torch.ones(a, dtype=d), torch.ones(b)
        attempt(lambda: (x @ y).shape)
        attempt(lambda: x.mm(y).shape)
        attempt(lambda: torch.addmm(torch.ones(1), x.float(), y.double()).shape)
    for bias, a, b in [(f, d, f), (f, f, f)]:
        for sa, sb in [((2, 3), (3, 2)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (4, 2))]:
            attempt(lambda: torch.addmm(torch.ones(1, dtype=bias), torch.ones(sa, dtype=a),
                                        torch.ones(sb, dtype=b)).shape)
    attempt(lambda: torch.ones(2, 3, dtype=d).mv(torch.ones(4)))
    attempt(lambda: torch.ones(2, 2, 3, dtype=d).bmm(torch.ones(3, 3, 2, dtype=d)))
    attempt(lambda: torch.ones(2, 2, 3, dtype=d).bmm(torch.ones(3, 2)))
"""), contains=("mat1 and mat2 shapes cannot be multiplied", "self must be a matrix",
                "size mismatch", "mat1 must be a matrix"))


# PyTorch computes inf and nan silently; numpy would print RuntimeWarnings (forward ops,
# derivative formulas such as var's 2/(n-1) * (x - mean) with n = 1, and casts).
program("ieee_results_without_warnings", """
    import warnings
    warnings.simplefilter("always")
    import torch
    x = torch.tensor([float("inf"), 0.0, -1.0], requires_grad=True)
    print(x * 0, x - x, x / 0, x / x, x ** 0.5, x.pow(x), 1 / x, 2 ** x)
    print(torch.tensor([1e308]), torch.tensor([1e308], dtype=torch.float64).float())
    w = torch.tensor([[1.5, -2.0, 0.5]], requires_grad=True)
    v = w.var(dim=0, keepdim=True)
    print(torch.autograd.grad(v.sum(), [w]))
    with torch.no_grad():
        y = x.detach().clone()
        y.mul_(0)
    print(y)
""", contains="nan")


# max/min/clamp/relu: PyTorch's kernels keep the first value on a tie, so relu(-0.) is -0.
program("signed_zeros_and_nan_in_max_min_clamp_relu", """
    import torch
    nan = float('nan')
    z = torch.tensor([-0.0, 0.0, nan, -1.0, 2.0, 0.0, -0.0])
    w = torch.tensor([0.0, -0.0, 1.0, nan, 2.0, 0.0, -0.0])
    print(z.relu(), z.clamp(min=0), z.clamp(max=0), z.clamp(-0.0, 0.0), z.clamp_min(0))
    print(z.clamp_max(-0.0), z.clamp(min=-0.0), z.clamp(0.0, 0.0), z.maximum(w), z.minimum(w))
    print(w.maximum(z), w.minimum(z), z.clamp(min=w), z.clamp(max=w), z.clamp(w, w))
    print(torch.max(z, w), torch.nn.functional.relu(z), z.clamp(min=nan), z.clamp(max=nan))
    print(torch.tensor([1, -2, 0]).relu(), torch.tensor([1, -2, 0]).clamp(min=0))
    print(z.clone().relu_(), z.clone().clamp_(min=0))
""", contains="-0.")


# retain_grad() follows the tensor when an in-place op (on it or through a view) gives it a
# new grad_fn, and when a view's grad_fn is remade after its base changed.
program("retain_grad_follows_in_place_changes", """
    import torch
    x1 = torch.tensor(1.4391629695892334, requires_grad=True)
    y2 = x1.cos()
    y2.retain_grad()
    y2.unsqueeze(0)[...] = x1
    print(y2.grad_fn)
    y3 = y2 ** 2
    y3.backward()
    print(y2.grad, x1.grad)

    x1 = torch.tensor([-0.5, 1.5, -0.25], dtype=torch.float64, requires_grad=True)
    y3 = x1 * 2
    y3.retain_grad()
    y5 = y3 / 1.5
    y3.reshape(3)[-2] = 0.3
    print(torch.autograd.grad(y5.sum(), [x1]), y3.grad)

    x1 = torch.tensor(-0.85, requires_grad=True)
    x2 = torch.tensor([-0.8, -1.4], requires_grad=True)
    y3 = x1 - x2
    y4 = y3.unsqueeze(0)
    v5 = y4.squeeze()
    v5.retain_grad()
    y3.mul_(torch.tensor([-0.5]))
    print(v5.grad_fn)
    v5.sum().backward(retain_graph=True)
    print(v5.grad, x1.grad, x2.grad)
""", contains="tensor(2.8783)")


program("cumsum_starts_from_positive_zero", """
    import torch
    for v in ([-0.0], [-0.0, -0.0], [1.0, -1.0, -0.0], [-0.0, 2.0]):
        print(torch.tensor(v).cumsum(0), torch.tensor([v]).cumsum(1), torch.tensor(v).sum())
    print(torch.tensor(-0.0).cumsum(0))
""", contains="tensor(-0.)")


# derivatives.yaml: mse_loss's target gradient is the same formula with the roles swapped,
# so zeros keep PyTorch's signs (mse_loss(x, x) gives x.grad = -0. for a negative grad)
program("mse_loss_target_gradient_formula", """
    import torch
    x1 = torch.tensor([1.1006944179534912], requires_grad=True)
    y2 = torch.nn.functional.mse_loss(x1, x1)
    y2.backward(torch.tensor(-0.7448340058326721))
    print(x1.grad)
    a = torch.tensor([[1.5, -2.0]], requires_grad=True)
    b = torch.tensor([[1.5, 1.0]], requires_grad=True)
    torch.nn.functional.mse_loss(a, b, reduction='sum').backward(torch.tensor(-1.0))
    print(a.grad, b.grad)
""", contains="-0.")


# Gradients PyTorch computes by writing into zeros in place (slices, selects, remade views'
# AsStridedBackward0) come out at version 1.
program("versions_of_view_gradients", """
    import torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for f in [lambda: x[0:], lambda: x[1:], lambda: x[0], lambda: x.narrow(0, 0, 1),
              lambda: x[::2], lambda: x.select(0, 1), lambda: x.unsqueeze(0)[:, 1:],
              lambda: x.expand(2, 2)]:
        g, = torch.autograd.grad(f().sum(), [x])
        print(g, g._version, g._is_view())
    x1 = torch.tensor([-0.78], requires_grad=True)
    v2 = x1[0:]
    v2.backward(torch.tensor([-0.37]), retain_graph=True)
    print(x1.grad._version)
    with torch.no_grad():
        x1 -= 0.1 * x1.grad
    g4 = torch.autograd.grad(v2.sum(), [x1], allow_unused=True)
    print(g4[0]._version)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    views = [y[0:], y[1:], y[::2], y.unsqueeze(0), y.expand(2, 3), y[:1].expand(3), y.view(3, 1)]
    with torch.no_grad():
        y.add_(1)
    for v in views:
        g, = torch.autograd.grad(v.sum(), [y], retain_graph=True)
        print(v.grad_fn.name(), g, g._version)
""", contains="AsStridedBackward0")


# maximum/minimum gradients come from an in-place masked_fill_ (version 1); a remade view's
# gradient is a view of a flat storage; std with keepdim is contiguous (flatten is a view).
program("maximum_minimum_gradients_and_strided_views", """
    import torch
    x1 = torch.tensor(-1.02, dtype=torch.float64, requires_grad=True)
    v3 = x1.view(1, -1)
    v3.sum().backward()
    with torch.no_grad():
        x1.add_(x1.grad, alpha=-0.1)
    g7 = torch.autograd.grad(v3.sum(), [x1], allow_unused=True)
    print(g7[0]._is_view(), g7[0]._version, g7[0].is_leaf, g7[0].grad_fn)
    a = torch.tensor([[-0.13, -0.87]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([[[0.5], [-1.0]]], requires_grad=True)
    for f in (lambda: torch.minimum(a, a), lambda: torch.maximum(a, b),
              lambda: torch.minimum(b, a), lambda: torch.maximum(a, a.detach())):
        gs = torch.autograd.grad(f().sum(), [a, b], allow_unused=True)
        print([(g._version, g._is_view()) if g is not None else None for g in gs])
    x = torch.arange(12.).reshape(2, 3, 2).requires_grad_()
    v = x.transpose(-1, -3).std(dim=-2, keepdim=True).flatten()
    print(v._is_view(), v.grad_fn.name())
""", contains='ViewBackward0')

# Every reduction writes a new contiguous tensor, whatever its input's layout.
program("reductions_write_contiguous_results", """
    import torch
    x = torch.arange(12.).reshape(2, 3, 2).transpose(-1, -3)
    for name in ['mean', 'sum', 'amax', 'amin', 'logsumexp', 'prod', 'std', 'var', 'norm',
                 'cumsum', 'softmax', 'log_softmax', 'argmax']:
        for dim in (0, 1, 2):
            f = getattr(x, name)
            try:
                if name in ('cumsum', 'softmax', 'log_softmax'): y = f(dim)
                elif name == 'norm': y = f(dim=dim, keepdim=True)
                else: y = f(dim, keepdim=True)
            except Exception as e:
                print(name, dim, type(e).__name__); continue
            print(name, dim, y.is_contiguous(), [s for s, n in zip(y.stride(), y.shape) if n > 1])
    for name in ['max', 'min', 'sort']:
        y = getattr(x, name)(1, keepdim=True)[0] if name != 'sort' else x.sort(1)[0]
        print(name, y.is_contiguous(), [s for s, n in zip(y.stride(), y.shape) if n > 1])
""", contains='logsumexp 2 True')


# amax/amin keep the first of tied values: 0. and -0. tie, so the first zero's sign wins.
program("amax_amin_signed_zero_ties", """
    import torch
    for v in ([-0., 1.], [1., -0.], [0., -0.], [-0., 0.], [-0.], [0.27, 1.47, -0.],
              [-1., -0., 0.], [[0., -0.], [-0., 0.]], [[[-0.]]]):
        t = torch.tensor(v)
        print(t.amin(), t.amax(), t.amin(0), t.amax(-1, keepdim=True),
              t.amin(dim=tuple(range(t.dim()))))
    x = torch.tensor([[0.273, 1.470, -1.558]])
    print(x.clamp(min=-0.25).round().amin(), torch.tensor([[-0., 2.], [0., -0.]]).t().amax(0))
""", contains="-0.")


# Gradients PyTorch writes into zeros by copying (select, slice, narrow, max over a dim,
# remade views) keep -0.; those it adds (index_select, gather, repeated indices) give 0.
program("signed_zeros_of_embedding_gradients", """
    import torch
    x = torch.tensor([[0.05, 1.5], [-2.0, 0.25]], requires_grad=True)
    g = torch.tensor(-1.0)
    for f in (lambda: -x[0, 1] * 0, lambda: (x[0] * 0).sum(), lambda: -(x[:, 1:] * 0).sum(),
              lambda: -x.max(1)[0].sum() * 0,
              lambda: x.index_select(0, torch.tensor([1, 1])).sum() * 0,
              lambda: x.gather(1, torch.tensor([[0], [0]])).sum() * 0,
              lambda: x.narrow(1, 0, 1).sum() * 0, lambda: x.unbind(0)[1].sum() * 0,
              lambda: x.split(1)[0].sum() * 0, lambda: x.amax(1).sum() * 0):
        x.grad = None
        f().backward(g)
        print(x.grad)
    y = x * 1
    v = y[0]
    with torch.no_grad():
        y.mul_(1)
    x.grad = None
    (v * 0).sum().backward(g)
    print(x.grad)
""", contains="-0.")


# logsumexp over an empty dim is log of an empty sum: -inf (numpy's max has no identity).
program("logsumexp_over_empty_dims", """
    import torch
    for shape, dim in (((0,), 0), ((2, 0), 1), ((2, 0), 0), ((0, 3), 0), ((0, 3), 1)):
        x = torch.zeros(shape, requires_grad=True)
        y = x.logsumexp(dim)
        print(y, y.shape)
        y.sum().backward()
        print(x.grad.shape)
""", contains="-inf")


# gather refuses indices outside the dim (negative ones too) with PyTorch's RuntimeError.
program("gather_index_out_of_bounds", """
    import torch
    x = torch.ones(2, 3)
    for idx, d in [([[5]], 0), ([[-1]], 0), ([[3]], 1), ([[0, 7]], 1), ([[1, 0]], 0)]:
        try:
            print(x.gather(d, torch.tensor(idx)))
        except Exception as e:
            print(type(e).__name__, e)
""", contains="is out of bounds for dimension")


# Binary ops refuse strings, lists, None... with PyTorch's argument error; operators let
# Python say "unsupported operand type(s)".
program("binary_ops_with_operands_that_are_not_numbers", """
    import torch
    x = torch.ones(2)
    for f in (lambda: x.add("x"), lambda: x.mul("x"), lambda: x + "x", lambda: x.sub(None),
              lambda: x.add_("x"), lambda: x.div([1, 2])):
        try:
            print(f())
        except Exception as e:
            print(type(e).__name__, e)
""", contains="unsupported operand")


# An in-place op reading its own memory through a view PyTorch cannot prove harmless
# (not dense): the kernel goes element after element and reads values already written.
program("in_place_op_reading_itself_through_a_view", attempt_all("""
    import torch
    y = torch.arange(1., 10.).reshape(3, 3, 1)
    attempt(lambda: y.mul_(y[:, 1]).flatten())
    z = torch.arange(1., 7.).reshape(2, 3)
    attempt(lambda: z.add_(z[:, 0:1]))
    u = torch.arange(1., 7.).reshape(3, 2).t()
    attempt(lambda: u.mul_(u[:, 1:2]))
    v = torch.arange(4.)
    attempt(lambda: v.mul_(v))
    w = torch.arange(1., 10.).reshape(3, 3)
    attempt(lambda: w.t().sub_(w[0]))
    q = torch.arange(1., 13.).reshape(3, 4)
    attempt(lambda: q[:, ::2].mul_(q[:, 1:2]))
    attempt(lambda: q)
"""), contains="1800.")


# From a fresh 10,000-seed run: copy_ from a view of itself goes element by element
# (later elements read values already written).
program("copy_from_itself", """
    import torch
    z = torch.tensor([[0.5, -1.5], [-1.25, 1.0]])
    z.copy_(z[:, 1])
    print(z)
""", contains="1.0000")


# Result layouts decide later view() calls: reductions and cumsum write contiguous results,
# flip and sort keep the input's layout (size-1 dims' strides left out: they do not matter).
program("result_layouts_of_reductions_flip_sort", attempt_all("""
    import torch
    x = torch.arange(6.).reshape(2, 3, 1).transpose(0, -1)
    w = torch.arange(6.).reshape(2, 3).t()
    for f in (lambda t: t.cumsum(-2), lambda t: t.cumsum(1), lambda t: t.sum(0, keepdim=True),
              lambda t: t.flip(0), lambda t: t.sort(1)[0], lambda t: t.exp(), lambda t: t * 2,
              lambda t: t.softmax(1), lambda t: t.clone()):
        for t in (x, w):
            y = f(t)
            print(y.is_contiguous(), [s for s, n in zip(y.stride(), y.shape) if n > 1])
            attempt(lambda: y.transpose(0, 1).view(-1))
"""), contains="view size is not compatible")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_output(name):
    text, contains = PROGRAMS[name]
    oracle.assert_same_output(text, contains=contains)
