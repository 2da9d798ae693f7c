"""Indexing: ``x[...]`` reading (select, slice, advanced index) and writing
(``x[...] = v``), with their derivatives.

Reading follows PyTorch's order: integers, slices, ``None`` and ``...`` are
applied one by one as views (``SelectBackward0``, ``SliceBackward0``,
``UnsqueezeBackward0``); tensor/list indices are then applied together as one
copy (``IndexBackward0``). The derivative of a read places the gradient back
into zeros of the input's shape ("embedding" the gradient).
"""

import operator

import numpy as np

from .. import _dtypes
from .. import _messages as msg
from .._tensor import Tensor
from ..autograd.graph import Node
from ._common import (
    bump_version,
    connect_stale_views,
    int_arg,
    needs_recording,
    new_tensor,
    record,
    values,
    wrap_dim,
)
from .shape import make_view, unsqueeze, view

# -- the derivative side: put a gradient back where it was read from ---------

class SelectBackwardBackward0(Node):
    """out = zeros(sizes) with grad at ``index`` along dim;  grad_grad = grad.select(dim, index)"""

    def apply(self, grad):
        region = self.saved("region")  # (:, ..., :, index)
        return select(grad, len(region) - 1, region[-1]),


class SliceBackwardBackward0(Node):
    """out = zeros(sizes) with grad in a slice along dim;  grad_grad = grad's slice (a view)"""

    def apply(self, grad):
        region = self.saved("region")  # (:, ..., :, start:end:step)
        part = region[-1]
        return slice_dim(grad, len(region) - 1, part.start, part.stop, part.step),


class IndexPutBackward0(Node):
    """out = self with ``values`` put at ``indices`` (added if accumulate);
    grad_self = grad (zeroed at indices unless accumulate),  grad_values = grad[indices]"""

    _released_values = ("region",)

    def apply(self, grad):
        region, indices = _saved_region(self)
        grad_self = grad_values = None
        if self.needs_input_grad(0):
            grad_self = grad if self.saved("accumulate") else _zeroed_at(grad, region, indices)
        if self.needs_input_grad(1):
            grad_values = _read_region(grad, region, indices)
        return grad_self, grad_values


def _saved_region(node):
    """A node's advanced index: the numpy ``region`` it indexes with, after unpacking the
    index tensors PyTorch saves (``indices``, None for a slice): an index tensor changed
    in place since makes backward raise, before the stale region is used."""
    indices = node.saved("indices")
    return node.saved("region"), indices


def _zeroed_at(grad, region, indices):
    """``grad.index_put(indices, zeros_like(values), false)``: recorded as IndexPutBackward0
    (zeros need no gradient), so under create_graph the gradient keeps its history."""
    data = grad._data.copy()
    data[region] = 0
    return record(IndexPutBackward0, new_tensor(data, grad._dtype), (grad, None),
                  {"indices": indices, "region": region, "accumulate": False})


class IndexPutImplBackward0(IndexPutBackward0):
    """out = self with ``values`` put at ``indices`` (_index_put_impl_, the in-place op of
    an advanced index's backward);  grad_self = grad,  grad_values = grad[indices]"""


class IndexBackward0(Node):
    """out = self[indices];  grad_self = zeros with grad added at indices"""

    _released_values = ("region",)

    def apply(self, grad):
        region, indices = _saved_region(self)
        return embed(grad, self.saved("sizes"), region, indices=indices),


