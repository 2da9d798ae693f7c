"""Sums in PyTorch's order, so float results agree to the last bit.

Adding floats in a different order rounds differently; a learner printing
``loss.item()`` or a gradient would see it. Every float ``sum`` (and ``mean``,
which divides one) of PyTorch's CPU runs ``cascade_sum`` (ATen/native/cpu/
SumKernel.cpp) over TensorIterator's loops (``reduction_loop``): a 2-d loop over
the two fastest dims, reduced dims first, inside an outer loop over the rest. The
output starts at 0 and each call of the 2-d loop adds (``+=``) the sums it
computes into it. The 2-d loop sums *lines* (``size0`` elements, ``size1`` lines)
in one of three orders, all of them cascades (blocks of 16 added one by one,
block sums added in groups of 16, ...: only similar magnitudes meet):

- *vector*: a contiguous line of at least one SIMD vector (8 float32 / 4 float64
  lanes: the AVX2 build, which PyTorch also runs on AVX512 CPUs) is read as
  vectors, 4 interleaved vector accumulators each a cascade (``row_sum`` of
  vectors); then the leftover elements, then the lanes, one by one;
- *cascade*: one cascade over the line (``multi_row_sum``: lines summed 4 or
  4 vectors at a time, when the lines lie side by side in memory);
- *row*: 4 interleaved cascades (``row_sum``: any other line).

This module replays that with numpy, vectorized across lines: ``_one_by_one``
adds one by one in order, each step across all lines at once (``np.sum`` adds
pairwise, in another order). Only the
sign of a zero is not replayed, and need not be: PyTorch's sum starts from +0, so
it never returns -0.

From ``GRAIN_SIZE`` elements on, PyTorch splits the work among its threads
(``parallel_reduce``, ATen/TensorIteratorReduce.cpp; ``torch_threads()`` of them):
a sum to several outputs is split along one kept dim (``parallel_dim_reduction``:
each thread's share of lines is summed as above), a sum to one output along its
elements (``two_pass_reduction``: one partial sum per thread, then the sum of
those). Both are replayed; a sum to one output whose elements do not coalesce into
one dim, and float16 (summed in float32 accumulators), use numpy's order instead.
"""

import numpy as np

from ._memory import GRAIN_SIZE, reduction_loop, strides, torch_threads

_LANES = {np.dtype(np.float32): 8, np.dtype(np.float64): 4}


def _ceil_log2(n):
    return (n - 1).bit_length() if n > 1 else 0


def _one_by_one(a):
    """a[0] + a[1] + ... (along axis 0), added in order (a is short: at most 16 here)."""
    if not len(a):
        return np.zeros(a.shape[1:], a.dtype)
    total = a[0]
    for row in a[1:]:
        total = total + row
    return total


def _groups(a, step):
    """The sums (one by one) of consecutive groups of ``step`` along axis 0."""
    return _one_by_one(np.moveaxis(a.reshape((-1, step) + a.shape[1:]), 1, 0))


