"""Reductions (sum, mean, max, min, norm), each forward beside its derivative."""

import builtins
import math

import numpy as np

from .. import _dtypes
from .. import _messages as msg
from .._tensor import Tensor
from ..autograd.graph import Node
from ..return_types import make_return_type
from ._common import (
    bool_arg,
    bump_version,
    new_tensor,
    np_axis,
    record,
    reduced_dims,
    values,
    wrap_dim,
    wrap_dims,
)
from ._memory import copy_in_torch_layout
from ._tie_order import extreme_of_all, extreme_over_dims
from .summation import torch_sum


def restore_reduced_dims(tensors, dims, keepdim, input_ndim):
    """Re-insert the dims a reduction removed (PyTorch's restore_reduced_dims), so
    reduced results broadcast against the input again. ``dims=None`` (a full
    reduction) gives 0-d results, which broadcast already. One tensor after the other, as
    PyTorch's formulas call unsqueeze_multiple (the order the nodes are made in counts)."""
    if keepdim or not input_ndim or dims is None:
        return tensors
    restored = []
    for t in tensors:
        for d in sorted(dims):
            t = t.unsqueeze(d)
        restored.append(t)
    return restored


def _expand_back(grad, sizes, dims, keepdim):
    """Undo a reduction's shape: re-insert reduced dims, then expand."""
    grad, = restore_reduced_dims([grad], dims, keepdim, len(sizes))
    return grad.expand(sizes)


class SumBackward0(Node):
    """out = self.sum();  grad_self = grad expanded to self's shape"""

    def apply(self, grad):
        return grad.expand(self.saved("self_sym_sizes")),


class SumBackward1(Node):
    """out = self.sum(dim, keepdim);  grad_self = grad with dims re-inserted, expanded"""

    def apply(self, grad):
        return _expand_back(grad, self.saved("self_sym_sizes"), self.saved("dim"),
                            self.saved("keepdim")),


def _sum_dtype(self, dtype):
    if dtype is not None:
        return dtype
    return _dtypes.int64 if not self._dtype.is_floating_point else self._dtype


def _reduce_sum(x, dims, keepdim):
    """Σ over ``dims`` (None: all), in PyTorch's order."""
    return torch_sum(x, dims, keepdim)


_ALL_DIMS = object()  # x.sum() (SumBackward0), as opposed to x.sum(None) or x.sum(())


def sum(self, dim=_ALL_DIMS, keepdim=False, *, dtype=None):  # noqa: A001
    """``x.sum()`` is ``sum``, recorded as SumBackward0; a ``dim`` argument, even None or
    (), makes it ``sum.dim_IntList`` (SumBackward1), which reduces every dim then."""
    out_dtype = _sum_dtype(self, dtype)
    if dim is _ALL_DIMS:
        out = new_tensor(_reduce_sum(values(self, out_dtype), None, False), out_dtype)
        return record(SumBackward0, out, (self,), {"self_sym_sizes": self._data.shape})
    dims = reduced_dims(dim, self._data.ndim, keepdim)
    out = new_tensor(_reduce_sum(values(self, out_dtype), dims, keepdim), out_dtype)
    return record(SumBackward1, out, (self,),
                  {"dim": dims, "keepdim": keepdim, "self_sym_sizes": self._data.shape})