def _iterator_layout(t, region, shape):
    """The order of dims (fastest first) in which PyTorch's index kernel lays out its result:
    TensorIterator's order (``iterator_order``) over its inputs, the source (stride 0 along
    the indexed dims) then each index tensor (0 along the other dims)."""
    from ._memory import iterator_order, strides
    arrays = [a for i in region if not isinstance(i, slice)
              for a in (np.nonzero(i) if i.dtype == np.bool_ else (i,))]
    kinds = [k for i in region for k in ([i] if isinstance(i, slice) else
                                         ["adv"] * (1 if i.dtype != np.bool_ else i.ndim))]
    kinds += [slice(None)] * (t._data.ndim - len(kinds))
    positions = [k for k, kind in enumerate(kinds) if kind == "adv"]
    n_adv = len(shape) - (len(kinds) - len(positions))
    src = [s * t._data.itemsize for k, s in enumerate(strides(t._data)) if kinds[k] != "adv"]
    pad = [0] * n_adv
    if positions == list(range(positions[0], positions[0] + len(positions))):  # adjacent
        before = positions[0]
        src = src[:before] + pad + src[before:]
        lead = before
    else:
        src, lead = pad + src, 0
    operands = [src]
    for a in arrays:
        b = np.broadcast_to(np.ascontiguousarray(a, dtype=np.int64), shape[lead:lead + n_adv])
        rest = [0] * (len(shape) - lead - n_adv)
        operands.append([0] * lead + [s for s in b.strides] + rest)

    return iterator_order(shape, operands)


def _read_region(t, region, indices):
    data = t._data[region]
    if data.ndim > 1:  # copy into PyTorch's layout (numpy's own differs for strided sources)
        perm = _iterator_layout(t, region, data.shape)[::-1]
        data = data.transpose(perm).copy(order="C").transpose(np.argsort(perm))
    out = new_tensor(data, t._dtype)
    return record(IndexBackward0, out, (t,), {"indices": indices, "region": region,
                                              "sizes": t._data.shape})


def embed(grad, sizes, region, node_cls=None, copy=False, indices=None):
    """zeros(sizes) with ``grad`` added at ``region`` (repeated indices add up), or, with
    ``copy`` or a ``node_cls`` (select/slice backward), written there: PyTorch copies
    into the zeros in those formulas, which keeps the sign of -0. (0. + -0. is 0.).
    ``indices``: the index tensors of an advanced ``region``, saved by the node."""
    data = np.zeros(sizes, grad._dtype.numpy)
    if copy or node_cls is not None:
        data[region] = grad._data
    else:
        np.add.at(data, region, grad._data)
    out = new_tensor(data, grad._dtype)
    if node_cls is None:  # PyTorch: _index_put_impl_(zeros, ..., accumulate=True), version 1
        bump_version(out)
        return record(IndexPutImplBackward0, out, (None, grad),
                      {"indices": indices, "region": region, "accumulate": True})
    return record(node_cls, out, (grad,), {"region": region})


class ScatterBackward0(Node):
    """out = self with src written at index along dim;  grad_src = grad.gather(dim, index)
    (self is a formula's zeros here: it needs no gradient)"""

    def apply(self, grad):
        return None, gather(grad, self.saved("dim"), self.saved("index"))


class ScatterAddBackward0(ScatterBackward0):
    """out = self with src added at index along dim;  grad_src = grad.gather(dim, index)"""


def scatter_into_zeros(sizes, dim, indices, grad, accumulate=False):
    """zeros(sizes) with grad written at ``indices`` along ``dim``: PyTorch's
    ``zeros(...).scatter_(dim, indices, grad)`` (max/min/sort over a dim), or with
    ``accumulate`` its ``scatter_add_`` (gather: repeated indices add up). A 0-d
    input's only index is 0."""
    region = ()
    if sizes:
        grid = list(np.indices(indices._data.shape, sparse=True))
        grid[dim] = indices._data
        region = tuple(grid)
    data = np.zeros(sizes, grad._dtype.numpy)
    if accumulate:
        np.add.at(data, region, grad._data)
    else:  # written, not added: keeps the sign of -0. (0. + -0. is 0.)
        data[region] = grad._data
    out = bump_version(new_tensor(data, grad._dtype))  # filled in place: version 1
    return record(ScatterAddBackward0 if accumulate else ScatterBackward0, out, (None, grad),
                  {"dim": dim, "index": indices})

# -- reading ------------------------------------------------------------------