def _cascade(rows):
    """PyTorch's multi_row_sum of ``rows`` (along axis 0): blocks of ``step`` rows are
    added one by one into ``acc[0]``, which goes into ``acc[1]`` after each block; a full
    group of ``step`` block sums in ``acc[1]`` goes into ``acc[2]``, a full group of
    those into ``acc[3]``. At the end: ((acc[0] + acc[1]) + acc[2]) + acc[3]."""
    step = 1 << max(4, _ceil_log2(len(rows)) // 4)
    done = len(rows) - len(rows) % step
    total = _one_by_one(rows[done:])  # the rows after the last full block
    level = _groups(rows[:done], step)
    for _ in range(2):  # acc[1], acc[2] keep their unfinished group
        done = len(level) - len(level) % step
        total = total + _one_by_one(level[done:])
        level = _groups(level[:done], step)
    return total + _one_by_one(level)


def _row(rows):
    """PyTorch's row_sum: element ``i`` goes to accumulator ``i % 4`` (each a cascade),
    the leftover rows to the first; then the 4 are added in order."""
    size_ilp = len(rows) // 4
    partial = _cascade(rows[:size_ilp * 4].reshape((size_ilp, 4) + rows.shape[1:]))
    total = _one_by_one(np.concatenate([partial[:1], rows[size_ilp * 4:]]))
    return ((total + partial[1]) + partial[2]) + partial[3]


def _vector(rows):
    """vectorized_inner_sum: ``row_sum`` of whole vectors, then from 0 the leftover
    elements and the lanes of that sum, one by one."""
    lanes = _LANES[rows.dtype]
    whole = len(rows) // lanes * lanes
    lane_sums = _row(rows[:whole].reshape((-1, lanes) + rows.shape[1:]))
    return _one_by_one(np.concatenate([rows[whole:], lane_sums]))


def _orders(size0, size1, in_strides, lanes):
    """Which order cascade_sum's 2-d loop gives each of its lines: [(order, lines)]."""
    if in_strides[0] == 1 and size0 >= lanes:  # contiguous inner reduction
        return [(_vector, size1)]
    if in_strides[1] == 1 and size1 >= lanes:  # contiguous outer: 4 vectors at a time
        split = size1 // (4 * lanes) * 4 * lanes
    elif in_strides[0] < in_strides[1]:  # scalar_inner_sum: line by line
        split = 0
    else:  # scalar_outer_sum: 4 lines at a time
        split = size1 // 4 * 4
    return [(_cascade, split), (_row, size1 - split)]


def _line_sums(lines, in_strides, shares):
    """The sums cascade_sum's 2-d loop stores: ``lines`` is (size0, ..., size1), summed
    along axis 0, in the order ``_orders`` gives; ``shares``: the (begin, end) of the
    lines each thread sums in one call of the 2-d loop."""
    runs = []  # (order, begin, end), neighbours of one order merged
    for begin, end in shares:
        for order, count in _orders(len(lines), end - begin, in_strides, _LANES[lines.dtype]):
            if count and runs and runs[-1][0] is order:
                runs[-1][2] += count
            elif count:
                runs.append([order, begin, begin + count])
            begin += count
    sums = [order(lines[..., b:e]) for order, b, e in runs]
    return sums[0] if len(sums) == 1 else np.concatenate(sums, axis=-1)


def _shares(size, threads, grain=1, multiple=1):
    """The (begin, end) each thread gets from ``at::parallel_for(0, size, grain)``,
    rounded down to multiples of ``multiple`` (but the last end), empty ones left out."""
    threads = min(threads, -(-size // grain))
    step = -(-size // threads)
    shares = []
    for begin in range(0, size, step):
        end = min(size, begin + step)
        begin, end = begin - begin % multiple, end if end == size else end - end % multiple
        if begin != end:
            shares.append((begin, end))
    return shares


def _two_pass(x, n, stride, threads):
    """A sum of ``n`` elements (``stride`` apart) to one output on several threads: each
    adds its share into its own slot of a buffer of zeros, then the buffer is summed."""
    line = np.lib.stride_tricks.as_strided(x, (n, 1), (stride * x.itemsize, 0))
    buffer = np.zeros(threads, x.dtype)
    for k, (b, e) in enumerate(_shares(n, threads, GRAIN_SIZE)):
        buffer[k] = _line_sums(line[b:e], (stride, 0), [(0, 1)])[0]
    return _line_sums(buffer[:, None], (1, 0), [(0, 1)]) + x.dtype.type(0)


def _replay(x, dims):
    """The sum of ``x`` over ``dims`` in cascade_sum's order, as a flat contiguous array
    (None where not replayed)."""
    loop, out_size = reduction_loop(x, dims)
    threads = torch_threads() if x.size >= GRAIN_SIZE else 1
    if threads > 1 and out_size == 1:
        return _two_pass(x, *loop[0][::2], threads) if len(loop) == 1 else None
    shares = None
    if threads > 1:  # find_split_dim: the outermost kept dim with a share for every thread
        split = len(loop) - 1
        for d in reversed(range(len(loop))):
            if loop[d][1] == 0:
                break
            if loop[d][0] >= threads:
                split = d
                break
            if loop[d][0] > loop[split][0]:
                split = d
        if split < 2:  # a dim of the 2-d loop: each thread sums its share of its lines
            n, _, i = loop[split]
            shares = _shares(n, threads, multiple=128 // x.itemsize if i == 1 else 1)
    (n0, o0, i0), (n1, o1, i1) = (loop + [(1, 0, 0)])[:2]
    if o0 != 0 and o1 == 0:  # cascade_sum moves the reduced dim of the 2-d loop first
        (n0, o0, i0), (n1, o1, i1) = (n1, o1, i1), (n0, o0, i0)
    if shares is None:
        shares = [(0, n1)]
    outer = loop[:1:-1]  # slowest first, as the outer loop runs
    # every element, as (outer dims..., size1, size0) in the order the loops visit them
    sizes = [n for n, _, _ in outer] + [n1, n0]
    elements = np.lib.stride_tricks.as_strided(
        x, sizes, [i * x.itemsize for _, _, i in outer] + [i1 * x.itemsize, i0 * x.itemsize])
    out_strides = [o for _, o, _ in outer] + [o1]
    if o0 != 0:  # no reduced dim in the 2-d loop: it adds element by element
        parts, out_strides = elements, out_strides + [o0]
    else:  # the sums of the lines, each added into out[line * out_stride]
        parts = _line_sums(np.moveaxis(elements, -1, 0), (i0, i1), shares)
    # a part goes to out[sum(index * out_stride)]; the parts an element of out receives
    # (along the axes with out_stride 0) are added to it in the order of the loops
    reduced = [k for k, s in enumerate(out_strides) if s == 0]
    kept = [k for k, s in enumerate(out_strides) if s != 0]
    parts = parts.transpose(reduced + kept).reshape(
        (-1,) + tuple(parts.shape[k] for k in kept))
    out = np.zeros(out_size, x.dtype)
    np.lib.stride_tricks.as_strided(
        out, parts.shape[1:], [out_strides[k] * x.itemsize for k in kept])[...] = \
        _one_by_one(parts) + x.dtype.type(0)  # from +0: no -0 result
    return out


def _short_line_sum(line):
    """The common tiny case (``x.sum()`` of fewer elements than a vector's lanes) without
    the general replay's overhead: ``_row``'s order written out, element ``i`` into
    accumulator ``i % 4``, then the 4 added in order, from +0."""
    with np.errstate(all="ignore"):
        zero = line.dtype.type(0)
        if len(line) < 4:  # one by one from +0 (numpy's reduce is sequential this short)
            return np.asarray(zero + np.add.reduce(line))
        acc = [zero + line[k] for k in range(4)]
        for k in range(4, len(line)):
            acc[0] = acc[0] + line[k]
        return np.asarray(((acc[0] + acc[1]) + acc[2]) + acc[3])


def torch_sum(x, dims, keepdim):
    """``x.sum(dims, keepdim)`` (``dims`` None: all) as PyTorch computes it: a new
    contiguous array, its floats added in PyTorch's order (see the module docstring)."""
    dims = range(x.ndim) if dims is None else dims
    shape = [1 if d in dims else n for d, n in enumerate(x.shape)] if keepdim else \
        [n for d, n in enumerate(x.shape) if d not in dims]
    if x.dtype in _LANES and 0 < x.size < _LANES[x.dtype] and len(dims) == x.ndim and (
            x.flags.c_contiguous or x.flags.f_contiguous):
        return _short_line_sum(np.ravel(x, order="K")).reshape(shape)
    if x.dtype in _LANES and x.size and min(strides(x), default=0) >= 0:
        with np.errstate(all="ignore"):  # PyTorch does not warn of overflow
            out = _replay(x, dims)
        if out is not None:
            return out.reshape(shape)
    return np.array(np.sum(x, axis=tuple(d for d in dims if d < x.ndim)), order="C").reshape(shape)
