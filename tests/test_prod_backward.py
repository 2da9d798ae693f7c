"""prod's and cumprod's gradients against PyTorch 2.13, as graphs, values and higher orders.

PyTorch's prod_backward divides (``grad * result / self``) when the input has no zero;
with zeros it takes prod_safe_zeros_backward's exclusive cumulative products from both
ends (Slice, Cat, Cumprod, Flip nodes), whose own derivative is cumprod_backward: O(n)
mask formulas when no graph is built, an O(n²) composition of slices, prods and
cumprods (CopySlices) when one is (fuzz program s190041: a gradient taken with
``create_graph=True`` through a zero did not require grad).
"""

import numpy as np
import pytest
import torch
from oracle import assert_same_output
from test_fuzz_programs import graph_signature

import autograd_edu as ae

Z = 0.0
# name: (f(T, x), x's values); float64 unless the name says float32
CASES = {
    "all_no_zero": (lambda T, x: x.prod(), [1.5, -0.5, 2.0, 3.0]),
    "all_one_zero": (lambda T, x: x.prod(), [1.5, Z, 2.0, 3.0]),
    "all_zero_first": (lambda T, x: x.prod(), [Z, 1.5, 2.0, -3.0]),
    "all_zero_last": (lambda T, x: x.prod(), [1.5, 2.0, -3.0, Z]),
    "all_two_zeros": (lambda T, x: x.prod(), [1.5, Z, 2.0, Z, 0.5]),
    "all_2d_zero": (lambda T, x: x.prod(), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "all_transposed": (lambda T, x: x.t().prod(), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "all_squared": (lambda T, x: (x * x).prod(), [1.5, Z, 2.0]),
    "all_0d": (lambda T, x: (x * x).prod(), 1.5),
    "all_single": (lambda T, x: (x * x).prod(), [Z]),
    "dim0_zero": (lambda T, x: x.prod(0), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "dim1_zero": (lambda T, x: x.prod(1), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "dim1_no_zero": (lambda T, x: x.prod(1), [[1.5, 4.0, 2.0], [3.0, -1.0, 0.5]]),
    "dim_neg_keepdim": (lambda T, x: x.prod(-1, keepdim=True),
                        [[1.5, Z, 2.0, Z], [3.0, -1.0, 0.5, 2.0]]),
    "dim0_keepdim_zeros": (lambda T, x: x.prod(0, True), [[Z, Z, 2.0], [3.0, Z, 0.5],
                                                         [1.5, 2.0, -1.0]]),
    "dim_size_one": (lambda T, x: x.prod(1), [[1.5], [Z]]),
    "dim_0d": (lambda T, x: (x * x).prod(0), 1.5),
    "dim_3d": (lambda T, x: x.prod(1), [[[1.5, Z], [2.0, 3.0], [Z, 0.5]],
                                        [[-1.0, 2.0], [0.5, Z], [3.0, 1.5]]]),
    "float32_all": (lambda T, x: x.float().prod(), [1.5, Z, 2.0, 3.0]),
    "float32_dim": (lambda T, x: x.float().prod(1), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "dtype_float64": (lambda T, x: x.float().prod(dtype=T.float64), [1.5, Z, 2.0]),
    "dim_dtype_float64": (lambda T, x: x.float().prod(0, dtype=T.float64),
                          [[1.5, Z], [2.0, 3.0]]),
    "cumprod": (lambda T, x: x.cumprod(0), [1.5, Z, 2.0, Z, 3.0]),
    "cumprod_dim1": (lambda T, x: x.cumprod(1), [[1.5, Z, 2.0], [3.0, -1.0, 0.5]]),
    "cumprod_no_zero": (lambda T, x: x.cumprod(-1), [[1.5, 4.0, 2.0], [3.0, -1.0, 0.5]]),
}


def _numpy(t):
    return np.array(t.detach().numpy(), copy=True)


def _derivatives(T, fn, values):
    """Values, graphs and requires_grad of three nested derivatives; each later one's
    inputs include the incoming gradient of the first (so formulas' own derivatives run)."""
    x = T.tensor(values, dtype=T.float64, requires_grad=True)
    out = fn(T, x)
    rng = np.random.default_rng(7)
    go = T.tensor(rng.uniform(-1, 1, tuple(out.shape)), dtype=out.dtype, requires_grad=True)
    g, = T.autograd.grad(out, x, go, create_graph=True)
    results = [(_numpy(out), g.requires_grad, graph_signature(g), _numpy(g))]
    grads = [g]
    for _ in range(2):
        terms = [(g * T.tensor(rng.uniform(-1, 1, tuple(g.shape)))).sum()
                 for g in grads if g is not None and g.requires_grad]
        grads = T.autograd.grad(sum(terms), [x, go], create_graph=True,
                                allow_unused=True) if terms else [None, None]
        results.append([None if g is None else (g.requires_grad, graph_signature(g), _numpy(g))
                        for g in grads])
    # and without create_graph: the formulas' no-graph branches, at first and second order
    g, = T.autograd.grad(fn(T, x), x, go)
    results.append(_numpy(g))
    g, = T.autograd.grad(fn(T, x), x, go, create_graph=True)
    if g.requires_grad:
        g, = T.autograd.grad((g * T.tensor(rng.uniform(-1, 1, tuple(g.shape)))).sum(), x,
                             allow_unused=True)
        results.append(None if g is None else _numpy(g))
    return results


@pytest.mark.parametrize("name", CASES)
def test_prod_gradients_match_torch(name):
    fn, values = CASES[name]
    expected = _derivatives(torch, fn, values)
    actual = _derivatives(ae, fn, values)
    np.testing.assert_array_equal(actual[0][0], expected[0][0])
    assert actual[0][1:3] == expected[0][1:3]
    np.testing.assert_array_equal(actual[0][3], expected[0][3])
    for order, (got, want) in enumerate(zip(actual[1:3], expected[1:3], strict=True), start=2):
        assert [g and g[:2] for g in got] == [w and w[:2] for w in want], f"order {order}"
        for g, w in zip(got, want, strict=True):
            if w is not None:
                np.testing.assert_array_equal(g[2], w[2], err_msg=f"order {order}")
    assert len(actual) == len(expected)
    for got, want in zip(actual[3:], expected[3:], strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape,dim", [((0,), 0), ((2, 0), 1), ((0, 3), 0), ((2, 0), 0)])
def test_prod_of_empty_input(shape, dim):
    assert_same_output(f"""
import torch
x = torch.ones({shape}, requires_grad=True)
for y in (x.prod(), x.prod({dim}), x.prod({dim}, keepdim=True)):
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    print(y, g.shape, g.requires_grad, g.grad_fn)
""")


def test_fuzz_seed_190041_gradient_through_a_zero_requires_grad():
    assert_same_output("""
import torch
x = torch.tensor([1., 0., 2., 3.], requires_grad=True)
g, = torch.autograd.grad(x.prod(), x, create_graph=True)
print(g, g.requires_grad)
y = x.repeat(2)
y[::2] = 0.0
g, = torch.autograd.grad(y.prod(0, keepdim=True).sum(), [x], create_graph=True)
print(g)
g2, = torch.autograd.grad(g.sum(), x)
print(g2)
""")


def test_cumulative_ops_accumulate_float32_in_double():
    """PyTorch's CPU cumsum and cumprod keep a float32 running total in double."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        x = (rng.standard_normal((3, int(rng.integers(2, 40)))) * 1.3).astype(np.float32)
        for op in ("cumsum", "cumprod"):
            for dim in (0, 1):
                want = getattr(torch.from_numpy(x), op)(dim).numpy()
                got = getattr(ae.tensor(x), op)(dim).numpy()
                np.testing.assert_array_equal(got, want, err_msg=f"{op} {dim}")


def test_cumprod_forms():
    assert_same_output("""
import torch
x = torch.tensor([[1, 2, 0], [3, -1, 4]])
print(x.cumprod(1), torch.cumprod(x, 0), x.cumprod(-1, dtype=torch.float32))
print(torch.tensor(2.5).cumprod(0), torch.ones(0).cumprod(0), x.bool().cumprod(1))
y = torch.tensor([1.5, -0.0, 2.0], requires_grad=True)
c = y.cumprod(0)
print(c, c.grad_fn.name(), c.grad_fn._saved_dim)
c.backward(torch.tensor([1., 2., 3.]))
print(y.grad)
""")
