"""Indexing: ``x[...]`` reading (select, slice, advanced index) and writing
(``x[...] = v``), with their derivatives.

Reading follows PyTorch's order: integers, slices, ``None`` and ``...`` are
applied one by one as views (``SelectBackward0``, ``SliceBackward0``,
``UnsqueezeBackward0``); tensor/list indices are then applied together as one
copy (``IndexBackward0``). The derivative of a read places the gradient back
into zeros of the input's shape ("embedding" the gradient).
"""

import numpy as np

from .. import _dtypes
from .. import _messages as msg
from ..autograd.graph import Node
from ._common import new_tensor, record, values, wrap_dim
from .shape import make_view, unsqueeze

# -- the derivative side: put a gradient back where it was read from ---------

class _EmbedBackward(Node):
    """out = zeros(sizes) with grad placed at ``region``;  grad_grad = grad[region]"""

    def apply(self, grad):
        return _read_region(grad, self.saved("region")),


class SelectBackwardBackward0(_EmbedBackward):
    __doc__ = _EmbedBackward.__doc__


class SliceBackwardBackward0(_EmbedBackward):
    __doc__ = _EmbedBackward.__doc__


class IndexPutBackward0(Node):
    """out = self with ``values`` put at ``indices`` (added if accumulate);
    grad_self = grad (zeroed at indices unless accumulate),  grad_values = grad[indices]"""

    def apply(self, grad):
        region = self.saved("region")
        grad_self = grad_values = None
        if self.needs_input_grad(0):
            grad_self = grad
            if not self.saved("accumulate"):
                data = grad._data.copy()
                data[region] = 0
                grad_self = new_tensor(data, grad._dtype)
        if self.needs_input_grad(1):
            grad_values = _read_region(grad, region)
        return grad_self, grad_values


class IndexBackward0(Node):
    """out = self[indices];  grad_self = zeros with grad added at indices"""

    def apply(self, grad):
        return embed(grad, self.saved("sizes"), self.saved("region")),


def _read_region(t, region):
    out = new_tensor(t._data[region], t._dtype)
    return record(IndexBackward0, out, (t,), {"region": region, "sizes": t._data.shape})


def embed(grad, sizes, region, node_cls=None):
    """zeros(sizes) with ``grad`` added at ``region`` (repeated indices add up)."""
    data = np.zeros(sizes, grad._dtype.numpy)
    np.add.at(data, region, grad._data)
    out = new_tensor(data, grad._dtype)
    if node_cls is None:
        return record(IndexPutBackward0, out, (None, grad), {"region": region, "accumulate": True})
    return record(node_cls, out, (grad,), {"region": region})


def scatter_into_zeros(sizes, dim, indices, grad):
    """zeros(sizes) with grad written at ``indices`` along ``dim`` (max/min over a dim)."""
    grid = list(np.indices(indices._data.shape, sparse=True))
    grid[dim] = indices._data
    return embed(grad, sizes, tuple(grid))

# -- reading ------------------------------------------------------------------

class SelectBackward0(Node):
    """out = self.select(dim, index);  grad_self = zeros with grad at that index"""

    def apply(self, grad):
        dim, index = self.saved("dim"), self.saved("index")
        region = (slice(None),) * dim + (index,)
        return embed(grad, self.saved("self_sym_sizes"), region, SelectBackwardBackward0),


def select(self, dim, index, *, reported_dim=None):
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
    return np.asarray(item)


def getitem(self, index):
    result, region = _apply_basic(self, index)
    if region is not None:
        return _read_region(result, region)
    if result is self:  # x[...] or x[:, :]: PyTorch returns an alias
        return _alias(self)
    return result


def _apply_basic(self, index, writing=False):
    """Apply ints, slices, None and ... as views; return (view, advanced region or None).
    Like PyTorch, a slice that starts at 0, steps by 1 and reaches the end is skipped
    (unless it is the whole index of a read: ``x[:]`` is a slice view, ``x[:] = v``
    writes ``x`` itself)."""
    if self._data.ndim == 0 and isinstance(index, int | np.integer):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    items = index if isinstance(index, tuple) else (index,)
    single_slice = not isinstance(index, tuple) and isinstance(index, slice)
    n_real = sum(1 for i in items if i is not None and i is not Ellipsis
                 and not (hasattr(i, "dtype") and getattr(i, "_dtype", None) is _dtypes.bool_
                          and i._data.ndim > 1) and not isinstance(i, bool))
    n_real += sum(i._data.ndim - 1 for i in items if getattr(i, "_dtype", None) is _dtypes.bool_
                  and i._data.ndim > 1)
    if n_real > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim}")
    result, dim, advanced = self, 0, []
    source_dim = -1  # which dim of self the item indexes
    for item in items:
        if item is not None and item is not Ellipsis and not isinstance(item, bool):
            source_dim += 1
        if item is Ellipsis:
            skip = self._data.ndim - n_real
            advanced.extend([slice(None)] * skip)
            dim += skip
            source_dim += skip
        elif item is None:
            result = unsqueeze(result, dim)
            advanced.append(slice(None))
            dim += 1
        elif isinstance(item, bool):
            result = unsqueeze(result, dim)
            advanced.append(np.array([0]) if item else np.array([], dtype=np.int64))
            dim += 1
        elif isinstance(item, int | np.integer):
            result = select(result, dim, int(item), reported_dim=source_dim)
        elif isinstance(item, slice):
            full = ((item.start is None or item.start == 0) and (item.step in (None, 1))
                    and (item.stop is None or item.stop >= result._data.shape[dim]))
            if not full or (single_slice and not writing):
                result = slice_dim(result, dim, item.start, item.stop, item.step)
            advanced.append(slice(None))
            dim += 1
        elif hasattr(item, "_data") and item._data.ndim == 0 and item._dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif hasattr(item, "_data") and item._data.ndim == 0 and item._dtype is not _dtypes.bool_:
            result = select(result, dim, int(item.item()), reported_dim=source_dim)
        else:
            array = _index_array(item)
            advanced.append(array)
            dim += array.ndim if array.dtype == np.bool_ else 1
    if any(not isinstance(a, slice) for a in advanced):
        region = tuple(advanced)
        _check_bounds(result, region)
        return result, region
    return result, None


