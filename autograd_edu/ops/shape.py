"""Shape operations. Most are *views*: the result shares memory and version
counter with its input (an in-place change to one is seen by the other), as
in PyTorch. Derivatives only move the gradient back into the input's shape."""

import numpy as np

from .. import _messages as msg
from .._tensor import Tensor, view_creation_meta
from ..autograd.graph import Node
from ._common import autograd_first, int_arg, int_list, new_tensor, record, wrap_dim, wrap_dims
from ._memory import copy_in_torch_layout


def make_view(self, data, view_fn, multi_output=False):
    """A tensor sharing ``self``'s memory and version counter. ``view_fn``
    re-derives the view from the base's array (used when the view is
    modified in place, to route gradients through the base). ``multi_output``:
    one of several views made by one op (split, unbind). A view of an inference
    tensor is a plain inference tensor, as in PyTorch."""
    out = Tensor._make(data, self._dtype, self._version_counter)
    out._is_inference, out._zero = self._is_inference, self._zero
    if self._is_inference:
        return out
    out._view_version = self._version_counter.version
    out._creation_meta = view_creation_meta(self, multi_output)
    if self._base is not None:
        parent_fn = self._view_fn
        out._base, out._view_fn = self._base, (lambda a: view_fn(parent_fn(a)))
    else:
        out._base, out._view_fn = self, view_fn
    return out


def _sizes_arg(size):
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    return int_list(size)


def infer_size(shape, numel):
    """Resolve one -1 in ``shape``; PyTorch's message when it cannot be done."""
    shape = list(shape)
    text = "[" + ", ".join(map(str, shape)) + "]"
    inferred = None
    for i, s in enumerate(shape):  # PyTorch's infer_size_impl, dim by dim
        if s == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif s < 0:
            raise RuntimeError(msg.VIEW_NEGATIVE.format(size=s, index=i, shape=text))
    known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
    if known == numel or (inferred is not None and known > 0 and numel % known == 0):
        if inferred is not None:
            if known == 0:
                raise RuntimeError(msg.VIEW_AMBIGUOUS.format(shape=text))
            shape[inferred] = numel // known
        return tuple(shape)
    raise RuntimeError(msg.VIEW_SIZE.format(shape=text, numel=numel))


class ViewBackward0(Node):
    """out = self.view(size);  grad_self = grad.reshape(self's size)"""

    def apply(self, grad):
        return grad.reshape(self.saved("self_sym_sizes")),


class UnsafeViewBackward0(ViewBackward0):
    """out = a copy of self reshaped (reshape of a non-contiguous tensor);
    grad_self = grad.reshape(self's size)"""


def _view_strides(shape, strides, new_shape):
    """The strides (in elements) of a view of a (shape, strides) tensor as
    ``new_shape``, or None when no view can have it: PyTorch's ``computeStride``
    (ATen/TensorUtils.cpp). The dims are cut into chunks that are contiguous among
    themselves; each chunk must be refilled by consecutive new dims of the same numel.
    numpy decides the same question but may give new size-1 dims other strides, and
    strides decide whether two views are the same elements in the same layout."""
    if not shape:
        return (1,) * len(new_shape)
    new_strides = [0] * len(new_shape)
    if 0 in shape:  # any strides will do; PyTorch's: old ones, or contiguous ones
        if tuple(shape) == tuple(new_shape):
            return tuple(strides)
        stride = 1
        for d in reversed(range(len(new_shape))):
            new_strides[d], stride = stride, stride * max(new_shape[d], 1)
        return tuple(new_strides)
    view_d, chunk_stride, tensor_numel, view_numel = len(new_shape) - 1, strides[-1], 1, 1
    for d in reversed(range(len(shape))):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * chunk_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk_stride, tensor_numel, view_numel = strides[d - 1], 1, 1
    return tuple(new_strides) if view_d == -1 else None


