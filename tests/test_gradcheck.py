"""Finite-difference gradient checks, independent of torch.

``test_gradcheck``: for every table entry (``_op_table.py``) and input shape, in float64,
the analytic gradient of ``sum(out * g)`` (``g`` a fixed random upstream gradient)
computed by autograd_edu's backward is compared with central differences
(eps 1e-6, rtol 1e-5, atol 1e-7). Nothing here asks torch.

``test_second_order_*``: for a subset of ops, Hessian-vector products through
``autograd_edu.autograd.grad(..., create_graph=True)`` are checked against central
differences of the first derivative, and compared with torch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _op_table import (
    Case,
    as_outputs,
    assert_close,
    case_seed,
    cases,
    dtype_name,
    graph_names,
    leaves,
    to_numpy,
)

import autograd_edu as ae

EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7

GRADCHECK_CASES = cases(dtypes=["float64"], where=lambda op: op.gradcheck)


def _float_outputs(out):
    return [o for o in as_outputs(out) if o.dtype.is_floating_point]


def _upstream(outputs, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, tuple(o.shape)) for o in outputs]


def _objective(fn, arrays, gs):
    """sum(out_k * g_k) over the float outputs, without recording a graph."""
    with ae.no_grad():
        outs = _float_outputs(fn(ae, *leaves(ae, arrays, requires_grad=False)))
        return sum(float(np.sum(to_numpy(o).astype(np.float64) * g))
                   for o, g in zip(outs, gs, strict=True))


def numeric_grad(scalar_fn, arrays, eps=EPS):
    """Central differences of ``scalar_fn(arrays)`` with respect to every element."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for k in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][k] += eps
            minus[i][k] -= eps
            g[k] = (scalar_fn(plus) - scalar_fn(minus)) / (2 * eps)
        grads.append(g)
    return grads


def analytic_grad(fn, arrays, gs):
    xs = leaves(ae, arrays)
    outs = [o for o in _float_outputs(fn(ae, *xs)) if o.requires_grad]
    assert len(outs) == len(gs), "every float output should require grad"
    ae.autograd.backward(outs, [ae.tensor(g, dtype=o.dtype) for o, g in zip(outs, gs,
                                                                           strict=True)])
    return [None if x.grad is None else to_numpy(x.grad) for x in xs]


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=lambda c: c.id)
def test_gradcheck(case: Case):
    arrays = case.arrays()
    fn = case.op.fn
    with ae.no_grad():
        outs = _float_outputs(fn(ae, *leaves(ae, arrays, requires_grad=False)))
    assert all(dtype_name(o) == "float64" for o in outs), "gradcheck needs float64 outputs"
    gs = _upstream(outs, case_seed(case.id, "gradcheck"))
    analytic = analytic_grad(fn, arrays, gs)
    numeric = numeric_grad(lambda xs: _objective(fn, xs, gs), arrays)
    for i, (a, n) in enumerate(zip(analytic, numeric, strict=True)):
        a = np.zeros_like(n) if a is None else a
        np.testing.assert_allclose(a, n, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case.id}: d/d input {i}")


def test_gradcheck_covers_the_table():
    assert len(GRADCHECK_CASES) > 500


# -- second derivatives ------------------------------------------------------------------------
# (name, fn(T, *xs), shapes, domain); every fn is non-linear in its inputs so that the
# derivative of the first derivative is connected to them.

SECOND_ORDER = [
    ("exp", lambda T, x: x.exp(), [[(3,)], [(2, 3)]], "real"),
    ("sin", lambda T, x: T.sin(x), [[(3,)], [(2, 3)]], "real"),
    ("pow_scalar3", lambda T, x: x ** 3, [[(3,)], [()]], "real"),
    ("pow_scalar_half", lambda T, x: x.pow(0.5), [[(3,)]], "positive"),
    ("pow_tensor", lambda T, x, y: x ** y, [[(3,), (3,)], [(2, 1), (3,)]], ("positive", "real")),
    ("rpow_scalar", lambda T, x: 2.5 ** x, [[(3,)]], "real"),
    ("mul", lambda T, x, y: x * y, [[(3,), (3,)], [(3, 1), (1, 4)], [(), (2,)]], "real"),
    ("mul_self", lambda T, x: x * x, [[(2, 3)]], "real"),
    ("tanh", lambda T, x: x.tanh(), [[(3,)], [(2, 3)]], "real"),
    ("sigmoid", lambda T, x: x.sigmoid(), [[(3,)], [(2, 3)]], "real"),
    ("sum_squared", lambda T, x: x.sum() ** 2, [[(2, 3)], [()]], "real"),
    ("sum_dim_times", lambda T, x: x.sum(1, keepdim=True) * x, [[(2, 3)]], "real"),
    ("sum_of_cubes_dim", lambda T, x: (x ** 3).sum(dim=0), [[(2, 3)]], "real"),
    ("mean_squared", lambda T, x: x.mean() ** 2, [[(2, 3)]], "real"),
    ("mean_dim_times", lambda T, x: x.mean(-1, keepdim=True) * x, [[(2, 3)]], "real"),
    ("mean_tuple_exp", lambda T, x: x.mean((0, 1)).exp(), [[(2, 3, 2)]], "real"),
    ("matmul_2d", lambda T, a, b: a @ b, [[(2, 3), (3, 4)]], "real"),
    ("matmul_1d_2d", lambda T, a, b: a @ b, [[(3,), (3, 4)]], "real"),
    ("matmul_batched", lambda T, a, b: T.matmul(a, b), [[(2, 2, 3), (3, 4)],
                                                        [(2, 2, 3), (2, 3, 1)]], "real"),
    ("matmul_tanh", lambda T, a, b: (a @ b).tanh(), [[(2, 3), (3,)]], "real"),
    ("matmul_self", lambda T, a: a @ a.t(), [[(2, 3)]], "real"),
    ("div", lambda T, x, y: x / y, [[(3,), (3,)]], ("real", "nonzero")),
    ("log", lambda T, x: x.log(), [[(3,)]], "positive"),
    ("softmax", lambda T, x: T.nn.functional.softmax(x, dim=-1), [[(2, 3)]], "real"),
]