class SelectBackward0(Node):
    """out = self.select(dim, index);  grad_self = zeros with grad at that index"""

    def apply(self, grad):
        dim, index = self.saved("dim"), self.saved("index")
        region = (slice(None),) * dim + (index,)
        return embed(grad, self.saved("self_sym_sizes"), region, SelectBackwardBackward0),


def select(self, dim, index, *, reported_dim=None):
    index = int_arg(index)
    if self._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, self._data.ndim)
    size = self._data.shape[d]
    if not -size <= index < size:
        if reported_dim is None:  # x.select(d, i), not x[i]
            raise IndexError(f"select(): index {index} out of range for tensor of size "
                             f"[{', '.join(map(str, self._data.shape))}] at dimension {d}")
        raise IndexError(msg.INDEX_OUT_OF_RANGE.format(index=index, dim=reported_dim, size=size))
    index = index % size
    # the trailing ... keeps a 0-d result a (writable) view instead of a numpy scalar
    region = (slice(None),) * d + (index, Ellipsis)
    out = make_view(self, self._data[region], lambda a: a[region])
    return record(SelectBackward0, out, (self,),
                  {"dim": d, "index": index, "self_sym_sizes": self._data.shape})


class SliceBackward0(Node):
    """out = self[start:end:step] along dim;  grad_self = zeros with grad in that slice"""

    def apply(self, grad):
        d = self.saved("dim")
        region = (slice(None),) * d + (slice(self.saved("start"), self.saved("end"),
                                             self.saved("step")),)
        return embed(grad, self.saved("self_sym_sizes"), region, SliceBackwardBackward0),


def slice_dim(self, dim, start, end, step):
    if step is not None and step <= 0:
        raise ValueError("step must be greater than zero")
    size = self._data.shape[dim]
    start, end, step = slice(start, end, step).indices(size)
    end = max(end, start)
    region = (slice(None),) * dim + (slice(start, end, step),)
    out = make_view(self, self._data[region], lambda a: a[region])
    return record(SliceBackward0, out, (self,), {"dim": dim, "start": start, "end": end,
                                                  "step": step, "self_sym_sizes": self._data.shape})



def _index_array(item):
    from .._tensor import Tensor
    if isinstance(item, Tensor):
        if item._dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item._data
    array = np.asarray(item)
    return array.astype(np.int64) if array.size == 0 and array.dtype.kind == "f" else array


def getitem(self, index):
    result, region, indices = _apply_basic(self, index, skip_single_slice=False,
                                           before_index_error=_connect_if_recorded)
    if region is not None:
        return _read_region(result, region, indices)
    if result is self:  # x[...] or x[:, :]: PyTorch returns an alias
        return _alias(self)
    return result


def _is_whole(item, size):
    """``0:``, ``:size`` or ``::1`` written as given: PyTorch skips such a slice (no view)."""
    return (item.start is None or operator.index(item.start) == 0) and (
        item.step is None or operator.index(item.step) == 1) and (
        item.stop is None or operator.index(item.stop) >= size)


def _connect_if_recorded(t):
    if needs_recording(t):
        connect_stale_views([t])


def _dims_used(item):
    """How many dims of the indexed tensor an index item uses (PyTorch's
    count_specified_dimensions): a bool tensor as many as it has, None, ... and
    Python bools none, anything else one."""
    if isinstance(item, Tensor):
        return item._data.ndim if item._dtype is _dtypes.bool_ else 1
    return 0 if item is None or item is Ellipsis or isinstance(item, bool) else 1