def _viewed(a, shape):
    """The numpy array ``a`` viewed as ``shape`` with PyTorch's strides, or None."""
    strides = _view_strides(a.shape, [s // a.itemsize for s in a.strides], shape)
    if strides is None:
        return None
    strides = tuple(s * a.itemsize for s in strides)
    data = np.reshape(a, shape, copy=False) if a.flags.c_contiguous else None
    if data is None or data.strides != strides:  # rare: numpy chose other strides
        data = np.lib.stride_tricks.as_strided(a, shape, strides)
    return data


def view(self, *size):
    shape = infer_size(_sizes_arg(size), self._data.size)
    data = _viewed(self._data, shape)
    if data is None:
        raise RuntimeError(msg.VIEW_STRIDE)
    out = make_view(self, data, lambda a: _viewed(a, shape))
    return record(ViewBackward0, out, (self,), {"self_sym_sizes": self._data.shape})


_view_autograd_first = autograd_first(view)


class ReshapeAliasBackward0(ViewBackward0):
    """out = self reshaped without copying (a non-contiguous but compatible
    layout);  grad_self = grad.reshape(self's size)"""


def reshape(self, *size):
    """PyTorch's three cases: a contiguous tensor is viewed (ViewBackward0); a
    non-contiguous one whose layout still allows it is aliased
    (ReshapeAliasBackward0); otherwise it is copied to contiguous memory first
    (CloneBackward0, then UnsafeViewBackward0).

    PyTorch's reshape is composite: a contiguous tensor goes straight to ``view``,
    whose autograd kernel refuses a stale view before the size is checked; otherwise
    the size is checked first (so ``reshape`` itself is not wrapped in autograd_first)."""
    if self._data.flags.c_contiguous:
        return _view_autograd_first(self, *size)
    shape = infer_size(_sizes_arg(size), self._data.size)
    data = _viewed(self._data, shape)
    if data is None:
        from .copying import clone
        copied = clone(self, memory_format="contiguous")
        out = new_tensor(np.reshape(copied._data, shape), self._dtype)
        return record(UnsafeViewBackward0, out, (copied,), {"self_sym_sizes": copied._data.shape})
    out = make_view(self, data, lambda a: _viewed(a, shape))
    return record(ReshapeAliasBackward0, out, (self,), {"self_sym_sizes": self._data.shape})


def flatten(self, start_dim=0, end_dim=-1):
    start, end = wrap_dim(start_dim, self._data.ndim), wrap_dim(end_dim, self._data.ndim)
    if start > end:
        raise RuntimeError(msg.FLATTEN_DIMS)
    if self._data.ndim == 0:
        return reshape(self, (1,))
    if start == end:
        return self
    shape = self._data.shape
    return reshape(self, shape[:start] + (-1,) + shape[end + 1:])


def view_as(self, other):
    return view(self, other._data.shape)


def reshape_as(self, other):
    return reshape(self, other._data.shape)


class TBackward0(Node):
    """out = self.t();  grad_self = grad.t()"""

    def apply(self, grad):
        return grad.t(),


def t(self):
    if self._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{self._data.ndim}D")
    out = make_view(self, self._data.T, lambda a: a.T)
    return record(TBackward0, out, (self,))


class TransposeBackward0(Node):
    """out = self.transpose(dim0, dim1);  grad_self = grad.transpose(dim0, dim1)"""

    def apply(self, grad):
        return grad.transpose(self.saved("dim0"), self.saved("dim1")),


def transpose(self, dim0, dim1):
    d0, d1 = wrap_dim(dim0, self._data.ndim), wrap_dim(dim1, self._data.ndim)
    if not self._data.ndim:  # dims 0 and -1 of a 0-d tensor: the tensor itself, as a view
        out = make_view(self, self._data.view(), lambda a: a)
    else:
        out = make_view(self, np.swapaxes(self._data, d0, d1), lambda a: np.swapaxes(a, d0, d1))
    return record(TransposeBackward0, out, (self,), {"dim0": d0, "dim1": d1})


class PermuteBackward0(Node):
    """out = self.permute(dims);  grad_self = grad.permute(inverse of dims)"""

    def apply(self, grad):
        return grad.permute(tuple(np.argsort(self.saved("dims")))),


def permute(self, *dims):
    dims = _sizes_arg(dims)
    if len(dims) != self._data.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {self._data.ndim} is not equal to len(dims) = "
                           f"{len(dims)}")
    dims = tuple(wrap_dim(d, self._data.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = make_view(self, np.transpose(self._data, dims), lambda a: np.transpose(a, dims))
    return record(PermuteBackward0, out, (self,), {"dims": dims})


@property
def T(self):  # noqa: N802 - torch's name
    return permute(self, tuple(reversed(range(self._data.ndim))))


@property
def mT(self):  # noqa: N802
    return transpose(self, -2, -1)


def _unsqueeze_to(grad, dims, sizes):
    """PyTorch's unsqueeze_to: grad unsqueezed at each of ``dims`` (all when None) where
    ``sizes`` has a 1; with no such dim, grad itself (not a view of it)."""
    for d in range(len(sizes)):
        if (dims is None or d in dims) and sizes[d] == 1:
            grad = grad.unsqueeze(d)
    return grad


class SqueezeBackward0(Node):
    """out = self.squeeze();  grad_self = grad unsqueezed where self had size 1"""

    def apply(self, grad):
        return _unsqueeze_to(grad, None, self.saved("self_sym_sizes")),


class SqueezeBackward1(Node):
    """out = self.squeeze(dim);  grad_self = grad.unsqueeze(dim) if that dim had size 1"""

    def apply(self, grad):
        return _unsqueeze_to(grad, (self.saved("dim"),), self.saved("self_sym_sizes")),


class SqueezeBackward2(Node):
    """out = self.squeeze(dims);  grad_self = grad unsqueezed at those of dims of size 1"""

    def apply(self, grad):
        return _unsqueeze_to(grad, self.saved("dim"), self.saved("self_sym_sizes")),


class SqueezeBackward4(SqueezeBackward1):
    """out = self.squeeze_(dim) inside matmul;  grad_self = grad.unsqueeze(dim) if that dim
    had size 1"""


def squeeze(self, dim=None, *more_dims):
    """``squeeze()``, ``squeeze(d)``, ``squeeze((d0, d1))`` or ``squeeze(d0, d1)`` (a dim
    list may be given as separate ints)."""
    if more_dims:
        dim = (dim, *more_dims)
    shape = self._data.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
        node, save = SqueezeBackward0, {"self_sym_sizes": self._data.shape}
    elif isinstance(dim, int):
        d = wrap_dim(dim, self._data.ndim)
        axes = (d,) if shape and shape[d] == 1 else ()
        node, save = SqueezeBackward1, {"dim": d, "self_sym_sizes": self._data.shape}
    else:
        dims = wrap_dims(dim, self._data.ndim)
        axes = tuple(d for d in dims if shape and shape[d] == 1)
        node, save = SqueezeBackward2, {"dim": dims, "self_sym_sizes": self._data.shape}
    out = make_view(self, np.squeeze(self._data, axis=axes), lambda a: np.squeeze(a, axis=axes))
    return record(node, out, (self,), save)


class UnsqueezeBackward0(Node):
    """out = self.unsqueeze(dim);  grad_self = grad.squeeze(dim)"""

    def apply(self, grad):
        return grad.squeeze(self.saved("dim")),


def _unsqueezed(a, d):
    """``a`` with a new dim of size 1 at ``d``, with PyTorch's stride for it (numpy's
    may differ; it decides whether two views are the same elements in the same layout)."""
    strides = list(a.strides)
    new = a.itemsize if d == a.ndim else a.shape[d] * strides[d]
    return np.lib.stride_tricks.as_strided(a, a.shape[:d] + (1,) + a.shape[d:],
                                           strides[:d] + [new] + strides[d:])


def unsqueeze(self, dim):
    d = wrap_dim(dim, self._data.ndim + 1)
    out = make_view(self, _unsqueezed(self._data, d), lambda a: _unsqueezed(a, d))
    return record(UnsqueezeBackward0, out, (self,), {"dim": d})


class ExpandBackward0(Node):
    """out = self.expand(size);  grad_self = grad summed over the expanded dims"""

    def apply(self, grad):
        return grad.sum_to_size(self.saved("self_sym_sizes")),


def check_expandable(shape, size, dtype):
    """The shape ``expand(size)`` gives, or PyTorch's error (-1 keeps a size)."""
    if len(size) < len(shape):
        raise RuntimeError(f"expand({dtype.tensor_type}{{[{', '.join(map(str, shape))}]}}, "
                           f"size=[{', '.join(map(str, size))}]): the number of sizes provided "
                           f"({len(size)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(shape)})")
    target = list(size)
    lead = len(size) - len(shape)
    for i, s in reversed(list(enumerate(shape))):  # from the last dim, as PyTorch checks
        want = size[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(msg.EXPAND_SIZE.format(
                new=want, old=s, dim=lead + i, target=list(size), sizes=list(shape)))
    if shape and -1 in size[:lead]:  # (a 0-d tensor takes another path, with the error below)
        raise RuntimeError(msg.EXPAND_LEADING.format(dim=lead - 1 - size[:lead][::-1].index(-1)))
    if any(s < 0 for s in target):
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(target)


def expand(self, *size):
    from ._memory import expanded
    target = check_expandable(self._data.shape, _sizes_arg(size), self._dtype)
    out = make_view(self, expanded(self._data, target), lambda a: expanded(a, target))
    return record(ExpandBackward0, out, (self,), {"self_sym_sizes": self._data.shape})


def expand_as(self, other):
    return expand(self, other._data.shape)


class CatBackward0(Node):
    """out = cat(tensors, dim);  each input gets its slice of grad"""

    def apply(self, grad):
        dim, sizes = self.saved("dim"), self.saved("sizes")
        grads, start = [], 0
        for i, size in enumerate(sizes):
            if size is None:  # a skipped legacy empty tensor: an empty gradient
                from .creation import zeros
                grads.append(zeros(0, dtype=grad.dtype) if self.needs_input_grad(i) else None)
                continue
            grads.append(grad.narrow(dim, start, size) if self.needs_input_grad(i) else None)
            start += size
        return tuple(grads)


def _tensor_list(tensors):
    """cat's and stack's list or tuple of tensors (a tensor is refused: see ``int_arg``)."""
    if type(tensors) not in (list, tuple):
        raise TypeError("expected a list of tensors")
    return list(tensors)


def cat(tensors, dim=0):
    from .. import _dtypes
    from ._common import values
    tensors = _tensor_list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               f"concatenated")
    # PyTorch's legacy rule: 1-d empty tensors (shape [0]) are skipped, whatever the others
    skipped = [t._data.shape == (0,) for t in tensors]
    kept = [t for t, skip in zip(tensors, skipped, strict=True) if not skip] or tensors[:1]
    for t in kept[1:]:
        if t._data.ndim != kept[0]._data.ndim:
            raise RuntimeError(msg.CAT_NDIM.format(a=kept[0]._data.ndim, b=t._data.ndim))
    dtype = tensors[0]._dtype
    for t in tensors[1:]:
        dtype = _dtypes.promote_types(dtype, t._dtype)
    d = wrap_dim(dim, kept[0]._data.ndim)
    first = kept[0]._data.shape
    for i, t in enumerate(tensors):
        if skipped[i] or t is kept[0]:
            continue
        for k, (a, b) in enumerate(zip(first, t._data.shape, strict=False)):
            if k != d and a != b:
                raise RuntimeError(msg.CAT_SIZES.format(dim=d, expected=a, got=b, index=i))
    # numpy keeps the inputs' layout (e.g. of expanded ones); PyTorch's result is contiguous
    out = new_tensor(np.ascontiguousarray(np.concatenate([values(t, dtype) for t in kept],
                                                         axis=d)), dtype)
    return record(CatBackward0, out, tuple(tensors),
                  {"dim": d, "sizes": [None if skip and t is not kept[0] else t._data.shape[d]
                                       for t, skip in zip(tensors, skipped, strict=True)]})


class StackBackward0(Node):
    """out = stack(tensors, dim);  each input gets grad.select(dim, i)"""

    def apply(self, grad):
        dim = self.saved("dim")
        return tuple(grad.select(dim, i) if self.needs_input_grad(i) else None
                     for i in range(len(self._next_edges)))


def stack(tensors, dim=0):
    from .. import _dtypes
    from ._common import values
    tensors = _tensor_list(tensors)
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], start=1):
        if t._data.shape != shape:
            raise RuntimeError(msg.STACK_SIZES.format(
                a=list(shape), b=list(t._data.shape), index=i))
    dtype = tensors[0]._dtype
    for t in tensors[1:]:
        dtype = _dtypes.promote_types(dtype, t._dtype)
    d = wrap_dim(dim, len(shape) + 1)
    out = new_tensor(np.ascontiguousarray(np.stack([values(t, dtype) for t in tensors],
                                                   axis=d)), dtype)
    return record(StackBackward0, out, tuple(tensors), {"dim": d})


class UnbindBackward0(Node):
    """outs = self.unbind(dim);  grad_self = stack(grads, dim)"""

    def apply(self, *grads):
        return stack(grads, self.saved("dim")),


def unbind(self, dim=0):
    d = wrap_dim(dim, self._data.ndim)
    if not self._data.ndim:
        raise IndexError(msg.NO_DIMS.format(dim=d))
    outs = tuple(make_view(self, self._data[(slice(None),) * d + (i, Ellipsis)],
                           lambda a, i=i: a[(slice(None),) * d + (i, Ellipsis)], True)
                 for i in range(self._data.shape[d]))
    return record(UnbindBackward0, outs, (self,), {"dim": d})


def narrow(self, dim, start, length):
    from .indexing import slice_dim
    if not isinstance(start, Tensor):  # narrow(dim, Tensor start, length) is the other overload
        start = int_arg(start)
    length = int_arg(length)
    if not self._data.ndim:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, self._data.ndim)
    size = self._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return slice_dim(self, d, start, start + length, 1)


