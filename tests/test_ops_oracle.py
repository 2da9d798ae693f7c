"""Every op of the table (``_op_table.py``) against the PyTorch oracle.

For each entry, input shapes and dtype (float32, float64) the same numpy inputs go
to ``torch`` and to ``autograd_edu``; the tests compare, each on its own so that a
failure names what differs:

- ``test_forward``: output values, dtype, shape, ``requires_grad``, ``is_leaf``;
- ``test_repr``: ``repr(out)`` character for character (this covers ``grad_fn=<...>``);
- ``test_graph``: the name of every node reachable through ``next_functions``;
- ``test_backward``: ``.grad`` of every input after backward with a random upstream
  gradient (values and dtype).

Then dtype promotion (ints with float scalars, mixed float widths, 0-d tensors,
bools, integer true division).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _op_table import (
    TOLERANCES,
    Case,
    as_outputs,
    assert_close,
    case_seed,
    cases,
    differentiable,
    dtype_name,
    graph_names,
    leaves,
    to_numpy,
    upstream,
)

import autograd_edu

CASES = cases()


@pytest.fixture(autouse=True)
def _default_dtype():
    torch.set_default_dtype(torch.float32)
    autograd_edu.set_default_dtype(autograd_edu.float32)
    yield
    torch.set_default_dtype(torch.float32)
    autograd_edu.set_default_dtype(autograd_edu.float32)


def forward(T, case: Case):
    xs = leaves(T, case.arrays())
    return xs, case.op.fn(T, *xs)


def both(case: Case):
    return forward(torch, case), forward(autograd_edu, case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_forward(case):
    (_, expected), (_, actual) = both(case)
    assert type(actual) is not tuple or isinstance(expected, tuple)
    exp_outs, act_outs = as_outputs(expected), as_outputs(actual)
    assert len(act_outs) == len(exp_outs)
    for i, (e, a) in enumerate(zip(exp_outs, act_outs, strict=True)):
        assert dtype_name(a) == dtype_name(e), f"output {i} dtype"
        assert tuple(a.shape) == tuple(e.shape), f"output {i} shape"
        assert a.requires_grad == e.requires_grad, f"output {i} requires_grad"
        assert a.is_leaf == e.is_leaf, f"output {i} is_leaf"
        assert_close(to_numpy(a), to_numpy(e), dtype_name(e), f"output {i} values")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_repr(case):
    (_, expected), (_, actual) = both(case)
    assert repr(actual) == repr(expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_graph(case):
    (_, expected), (_, actual) = both(case)
    assert [graph_names(o) for o in as_outputs(actual)] == \
        [graph_names(o) for o in as_outputs(expected)]


def backward(T, case: Case):
    xs, out = forward(T, case)
    outs = differentiable(as_outputs(out))
    grads = [T.tensor(g) for g in upstream(outs, case_seed(case.id, "upstream"))]
    if outs:
        T.autograd.backward(outs, grads)
    return [None if x.grad is None else to_numpy(x.grad) for x in xs], [dtype_name(x.grad)
                                                                          if x.grad is not None
                                                                          else None for x in xs]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_backward(case):
    expected, expected_dtypes = backward(torch, case)
    actual, actual_dtypes = backward(autograd_edu, case)
    assert actual_dtypes == expected_dtypes
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        if e is None:
            assert a is None, f"input {i}: grad should be None"
        else:
            assert_close(a, e, expected_dtypes[i], f"grad of input {i}")


def test_table_covers_enough():
    assert len(CASES) > 1000
    names = {c.op.name for c in CASES}
    for required in ("rsub_scalar", "rdiv_scalar", "rpow_scalar", "matmul_op", "clamp_tensor",
                     "getitem_mixed_separated", "cross_entropy", "linear_bias", "mse_loss_none"):
        assert required in names


def test_accumulate_grad_name():
    """The node behind a leaf, as ``name()`` reports it."""
    def name(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        return x.exp().grad_fn.next_functions[0][0].name()
    assert name(autograd_edu) == name(torch)


# -- dtype promotion ---------------------------------------------------------------------------
# Each builder returns (leaves that require grad, result); results are compared by dtype and
# repr, and when they require grad, the leaves' gradients after backward (values and dtype).


def _f32(T, values, rg=True):
    return T.tensor(values, dtype=T.float32, requires_grad=rg)


def _f64(T, values, rg=True):
    return T.tensor(values, dtype=T.float64, requires_grad=rg)


PROMOTION = {
    "int64_plus_float_scalar": lambda T: ([], T.tensor([1, 2, 3]) + 2.5),
    "float_scalar_times_int64": lambda T: ([], 2.5 * T.tensor([1, 2, 3])),
    "int64_minus_float_scalar": lambda T: ([], T.tensor([1, 2, 3]) - 0.5),
    "float_scalar_minus_int64": lambda T: ([], 0.5 - T.tensor([1, 2, 3])),
    "int64_plus_int_scalar": lambda T: ([], T.tensor([1, 2, 3]) + 2),
    "int64_true_div_int_scalar": lambda T: ([], T.tensor([1, 2, 3]) / 2),
    "int64_true_div_int64": lambda T: ([], T.tensor([3, 4]) / T.tensor([2, 2])),
    "int_scalar_true_div_int64": lambda T: ([], 3 / T.tensor([2, 4])),
    "int64_0d_true_div": lambda T: ([], T.tensor(3) / 2),
    "int64_div_method": lambda T: ([], T.tensor([1, 2, 3]).div(T.tensor([2, 2, 2]))),
    "int64_floor_div": lambda T: ([], T.tensor([7, -7]) // 2),
    "int64_pow_int": lambda T: ([], T.tensor([1, 2, 3]) ** 2),
    "int64_pow_float": lambda T: ([], T.tensor([1, 2, 4]) ** 0.5),
    "int_scalar_pow_int64": lambda T: ([], 2 ** T.tensor([1, 2, 3])),
    "float_scalar_pow_int64": lambda T: ([], 2.5 ** T.tensor([1, 2, 3])),
    "int64_mul_float32_tensor_grad": lambda T: (
        [x := _f32(T, [0.5, -1.5, 2.0])], T.tensor([1, 2, 3]) * x),
    "float32_plus_float64": lambda T: (
        [a := _f32(T, [1.0, 2.0]), b := _f64(T, [0.25, 0.5])], a + b),
    "float64_times_float32": lambda T: (
        [a := _f64(T, [1.0, 2.0]), b := _f32(T, [0.25, 0.5])], a * b),
    "float64_0d_plus_float32_1d": lambda T: (
        [a := _f64(T, 1.5), b := _f32(T, [0.25, 0.5, 0.75])], a + b),
    "float32_1d_times_float64_0d": lambda T: (
        [a := _f32(T, [0.25, 0.5, 0.75]), b := _f64(T, 1.5)], a * b),
    "float32_0d_plus_float64_1d": lambda T: (
        [a := _f32(T, 1.5), b := _f64(T, [0.25, 0.5, 0.75])], a + b),
    "float64_0d_div_float32_1d": lambda T: (
        [a := _f64(T, 1.5), b := _f32(T, [0.25, 0.5, 0.75])], a / b),
    "float32_1d_pow_float64_0d": lambda T: (
        [a := _f32(T, [0.25, 0.5, 0.75]), b := _f64(T, 2.5)], a ** b),
    "float64_0d_both_0d_float32": lambda T: (
        [a := _f64(T, 1.5), b := _f32(T, 0.5)], a - b),
    "float32_matmul_scalar_result_promotion": lambda T: (
        [a := _f32(T, [1.0, 2.0]), b := _f64(T, 3.0)], a.sum() * b),
    "int64_1d_plus_float64_0d": lambda T: (
        [a := _f64(T, 1.5)], T.tensor([1, 2, 3]) + a),
    "int32_plus_int64_0d": lambda T: (
        [], T.tensor([1, 2], dtype=T.int32) + T.tensor(5)),
    "int32_plus_int64_1d": lambda T: (
        [], T.tensor([1, 2], dtype=T.int32) + T.tensor([5, 6])),
    "int32_plus_int_scalar": lambda T: ([], T.tensor([1, 2], dtype=T.int32) + 2),
    "int32_plus_float_scalar": lambda T: ([], T.tensor([1, 2], dtype=T.int32) * 1.5),
    "uint8_plus_int8": lambda T: (
        [], T.tensor([1, 2], dtype=T.uint8) + T.tensor([-1, 3], dtype=T.int8)),
    "bool_plus_int64": lambda T: ([], T.tensor([True, False]) + T.tensor([1, 2])),
    "bool_plus_int_scalar": lambda T: ([], T.tensor([True, False]) + 1),
    "int_scalar_times_bool": lambda T: ([], 3 * T.tensor([True, False])),
    "bool_plus_bool_scalar": lambda T: ([], T.tensor([True, False]) + True),
    "bool_plus_bool": lambda T: ([], T.tensor([True, False]) + T.tensor([True, True])),
    "bool_times_float_scalar": lambda T: ([], T.tensor([True, False]) * 2.5),
    "bool_true_div": lambda T: ([], T.tensor([True, False]) / T.tensor([True, True])),
    "bool_times_float32_grad": lambda T: (
        [x := _f32(T, [1.5, 2.5])], T.tensor([True, False]) * x),
    "bool_0d_plus_int64": lambda T: ([], T.tensor(True) + T.tensor([1, 2])),
    "float16_plus_float32": lambda T: (
        [], T.tensor([1.5], dtype=T.float16) + T.tensor([2.25])),
    "float16_plus_float_scalar": lambda T: ([], T.tensor([1.5, 2.0], dtype=T.float16) + 2.5),
    "float32_grad_plus_int64_0d": lambda T: (
        [x := _f32(T, [0.5, 1.5])], x + T.tensor(2)),
    "float32_plus_int_scalar_keeps": lambda T: (
        [x := _f32(T, [0.5, 1.5])], x + 1),
    "float64_true_div_int_scalar": lambda T: (
        [x := _f64(T, [0.5, 1.5])], x / 3),
    "rsub_float_scalar_float64": lambda T: (
        [x := _f64(T, [0.5, 1.5])], 1 - x),
    "where_int_float": lambda T: (
        [x := _f32(T, [0.5, 1.5])], T.where(T.tensor([True, False]), T.tensor([1, 2]), x)),
    "where_float64_scalar": lambda T: (
        [x := _f64(T, [0.5, 1.5])], T.where(x > 1, x, 0)),
    "where_float32_float64": lambda T: (
        [a := _f32(T, [0.5, 1.5]), b := _f64(T, [2.5, 3.5])], T.where(a > 1, a, b)),
    "maximum_int_float": lambda T: (
        [x := _f32(T, [0.5, 3.5])], T.maximum(T.tensor([1, 2]), x)),
    "cat_float32_float64": lambda T: (
        [a := _f32(T, [0.5, 1.5]), b := _f64(T, [2.5])], T.cat([a, b])),
    "stack_int_float": lambda T: (
        [x := _f32(T, [0.5, 1.5])], T.stack([T.tensor([1, 2]), x])),
    "int64_sum": lambda T: ([], T.tensor([1, 2, 3]).sum()),
    "bool_sum": lambda T: ([], T.tensor([True, False, True]).sum()),
    "float_list_mean": lambda T: ([], T.tensor([1.0, 2.0]).mean()),
    "int64_clamp_float": lambda T: ([], T.tensor([1, 5, 9]).clamp(2.5, 7.5)),
    "int64_abs_neg": lambda T: ([], -T.tensor([1, -2]).abs()),
    "int64_exp": lambda T: ([], T.tensor([0, 1]).exp()),
    "int64_sqrt": lambda T: ([], T.tensor([4, 9]).sqrt()),
    "bool_sigmoid": lambda T: ([], T.tensor([True, False]).sigmoid()),
    "int64_matmul": lambda T: ([], T.tensor([[1, 2]]) @ T.tensor([[3], [4]])),
    "float32_tensor_float64_scalar_tensor_0d_grad": lambda T: (
        [a := _f32(T, [[1.0, 2.0]]), b := _f64(T, 0.5)], (a * b).sum(1)),
}


def _promotion(T, name):
    grad_leaves, out = PROMOTION[name](T)
    grads = None
    if out.requires_grad:
        g = T.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)),
                     dtype=out.dtype)
        out.backward(g)
        grads = [(dtype_name(x.grad), to_numpy(x.grad)) for x in grad_leaves]
    return out, grads


@pytest.mark.parametrize("name", sorted(PROMOTION))
def test_promotion(name):
    expected, expected_grads = _promotion(torch, name)
    actual, actual_grads = _promotion(autograd_edu, name)
    assert dtype_name(actual) == dtype_name(expected)
    assert repr(actual) == repr(expected)
    assert (actual_grads is None) == (expected_grads is None)
    for (ad, a), (ed, e) in zip(actual_grads or [], expected_grads or [], strict=True):
        assert ad == ed
        # mixed-precision results are computed in the narrower float: float32 tolerances
        assert_close(a, e, ed, "grad", **TOLERANCES["float32"])


@pytest.mark.parametrize("name", ["int64_plus_float_scalar", "int64_true_div_int64",
                                  "bool_times_float_scalar", "float16_plus_float32",
                                  "int32_plus_float_scalar"])
def test_promotion_default_float64(name):
    """With the default dtype float64, ints meeting Python floats become float64."""
    torch.set_default_dtype(torch.float64)
    autograd_edu.set_default_dtype(autograd_edu.float64)
    expected, _ = _promotion(torch, name)
    actual, _ = _promotion(autograd_edu, name)
    assert dtype_name(actual) == dtype_name(expected)
    assert repr(actual) == repr(expected)