def _apply_basic(self, index, skip_single_slice=True, before_index_error=None):
    """Apply ints, slices, None and ... as views; return (view, advanced region or None,
    its index tensors: the given ones, new ones for lists and bools, None for slices).

    A slice that takes a whole dim is skipped (PyTorch's "slice optimization"), except
    when it is the only index of a read: ``x[:]`` is a ``SliceBackward0`` view but
    ``x[:, :]`` an alias, and ``x[:] = v`` writes ``x`` itself. A bad advanced index is
    found by the index kernel, after autograd saw the indexed tensor: the caller's
    ``before_index_error(result)`` raises any error PyTorch would give before it."""
    if self._data.ndim == 0 and isinstance(index, int | np.integer) and not isinstance(index, bool):
        if index:  # PyTorch's fast path reads the size of a dim the tensor lacks (as 0)
            raise IndexError(msg.INDEX_OUT_OF_RANGE.format(index=index, dim=0, size=0))
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if self._data.ndim == 0 and isinstance(index, slice):  # PyTorch's one-index fast path:
        _connect_if_recorded(self)  # the slice op's own check, after its autograd kernel's
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    items = index if isinstance(index, tuple) else (index,)
    skip_slices = isinstance(index, tuple) or skip_single_slice
    n_real = sum(map(_dims_used, items))
    if n_real > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim}")
    result, dim, advanced, indices = self, 0, [], []
    # an error names an item by its place in the index (PyTorch's real_dim), not by a dim
    for position, item in enumerate(items):
        if isinstance(item, Tensor) and item._data.ndim == 0 and item._dtype is _dtypes.bool_:
            item = bool(item._data)  # a 0-d bool tensor indexes as True or False
        if item is Ellipsis:
            skip = self._data.ndim - n_real
            advanced.extend([slice(None)] * skip)
            indices.extend([None] * skip)
            dim += skip
        elif item is None:
            result = unsqueeze(result, dim)
            advanced.append(slice(None))
            indices.append(None)
            dim += 1
        elif isinstance(item, bool):
            result = unsqueeze(result, dim)
            advanced.append(np.array([0]) if item else np.array([], dtype=np.int64))
            indices.append(new_tensor(advanced[-1], _dtypes.int64))
            dim += 1
        elif isinstance(item, int | np.integer):
            result = select(result, dim, int(item), reported_dim=position)
        elif isinstance(item, slice):
            if not (skip_slices and _is_whole(item, result._data.shape[dim])):
                result = slice_dim(result, dim, item.start, item.stop, item.step)
            advanced.append(slice(None))
            indices.append(None)
            dim += 1
        elif hasattr(item, "_data") and item._data.ndim == 0 and item._dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif hasattr(item, "_data") and item._data.ndim == 0:
            result = select(result, dim, int(item.item()), reported_dim=position)
        else:
            array = _index_array(item)
            advanced.append(array)
            indices.append(item if isinstance(item, Tensor) else
                           new_tensor(array, _dtypes.from_numpy_dtype(array.dtype)))
            dim += array.ndim if array.dtype == np.bool_ else 1
    if any(not isinstance(a, slice) for a in advanced):
        region = tuple(advanced)
        try:
            region = _check_bounds(result, region)
        except IndexError:
            if before_index_error is not None:
                before_index_error(result)
            raise
        return result, region, tuple(indices)
    return result, None, None


def _check_bounds(t, region):
    """PyTorch's index checks, in its order: masks must fit, then the index tensors (a
    mask as its nonzero() positions) must broadcast, then indices must be in range, but
    only when the result has elements (the kernel checks them as it reads). Returns the
    region, with the indices of an empty result replaced by 0s (numpy would check them)."""
    dim, kept, positions = 0, [], []
    for item in region:
        if isinstance(item, slice):  # the sizes the slices keep
            kept.append(t._data.shape[dim])
            dim += 1
        elif item.dtype == np.bool_:
            for j, size in enumerate(item.shape):  # names the first dim that differs
                if size != t._data.shape[dim + j]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, item.shape))}] at index "
                        f"{j} does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, t._data.shape))}] at index {dim + j}")
            positions.extend(np.nonzero(item))
            dim += item.ndim
        else:
            positions.append(item)
            dim += 1
    kept += list(t._data.shape[dim:])
    try:
        selected = np.broadcast(*positions).size
    except ValueError:
        shapes = ", ".join("[" + ", ".join(map(str, p.shape)) + "]" for p in positions)
        raise IndexError(msg.INDEX_BROADCAST.format(shapes=shapes)) from None
    empty = 0 in kept or selected == 0
    dim = 0
    for item in region:
        if not isinstance(item, slice) and item.dtype != np.bool_ and not empty:
            size = t._data.shape[dim]
            if size == 0:  # PyTorch's index kernel says so before any bound
                raise IndexError("index is out of bounds for dimension with size 0")
            bad = item[(item >= size) | (item < -size)]
            if bad.size:
                raise IndexError(msg.INDEX_OUT_OF_RANGE.format(index=bad.flat[0], dim=dim,
                                                               size=size))
        dim += item.ndim if not isinstance(item, slice) and item.dtype == np.bool_ else 1
    if not empty:
        return region
    return tuple(i if isinstance(i, slice) or i.dtype == np.bool_ else np.zeros_like(i)
                 for i in region)