class SplitBackward0(Node):
    """outs = self.split(size, dim);  grad_self = cat(grads, dim) (0 for unused pieces)"""

    def apply(self, *grads):
        return cat(grads, self.saved("dim")),


class SplitWithSizesBackward0(SplitBackward0):
    """outs = self.split([sizes], dim);  grad_self = cat(grads, dim) (0 for unused pieces)"""


def split(self, split_size_or_sections, dim=0):
    """Views of consecutive pieces along ``dim``, all outputs of one node (as in PyTorch)."""
    if type(split_size_or_sections) not in (list, tuple):
        split_size_or_sections = int_arg(split_size_or_sections)
    if self._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    if isinstance(split_size_or_sections, int) and split_size_or_sections < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={split_size_or_sections}")
    d = wrap_dim(dim, self._data.ndim)
    n = self._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if not size and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
        node_cls, save = SplitBackward0, {"dim": d, "split_size": size}
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
        node_cls, save = SplitWithSizesBackward0, {"dim": d, "split_sizes": sizes}
    outs, start = [], 0
    for s in sizes:
        region = (slice(None),) * d + (slice(start, start + s),)
        piece = make_view(self, self._data[region], lambda a, r=region: a[r], True)
        outs.append(piece)
        start += s
    return record(node_cls, tuple(outs), (self,), save)


