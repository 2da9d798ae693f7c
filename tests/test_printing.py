"""autograd_edu._printing against the oracle: ``repr`` of real torch tensors.

Every test builds the same data as a torch tensor and compares ``repr(torch_tensor)``
with ``tensor_repr(array, dtype_name, ...)`` character for character.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_edu import _printing
from autograd_edu._printing import get_printoptions, set_printoptions, tensor_repr

TORCH_DTYPES = {
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "bool": torch.bool,
}


@pytest.fixture(autouse=True)
def _restore_print_options():
    """Every test starts and ends with default options on both sides."""
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    yield
    set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def both_printoptions(**kwargs):
    set_printoptions(**kwargs)
    torch.set_printoptions(**kwargs)


def to_torch(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(arr, copy=True))


def assert_same(arr, dtype_name: str | None = None, **kwargs) -> str:
    """Compare repr of the torch tensor built from ``arr`` with ``tensor_repr``."""
    arr = np.asarray(arr)
    if dtype_name is not None:
        arr = arr.astype(dtype_name)
    expected = repr(to_torch(arr))
    actual = tensor_repr(arr, arr.dtype.name, **kwargs)
    assert actual == expected, f"\nexpected:\n{expected}\nactual:\n{actual}"
    return actual


# ------------------------------------------------------------------ hand-picked cases

CASES_FLOAT = {
    "0d": np.array(3.5),
    "0d_int_valued": np.array(2.0),
    "0d_zero": np.array(0.0),
    "0d_neg_zero": np.array(-0.0),
    "0d_nan": np.array(np.nan),
    "0d_tiny": np.array(1e-7),
    "0d_huge": np.array(3e12),
    "1d": np.array([1.5, -2.25, 3.0]),
    "1d_integers": np.array([1.0, 2.0, -3.0, 100.0]),
    "1d_four_decimals": np.array([0.1234, 1.23456, 12.345678, -0.00015]),
    "1d_round_half": np.array([0.00005, 0.12345, 2.5]),
    "2d": np.arange(12.0).reshape(3, 4) / 7,
    "3d": np.arange(24.0).reshape(2, 3, 4) - 11.5,
    "4d": np.arange(48.0).reshape(2, 2, 3, 4) * 0.37,
    "4d_with_size1": np.linspace(-1, 1, 6).reshape(1, 2, 3, 1),
    "mixed_magnitudes": np.array([1e-5, 1.0, 1e9]),
    "ratio_just_above_1000": np.array([1.0, 1000.5]),
    "ratio_exactly_1000": np.array([1.0, 1000.0]),
    "max_just_above_1e8": np.array([1.0e8 + 8, 2.0e8]),
    "max_exactly_1e8": np.array([1.0e8, 0.5e8]),
    "min_just_below_1e-4": np.array([0.000099, 0.01]),
    "min_exactly_1e-4": np.array([0.0001, 0.01]),
    "sci_integers": np.array([1.0, 2.0, 123456789.0]),
    "sci_2d": np.array([[1e-10, 3.0], [-4e5, 7.25]]),
    "neg_zero": np.array([-0.0, 0.0, 1.0]),
    "neg_zero_fraction": np.array([-0.0, 0.5]),
    "neg_zero_sci": np.array([-0.0, 1e-8, 5.0]),
    "only_zeros": np.zeros((2, 3)),
    "only_neg_zeros": -np.zeros(3),
    "nan_inf_ints": np.array([np.nan, np.inf, -np.inf, 1.0, -2.0]),
    "nan_inf_fractions": np.array([np.nan, 0.5, np.inf, -np.inf, -123.456]),
    "nan_inf_sci": np.array([np.nan, 1e-9, -np.inf, 1e10]),
    "nan_inf_2d": np.array([[np.nan, 1.0], [np.inf, -1000.0]]),
    "all_nan": np.full((2, 2), np.nan),
    "all_inf": np.array([np.inf, -np.inf]),
    "nan_and_zero": np.array([0.0, np.nan, -0.0]),
    "wide_values": np.array([-123456.789, 0.5, 98765.4321]),
    "long_row_wraps": np.arange(40.0) * 1.1,
    "long_int_row_wraps": np.arange(60.0),
    "long_sci_row_wraps": np.logspace(-6, 6, 30),
    "2d_long_rows": np.arange(60.0).reshape(2, 30) / 3,
    "3d_long_rows": np.arange(80.0).reshape(2, 2, 20) - 40.0,
    "float32_inexact": np.array([0.1, 0.2, 0.3, 1 / 3]),
    "float32_big": np.array([3.4e38, -1.0]),
    "subnormal": np.array([1e-40, 1.0]),
}


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES_FLOAT))
def test_float_cases(name, dtype_name):
    with np.errstate(over="ignore"):
        arr = CASES_FLOAT[name].astype(dtype_name)
    assert_same(arr)


def test_float16_cases():
    for arr in (np.array([1.5, 2.0]), np.array([0.1, 1000.0, 60000.0]), np.array(7.0)):
        assert_same(arr, "float16")


CASES_INT = {
    "0d": np.array(7),
    "0d_negative": np.array(-42),
    "1d": np.array([1, -2, 3]),
    "negatives_width": np.array([-1000, 5, 42]),
    "large": np.array([2**62, -(2**63), 0]),
    "2d": np.arange(-6, 6).reshape(3, 4),
    "3d": np.arange(24).reshape(2, 3, 4) * 1001,
    "4d": np.arange(16).reshape(2, 2, 2, 2),
    "long_row": np.arange(100) * 3,
    "big_summarized": np.arange(2000) - 1000,
}


@pytest.mark.parametrize("name", sorted(CASES_INT))
def test_int64_cases(name):
    assert_same(CASES_INT[name], "int64")


@pytest.mark.parametrize("dtype_name", ["int32", "int16", "int8", "uint8"])
def test_other_int_dtypes_show_dtype(dtype_name):
    out = assert_same(np.arange(6).reshape(2, 3), dtype_name)
    assert out.endswith(f"dtype=torch.{dtype_name})")
    assert_same(np.array(5), dtype_name)


@pytest.mark.parametrize(
    "arr",
    [
        np.array(True),
        np.array(False),
        np.array([True, False, True]),
        np.array([[True], [True]]),
        np.array([[False, True], [True, False]]),
        np.arange(30).reshape(2, 15) % 3 == 0,
        np.arange(1500) % 7 == 0,
    ],
)
def test_bool(arr):
    assert_same(arr)


def test_float64_suffix_and_default_dtype():
    arr = np.array([[1.5, 2.0], [3.0, 4.0]])
    out = assert_same(arr)
    assert out.endswith("dtype=torch.float64)")
    assert_same(arr, "float32")

    torch.set_default_dtype(torch.float64)
    for dtype_name in ("float32", "float64", "int64", "bool", "float16"):
        for a in (arr, np.array(2.0), np.zeros((0,)), np.zeros((0, 3))):
            a = a.astype(dtype_name)
            expected = repr(to_torch(a))
            assert tensor_repr(a, dtype_name, default_float_dtype="float64") == expected


# -------------------------------------------------------------------------- empties


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 1), (3, 0)])
@pytest.mark.parametrize("dtype_name", ["float32", "float64", "int64", "bool", "int32"])
def test_empty(shape, dtype_name):
    assert_same(np.zeros(shape), dtype_name)


def test_empty_literal():
    assert tensor_repr(np.array([], dtype=np.float32), "float32") == "tensor([])"
    assert repr(torch.tensor([])) == "tensor([])"
    assert_same(np.zeros((0, 3), dtype=np.float32))


# ---------------------------------------------------------------------- summarising


@pytest.mark.parametrize(
    "arr",
    [
        np.arange(1001.0),
        np.arange(1000.0),  # exactly at the threshold: printed in full
        np.arange(1600.0).reshape(40, 40) / 9,
        np.arange(1200.0).reshape(3, 400) - 600,
        np.arange(1200.0).reshape(2, 2, 300) * 1e-3,
        np.arange(1200.0).reshape(10, 10, 12) ** 2,
        np.arange(2048.0).reshape(2, 4, 16, 16),
        np.arange(1001.0).reshape(1001, 1),
        np.concatenate([np.full(500, np.nan), np.arange(501.0)]),
        # the formatter only sees the printed values: the hidden 1e9 does not force sci
        np.concatenate([np.arange(3.0), np.full(1000, 1e9), np.arange(3.0)]),
    ],
    ids=lambda a: "x".join(map(str, a.shape)),
)
@pytest.mark.parametrize("dtype_name", ["float32", "float64", "int64"])
def test_summarized(arr, dtype_name):
    with np.errstate(invalid="ignore"):
        a = np.nan_to_num(arr, nan=-7.0) if dtype_name == "int64" else arr
        assert_same(a, dtype_name)


# ---------------------------------------------------------------------- print options


OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 2},
    {"threshold": 5, "edgeitems": 1},
    {"edgeitems": 2},
    {"edgeitems": 0},
    {"threshold": 5, "edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 10},
    {"linewidth": 40, "precision": 6, "sci_mode": True},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "full", "linewidth": 120},
]

OPTION_ARRAYS = [
    np.array(1.25),
    np.arange(10.0),
    np.arange(10),
    np.array([0.123456789, -1.5, 1e-3]),
    np.array([1e-5, 1.0, 1e9, np.nan, -np.inf]),
    np.array([1.0, 2.0, 1e10]),
    np.arange(24.0).reshape(2, 3, 4) / 3,
    np.arange(60.0).reshape(3, 20) - 30,
    np.arange(1600.0).reshape(40, 40) / 7,
    np.arange(1200.0).reshape(2, 2, 300),
    np.array([True, False] * 6),
]


@pytest.mark.parametrize(
    "options", OPTION_SETS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items())
)
@pytest.mark.parametrize("arr", OPTION_ARRAYS, ids=lambda a: f"{a.dtype}{a.shape}")
def test_print_options(options, arr):
    both_printoptions(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    assert_same(arr)
    if arr.dtype.kind == "f":
        assert_same(arr, "float32")
        t = to_torch(arr).requires_grad_()
        out = tensor_repr(arr, "float64", requires_grad=True)
        assert out == repr(t)


def test_get_printoptions_defaults_and_sci_mode_reset():
    expected = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                "sci_mode": None}  # fmt: skip
    assert get_printoptions() == expected
    set_printoptions(sci_mode=True)
    set_printoptions(precision=3)  # like torch, omitting sci_mode resets it to None
    assert get_printoptions()["sci_mode"] is None
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(**expected)
    assert get_printoptions() == expected


def test_printoptions_context_manager():
    with _printing.printoptions(precision=1):
        assert get_printoptions()["precision"] == 1
        with torch._tensor_str.printoptions(precision=1):
            assert_same(np.array([1.25, 3.5]))
    assert get_printoptions()["precision"] == 4


# -------------------------------------------------------------------------- autograd


@pytest.mark.parametrize(
    "arr",
    [
        np.array(2.5),
        np.array([1.0, 2.0, 3.0]),
        np.array([[1e-6, 2.0], [np.nan, -0.0]]),
        np.arange(24.0).reshape(2, 3, 4),
        np.arange(70.0) / 3,  # wrapped rows: suffix on its own line
        np.arange(2000.0).reshape(4, 500),
        np.arange(9.0),  # last line close to 80 columns
    ],
    ids=lambda a: str(a.shape),
)
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_requires_grad_and_grad_fn(arr, dtype_name):
    a = arr.astype(dtype_name)
    leaf = to_torch(a).requires_grad_()
    assert tensor_repr(a, dtype_name, requires_grad=True) == repr(leaf)

    out = leaf * 1
    name = type(out.grad_fn).__name__
    assert name == "MulBackward0"
    assert tensor_repr(a, dtype_name, grad_fn_name=name, requires_grad=True) == repr(out)

    total = leaf.sum()
    assert type(total.grad_fn).__name__ == "SumBackward0"
    assert tensor_repr(total.detach().numpy(), dtype_name, grad_fn_name="SumBackward0") == repr(
        total
    )


def test_suffix_line_breaking():
    """Rows whose last line ends near column 80 push the suffixes onto new lines."""
    for n in range(1, 14):
        a = np.full(n, 123.456)
        leaf = to_torch(a).requires_grad_()
        assert tensor_repr(a, "float64", requires_grad=True) == repr(leaf)
        out = leaf * 1
        assert tensor_repr(a, "float64", grad_fn_name="MulBackward0") == repr(out)
    both_printoptions(linewidth=30)
    a = np.arange(5.0)
    assert tensor_repr(a, "float64", grad_fn_name="MulBackward0") == repr(
        to_torch(a).requires_grad_() * 1
    )


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 1)])
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_empty_requires_grad(shape, dtype_name):
    leaf = torch.zeros(shape, dtype=TORCH_DTYPES[dtype_name], requires_grad=True)
    a = np.zeros(shape, dtype=dtype_name)
    assert tensor_repr(a, dtype_name, requires_grad=True) == repr(leaf)
    assert tensor_repr(a, dtype_name, grad_fn_name="MulBackward0") == repr(leaf * 1)


# ------------------------------------------------------------------- random and fuzz


@pytest.mark.parametrize("scale", [1e-8, 1e-4, 1e-2, 1.0, 10.0, 1e3, 1e5, 1e8, 1e12])
@pytest.mark.parametrize("shape", [(), (5,), (4, 6), (2, 3, 4), (2, 2, 2, 3), (35, 35)])
@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_random_scaled(scale, shape, dtype_name):
    rng = np.random.default_rng(1234)
    arr = rng.standard_normal(shape) * scale
    assert_same(arr, dtype_name)
    assert_same(np.round(arr), dtype_name)


def test_random_ints():
    rng = np.random.default_rng(99)
    for shape in [(), (7,), (3, 5), (2, 3, 4), (50, 30)]:
        for high in (10, 10**6, 2**62):
            assert_same(rng.integers(-high, high, size=shape), "int64")


magnitudes = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, np.nan, np.inf, -np.inf, 1e-4, 1e8, 1000.0]),
    st.integers(-(10**9), 10**9).map(float),
    st.floats(-1e3, 1e3),
    st.floats(-1e-3, 1e-3),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-12, 12)),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7),
        elements=magnitudes,
    ),
    grad=st.sampled_from([None, "requires_grad", "MulBackward0"]),
)
def test_hypothesis_floats(arr, grad):
    leaf = to_torch(arr)
    kwargs = {}
    if grad is not None:
        leaf.requires_grad_()
        kwargs = {"requires_grad": True}
        if grad == "MulBackward0":
            leaf = leaf * 1
            kwargs = {"grad_fn_name": type(leaf.grad_fn).__name__}
    assert tensor_repr(arr, arr.dtype.name, **kwargs) == repr(leaf)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int64, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=9),
        elements=None,
    ),
    precision=st.integers(0, 8),
    threshold=st.sampled_from([0, 1, 5, 20, 100, 1000, math.inf]),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(5, 120),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_hypothesis_print_options(arr, precision, threshold, edgeitems, linewidth, sci_mode):
    options = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems,
               "linewidth": linewidth, "sci_mode": sci_mode}  # fmt: skip
    both_printoptions(**options)
    try:
        assert tensor_repr(arr, arr.dtype.name) == repr(to_torch(arr))
    finally:
        both_printoptions(profile="default")


# ------------------------------------------------------------------------ hygiene


def test_module_does_not_import_torch():
    tree = ast.parse(Path(_printing.__file__).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(alias.name.split(".")[0] != "torch" for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "torch"


def test_bad_arguments():
    with pytest.raises(ValueError):
        tensor_repr(np.zeros(2), "complex64")
    with pytest.raises(ValueError):
        tensor_repr(np.zeros(2), "float32", default_float_dtype="int64")
