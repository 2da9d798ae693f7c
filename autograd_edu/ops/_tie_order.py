"""Which of two equal values PyTorch's max/min kernels keep: only visible as the sign of
a zero result (0. and -0. are equal), e.g. ``x.relu().mul(-1).amax()``.

PyTorch runs the AVX2 build of these kernels, also on AVX512 CPUs (4 float64 or 8
float32 lanes). Two rules decide a tie:

- a scalar step ``std::max(acc, x)`` keeps its first operand (the accumulated value);
- a vector step (x86's ``vmaxpd``/``vminpd``) returns its second operand.

So the winner depends on the order the kernel visits elements in, which this module
replays (numpy's own max/min are right about everything but the sign). The rules and
loops are checked against torch on random mixes of 0., -0. and other values
(tests/test_fresh_seed_fuzz_150k.py).
"""

import itertools

import numpy as np

from ._memory import GRAIN_SIZE, reduction_loop, strides


def _rules(name):
    """(scalar step, vector step) of max/amax or min/amin."""
    if name.endswith("max"):
        return (lambda acc, x: x if acc < x else acc), (lambda a, b: a if a > b else b)
    return (lambda acc, x: x if x < acc else acc), (lambda a, b: a if a < b else b)


def _needs_replay(data, result):
    """Only a zero result over elements of both signs can differ from numpy's."""
    if data.dtype not in (np.float32, np.float64) or data.size >= GRAIN_SIZE:
        return False
    zeros = data == 0
    return bool(np.any(result == 0) and np.any(zeros & np.signbit(data))
                and np.any(zeros & ~np.signbit(data)))


def extreme_of_all(data, name):
    """``max()``/``min()`` of all elements (``reduce_all``): element ``i`` goes to lane
    ``i % lanes`` of vectors, a lane keeps its extreme (the later of equal ones), then the
    lanes are combined, float64 one by one, float32 as a tree of vector steps."""
    value = getattr(np, name)(data)
    if not _needs_replay(data, value):
        return value
    _, vector = _rules(name)
    flat = np.ascontiguousarray(data).ravel()  # PyTorch's self.contiguous()
    lanes = 4 if flat.dtype == np.float64 else 8

    def fold(seq):
        return list(itertools.accumulate(seq, vector))[-1]
    if flat.size < lanes:
        return fold(flat)
    lane = [fold(flat[j::lanes]) for j in range(lanes)]
    if lanes == 4:
        return fold(lane)
    return vector(vector(vector(lane[0], lane[4]), vector(lane[2], lane[6])),
                  vector(vector(lane[1], lane[5]), vector(lane[3], lane[7])))


def extreme_over_dims(data, dims, name, result):
    """``amax``/``amin`` over ``dims``: ``result`` (numpy's, reduced dims dropped) with the
    signs of its zeros from a replay of ``binary_kernel_reduce_vec`` (ATen/native/cpu/
    Reduce.h) over TensorIterator's order of dims."""
    if not _needs_replay(data, result):
        return result
    scalar, vector = _rules(name)
    lanes = 4 if data.dtype == np.float64 else 8
    block = 4 * lanes
    loop, step = reduction_loop(data, dims)
    in_strides = strides(data)
    source = np.lib.stride_tricks.as_strided(data, (1 + sum(
        (n - 1) * s for n, s in zip(data.shape, in_strides, strict=True)),), (data.itemsize,))
    out = [-np.inf if name.endswith("max") else np.inf] * step

    def basic(o, o_step, p, p_step, n):
        for i in range(n):
            out[o + i * o_step] = scalar(out[o + i * o_step], source[p + i * p_step])

    def vectors(o, p, n, stride, reduce):
        acc = [list(source[p + j * lanes:p + (j + 1) * lanes]) for j in range(4)]
        for i in range(1, n):
            for j in range(4):
                row = source[p + i * stride + j * lanes:p + i * stride + (j + 1) * lanes]
                acc[j] = [vector(a, b) for a, b in zip(acc[j], row, strict=True)]
        if reduce:
            pair = [vector(vector(a, b), vector(c, d)) for a, b, c, d in zip(*acc, strict=True)]
            out[o] = scalar(out[o], list(itertools.accumulate(pair, scalar))[-1])
        else:
            for j, lane in itertools.product(range(4), range(lanes)):
                k = o + j * lanes + lane
                out[k] = vector(acc[j][lane], out[k])

    (n0, o0, i0), (n1, o1, i1) = (loop + [(1, 0, 0)])[:2]
    for index in itertools.product(*(range(n) for n, _, _ in reversed(loop[2:]))):
        o = sum(i * s for i, (_, s, _) in zip(index, reversed(loop[2:]), strict=True))
        p = sum(i * s for i, (_, _, s) in zip(index, reversed(loop[2:]), strict=True))
        if o0 == 0 and i0 == 1:  # contiguous reduction: vectors of 4 lanes-wide blocks
            for j in range(n1):
                count = n0 // block
                if count:
                    vectors(o + j * o1, p + j * i1, count, block, True)
                basic(o + j * o1, 0, p + j * i1 + count * block, 1, n0 - count * block)
        elif o0 == 0 and o1 == 1 and i1 == 1:  # outer reduction: columns of blocks
            for c in range(0, n1 - n1 % block, block):
                vectors(o + c, p + c, n0, i0, False)
            for c in range(n1 - n1 % block, n1):
                basic(o + c, 0, p + c, i0, n0)
        else:
            for j in range(n1):
                basic(o + j * o1, o0, p + j * i1, i0, n0)
    signs = np.array(out, data.dtype).reshape(result.shape)
    return np.where(result == 0, np.copysign(result, signs), result)