def sum_to_size(self, *size):
    """Sum the broadcast dims away so the result has shape ``size`` (torch's sum_to)."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else size
    have = self._data.shape
    if len(shape) > len(have) or builtins.any(  # PyTorch's is_expandable_to(size, self)
            s != h and s != 1 for s, h in zip(reversed(shape), reversed(have), strict=False)):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(have)}}}.")
    if not shape:
        return sum(self)  # PyTorch's sum_to: to a 0-d shape it is a plain sum()
    leading = self._data.ndim - len(shape)
    dims = tuple(range(leading)) + tuple(
        leading + i for i, s in enumerate(shape) if s == 1 and self._data.shape[leading + i] != 1)
    result = sum(self, dims, keepdim=True) if dims else self
    return result.view(shape) if leading > 0 else result


class MeanBackward0(Node):
    """out = self.mean();  grad_self = grad expanded, divided by the element count"""

    def apply(self, grad):
        from .formula_ops import div_scalar
        return div_scalar(grad.expand(self.saved("self_sym_sizes")), self.saved("self_sym_numel")),


class MeanBackward1(Node):
    """out = self.mean(dim, keepdim);  grad_self = grad re-expanded / size of reduced dims"""

    def apply(self, grad):
        sizes, dims = self.saved("self_sym_sizes"), self.saved("dim")
        count = int(np.prod([sizes[d] for d in dims])) if sizes else 1
        from .formula_ops import div_scalar
        return div_scalar(_expand_back(grad, sizes, dims, self.saved("keepdim")), count),


def mean(self, dim=_ALL_DIMS, keepdim=False, *, dtype=None):
    if not (dtype or self._dtype).is_floating_point:
        raise RuntimeError(msg.MEAN_DTYPE.format(
            which="Optional" if dtype else "Input", name=(dtype or self._dtype).c_name))
    out_dtype = dtype or self._dtype
    x = values(self, out_dtype)
    with np.errstate(all="ignore"):  # PyTorch's CPU mean: the sum, then divided by the count
        if dim is _ALL_DIMS:
            count = out_dtype.numpy.type(self._data.size)
            out = new_tensor(np.divide(_reduce_sum(x, None, False), count), out_dtype)
            return record(MeanBackward0, out, (self,),
                          {"self_sym_sizes": self._data.shape, "self_sym_numel": self._data.size})
        dims = reduced_dims(dim, self._data.ndim, keepdim)
        count = out_dtype.numpy.type(_reduced_count(self._data.shape, dims))
        out = new_tensor(np.divide(_reduce_sum(x, dims, keepdim), count), out_dtype)
    return record(MeanBackward1, out, (self,),
                  {"dim": dims, "keepdim": keepdim, "self_sym_sizes": self._data.shape,
                   "self_sym_numel": self._data.size})


def _evenly_distribute(grad, x, result):
    """The gradient of a full max/min: split evenly among the tied extreme values."""
    mask = x.isnan() if result.isnan().item() else (x == result)
    from .creation import zeros_like
    from .pointwise import masked_fill_
    return masked_fill_(zeros_like(x), mask, grad / mask.sum()),


class MaxBackward1(Node):
    """out = self.max();  grad_self = grad shared evenly among the maxima"""

    def apply(self, grad):
        return _evenly_distribute(grad, self.saved("self"), self.saved("result"))


class MinBackward1(Node):
    """out = self.min();  grad_self = grad shared evenly among the minima"""

    def apply(self, grad):
        return _evenly_distribute(grad, self.saved("self"), self.saved("result"))


class _DimSelectionBackward(Node):
    """out = self.max(dim) / self.min(dim);  grad_self = grad at the returned index, 0 elsewhere"""

    def apply(self, grad, _indices_grad=None):
        from .indexing import scatter_into_zeros
        dim, keepdim = self.saved("dim"), self.saved("keepdim")
        indices = self.saved("indices")
        if not keepdim and self.saved("self_sym_sizes"):
            grad, indices = grad.unsqueeze(dim), indices.unsqueeze(dim)
        return bump_version(scatter_into_zeros(self.saved("self_sym_sizes"), dim, indices, grad)),


class MaxBackward0(_DimSelectionBackward):
    __doc__ = _DimSelectionBackward.__doc__


class MinBackward0(_DimSelectionBackward):
    __doc__ = _DimSelectionBackward.__doc__


max_return_type = make_return_type("max", ("values", "indices"))
min_return_type = make_return_type("min", ("values", "indices"))


def _reduced(data, dtype):
    """A reduction's result: a new contiguous tensor, whatever the input's layout (numpy
    keeps a transposed input's order when it keeps dims; later ``view`` calls care). The
    copy has C strides also for size-1 dims, where ``asarray`` may keep numpy's others."""
    return new_tensor(np.array(data, order="C"), dtype)


def _extreme(self, dim, keepdim, other, name, arg_fn, full_node, dim_node, return_type):
    from .pointwise import maximum, minimum
    if other is not None or isinstance(dim, Tensor):  # x.max(y) is maximum(x, y)
        other = dim if other is None else other
        return (maximum if name == "max" else minimum)(self, other)
    if dim is _ALL_DIMS:
        if self._data.size == 0:
            raise RuntimeError(msg.REDUCE_EMPTY.format(op=name))
        out = new_tensor(extreme_of_all(self._data, name), self._dtype)
        return record(full_node, out, (self,), {"self": self}, save_output="result")
    d = wrap_dim(dim, self._data.ndim)
    bool_arg(keepdim)
    if self._data.ndim and self._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    data = self._data if self._data.ndim else self._data.reshape(1)
    indices = arg_fn(data, axis=d if self._data.ndim else 0)
    out_values = np.take_along_axis(data, np.expand_dims(indices, d if data.ndim > 1 else 0),
                                    axis=d if self._data.ndim else 0)
    if not keepdim or not self._data.ndim:
        out_values = out_values.reshape(indices.shape)
    else:
        indices = np.expand_dims(indices, d)
    if not self._data.ndim:
        out_values, indices = out_values.reshape(()), indices.reshape(())
    out = new_tensor(out_values, self._dtype)
    idx = new_tensor(indices, _dtypes.int64)
    record(dim_node, out, (self,), {"dim": d, "keepdim": keepdim, "indices": idx,
                                    "self_sym_sizes": self._data.shape})
    return return_type(out, idx)


def _nan_first_argmax(data, axis):
    return np.argmax(np.where(np.isnan(data), np.inf, data), axis=axis) \
        if np.issubdtype(data.dtype, np.floating) and np.isnan(data).any() else \
        np.argmax(data, axis=axis)


def _nan_first_argmin(data, axis):
    return np.argmin(np.where(np.isnan(data), -np.inf, data), axis=axis) \
        if np.issubdtype(data.dtype, np.floating) and np.isnan(data).any() else \
        np.argmin(data, axis=axis)


def max(self, dim=_ALL_DIMS, keepdim=False, *, other=None):  # noqa: A001
    return _extreme(self, dim, keepdim, other, "max", _nan_first_argmax, MaxBackward1,
                    MaxBackward0, max_return_type)


def min(self, dim=_ALL_DIMS, keepdim=False, *, other=None):  # noqa: A001
    return _extreme(self, dim, keepdim, other, "min", _nan_first_argmin, MinBackward1,
                    MinBackward0, min_return_type)


def _arg_reduction(self, dim, keepdim, name, arg_fn):
    """argmax/argmin: the index of the extreme value, in the flattened tensor when dim is None."""
    if self._dtype is _dtypes.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None and self._data.size == 0:
        raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                         f"input.numel() == 0.")
    d = None if dim is None else wrap_dim(dim, self._data.ndim)
    bool_arg(keepdim)
    if d is not None and self._data.ndim and self._data.shape[d] == 0:
        raise IndexError(msg.REDUCE_EMPTY_DIM.format(op=name, dim=d))
    if d is None or not self._data.ndim:  # a 0-d tensor keeps no dim to keep
        out = arg_fn(self._data.reshape(-1), None)
        return new_tensor(np.reshape(out, (1,) * self._data.ndim if keepdim else ()),
                          _dtypes.int64)
    out = arg_fn(self._data, d)
    return new_tensor(np.expand_dims(out, d) if keepdim else out, _dtypes.int64)


