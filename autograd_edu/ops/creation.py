"""Making tensors: ``tensor``, ``ones``, ``zeros``, ``arange``, ``rand``... (no history)."""

import numbers

import numpy as np

from .. import _dtypes, _random
from .. import _messages as msg
from .._fma import fma
from .._ieee import cast
from .._tensor import Size, Tensor
from ._common import int_list, new_tensor
from ._memory import (
    copy_in_torch_layout,
    geometry,
    is_non_overlapping_and_dense,
    laid_out_as,
    storage_size,
    strides,
)


def _size(size, fn="empty"):
    """A shape argument, checked as PyTorch checks it."""
    if len(size) == 1 and isinstance(size[0], tuple | list | Size):
        size = tuple(size[0])
    try:
        size = int_list(size)
    except TypeError:
        bad = next(s for s in size if type(s) is not int)
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(bad).__name__}") from None
    for s in size:
        if s < 0:
            raise RuntimeError(msg.NEGATIVE_DIMENSION.format(dim=s, sizes=list(size)))
    return size


def _finish(data, dtype, requires_grad):
    t = new_tensor(data, dtype)
    if requires_grad:
        if not dtype.is_floating_point:
            raise RuntimeError(msg.INT_REQUIRES_GRAD_FACTORY)
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """PyTorch's inference: any float -> default float, else all bools -> bool, else int64."""
    if isinstance(data, Tensor):
        return data._dtype
    if isinstance(data, np.ndarray):
        return _dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return _dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, bool):
        return _dtypes.bool_
    if isinstance(data, numbers.Integral):
        return _dtypes.int64
    if isinstance(data, numbers.Real):
        return _dtypes.get_default_dtype()
    if isinstance(data, str | bytes):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, list | tuple):
        found = [_infer_dtype(d) for d in data]
        if not found:
            return _dtypes.get_default_dtype()
        if any(d.is_floating_point for d in found):
            return _dtypes.get_default_dtype()
        if all(d is _dtypes.bool_ for d in found):
            return _dtypes.bool_
        return _dtypes.int64
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_numpy(data, dim=0):
    """Nested sequences as an array, with PyTorch's message for ragged ones."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, list | tuple):
        if not data:
            return np.zeros((0,))
        items = [_to_numpy(d, dim + 1) for d in data]
        first = items[0].shape
        for item in items[1:]:
            if item.shape != first:
                got = item.shape[0] if item.shape else "scalar"
                raise ValueError(f"expected sequence of length {first[0]} at dim {dim + 1} "
                                 f"(got {got})" if first else
                                 f"expected sequence of length {len(data)} at dim {dim}")
        return np.array(items)
    return np.asarray(data)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype = dtype or _infer_dtype(data)
    return _finish(cast(np.asarray(_to_numpy(data)), dtype.numpy), dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or dtype is data._dtype):
        return data
    dtype = dtype or _infer_dtype(data)
    return new_tensor(cast(np.asarray(_to_numpy(data)), dtype.numpy, copy=False), dtype)


def from_numpy(array):
    return Tensor._make(array, _dtypes.from_numpy_dtype(array.dtype))


def legacy_tensor_data(*args, **kwargs):
    """Data for ``torch.Tensor(...)``: a sequence of values or a shape."""
    if len(args) == 1 and isinstance(args[0], list | tuple | np.ndarray):
        return cast(np.asarray(_to_numpy(args[0])), _dtypes.get_default_dtype().numpy)
    return np.zeros(_size(args), _dtypes.get_default_dtype().numpy)


def _filled(size, value, dtype, requires_grad):
    dtype = dtype or _dtypes.get_default_dtype()
    return _finish(np.full(_size(size), value, dtype.numpy), dtype, requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    return _filled(_size(size, "ones"), 1, dtype, requires_grad)


def zeros(*size, dtype=None, requires_grad=False, device=None):
    return _filled(_size(size, "zeros"), 0, dtype, requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    # zeros rather than uninitialised memory: garbage values teach nothing
    return _filled(_size(size, "empty"), 0, dtype, requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    dtype = dtype or _dtypes.scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype.numpy), dtype, requires_grad)


def _like(fn, t, dtype, requires_grad, *args):
    """``fn`` of ``t``'s shape, laid out as PyTorch's ``empty_like`` (preserve_format) lays
    out a new tensor: a dense ``t``'s strides exactly (size-1 dims' too, which a gradient's
    layout contract looks at), otherwise TensorIterator's order of ``t``'s dims."""
    out = fn(t._data.shape, *args, dtype=dtype or t._dtype, requires_grad=requires_grad)
    a = t._data
    if a.size and strides(a) != _contiguous_strides(a.shape):
        if is_non_overlapping_and_dense(a):
            layout = geometry(a)
            data = laid_out_as(np.empty(storage_size(layout), out._data.dtype), layout)
            data[...] = out._data
        else:
            data = copy_in_torch_layout(a, out._data)
        out._data = data
    return out


def _contiguous_strides(shape):
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def ones_like(t, dtype=None, requires_grad=False, device=None):
    return _like(ones, t, dtype, requires_grad)


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    return _like(zeros, t, dtype, requires_grad)


def empty_like(t, dtype=None, requires_grad=False, device=None):
    return _like(zeros, t, dtype, requires_grad)


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    return full(t._data.shape, fill_value, dtype=dtype or t._dtype, requires_grad=requires_grad)


def zeros_like_meta(shape, dtype):
    return new_tensor(np.zeros(shape, dtype.numpy), dtype)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    count = int(np.ceil((end - start) / step))
    data = start + step * np.arange(max(count, 0), dtype=np.float64 if dtype.is_floating_point
                                    else np.int64)
    return _finish(data.astype(dtype.numpy), dtype, requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    dtype = dtype or _dtypes.get_default_dtype()
    if steps == 1:
        return full((1,), start, dtype=dtype, requires_grad=requires_grad)
    return _finish(_linspace_values(start, end, steps, dtype), dtype, requires_grad)


def _linspace_values(start, end, steps, dtype):
    """PyTorch's CPU linspace kernel, rounding included: the first half counts
    up from ``start`` (start + step·i), the second half down from ``end``
    (end - step·(steps-1-i)), each a fused multiply-add in the tensor's own
    precision."""
    t = dtype.numpy.type if dtype.is_floating_point else np.float64
    begin, finish = t(start), t(end)
    step = (finish - begin) / t(steps - 1) if steps > 1 else t(0)
    half = steps // 2

    def rule(index):
        up = fma(step, index.astype(t), begin, t)
        down = fma(-step, (steps - index - 1).astype(t), finish, t)
        return np.where(index < half, up, down)

    return rule(np.arange(steps)).astype(dtype.numpy)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    dtype = dtype or _dtypes.get_default_dtype()
    return _finish(np.eye(n, m, dtype=dtype.numpy), dtype, requires_grad)


def manual_seed(seed):
    return _random.manual_seed(seed)


def seed():
    return _random.default_generator.seed()


def initial_seed():
    return _random.default_generator.initial_seed()


def rand(*size, generator=None, dtype=None, requires_grad=False, device=None):
    size = _size(size, "rand")
    dtype = dtype or _dtypes.get_default_dtype()
    data = _random.uniform(_size(size), dtype.numpy, generator=generator)
    return _finish(data, dtype, requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None):
    size = _size(size, "randn")
    dtype = dtype or _dtypes.get_default_dtype()
    data = _random.normal(_size(size), dtype.numpy, generator=generator)
    return _finish(data, dtype, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, requires_grad=False,
            device=None):
    if size is None:
        low, high, size = 0, low, high
    dtype = dtype or _dtypes.int64
    data = _random.randint(low, high, _size((size,)), generator=generator)
    return _finish(data.astype(dtype.numpy), dtype, requires_grad)


def randperm(n, generator=None, dtype=None, requires_grad=False, device=None):
    dtype = dtype or _dtypes.int64
    return _finish(_random.randperm(n, generator=generator).astype(dtype.numpy), dtype,
                   requires_grad)


def rand_like(t, dtype=None, requires_grad=False):
    return rand(t._data.shape, dtype=dtype or t._dtype, requires_grad=requires_grad)


def randn_like(t, dtype=None, requires_grad=False):
    return randn(t._data.shape, dtype=dtype or t._dtype, requires_grad=requires_grad)


def _fill_randomly(self, draw, node_name, kernel):
    """``self`` filled with ``draw(shape, numpy dtype)``, recorded like PyTorch's
    ``normal_``/``uniform_`` (whose derivative is 0), after check_inplace's refusals."""
    from ._common import not_implemented_for, record
    from ._memory import check_internal_overlap
    from .inplace import RANDOM_NODES, apply_inplace

    def fill(t):
        if not t._dtype.is_floating_point:
            raise not_implemented_for(kernel, t._dtype)
        out = new_tensor(draw(t._data.shape, t._dtype.numpy), t._dtype)
        return record(RANDOM_NODES[node_name], out, (t,))
    return apply_inplace(self, fill, check_overlap=lambda t, _: check_internal_overlap(t))


def normal_(self, mean=0.0, std=1.0, generator=None):
    return _fill_randomly(self, lambda shape, dt: _random.normal(
        shape, dt, mean, std, generator=generator), "NormalBackward0", "normal_kernel_cpu")


def uniform_(self, a=0.0, b=1.0, generator=None):
    return _fill_randomly(self, lambda shape, dt: _random.uniform(
        shape, dt, a, b, generator=generator), "UniformBackward0", "check_uniform_bounds")