def _second_order_cases():
    from _op_table import Op
    out = []
    for name, fn, shapes, domain in SECOND_ORDER:
        op = Op(name, fn, tuple(tuple(tuple(s) for s in c) for c in shapes), domain,
                dtypes=("float64",))
        out += [Case(op, tuple(tuple(s) for s in c), "float64") for c in op.shapes]
    return out


SECOND_ORDER_CASES = _second_order_cases()


def _directions(case, arrays, out_shape):
    rng = np.random.default_rng(case_seed(case.id, "second-order"))
    v = rng.uniform(-1.0, 1.0, out_shape)
    ws = [rng.uniform(-1.0, 1.0, a.shape) for a in arrays]
    return v, ws


def first_and_second(T, case, arrays, v, ws):
    """First derivative of sum(f * v) and its derivative along ws (a Hessian-vector product)."""
    xs = leaves(T, arrays)
    out = case.op.fn(T, *xs)
    firsts = T.autograd.grad(out, xs, grad_outputs=T.tensor(v), create_graph=True)
    s = sum((g * T.tensor(w)).sum() for g, w in zip(firsts, ws, strict=True))
    seconds = T.autograd.grad(s, xs, allow_unused=True)
    return firsts, seconds


def _first_derivative_objective(case, v, ws):
    def s(arrays):
        xs = leaves(ae, arrays)
        firsts = ae.autograd.grad(case.op.fn(ae, *xs), xs, grad_outputs=ae.tensor(v))
        return sum(float(np.sum(to_numpy(g) * w)) for g, w in zip(firsts, ws, strict=True))
    return s


@pytest.mark.parametrize("case", SECOND_ORDER_CASES, ids=lambda c: c.id)
def test_second_order_finite_differences(case):
    arrays = case.arrays()
    with ae.no_grad():
        out_shape = tuple(case.op.fn(ae, *leaves(ae, arrays, requires_grad=False)).shape)
    v, ws = _directions(case, arrays, out_shape)
    _, seconds = first_and_second(ae, case, arrays, v, ws)
    numeric = numeric_grad(_first_derivative_objective(case, v, ws), arrays)
    for i, (a, n) in enumerate(zip(seconds, numeric, strict=True)):
        a = np.zeros_like(n) if a is None else to_numpy(a)
        np.testing.assert_allclose(a, n, rtol=RTOL, atol=ATOL * 10,
                                   err_msg=f"{case.id}: d2/d input {i}")


@pytest.mark.parametrize("case", SECOND_ORDER_CASES, ids=lambda c: c.id)
def test_second_order_against_torch(case):
    arrays = case.arrays()
    with torch.no_grad():
        out_shape = tuple(case.op.fn(torch, *leaves(torch, arrays, requires_grad=False)).shape)
    v, ws = _directions(case, arrays, out_shape)
    t_first, t_second = first_and_second(torch, case, arrays, v, ws)
    e_first, e_second = first_and_second(ae, case, arrays, v, ws)
    for i, (e, a) in enumerate(zip(t_first, e_first, strict=True)):
        assert a.requires_grad == e.requires_grad, f"first derivative {i} requires_grad"
        assert_close(to_numpy(a), to_numpy(e), "float64", f"first derivative {i}")
    for i, (e, a) in enumerate(zip(t_second, e_second, strict=True)):
        assert (a is None) == (e is None), f"second derivative {i}: None in one engine only"
        if e is not None:
            assert_close(to_numpy(a), to_numpy(e), "float64", f"second derivative {i}")


@pytest.mark.parametrize("case", SECOND_ORDER_CASES, ids=lambda c: c.id)
def test_second_order_graph_against_torch(case):
    """The graph recorded by create_graph=True (the derivative formulas, as nodes)."""
    arrays = case.arrays()
    with torch.no_grad():
        out_shape = tuple(case.op.fn(torch, *leaves(torch, arrays, requires_grad=False)).shape)
    v, ws = _directions(case, arrays, out_shape)
    t_first, _ = first_and_second(torch, case, arrays, v, ws)
    e_first, _ = first_and_second(ae, case, arrays, v, ws)
    assert [graph_names(g) for g in e_first] == [graph_names(g) for g in t_first]