def _check_bounds(t, region):
    dim = 0
    for item in region:
        if isinstance(item, slice):
            dim += 1
            continue
        if item.dtype == np.bool_:
            shape = t._data.shape[dim:dim + item.ndim]
            if item.shape != shape:
                raise IndexError(f"The shape of the mask [{', '.join(map(str, item.shape))}] at "
                                 f"index {dim} does not match the shape of the indexed tensor "
                                 f"[{', '.join(map(str, t._data.shape))}] at index {dim}")
            dim += item.ndim
            continue
        size = t._data.shape[dim]
        bad = item[(item >= size) | (item < -size)]
        if bad.size:
            raise IndexError(f"index {bad.flat[0]} is out of bounds for dimension {dim} with "
                             f"size {size}")
        dim += 1


class AliasBackward0(Node):
    """out = an alias of self;  grad_self = grad"""

    def apply(self, grad):
        return grad,


def _alias(self):
    out = make_view(self, self._data.view(), lambda a: a)
    return record(AliasBackward0, out, (self,))


# -- writing: x[index] = value ----------------------------------------------

def setitem(self, index, value):
    """``self[index] = value``: ints/slices select a view that is then
    overwritten (``copy_``, so the base gets ``CopySlices``); tensor indices
    write with ``index_put_`` (``IndexPutBackward0``)."""
    from .._tensor import Tensor
    from .inplace import apply_inplace, check_inplace, copy_, fill_
    from .shape import check_expandable
    number = not isinstance(value, Tensor)
    if number:
        value = new_tensor(np.asarray(value), _dtypes.scalar_dtype(value))
    # where to write: a view of self (recorded like any view), or self itself for
    # x[...] = v or x[:, :] = v; PyTorch's in-place checks then apply to that tensor
    view, region = _apply_basic(self, index, writing=True)
    if region is None:
        check_expandable(value._data.shape, view._data.shape)
    check_inplace(view, value)
    if view is self and region is None:
        fill_(self, value) if number and self._data.ndim else copy_(self, value)
        return
    if region is None:
        copy_(view, value)
    else:
        apply_inplace(view, _index_put, region, value)


def _index_put(self, region, value):
    data = self._data.copy()
    data[region] = values(value, self._dtype)
    out = new_tensor(data, self._dtype)
    return record(IndexPutBackward0, out, (self, value), {"region": region, "accumulate": False})


class GatherBackward0(Node):
    """out[i][j] = self[i][index[i][j]] (dim 1);  grad_self = zeros with grad added at index"""

    def apply(self, grad):
        return scatter_into_zeros(self.saved("self_sym_sizes"), self.saved("dim"),
                                  self.saved("index"), grad),


def gather(self, dim, index):
    d = wrap_dim(dim, self._data.ndim)
    # out[i][j] uses only the index's extent in the other dims (no broadcasting)
    source = self._data[tuple(slice(None) if k == d else slice(0, s)
                              for k, s in enumerate(index._data.shape))]
    out = new_tensor(np.take_along_axis(source, index._data, axis=d), self._dtype)
    return record(GatherBackward0, out, (self,), {"dim": d, "index": index,
                                                  "self_sym_sizes": self._data.shape})


class IndexSelectBackward0(Node):
    """out = self's slices ``index`` along dim;  grad_self = zeros with grad added back there"""

    def apply(self, grad):
        d = self.saved("dim")
        region = (slice(None),) * d + (self.saved("index")._data,)
        return embed(grad, self.saved("self_sym_sizes"), region),


def index_select(self, dim, index):
    d = wrap_dim(dim, self._data.ndim)
    positions = index._data.reshape(-1)  # a 0-d index still selects along the dim
    size = self._data.shape[d] if self._data.ndim else 1
    if np.any((positions >= size) | (positions < -size)):
        raise IndexError("index out of range in self")
    out = new_tensor(np.take(self._data, positions, axis=d), self._dtype)
    index = new_tensor(positions, index._dtype)
    return record(IndexSelectBackward0, out, (self,), {"dim": d, "index": index,
                                                       "self_sym_sizes": self._data.shape})
