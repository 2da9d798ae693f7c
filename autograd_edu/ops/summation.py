"""Sums in PyTorch's order, so float32 results agree to the last bit.

Adding floats in a different order rounds differently; a learner printing
``loss.item()`` would see it. PyTorch's CPU kernel (``SumKernel.cpp``,
``cascade_sum``) reads a contiguous row as SIMD vectors (8 float32 / 4
float64 lanes), keeps 4 interleaved vector accumulators, and adds blocks of
``2**level_power`` vectors into a 4-level cascade; the leftover elements and
then the lanes are added one by one at the end. This module replays that
with numpy, for rows small enough that PyTorch sums them on one thread.
"""

import numpy as np

GRAIN_SIZE = 32768  # above this PyTorch may split the sum across threads
_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}


def _ceil_log2(n):
    return (n - 1).bit_length() if n > 1 else 0


def _multi_row_sum(rows):
    """Cascade sum over axis 0 of ``rows`` (size, 4, lanes): PyTorch's multi_row_sum."""
    size = rows.shape[0]
    levels = 4
    level_power = max(4, _ceil_log2(size) // levels)
    step = 1 << level_power
    if size < step:  # a single partial block: added in order from +0 (which turns -0 into +0)
        return np.add.reduce(rows, axis=0) + rows.dtype.type(0) if size else \
            np.zeros(rows.shape[1:], rows.dtype)
    mask = step - 1
    acc = [np.zeros(rows.shape[1:], rows.dtype) for _ in range(levels)]
    i = 0
    while i + step <= size:
        acc[0] = np.add.reduce(rows[i:i + step], axis=0)  # one block, added in order
        i += step
        for j in range(1, levels):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = np.zeros_like(acc[j - 1])
            if i & (mask << (j * level_power)):
                break
    if i < size:
        acc[0] = acc[0] + np.add.reduce(rows[i:], axis=0)
    total = acc[0]
    for j in range(1, levels):
        total = total + acc[j]
    return total


def _row_sum(vectors):
    """PyTorch's row_sum: 4 interleaved accumulators, then folded in order."""
    ilp = 4
    size_ilp = vectors.shape[0] // ilp
    partial = _multi_row_sum(vectors[:size_ilp * ilp].reshape((size_ilp, ilp) + vectors.shape[1:]))
    for v in vectors[size_ilp * ilp:]:
        partial[0] = partial[0] + v
    for k in range(1, ilp):
        partial[0] = partial[0] + partial[k]
    return partial[0]


def ordered_sum(row):
    """The sum of a 1-D float array, added in PyTorch's order."""
    lanes = _LANES[row.dtype]
    n = row.shape[0]
    if n < lanes:  # too short for one vector: the same cascade over single elements
        zero = row.dtype.type(0)
        if n < 4:  # no full group of 4: added one by one from +0
            total = zero
            for x in row:
                total = total + x
            return total
        first = row[0] + zero
        for x in row[4:]:
            first = first + x
        return ((first + row[1]) + row[2]) + row[3]
    vec_size = n // lanes
    lane_sums = _row_sum(row[:vec_size * lanes].reshape(vec_size, lanes))
    total = row.dtype.type(0)
    for x in row[vec_size * lanes:]:
        total = total + x
    for x in lane_sums:
        total = total + x
    return total


def sum_like_torch(x, axis):
    """``x.sum(axis)`` (axis None or the last axis) in PyTorch's order where we
    know it; None where we do not (the caller then uses numpy's sum)."""
    if x.dtype not in _LANES or x.size == 0:
        return None
    if axis is None:
        if x.size > GRAIN_SIZE:
            return None
        if x.flags.c_contiguous or x.flags.f_contiguous:
            return np.asarray(ordered_sum(np.ravel(x, order="K")))
        if x.ndim == 1:  # a strided row is read element by element, same cascade
            return np.asarray(_row_sum(x))
        return None
    if axis == x.ndim - 1 and x.flags.c_contiguous and x.shape[-1] <= GRAIN_SIZE \
            and x.size // max(x.shape[-1], 1) <= 64:  # a few rows: row by row is cheap enough
        rows = x.reshape(-1, x.shape[-1])
        return np.array([ordered_sum(r) for r in rows], x.dtype).reshape(x.shape[:-1])
    return None