def argmax(self, dim=None, keepdim=False):
    return _arg_reduction(self, dim, keepdim, "argmax", _nan_first_argmax)


def argmin(self, dim=None, keepdim=False):
    return _arg_reduction(self, dim, keepdim, "argmin", _nan_first_argmin)


class LinalgVectorNormBackward0(Node):
    """out = ‖self‖_p;  for p = 2: grad_self = grad * self / out (0 where out = 0).
    PyTorch's norm_backward, op by op (in-place ``masked_fill_``/``pow_`` included), so a
    gradient taken with create_graph=True has its graph; C++ evaluates the right side of
    ``*`` first, so ``sgn()`` comes after the factor it multiplies."""

    def apply(self, grad):
        from .pointwise import masked_fill_
        x, norm = self.saved("self"), self.saved("result")
        p, dims, keepdim = self.saved("ord"), self.saved("dim"), self.saved("keepdim")
        grad, norm = restore_reduced_dims([grad, norm], dims, keepdim, x.dim())
        if p == 0:
            return None,
        if p == 1:
            return x.sgn() * grad,
        if p == 2:
            return grad * masked_fill_(x / norm, norm == 0, 0),
        if p == float("inf"):
            x_abs = x.abs()
            mask = (x_abs == norm) | x_abs.isnan()
            share = (grad / mask.sum(dims, keepdim=True)) * mask
            return x.sgn() * share,
        if p < 1:
            factor = masked_fill_(x.abs().pow_(p - 1), x == 0, 0)
            scaled = x.sgn() * factor
            norm_factor = norm.pow(1 - p)
            return scaled * grad * norm_factor,
        if p < 2:
            factor = x.abs().pow_(p - 1)
            scaled = x.sgn() * factor
        else:
            scaled = x * x.abs().pow_(p - 2)
        return scaled * masked_fill_(grad / norm.pow(p - 1), norm == 0, 0),