class AliasBackward0(Node):
    """out = an alias of self;  grad_self = grad"""

    def apply(self, grad):
        return grad,


def _alias(self):
    out = make_view(self, self._data.view(), lambda a: a)
    return record(AliasBackward0, out, (self,))


# -- writing: x[index] = value ----------------------------------------------

def setitem(self, index, value):
    """``self[index] = value`` as PyTorch's python_variable_indexing.cpp does it:
    ints, slices, None and ... pick the destination (a view, or ``self`` itself when
    nothing narrows it: ``x[...]``, ``x[:]``, ``x[0:, :]``), which ``_copy_to``
    overwrites; tensor indices write with ``index_put_`` (``IndexPutBackward0``).
    On a view, the in-place op gives the base a ``CopySlices``."""
    from .._tensor import Tensor
    if not isinstance(value, Tensor):  # a number becomes a 0-d tensor of self's dtype
        value = new_tensor(np.asarray(value).astype(self._dtype.numpy), self._dtype)
    if index is False:  # selects nothing: nothing happens (not even a version bump)
        return
    if index is True:  # alone, True is self.unsqueeze(0), like None (in a tuple, an index)
        index = None
    # the destination is recorded like any view; copy_/fill_/index_put_ then make
    # PyTorch's in-place checks on it (a view of a leaf, not the leaf, is refused)
    from .inplace import check_inplace
    dst, region, indices = _apply_basic(self, index,
                                        before_index_error=lambda t: check_inplace(t, value))
    if region is None:
        _copy_to(dst, value)
    else:
        _index_put_(dst, region, indices, _strip_leading_ones(value))


def _strip_leading_ones(value, always=False):
    """``value.view(...)`` without its leading size-1 dims (PyTorch's
    ``slicePrefix1sSize``), a ``ViewBackward0`` in the graph; only if there are some
    unless ``always``."""
    shape = value._data.shape
    n = next((i for i, s in enumerate(shape) if s != 1), len(shape))
    return view(value, shape[n:]) if n or always else value


def _copy_to(dst, value):
    """PyTorch's ``copy_to``: ``dst.copy_(value)`` when the shapes agree, ``dst.fill_(value)``
    for a 0-d value (``FillBackward3``), else ``copy_`` of value viewed without its leading
    1s and expanded to ``dst``'s shape (``ViewBackward0``, ``ExpandBackward0``)."""
    from .inplace import copy_, fill_
    from .shape import expand
    if value._data.shape == dst._data.shape:
        copy_(dst, value)
    elif value._data.ndim == 0:
        fill_(dst, value)
    else:
        source = _strip_leading_ones(value, always=True)
        if source._data.shape != dst._data.shape:
            source = expand(source, dst._data.shape)
        copy_(dst, source)


def _index_put_(self, region, indices, value):
    """``self[region] = value`` with PyTorch's index_put_ checks, written where indexed only."""
    from .inplace import apply_inplace
    # self's own memory (apply_inplace may hand _index_put a snapshot) if value reads it
    alias = self._data if np.shares_memory(self._data, value._data) else None
    apply_inplace(self, _index_put, region, indices, value, alias, region=region,
                  check_overlap=lambda t, tensors: _check_index_put(t, region, value))


