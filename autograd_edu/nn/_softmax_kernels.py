"""The arithmetic of PyTorch's CPU softmax and log_softmax kernels (SoftMaxKernel.cpp,
LogSoftmaxKernelImpl.h), so that a loss printed with ``loss.item()`` has PyTorch's last
digits.

Along the last dim the kernels read a row as SIMD vectors and reduce it with
``vec::reduce_all``: lane-wise sums, then the lanes (float32: by shuffles, a tree;
float64: one by one). PyTorch runs its AVX512 build of these kernels on CPUs that have
AVX512 (16 float32 / 8 float64 lanes, measured on such a CPU), its AVX2 build otherwise
(8 / 4). Along another dim they add row after row from 0.
softmax multiplies by ``1 / sum`` along the last dim and divides by the sum otherwise;
log_softmax subtracts the max, then the log of the sum. The vectorized ``exp`` and
``log`` (SLEEF, within 1 ulp) round float32 almost always as the float64 functions
rounded once do, which numpy's own float32 ones do not; float64 keeps numpy's.
"""

import functools
import os

import numpy as np


@functools.cache
def _has_avx512():
    """Whether PyTorch would pick its AVX512 kernels here (``ATEN_CPU_CAPABILITY`` first,
    then the CPU flags its cpuinfo checks)."""
    wanted = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if wanted:
        return wanted == "avx512"
    try:
        with open("/proc/cpuinfo") as info:
            flags = info.read()
    except OSError:
        return False
    return all(f" {flag}" in flags for flag in ("avx512f", "avx512bw", "avx512vl", "avx512dq"))


def _lanes(dtype):
    return (16 if _has_avx512() else 8) * 4 // dtype.itemsize


def _lanes_total(acc):
    """``vec_reduce_all`` of full vectors (last axis): the float32 specialization folds
    the vector in halves until one lane is left; other types add the lanes in order."""
    if acc.dtype != np.float32:
        return _in_order(acc)
    while acc.shape[-1] > 1:
        half = acc.shape[-1] // 2
        acc = acc[..., :half] + acc[..., half:]
    return acc[..., 0]


def _in_order(x):
    total = x[..., 0]
    for i in range(1, x.shape[-1]):
        total = total + x[..., i]
    return total


def vector_row_sum(x):
    """``vec::reduce_all(+)`` over the last axis of ``x`` (kept as a size-1 axis)."""
    lanes, n = _lanes(x.dtype), x.shape[-1]
    if n < lanes:  # one partial vector: its lanes one by one
        return _in_order(x)[..., None]
    acc = x[..., :lanes]
    full = n - n % lanes
    for d in range(lanes, full, lanes):
        acc = acc + x[..., d:d + lanes]
    if full < n:  # the tail is added to the first lanes only
        acc = acc.copy()
        acc[..., :n - full] += x[..., full:]
    return _lanes_total(acc)[..., None]


def _rows_in_order(x, axis):
    """Σ along ``axis`` (kept) row after row from 0, as the other-dim kernels add."""
    total = np.zeros(np.delete(x.shape, axis), x.dtype)
    for row in np.moveaxis(x, axis, 0):
        total = total + row
    return np.expand_dims(total, axis)


def exp_like_kernel(x):
    """exp as the kernels' SIMD exp rounds it: float32 through double, float64 numpy's."""
    return np.exp(x.astype(np.float64)).astype(x.dtype) if x.dtype == np.float32 else np.exp(x)


def _log(x):
    return np.log(x.astype(np.float64)).astype(x.dtype) if x.dtype == np.float32 else np.log(x)


def _sum_of(e, axis):
    return vector_row_sum(e) if axis == e.ndim - 1 else _rows_in_order(e, axis)


def softmax(x, axis):
    """softmax of float32/float64 ``x`` (at least 1-d) along ``axis``, PyTorch's way."""
    e = exp_like_kernel(x - np.max(x, axis=axis, keepdims=True))
    total = _sum_of(e, axis)
    if axis == x.ndim - 1:
        return e * (x.dtype.type(1) / total)
    return e / total


def log_softmax(x, axis):
    """log_softmax of float32/float64 ``x`` (at least 1-d) along ``axis``."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - _log(_sum_of(exp_like_kernel(shifted), axis))
