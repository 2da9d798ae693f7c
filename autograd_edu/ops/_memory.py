"""Which memory a tensor's elements live in, and the overlap checks PyTorch
makes before it writes in place (ATen/MemoryOverlap.cpp).

A tensor's array is a numpy view with PyTorch's strides (in bytes), so two
tensors share memory exactly when their arrays share a root buffer. PyTorch
only refuses what it can prove cheaply:

- *internal overlap*: the written-to tensor is not dense and has a stride-0
  dimension of size > 1 (an ``expand``), so one element would be written twice;
- *partial overlap*: an input and the written-to tensor are both dense, share
  memory, and are not exactly the same elements in the same layout (``x.add_(x.t())``).
  Anything harder (neither dense) is allowed, as in PyTorch.
"""

import functools
import os
import re

import numpy as np

from .. import _messages as msg

GRAIN_SIZE = 32768  # from this many elements on, PyTorch may split a reduction across threads
NO, YES, TOO_HARD = "no", "yes", "too hard"  # has_internal_overlap's answers
FULL, PARTIAL = "full", "partial"  # get_overlap_status's other answers


@functools.cache
def torch_threads():
    """``at::get_num_threads()`` by default: ``OMP_NUM_THREADS`` if set, else the number
    of physical cores."""
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        with open("/proc/cpuinfo") as info:
            cores = set(re.findall(r"physical id\s*:\s*(\d+)[^\n]*\n(?:.*\n)*?core id\s*:\s*(\d+)",
                                   info.read()))
    except OSError:
        cores = ()
    return len(cores) or os.cpu_count() or 1