def _check_index_put(self, region, value):
    from ._memory import YES, check_no_overlap, has_internal_overlap
    expanded = has_internal_overlap(self._data) == YES
    if expanded:
        msg.warn_from_caller(msg.EXPANDED_WRITE_WARNING.format(
            op="index_put_", index="indices", value="tensor", line=976))
    arrays = [a for a in region if not isinstance(a, slice)]
    if value._data.size == 1 and len(arrays) == 1 and arrays[0].dtype == np.bool_:
        # a mask and one value: PyTorch fills with value.item() (masked_fill_)
        if expanded:
            msg.warn_from_caller(msg.EXPANDED_WRITE_WARNING.format(
                op="masked_fill_", index="mask", value="scalar", line=2450))
        return
    check_no_overlap(self, value)
    result = self._data[region].shape
    shape = value._data.shape
    if len(shape) > len(result) or any(a not in (1, b) for a, b in zip(
            shape[::-1], result[::-1], strict=False)):
        raise RuntimeError(msg.INDEX_PUT_SHAPE.format(value=list(shape), result=list(result)))
    if value._dtype is not self._dtype:
        raise RuntimeError(msg.INDEX_PUT_DTYPE.format(dst=self._dtype.c_name,
                                                      src=value._dtype.c_name))


def _index_put(self, region, indices, value, alias=None):
    data = self._data.copy()
    if alias is not None:
        _index_put_in_order(data, alias, region, value._data)
    else:
        data[region] = values(value, self._dtype)
    out = new_tensor(data, self._dtype)
    return record(IndexPutBackward0, out, (self, value),
                  {"indices": indices, "region": region, "accumulate": False})


def _addresses(a):
    """The memory address of each element of the numpy array ``a``."""
    offset = a.__array_interface__["data"][0]
    return sum((np.arange(n) * st).reshape([-1 if i == d else 1 for i in range(a.ndim)])
               for d, (n, st) in enumerate(zip(a.shape, a.strides, strict=True))) + offset


def _index_put_in_order(data, old, region, source):
    """``data[region] = source`` when ``source`` is a view of ``old`` (``data``'s original)
    that index_put_'s overlap check let through: PyTorch's kernel writes one element
    after another, so a source element already overwritten is read with its new value.
    Replayed on a model of the memory (address -> value): elements of an expanded
    ``old`` that share an address see every write to it."""
    addresses = _addresses(old)
    memory = dict(zip(addresses.ravel().tolist(), old.ravel(), strict=True))
    sources = np.broadcast_to(source, addresses[region].shape)
    for target, address, v in zip(addresses[region].ravel().tolist(),
                                  _addresses(sources).ravel().tolist(), sources.ravel(),
                                  strict=True):
        memory[target] = memory[address] if address in memory else v
    data[...] = np.array([memory[a] for a in addresses.ravel().tolist()],
                         data.dtype).reshape(data.shape)


def _check_index_arg(name, index):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not "
                        f"{type(index).__name__}")


class GatherBackward0(Node):
    """out[i][j] = self[i][index[i][j]] (dim 1);  grad_self = zeros with grad added at index"""

    def apply(self, grad):
        index = self.saved("index")  # PyTorch unpacks (and version-checks) index first
        sizes = self.saved("self")._data.shape
        if not index.numel():
            from .creation import zeros
            return zeros(sizes, dtype=grad.dtype),
        if sizes and index.dim():
            return scatter_into_zeros(sizes, self.saved("dim"), index, grad, accumulate=True),
        # a 0-d self or index counts as 1-d of size 1 (PyTorch's ensure_nonempty_dim)
        out = scatter_into_zeros(sizes or (1,), self.saved("dim"), index.reshape(-1),
                                 grad.reshape(-1), accumulate=True)
        return out if sizes else out.reshape(()),