def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    if isinstance(p, str) and p != "fro":  # PyTorch's linalg.matrix_norm
        if p != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if not self._dtype.is_floating_point:
            raise RuntimeError(msg.FLOAT_ONLY_NORM.replace("vector", "matrix").format(
                name=self._dtype.c_name))
        raise NotImplementedError("autograd_edu does not implement the nuclear norm "
                                  "(norm(p='nuc') needs a singular value decomposition)")
    p = 2 if p in ("fro", None) else p
    if not self._dtype.is_floating_point:
        raise RuntimeError(msg.FLOAT_ONLY_NORM.format(name=self._dtype.c_name))
    dims = None if dim is None else reduced_dims(dim, self._data.ndim)
    if self._data.size == 0 and (p == float("inf") or p < 0):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty "
                           f"tensor because the operation does not have an identity")
    x = values(self, self._dtype)
    dims = np_axis(dims, self._data.ndim)
    with np.errstate(all="ignore"):
        if p == 0:  # the count of nonzero elements
            out = np.sum(x != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
        elif p == 2:
            out = np.sqrt(np.sum(x * x, axis=dims, keepdims=keepdim))
        elif p == float("inf"):
            out = np.max(np.abs(x), axis=dims, keepdims=keepdim)
        else:
            out = np.sum(np.abs(x) ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
    out = _reduced(out, self._dtype)
    return record(LinalgVectorNormBackward0, out, (self,),
                  {"self": self, "ord": p, "dim": dims, "keepdim": keepdim},
                  save_output="result")


def _all_any(self, dim, keepdim, numpy_fn):
    """all/any: unlike sum, an empty list of dims reduces none of them."""
    dims = None if dim is None else wrap_dims(dim, self._data.ndim)
    bool_arg(keepdim)
    return _reduced(numpy_fn(self._data, axis=np_axis(dims, self._data.ndim) if dims else dims,
                             keepdims=keepdim), _dtypes.bool_)


def all(self, dim=None, keepdim=False):  # noqa: A001
    return _all_any(self, dim, keepdim, np.all)


def any(self, dim=None, keepdim=False):  # noqa: A001
    return _all_any(self, dim, keepdim, np.any)


def _prod_safe_zeros_backward(grad, inp, dim):
    """PyTorch's prod_safe_zeros_backward: grad * the product of the other elements along
    ``dim``, without dividing (so exact with zeros), as exclusive cumulative products from
    both ends: [1, a, ab] * [bc, c, 1] for [a, b, c]. A size-1 dim passes grad on."""
    from .creation import ones
    from .shape import cat
    if inp.numel() == 0:
        return grad.expand_as(inp)
    n = inp.shape[dim]
    if n == 1:
        return grad
    ones_size = list(inp.shape)
    ones_size[dim] = 1
    ones_ = ones(ones_size, dtype=grad.dtype)
    exclusive_normal = cat([ones_, inp.narrow(dim, 0, n - 1)], dim).cumprod(dim)
    narrow_reverse = inp.narrow(dim, 1, n - 1).flip(dim)
    exclusive_reverse = cat([ones_, narrow_reverse], dim).cumprod(dim).flip(dim)
    return grad * (exclusive_normal * exclusive_reverse)


class ProdBackward0(Node):
    """out = Π self;  grad_self = grad * (out / self) with no zeros in self, else grad *
    the product of the other elements (PyTorch's prod_backward)"""

    def apply(self, grad):
        from .._grad_mode import is_grad_enabled
        from .creation import zeros_like
        x, result = self.saved("self").to(grad.dtype), self.saved("result")
        if not x.dim():
            return grad,
        zeros = np.count_nonzero(x._data == 0)
        if not zeros:
            return grad * (result / x),
        if zeros > 1 and not is_grad_enabled():  # every gradient is 0
            return zeros_like(x),
        return _prod_safe_zeros_backward(grad, x.contiguous().view(-1), 0).view_as(x),


class ProdBackward1(Node):
    """out = Π self along dim;  grad_self = grad * (out / self) with no zeros in self,
    else grad * the product of the others along dim"""

    def apply(self, grad):
        x, dim, result = self.saved("self").to(grad.dtype), self.saved("dim"), self.saved("result")
        if not x.dim():
            return grad,
        grad, result = restore_reduced_dims([grad, result], (dim,), self.saved("keepdim"),
                                            x.dim())
        if not np.any(x._data == 0):
            return grad * (result / x),
        return _prod_safe_zeros_backward(grad, x, dim),


def prod(self, dim=_ALL_DIMS, keepdim=False, *, dtype=None):
    out_dtype = dtype or _sum_dtype(self, None)
    if dim is _ALL_DIMS:
        out = new_tensor(np.prod(values(self, out_dtype)), out_dtype)
        return record(ProdBackward0, out, (self,), {"self": self}, save_output="result")
    d = wrap_dim(dim, self._data.ndim)
    bool_arg(keepdim)
    out = _reduced(np.prod(values(self, out_dtype), axis=np_axis(d, self.dim()),
                           keepdims=keepdim), out_dtype)
    return record(ProdBackward1, out, (self,), {"self": self, "dim": d, "keepdim": keepdim},
                  save_output="result")


def _c_ratio(a, b):
    """a / b with C++ float semantics (x / 0 is inf or nan, not an exception)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def _reduced_count(shape, dims):
    return int(np.prod([shape[d] for d in dims])) if dims is not None and shape else \
        int(np.prod(shape))


def _var_backward(grad, x, dims, correction, keepdim):
    """PyTorch's var_backward, op by op: ``(2 / (N - correction)) * grad * (x - mean)``
    (C++ evaluates ``*``'s right side, ``x - mean``, first)."""
    from .formula_ops import mul_scalar
    if x.dim() == 0 or dims is None:
        dof = x.numel() - correction
        if dof <= 0:  # 2 / 0: nan where x is its mean (inf * 0), inf elsewhere
            from .pointwise import where
            return grad * where(x == x.mean(), math.nan, math.inf)
        centered = x - x.mean()
        return mul_scalar(grad, _c_ratio(2.0, dof)) * centered
    if not keepdim and x.dim() > 1:  # a 1-d input's 0-d gradient broadcasts as it is
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    count = _reduced_count(x._data.shape, dims)
    centered = x - x.mean(dims, keepdim=True)
    return mul_scalar(grad, _c_ratio(2.0, count - correction)) * centered


class VarBackward0(Node):
    """out = Σ (self - mean)² / (N - correction);
    grad_self = grad * 2 (self - mean) / (N - correction)"""

    def apply(self, grad):
        return _var_backward(grad, self.saved("self"), self.saved("dim"),
                             self.saved("correction"), self.saved("keepdim")),


class StdBackward0(Node):
    """out = sqrt(var(self));  grad_self = var's gradient for grad / (2 out) (0 where out = 0)"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        from .pointwise import masked_fill_
        x, result = self.saved("self"), self.saved("result")  # PyTorch unpacks self first
        grad_var = masked_fill_(grad / mul_scalar(result, 2), result == 0, 0)
        return _var_backward(grad_var, x, self.saved("dim"), self.saved("correction"),
                             self.saved("keepdim")),


def _welford_var(x, axis, ddof, keepdims):
    """PyTorch's CPU kernel for reductions with several outputs: Welford's running update in
    double, element by element (equal values give exactly 0, where two passes may not).
    A single output uses the two-pass algorithm instead (std_var_all_cpu), like np.var."""
    axes = tuple(range(x.ndim)) if axis is None else np.atleast_1d(axis)
    axes = tuple(int(a) % x.ndim for a in axes)
    kept = [d for d in range(x.ndim) if d not in axes]
    flat = np.transpose(x, kept + list(axes)).reshape([x.shape[d] for d in kept] + [-1])
    mean = np.zeros(flat.shape[:-1])
    m2 = np.zeros(flat.shape[:-1])
    for n in range(flat.shape[-1]):
        data = flat[..., n].astype(np.float64)
        delta = data - mean
        mean = mean + delta / (n + 1)
        m2 = m2 + delta * (data - mean)
    out = m2 / (flat.shape[-1] - ddof)
    shape = [1 if d in axes else x.shape[d] for d in range(x.ndim)] if keepdims else out.shape
    return out.reshape(shape).astype(x.dtype)


def _variance(self, dim, unbiased, keepdim, correction, node_cls, take_root):
    if not self._dtype.is_floating_point:
        raise RuntimeError(msg.FLOAT_ONLY_VAR)
    if correction is None:
        correction = 1 if unbiased in (None, True) else 0
    # an empty list of dims reduces all of them, but PyTorch's backward counts 1 element
    # for it (its _safe_size), so the node keeps the list as given
    dims = None if dim is None else wrap_dims(dim, self._data.ndim)
    bool_arg(keepdim)
    if unbiased is not None:
        bool_arg(unbiased)
    axis = np_axis(dims, self._data.ndim) if dims else None
    no_freedom = _reduced_count(self._data.shape, dims or None) - correction <= 0
    with np.errstate(all="ignore"):
        # no degrees of freedom: PyTorch divides by max(0, n - correction) = 0, giving inf
        # or nan (numpy would warn again; catching that would reset Python's warning registry)
        x, ddof = values(self, self._dtype), 0 if no_freedom else correction
        several = x.size // builtins.max(_reduced_count(x.shape, dims or None), 1) > 1
        if not x.size:  # nan over nothing (numpy's var would warn on its own)
            out = np.sum(x, axis=axis, keepdims=keepdim) * np.nan
        else:
            out = (_welford_var if several and x.dtype.kind == "f" else np.var)(
                x, axis=axis, ddof=ddof, keepdims=keepdim)
        out = out / 0.0 if no_freedom else out
        out = np.asarray(out, order="C")  # a new contiguous tensor, as PyTorch writes it
        out = np.sqrt(out) if take_root else out
    out = record(node_cls, new_tensor(out, self._dtype), (self,),
                 {"self": self, "dim": dims, "keepdim": keepdim, "correction": correction},
                 save_output="result" if take_root else None)
    if no_freedom:  # PyTorch's kernel warns after autograd connected the input (see record)
        msg.warn_from_caller(msg.VAR_NO_FREEDOM.format(name="std" if take_root else "var"))
    return out


def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):  # var(unbiased)
        dim, unbiased = None, dim
    return _variance(self, dim, unbiased, keepdim, correction, VarBackward0, False)


def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return _variance(self, dim, unbiased, keepdim, correction, StdBackward0, True)


class AmaxBackward0(Node):
    """out = max of self along dims;  grad_self = grad shared evenly among each maximum's ties"""

    def apply(self, grad):
        x, result, dims = self.saved("self"), self.saved("result"), self.saved("dim")
        keepdim = self.saved("keepdim")
        grad, result = (_view_reduced_dims(t, dims, keepdim) for t in (grad, result))
        mask = result == x
        return (grad / mask.sum(dims, keepdim=True)) * mask,


def _view_reduced_dims(t, dims, keepdim):
    """PyTorch's restore_reduced_dims (amax/amin): ``t`` viewed with the reduced ``dims``
    back as 1s."""
    if keepdim:
        return t
    shape = [0] * (t.dim() + len(dims))
    for d in dims:
        shape[d] = 1
    sizes = iter(t.shape)
    return t.view([s or next(sizes) for s in shape])


class AminBackward0(AmaxBackward0):
    """out = min of self along dims;  grad_self = grad shared evenly among each minimum's ties"""


def _amax_amin(self, dim, keepdim, numpy_fn, node_cls):
    name = "amax" if numpy_fn is np.max else "amin"
    dim = () if dim is None else (dim,) if isinstance(dim, int) else dim
    if self._data.size == 0:  # PyTorch's zero_numel_check_dims, before the dims are wrapped
        if not dim:
            raise RuntimeError(msg.REDUCE_EMPTY.format(op=name))
        for d in dim:
            if self._data.shape[wrap_dim(d, self._data.ndim)] == 0:
                raise IndexError(msg.REDUCE_EMPTY_DIM.format(op=name, dim=d))
    dims = reduced_dims(dim, self._data.ndim, keepdim)
    axis = np_axis(dims, self.dim())
    data = extreme_over_dims(self._data, dims, name, numpy_fn(self._data, axis=axis,
                                                               keepdims=keepdim))
    out = _reduced(data, self._dtype)
    return record(node_cls, out, (self,), {"self": self, "dim": dims, "keepdim": keepdim},
                  save_output="result")


def amax(self, dim=(), keepdim=False):
    return _amax_amin(self, dim, keepdim, np.max, AmaxBackward0)


def amin(self, dim=(), keepdim=False):
    return _amax_amin(self, dim, keepdim, np.min, AminBackward0)


class CumsumBackward0(Node):
    """out[i] = Σ_{j<=i} self[j] along dim;  grad_self[j] = Σ_{i>=j} grad[i]"""

    def apply(self, grad):
        dim = self.saved("dim")
        if grad.numel() <= 1 or grad.shape[dim] == 1:  # PyTorch hands grad itself back
            return grad,
        return grad.flip(dim).cumsum(dim).flip(dim),


def _scan(self, dim, dtype, numpy_fn):
    """PyTorch's CPU cumsum/cumprod: a running total along dim, kept in the accumulate
    type (double for float32) and rounded to the result's dtype element by element, written
    contiguously whatever the input's layout; a 0-d tensor is copied. A running sum
    starts from +0, so -0. never survives (-0. + 0. is 0.); a product from 1."""
    d = wrap_dim(dim, self._data.ndim)
    out_dtype = dtype or _sum_dtype(self, None)
    x = values(self, out_dtype)
    if not self.dim():
        return d, new_tensor(x.copy(), out_dtype)
    acc = {np.float32: np.float64, np.float16: np.float32}.get(x.dtype.type, x.dtype)
    data = numpy_fn(x.astype(acc), axis=d)
    if numpy_fn is np.cumsum:
        data = data + np.zeros((), acc)
    return d, new_tensor(np.asarray(data.astype(x.dtype), order="C"), out_dtype)


def cumsum(self, dim, *, dtype=None):
    d, out = _scan(self, dim, dtype, np.cumsum)
    return record(CumsumBackward0, out, (self,), {"dim": d})


def _reversed_cumsum(w, dim):
    return w.flip(dim).cumsum(dim).flip(dim)


def _cumprod_backward(grad, x, dim, result):
    """PyTorch's cumprod_backward: Σ_{j>=k} grad[j] * (Π_{i<=j, i!=k} x[i]), which is
    reversed_cumsum(result * grad) / x without zeros. With zeros: values only, when no
    graph is built (an O(n) mask formula); otherwise the products omitting each x[k] are
    built op by op (O(n²)), so that this gradient has derivatives of its own."""
    from .._grad_mode import is_grad_enabled
    from .creation import ones, zeros
    from .indexing import slice_dim
    from .shape import cat
    if x.numel() <= 1 or x.shape[dim] == 1:
        return grad
    n = x.shape[dim]
    w = result * grad
    is_zero = x._data == 0
    if not is_zero.any():
        return _reversed_cumsum(w, dim) / x
    if not is_grad_enabled():
        return new_tensor(_cumprod_backward_values(grad, x, dim, result, w, is_zero),
                          grad.dtype)
    grad_input = zeros(x.shape, dtype=grad.dtype)
    ones_size = list(x.shape)
    ones_size[dim] = 1
    ones_ = ones(1, dtype=grad.dtype).expand(ones_size)
    for k in range(n):
        if k == 0:
            omitted_products = cat([ones_, slice_dim(x, dim, 1, n, 1).cumprod(dim)], dim)
        else:
            prods_until_k = slice_dim(x, dim, 0, k, 1).prod(dim, True)
            omitted_products = prods_until_k
            if k < n - 1:
                prods_from_k_plus_1 = slice_dim(x, dim, k + 1, n, 1).cumprod(dim)
                omitted_products = prods_until_k.expand_as(prods_from_k_plus_1) * \
                    prods_from_k_plus_1
                omitted_products = cat([prods_until_k, omitted_products], dim)
        grad_slice = (slice_dim(grad, dim, k, n, 1) * omitted_products).sum(dim)
        grad_input.select(dim, k).copy_(grad_slice)
    return grad_input


def _cumprod_backward_values(grad, x, dim, result, w, is_zero):
    """cumprod_backward's mask formula, in numpy (no graph): before the first zero z1,
    reversed_cumsum(w) / x; at z1, Π x[:z1] * Σ_{z1<=j<z2} grad[j] * Π x(z1, j]; after, 0."""
    def scan(numpy_fn, a):
        return _scan(new_tensor(a, grad.dtype), dim, None, numpy_fn)[1]._data
    zeros_seen = np.cumsum(is_zero, axis=dim)
    before = zeros_seen == 0
    after_first = zeros_seen == 1
    first_zero = after_first & (np.cumsum(after_first, axis=dim) == 1)
    between = after_first & ~first_zero
    w_before = np.where(before, w._data, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        before_values = np.flip(scan(np.cumsum, np.flip(w_before, dim)), dim) / x._data
    terms = scan(np.cumprod, np.where(between, x._data, 1)) * \
        np.where(after_first, grad._data, 0)
    first_index = np.expand_dims(np.argmax(after_first, axis=dim), dim)
    prefix = np.take_along_axis(result._data, np.maximum(first_index - 1, 0), axis=dim)
    prefix = np.where(first_index == 0, 1, prefix)
    at_first = _reduce_sum(terms, (dim,), True) * prefix
    return np.where(before, before_values, np.where(first_zero, at_first, 0)).astype(
        grad._data.dtype)


class CumprodBackward0(Node):
    """out[i] = Π_{j<=i} self[j] along dim;  grad_self = cumprod_backward(grad, self, dim,
    out)"""

    def apply(self, grad):
        x = self.saved("self")
        return _cumprod_backward(grad.to(x.dtype), x, self.saved("dim"), self.saved("result")),


def cumprod(self, dim, *, dtype=None):
    d, out = _scan(self, dim, dtype, np.cumprod)
    return record(CumprodBackward0, out, (self,), {"self": self, "dim": d},
                  save_output="result")


class LogsumexpBackward0(Node):
    """out = log Σ exp(self) along dim;  grad_self = grad * exp(self - out)"""

    def apply(self, grad):
        x, result, dims = self.saved("self"), self.saved("result"), self.saved("dim")
        grad, result = restore_reduced_dims([grad, result], dims, self.saved("keepdim"), x.dim())
        return grad * (x - result).exp(),


def logsumexp(self, dim, keepdim=False):
    dims = reduced_dims(dim, self._data.ndim, keepdim)
    if not keepdim and self.dim() and self._data.size and dim in ((), []):  # PyTorch's quirk
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join(['1'] * self.dim())}]")
    axis = np_axis(dims, self.dim())
    out_dtype = self._dtype if self._dtype.is_floating_point else _dtypes.get_default_dtype()
    x = values(self, out_dtype)
    # the largest value, subtracted for stability (-inf over an empty dim, as log Σ of nothing)
    top = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    top = np.where(np.isfinite(top), top, 0)
    from .pointwise import _EXP, _LOG  # (torch.exp/log: MKL, see there)
    with np.errstate(all="ignore"):  # log(Σ exp(x - top)) + top, as PyTorch's composite op
        out = _LOG(_reduce_sum(_EXP(x - top), dims, True)) + top
    out = out if keepdim or not self.dim() else np.squeeze(out, axis=dims)
    return record(LogsumexpBackward0, _reduced(out, out_dtype), (self,),
                  {"self": self, "dim": dims, "keepdim": keepdim}, save_output="result")


class SortBackward0(Node):
    """values = self sorted along dim;  grad_self = grad put back at the original positions"""

    def apply(self, grad, _indices_grad=None):
        from .indexing import scatter_into_zeros
        return bump_version(scatter_into_zeros(self.saved("self_sym_sizes"), self.saved("dim"),
                                               self.saved("indices"), grad)),


class SortBackward1(SortBackward0):
    """values = self sorted along dim (stable=True);  grad_self = grad put back in place"""


sort_return_type = make_return_type("sort", ("values", "indices"))


def _like(layout, values):
    """``values`` copied into an array with ``layout``'s memory order."""
    return copy_in_torch_layout(layout, values)


def sort(self, dim=-1, descending=False, stable=False):
    d = wrap_dim(dim, self._data.ndim)
    data = self._data if self.dim() else self._data.reshape(1)
    key = -data if descending and self._dtype is not _dtypes.bool_ else data
    # both results have the input's layout (PyTorch allocates them like the input)
    order = _like(data, np.argsort(key, axis=d, kind="stable"))
    sorted_values = _like(data, np.take_along_axis(data, order, axis=d))
    if not self.dim():
        sorted_values, order = sorted_values.reshape(()), order.reshape(())
    out, idx = new_tensor(sorted_values, self._dtype), new_tensor(order, _dtypes.int64)
    record(SortBackward1 if stable else SortBackward0, out, (self,),
           {"dim": d, "indices": idx, "self_sym_sizes": self._data.shape})
    return sort_return_type(out, idx)