def strides(a):
    """PyTorch's strides (in elements) of an array."""
    return tuple(s // a.itemsize for s in a.strides)


def geometry(a):
    """An array's sizes and strides (in elements): what PyTorch's view nodes keep of a
    base. A view's ``view_fn`` replays the view on an array laid out as its base (a
    ``view``/``flatten`` of a transposed-looking base is only a view in that layout)."""
    return a.shape, strides(a)


def laid_out_as(flat, base_geometry):
    """The 1-d array ``flat`` seen with the base's sizes and strides (``as_strided``)."""
    sizes, base_strides = base_geometry
    return np.lib.stride_tricks.as_strided(
        flat, sizes, [s * flat.itemsize for s in base_strides])


def storage_size(base_geometry):
    """Elements a storage needs for the base's sizes and strides (PyTorch's
    ``_maximal_storage_size``, 0 for an empty base)."""
    sizes, base_strides = base_geometry
    if 0 in sizes:
        return 0
    return 1 + sum((n - 1) * s for n, s in zip(sizes, base_strides, strict=True))


def iterator_order(shape, operands, reduced_first=False):
    """The order of dims (fastest first) in which PyTorch's TensorIterator lays out a new
    result (``reorder_dimensions``): an insertion sort of the dims by the strides of the
    operands (``operands``: one list of strides each, in order), the first operand that
    tells two dims apart deciding; a stride 0 tells nothing, equal strides fall back to
    the sizes. ``empty_like`` (clone's ``preserve_format``) orders a tensor's dims alike.
    ``reduced_first``: a reduction, whose first operand (the output, stride 0 along the
    reduced dims) moves the reduced dims to the front."""
    def should_swap(d0, d1):
        for k, op in enumerate(operands):
            s0, s1 = op[d0], op[d1]
            if reduced_first and k == 0 and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return 1 if s0 > s1 else -1
            if shape[d0] > shape[d1]:
                return 1
        return 0
    perm = list(range(len(shape)))[::-1]
    for i in range(1, len(perm)):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm


def reduction_loop(a, dims):
    """The loops TensorIterator runs a reduction of array ``a`` over ``dims`` in: a list of
    ``(size, out_stride, in_stride)`` (strides in elements), fastest first, after
    ``reorder_dimensions`` (reduced dims first: the output, a new contiguous tensor, has
    stride 0 along them) and ``coalesce_dimensions``; and the output's element count.
    The CPU kernels run the first two as a 2-d loop (``size0``, ``size1``), the rest as
    an outer loop around it (the third dim fastest)."""
    out_strides = [0] * a.ndim
    step = 1
    for d in reversed(range(a.ndim)):
        if d not in dims or a.shape[d] == 1:
            out_strides[d] = step
            step *= a.shape[d]
    in_strides = strides(a)
    order = iterator_order(a.shape, [out_strides, in_strides], reduced_first=True)
    loop = [(1, 0, 0)]
    for n, o, i in ((a.shape[d], out_strides[d], in_strides[d]) for d in order):
        n0, o0, i0 = loop[-1]
        if n0 == 1:  # a dim of size 1 steps nowhere: the next one takes its place
            loop[-1] = (n, o, i)
        elif n != 1 and o0 * n0 == o and i0 * n0 == i:  # both step through memory as one
            loop[-1] = (n0 * n, o0, i0)
        elif n != 1:
            loop.append((n, o, i))
    return loop, step


def empty_in_iterator_order(shape, operands, dtype):
    """An empty array of ``shape`` whose dims lie in memory in ``iterator_order``."""
    outer_first = iterator_order(shape, operands)[::-1]
    return np.empty([shape[d] for d in outer_first], dtype).transpose(np.argsort(outer_first))


def copy_in_torch_layout(a, values=None):
    """A new array holding ``values`` (default: ``a``'s) laid out as PyTorch lays out a new
    tensor made from ``a`` (clone, flip, sort): numpy's ``order="K"`` agrees except around
    stride-0 (expanded) dims."""
    values = a if values is None else values
    if a.ndim < 2 or a.flags.c_contiguous:
        return np.array(values, order="C", copy=True)
    out = empty_in_iterator_order(a.shape, [a.strides], values.dtype)
    out[...] = values
    return out


def is_non_overlapping_and_dense(a):
    """The elements fill a block of memory exactly, in some order of the dims."""
    need = 1
    for stride, size in sorted((st, n) for n, st in zip(a.shape, strides(a), strict=True)
                               if n >= 2):
        if stride != need:
            return False
        need *= size
    return True


def has_internal_overlap(a):
    if a.size == 0 or is_non_overlapping_and_dense(a):  # (numpy's strides of empty arrays vary)
        return NO
    if any(n > 1 and st == 0 for n, st in zip(a.shape, strides(a), strict=True)):
        return YES
    return TOO_HARD


def _root(a):
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


def overlap_status(a, b):
    """How the arrays ``a`` and ``b`` share memory (not called for one tensor with itself)."""
    if a.size == 0 or b.size == 0:
        return NO
    if not (is_non_overlapping_and_dense(a) and is_non_overlapping_and_dense(b)):
        return TOO_HARD
    if _root(a) is not _root(b):
        return NO
    a_begin, b_begin = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a_end, b_end = a_begin + a.nbytes, b_begin + b.nbytes
    if a_begin == b_begin and a_end == b_end:
        return FULL if strides(a) == strides(b) else PARTIAL
    return PARTIAL if a_begin < b_end and b_begin < a_end else NO


def same_elements(a, b):
    """The two arrays are the same elements of one buffer in the same layout."""
    return (a.shape == b.shape and a.dtype == b.dtype and strides(a) == strides(b)
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and _root(a) is _root(b))


def check_internal_overlap(t):
    if has_internal_overlap(t._data) == YES:
        raise RuntimeError(msg.INTERNAL_OVERLAP)


def check_write(out, inputs):
    """TensorIterator's checks before writing ``out``: no internal overlap,
    no partial overlap with an input (``out`` itself as an input is fine)."""
    check_internal_overlap(out)
    for t in inputs:
        if t is not out and overlap_status(out._data, t._data) == PARTIAL:
            raise RuntimeError(msg.PARTIAL_OVERLAP)


def check_no_overlap(out, t):
    """index_put_'s stricter check: the values may not even be ``out``'s own elements."""
    if t is out or overlap_status(out._data, t._data) in (FULL, PARTIAL):
        raise RuntimeError(msg.PARTIAL_OVERLAP)


def expanded(a, size):
    """``a`` expanded to ``size`` (no -1) with PyTorch's strides: 0 where a dim
    is broadcast, ``size * stride`` of the next dim for a new dim of size 1.
    Writable, like PyTorch's (``x.expand(3).zero_()`` is allowed)."""
    out = [0] * len(size)
    lead = len(size) - a.ndim
    for i in reversed(range(len(size))):
        if i >= lead:
            n, stride = a.shape[i - lead], strides(a)[i - lead]
        else:
            n, stride = 1, size[i + 1] * out[i + 1] if i + 1 < len(size) else 0
        out[i] = stride if n == size[i] else 0
    return np.lib.stride_tricks.as_strided(a, size, [s * a.itemsize for s in out])
