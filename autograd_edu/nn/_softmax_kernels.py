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

from .. import _glibc, _sleef
from .._fma import fma32
from ..ops._memory import torch_threads as _torch_threads


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


def vector_row_sum(x, factors=None):
    """``vec::reduce_all(+)`` over the last axis of ``x`` (kept as a size-1 axis).
    ``factors=(g, y)`` with ``x = g * y``: ``map2_reduce_all``'s sum of products, whose
    tail PyTorch's float32 kernel adds with a fused multiply-add when there is a single
    row (measured on the AVX512 build; several rows, or float64, are not fused)."""
    lanes, n = _lanes(x.dtype), x.shape[-1]
    if n < lanes:  # one partial vector: its lanes one by one
        return _in_order(x)[..., None]
    acc = x[..., :lanes]
    full = n - n % lanes
    for d in range(lanes, full, lanes):
        acc = acc + x[..., d:d + lanes]
    if full < n:  # the tail is added to the first lanes only
        acc, head = acc.copy(), (..., slice(0, n - full))
        if factors is not None and x.dtype == np.float32 and x.size == n:
            acc[head] = fma32(factors[0][..., full:], factors[1][..., full:], acc[head])
        else:
            acc[head] += x[..., full:]
    return _lanes_total(acc)[..., None]


def _rows_in_order(x, axis):
    """Σ along ``axis`` (kept) row after row from 0, as the other-dim kernels add."""
    total = np.zeros(np.delete(x.shape, axis), x.dtype)
    for row in np.moveaxis(x, axis, 0):
        total = total + row
    return np.expand_dims(total, axis)


def kernel_exp(x, axis, chunked):
    """exp as the kernel along ``axis`` computes it: SLEEF's vector exp (``_sleef``), except
    at the positions an other-dim kernel leaves to its scalar loop, glibc's ``std::exp``."""
    if axis == x.ndim - 1:
        return _sleef.exp(x)
    vector = (_blocked_vector_positions if chunked else _split_vector_positions)(
        x.shape[axis], x[(0,) * (axis + 1)].size, x.size // x.shape[axis], x.dtype)
    vector = vector.reshape(x.shape[:axis] + (1,) + x.shape[axis + 1:])
    if vector.all():
        return _sleef.exp(x)
    out = _glibc.exp(x)
    return np.where(vector, _sleef.exp(x), out) if vector.any() else out


def _blocked_vector_positions(dim_size, inner, total, dtype):
    """``_vec_logsoftmax``/``_vec_log_softmax_backward`` cut the positions after the dim
    into blocks of ``128 KiB / dim_size`` (a multiple of the lanes) and run the last
    ``block % lanes`` positions of each through the scalar loop."""
    lanes = _lanes(dtype)
    chunk = max(131072 // dim_size // dtype.itemsize, lanes) // lanes * lanes
    pos = np.arange(inner)
    size = np.minimum(chunk, inner - pos // chunk * chunk)
    return np.tile(pos % chunk < size - size % lanes, total // inner)


def _split_vector_positions(dim_size, inner, total, dtype):
    """``_vec_softmax`` splits the (outer, inner) positions evenly among the threads
    (``at::parallel_for``); each thread takes whole vectors within a row of ``inner``
    positions and within its share, the rest of the row (share) through the scalar loop."""
    return vector_positions(total, inner, _lanes(dtype), min(_torch_threads(), total))


def vector_positions(total, row, block, shares):
    """Which of ``total`` positions, cut into rows of ``row`` and split evenly into
    ``shares`` (``at::parallel_for``'s ``divup`` chunks, one per thread), a kernel runs as
    whole SIMD blocks of ``block`` from the start of each piece (row within share); the
    last ``size % block`` of a piece go through its scalar loop."""
    pos = np.arange(total)
    share = -(-total // shares)
    begin = pos // share * share
    end = np.minimum(begin + share, total)
    start = pos - pos % row
    first, last = np.maximum(begin, start), np.minimum(end, start + row)
    return pos - first < (last - first) // block * block




def kernel_sum(x, axis, factors=None):
    """Σ ``x`` along ``axis`` (kept) as the kernels add: SIMD vectors along the last
    dim (``factors``: see vector_row_sum), row after row otherwise."""
    return vector_row_sum(x, factors) if axis == x.ndim - 1 else _rows_in_order(x, axis)


def softmax(x, axis):
    """softmax of float32/float64 ``x`` (at least 1-d) along ``axis``, PyTorch's way."""
    e = kernel_exp(x - np.max(x, axis=axis, keepdims=True), axis, chunked=False)
    total = kernel_sum(e, axis)
    if axis == x.ndim - 1:
        return e * (x.dtype.type(1) / total)
    return e / total


def log_softmax(x, axis):
    """log_softmax of float32/float64 ``x`` (at least 1-d) along ``axis``."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - _sleef.log(kernel_sum(kernel_exp(shifted, axis, chunked=True), axis))