def gather(self, dim, index):
    """out[i][j] = self[i][index[i][j]] (dim 1), with PyTorch's checks in its order; a 0-d
    self or index counts as 1-d of size 1 (its ensure_nonempty_dim)."""
    _check_index_arg("gather", index)
    d = wrap_dim(dim, self._data.ndim)
    data, idx = self._data.reshape(self._data.shape or (1,)), index._data
    if idx.size:
        if index._dtype not in (_dtypes.int64, _dtypes.int32):
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        idx = idx.reshape(idx.shape or (1,))
        if data.ndim != idx.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        for k in range(data.ndim):
            if k != d and idx.shape[k] > data.shape[k]:
                raise RuntimeError(f"Size does not match at dimension {k} expected index "
                                   f"{list(index.shape)} to be no larger than self "
                                   f"{list(self.shape)} apart from dimension {d}")
        outside = (idx < 0) | (idx >= data.shape[d])  # no negative indices either
        if outside.any():
            raise RuntimeError(f"index {idx[outside].flat[0]} is out of bounds for "
                               f"dimension {d} with size {data.shape[d]}")
    # out[i][j] uses only the index's extent in the other dims (no broadcasting)
    source = data[tuple(slice(None) if k == d else slice(0, s) for k, s in enumerate(idx.shape))]
    out = np.take_along_axis(source, idx.astype(np.int64), axis=d) if idx.size else \
        np.zeros(idx.shape, data.dtype)
    out = new_tensor(out.reshape(index._data.shape), self._dtype)
    # PyTorch saves self (for its sizes only), so writing to it breaks the backward
    return record(GatherBackward0, out, (self,), {"dim": d, "index": index, "self": self,
                                                  "sparse_grad": False})


class IndexSelectBackward0(Node):
    """out = self's slices ``index`` along dim;  grad_self = zeros with grad added back there"""

    def apply(self, grad):
        d, index = self.saved("dim"), self.saved("index")
        data = np.zeros(self.saved("self_sym_sizes"), grad._dtype.numpy)
        if data.ndim:  # a 0-d index selected one slice, keeping the dim
            np.add.at(data, (slice(None),) * d + (index._data.reshape(-1),), grad._data)
        else:  # a 0-d self: its one element, once per index
            np.add.at(data.reshape(1), index._data.reshape(-1), grad._data.reshape(-1))
        out = bump_version(new_tensor(data, grad._dtype))  # zeros(...).index_add_(...)
        return record(IndexAddBackward0, out, (None, grad),
                      {"dim": d, "index": index, "source_sizes": grad._data.shape}),


class IndexAddBackward0(Node):
    """out = self with source added at ``index`` along dim;
    grad_source = grad.index_select(dim, index) (expanded as source); self is zeros here"""

    def apply(self, grad):
        picked = index_select(grad, self.saved("dim"), self.saved("index"))
        sizes = self.saved("source_sizes")
        return None, picked.expand(sizes) if sizes else picked.view(sizes)


def index_select(self, dim, index):
    """Slices ``index`` along dim, with PyTorch's checks in its order (its CPU kernel
    reports a bad index in one of two ways, depending on the path it takes)."""
    _check_index_arg("index_select", index)
    d = wrap_dim(dim, self._data.ndim)
    if index.dim() > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    positions = index._data.reshape(-1)  # a 0-d index still selects along the dim
    if not self._data.ndim and positions.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{positions.size} value(s)")
    if index._dtype not in (_dtypes.int64, _dtypes.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    size = self._data.shape[d] if self._data.ndim else 1
    outside = (positions < 0) | (positions >= size)  # no negative indices
    if self._data.ndim > 1 and positions.size and (not self._data.size or d == 1):
        if not size:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if outside.any():
            raise RuntimeError(f"INDICES element is out of DATA bounds, id="
                               f"{positions[outside][0]} axis_dim={size}")
    if outside.any():
        raise IndexError("index out of range in self")
    out = np.take(self._data, positions, axis=d) if self._data.ndim else self._data.copy()
    out = new_tensor(out, self._dtype)
    return record(IndexSelectBackward0, out, (self,), {"dim": d, "index": index,
                                                       "self_sym_sizes": self._data.shape})