def chunk(self, chunks, dim=0):
    chunks = int_arg(chunks)
    if self._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = self._data.shape[wrap_dim(dim, self._data.ndim)]
    if not n:  # split() would give one piece: PyTorch keeps the number of chunks
        return split(self, [0] * chunks, dim)
    return split(self, -(-n // chunks), dim)


class RepeatBackward0(Node):
    """out = self tiled ``repeats`` times;  grad_self = the sum of grad over the tiles"""

    def apply(self, grad):  # PyTorch's repeat_backward, step by step (its result is no view)
        repeats, sizes = self.saved("repeats"), self.saved("self_sym_sizes")
        if 0 in repeats:
            from .creation import zeros
            return zeros(sizes, dtype=grad.dtype),
        lead = len(repeats) - len(sizes)
        for _ in range(lead):  # the dims repeat() added in front
            grad = grad.sum(0)
        split_shape, tile_dims = [], []  # each repeated dim split into (repeat, size)
        for size, r in zip(sizes, repeats[lead:], strict=True):
            if r != 1:
                tile_dims.append(len(split_shape))
                split_shape.append(r)
            split_shape.append(size)
        if tile_dims:
            grad = grad.reshape(split_shape).sum(tuple(tile_dims))
        return grad,


def repeat(self, *repeats):
    repeats = _sizes_arg(repeats)
    if len(repeats) < self._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    target = [s * r for s, r in zip((1,) * (len(repeats) - self.dim()) + self._data.shape,
                                    repeats, strict=True)]
    negative = [s for s in target if s < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"{target}")
    # np.tile keeps the layout of an expanded input when all repeats are 1; PyTorch
    # writes a new contiguous tensor
    out = new_tensor(np.asarray(np.tile(self._data, repeats), order="C"), self._dtype)
    return record(RepeatBackward0, out, (self,), {"repeats": repeats,
                                                  "self_sym_sizes": self._data.shape})


class FlipBackward0(Node):
    """out = self reversed along dims;  grad_self = grad reversed along dims"""

    def apply(self, grad):
        return grad.flip(self.saved("dims")),


def flip(self, *dims):
    dims = wrap_dims(_sizes_arg(dims), self._data.ndim)
    # the input's layout (a flipped transposed tensor stays transposed)
    data = copy_in_torch_layout(self._data, np.flip(self._data, dims)) if self.dim() \
        else self._data.copy()
    return record(FlipBackward0, new_tensor(data, self._dtype), (self,), {"dims": dims})


def broadcast_batch(a, b):
    from ._common import broadcast_shape
    return broadcast_shape(tuple(a), tuple(b))
