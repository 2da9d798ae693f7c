"""autograd_edu/_sleef.py (SLEEF's exp/log) bit for bit against PyTorch 2.13 itself.

exp: ``_log_softmax_backward_data`` along the last dim computes ``grad - exp(out) * Σ grad``
with the vectorized exp on every element; with a grad of zeros and a single 1 (Σ = 1,
the multiply-subtract exact) it returns ``0 - exp(out)`` for the other elements, so any
float can be fed to PyTorch's exp. log: ``log_softmax`` of a short row whose first element
is its max returns ``0 - log(S)`` there, S the row's Σ exp(x - max), added lane after lane
(rows shorter than a vector) from exps tested above; so log is checked on [1, n] (all a
softmax ever takes the log of) and against IEEE's special cases elsewhere.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest
import torch

from autograd_edu import _sleef

DTYPES = [np.float32, np.float64]


def _same_bits(a, b):
    return np.array_equal(a, b, equal_nan=True) and \
        np.array_equal(np.signbit(a[~np.isnan(a)]), np.signbit(b[~np.isnan(b)]))


def _exp_check(y):
    """PyTorch's ``0 - exp(y) * 1`` next to ours."""
    out = np.append(y, y.dtype.type(0))
    grad = np.zeros_like(out)
    grad[-1] = 1
    dtype = torch.float32 if y.dtype == np.float32 else torch.float64
    got = torch.ops.aten._log_softmax_backward_data(
        torch.tensor(grad), torch.tensor(out), 0, dtype).numpy()[:-1]
    with np.errstate(all="ignore"):
        return y.dtype.type(0) - _sleef.exp(y), got


def _special(dtype):
    fi = np.finfo(dtype)
    edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, fi.max, -fi.max, fi.tiny, -fi.tiny,
             fi.smallest_subnormal, -fi.smallest_subnormal, 1e-30, -1e-30]
    # around the overflow/underflow thresholds and the kernels' cut-offs
    edges += [88.0, 88.72283, 88.7229, 89.0, 100.0, 100.1, -87.3, -88.0, -103.0, -103.97,
              -104.0, -104.1, 709.7, 709.782712893384, 709.79, -708.4, -745.1, -745.2,
              -999.9, -1000.0, -1000.1]
    x = np.array(edges, dtype)
    with np.errstate(all="ignore"):
        return np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_special_values(dtype):
    assert _same_bits(*_exp_check(_special(dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_random_values(dtype):
    rng = np.random.default_rng(0)
    scale = rng.choice([1e-6, 1e-2, 1, 10, 100, 1000], 100_000)
    assert _same_bits(*_exp_check((rng.standard_normal(100_000) * scale).astype(dtype)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_differs_from_numpy(dtype):
    """The reason for the module: numpy's exp (rounded once from float64 for float32) is
    not PyTorch's; were it, _sleef would be needless (and this test would say so)."""
    y = np.random.default_rng(1).standard_normal(10_000).astype(dtype)
    assert not _same_bits(dtype(0) - np.exp(y.astype(np.float64)).astype(dtype), _exp_check(y)[1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_of_integers(dtype):
    """A row of n zeros: S = n exactly, log_softmax = -log(n)."""
    for n in [*range(1, 70), 127, 128, 129, 1000, 4097, 30000]:
        got = torch.log_softmax(torch.zeros(n, dtype=torch.float32 if dtype == np.float32
                                            else torch.float64), 0).numpy()[:1]
        assert _same_bits(dtype(0) - _sleef.log(np.array([n], dtype)), got), n


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_random_sums(dtype):
    rng = np.random.default_rng(2)
    for width in range(2, 8):  # shorter than any vector: lanes added one by one
        rows = -np.abs(rng.standard_normal((20_000, width)) * rng.choice([0.1, 1, 5], (20_000, 1)))
        rows[:, 0] = 0
        rows = rows.astype(dtype)
        e = _sleef.exp(rows)
        total = e[:, 0]
        for i in range(1, width):
            total = total + e[:, i]
        got = torch.log_softmax(torch.tensor(rows), 1).numpy()[:, 0]
        assert _same_bits(dtype(0) - _sleef.log(total), got), width


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_special_values(dtype):
    """No PyTorch route feeds these to SLEEF's log: IEEE's answers, and within 1 ulp of the
    correctly rounded log for subnormal and huge arguments (SLEEF's u10 bound)."""
    fi = np.finfo(dtype)
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, -fi.tiny], dtype)
    with np.errstate(all="ignore"):
        got = _sleef.log(x)
    assert _same_bits(got[:3], np.array([-np.inf, -np.inf, np.inf], dtype))
    assert np.isnan(got[3:]).all()
    tiny = np.array([fi.smallest_subnormal, fi.smallest_subnormal * 3, fi.tiny / 3, fi.tiny,
                     fi.max, fi.max / 3, 1.0, 0.75, 1.5, np.nextafter(dtype(1.5), dtype(0))], dtype)
    exact = np.log(tiny.astype(np.longdouble)).astype(dtype)
    ulps = np.abs(_sleef.log(tiny).view(np.int64 if dtype == np.float64 else np.int32).astype(
        np.int64) - exact.view(np.int64 if dtype == np.float64 else np.int32).astype(np.int64))
    assert (ulps <= 1).all(), ulps


# log_softmax along dim 0 (inner positions both in SIMD vectors and in the scalar tail),
# exp'ed back: an exact 0 in PyTorch wherever SLEEF's bits are reproduced (fuzz seed 158711)
LOG_SOFTMAX_ROUND_TRIP = """
x = torch.tensor(RAND, dtype=torch.float32).reshape(2, 4, 2, 3) * 2
y = torch.log_softmax(x, 0)
print((y.exp() * torch.exp(torch.logsumexp(x, 0, keepdim=True)) - torch.exp(x)).abs().max())
print(y.tolist())
z = torch.log_softmax(x.double(), 1)
print(z.tolist())
print(torch.softmax(x, 2).tolist(), torch.softmax(x.reshape(16, 3), 0).tolist())
"""


def test_log_softmax_program_matches_torch():
    values = np.random.default_rng(3).standard_normal(48).astype(np.float32).tolist()
    oracle.assert_same_output(LOG_SOFTMAX_ROUND_TRIP.replace("RAND", repr(values)))
