"""Elementwise functions, each forward beside its derivative
(formulas from ``tools/autograd/derivatives.yaml``), and comparisons."""

import math

import numpy as np

from .. import _dtypes
from ..autograd.graph import Node
from ._common import broadcast_shape, new_tensor, promote, record, values


def _float_dtype(t):
    """Integer inputs of exp/log/... give default-float results, as in PyTorch."""
    return t._dtype if t._dtype.is_floating_point else _dtypes.get_default_dtype()


def _unary(node_cls, numpy_fn, self, save_self=False, save_result=False, keep_int=False):
    dtype = self._dtype if keep_int else _float_dtype(self)
    with np.errstate(all="ignore"):
        out = new_tensor(numpy_fn(values(self, dtype)), dtype)
    return record(node_cls, out, (self,), {"self": self} if save_self else None,
                  save_output="result" if save_result else None)


class AbsBackward0(Node):
    """out = |self|;  grad_self = grad * sign(self)"""

    def apply(self, grad):
        return grad * sgn(self.saved("self")),


def abs(self):  # noqa: A001 - torch's name
    return _unary(AbsBackward0, np.abs, self, save_self=True, keep_int=True)


class ExpBackward0(Node):
    """out = exp(self);  grad_self = grad * out"""

    def apply(self, grad):
        return grad * self.saved("result"),


def exp(self):
    return _unary(ExpBackward0, np.exp, self, save_result=True)


class LogBackward0(Node):
    """out = log(self);  grad_self = grad / self"""

    def apply(self, grad):
        return grad / self.saved("self"),


def log(self):
    return _unary(LogBackward0, np.log, self, save_self=True)


class SqrtBackward0(Node):
    """out = sqrt(self);  grad_self = grad / (2 * out)"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        return grad / mul_scalar(self.saved("result"), 2),


def sqrt(self):
    return _unary(SqrtBackward0, np.sqrt, self, save_result=True)


class SinBackward0(Node):
    """out = sin(self);  grad_self = grad * cos(self)"""

    def apply(self, grad):
        return grad * cos(self.saved("self")),


def sin(self):
    return _unary(SinBackward0, np.sin, self, save_self=True)


class CosBackward0(Node):
    """out = cos(self);  grad_self = grad * -sin(self)"""

    def apply(self, grad):
        return grad * -sin(self.saved("self")),


def cos(self):
    return _unary(CosBackward0, np.cos, self, save_self=True)


class TanhBackward0(Node):
    """out = tanh(self);  grad_self = grad * (1 - out²)"""

    def apply(self, grad):
        from .formula_ops import tanh_backward
        return tanh_backward(grad, self.saved("result")),


def tanh(self):
    return _unary(TanhBackward0, np.tanh, self, save_result=True)


class SigmoidBackward0(Node):
    """out = 1 / (1 + exp(-self));  grad_self = grad * (1 - out) * out"""

    def apply(self, grad):
        from .formula_ops import sigmoid_backward
        return sigmoid_backward(grad, self.saved("result")),


def _sigmoid(x):
    return np.asarray(1, x.dtype) / (np.asarray(1, x.dtype) + np.exp(-x))


def sigmoid(self):
    return _unary(SigmoidBackward0, _sigmoid, self, save_result=True)


class ReluBackward0(Node):
    """out = max(self, 0);  grad_self = grad where out > 0, else 0"""

    def apply(self, grad):
        from .formula_ops import threshold_backward
        return threshold_backward(grad, self.saved("result"), 0),


def _maximum(a, b):
    """PyTorch's max of two values: a tie keeps ``a`` (max(-0., 0.) is -0., numpy
    says 0.), and nan on either side wins."""
    take_b = a < b
    if np.ndim(b) or np.isnan(b):  # a number bound (relu's 0) is rarely nan: skip the pass
        take_b |= np.isnan(b)
    return np.where(take_b, b, a)


def _minimum(a, b):
    """PyTorch's min of two values: a tie keeps ``a``, nan on either side wins."""
    take_b = a > b
    if np.ndim(b) or np.isnan(b):
        take_b |= np.isnan(b)
    return np.where(take_b, b, a)


def relu(self):
    return _unary(ReluBackward0, lambda x: _maximum(x, np.zeros((), x.dtype)), self,
                  save_result=True, keep_int=True)


class ClampBackward1(Node):
    """out = clamp(self, min, max) with numbers;  grad_self = grad where min <= self <= max"""

    def apply(self, grad):
        x, lo, hi = self.saved("self"), self.saved("min"), self.saved("max")
        inside = (x >= lo) if hi is None else (x <= hi) if lo is None else (x >= lo) & (x <= hi)
        return where(inside, grad, 0.0),


class ClampBackward0(Node):
    """out = clamp(self, min, max) with tensors; the gradient goes to whichever
    of self, min, max gave the output."""

    def apply(self, grad):
        x, lo, hi = self.saved("self"), self.saved("min"), self.saved("max")
        if lo is None:
            self_mask, min_mask, max_mask = x <= hi, None, x > hi
        elif hi is None:
            self_mask, min_mask, max_mask = x >= lo, x < lo, None
        else:  # when min > max the output is max everywhere: min gets no gradient
            self_mask, min_mask, max_mask = (x >= lo) & (x <= hi), (x < lo) & (lo < hi), \
                (x > hi) | (hi < lo)
        return tuple(where(mask, grad, 0.0) if mask is not None and self.needs_input_grad(i)
                     else None for i, mask in enumerate((self_mask, min_mask, max_mask)))


def clamp(self, min=None, max=None):  # noqa: A002 - torch's names
    from .._tensor import Tensor
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        operands = [self] + [b for b in (min, max) if b is not None]
        tensors, dtype = promote(*operands)
        x = values(tensors[0], dtype)
        lo = values(tensors[1], dtype) if min is not None else None
        hi = values(tensors[-1], dtype) if max is not None else None
        out = x if lo is None else _maximum(x, lo)
        out = out if hi is None else _minimum(out, hi)
        lo_t = tensors[1] if min is not None else None
        hi_t = tensors[-1] if max is not None else None
        return record(ClampBackward0, new_tensor(out, dtype), (tensors[0], lo_t, hi_t),
                      {"self": tensors[0], "min": lo_t, "max": hi_t})
    _, dtype = promote(self, *(b for b in (min, max) if b is not None))
    x = values(self, dtype)
    out = x if min is None else _maximum(x, np.asarray(min, dtype.numpy))
    out = out if max is None else _minimum(out, np.asarray(max, dtype.numpy))
    return record(ClampBackward1, new_tensor(out, dtype), (self,),
                  {"self": self, "min": min, "max": max})


class ClampMinBackward0(Node):
    """out = max(self, min) with a number;  grad_self = grad where self >= min"""

    def apply(self, grad):
        return where(self.saved("self") >= self.saved("min"), grad, 0.0),


class ClampMaxBackward0(Node):
    """out = min(self, max) with a number;  grad_self = grad where self <= max"""

    def apply(self, grad):
        return where(self.saved("self") <= self.saved("max"), grad, 0.0),


def clamp_min(self, min):  # noqa: A002
    from .._tensor import Tensor
    if isinstance(min, Tensor):
        return clamp(self, min=min)
    _, dtype = promote(self, min)
    out = new_tensor(_maximum(values(self, dtype), np.asarray(min, dtype.numpy)), dtype)
    return record(ClampMinBackward0, out, (self,), {"self": self, "min": min})


def clamp_max(self, max):  # noqa: A002
    from .._tensor import Tensor
    if isinstance(max, Tensor):
        return clamp(self, max=max)
    _, dtype = promote(self, max)
    out = new_tensor(_minimum(values(self, dtype), np.asarray(max, dtype.numpy)), dtype)
    return record(ClampMaxBackward0, out, (self,), {"self": self, "max": max})


class MaximumBackward0(Node):
    """out = maximum(self, other);  the larger input gets grad, ties split it in half"""

    def apply(self, grad):
        other = self.saved("other")  # PyTorch unpacks (and version-checks) other first
        return _select_grad(grad, self.saved("self"), other, self)


class MinimumBackward0(Node):
    """out = minimum(self, other);  the smaller input gets grad, ties split it in half"""

    def apply(self, grad):
        return _select_grad(grad, self.saved("other"), self.saved("self"), self)


def _select_grad(grad, winner_if_greater, loser, node):
    """derivatives.yaml: ``where(self == other, grad / 2, grad).masked_fill_(self < other, 0)``;
    the in-place masked_fill_ leaves each gradient at version 1."""
    from .formula_ops import div_scalar, masked_fill_
    return tuple(masked_fill_(where(winner_if_greater == loser, div_scalar(grad, 2), grad), mask)
                 if node.needs_input_grad(i) else None
                 for i, mask in enumerate((winner_if_greater < loser, winner_if_greater > loser)))


def maximum(self, other):
    (a, b), dtype = promote(self, other)
    out = new_tensor(_maximum(values(a, dtype), values(b, dtype)), dtype)
    return record(MaximumBackward0, out, (a, b), {"self": a, "other": b})


def minimum(self, other):
    (a, b), dtype = promote(self, other)
    out = new_tensor(_minimum(values(a, dtype), values(b, dtype)), dtype)
    return record(MinimumBackward0, out, (a, b), {"self": a, "other": b})


class WhereBackward0(Node):
    """out = self where condition else other;  each side gets grad where it was chosen"""

    def apply(self, grad):
        condition = self.saved("condition")
        return (where(condition, grad, 0.0) if self.needs_input_grad(0) else None,
                where(condition, 0.0, grad) if self.needs_input_grad(1) else None)


def where(condition, input=None, other=None):  # noqa: A002
    if input is None and other is None:
        return tuple(new_tensor(i, _dtypes.int64) for i in np.nonzero(condition._data))
    (a, b), dtype = promote(input, other, elementwise=False)
    broadcast_shape(condition._data.shape, a._data.shape, b._data.shape)  # PyTorch's error
    out = new_tensor(np.where(condition._data.astype(bool), values(a, dtype), values(b, dtype)),
                     dtype)
    return record(WhereBackward0, out, (a, b), {"condition": condition})


def floor_divide(self, other):
    (a, b), dtype = promote(self, other)
    if not dtype.is_floating_point and np.any(values(b, dtype) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(all="ignore"):
        return new_tensor(np.floor_divide(values(a, dtype), values(b, dtype)), dtype)


def remainder(self, other):
    (a, b), dtype = promote(self, other)
    with np.errstate(all="ignore"):
        return new_tensor(np.remainder(values(a, dtype), values(b, dtype)), dtype)


def _comparison(numpy_fn):
    def compare(self, other):
        (a, b), dtype = promote(self, other)
        broadcast_shape(a._data.shape, b._data.shape)
        return new_tensor(numpy_fn(values(a, dtype), values(b, dtype)), _dtypes.bool_)
    compare.__name__ = numpy_fn.__name__
    return compare


eq, ne = _comparison(np.equal), _comparison(np.not_equal)
lt, le = _comparison(np.less), _comparison(np.less_equal)
gt, ge = _comparison(np.greater), _comparison(np.greater_equal)


def _logical(numpy_fn):
    def combine(self, other):
        (a, b), dtype = promote(self, other)
        return new_tensor(numpy_fn(values(a, dtype), values(b, dtype)), dtype)
    return combine


bitwise_and, bitwise_or, bitwise_xor = (_logical(np.bitwise_and), _logical(np.bitwise_or),
                                        _logical(np.bitwise_xor))


def bitwise_not(self):
    return new_tensor(np.invert(self._data), self._dtype)


def logical_not(self):
    return new_tensor(np.logical_not(self._data), _dtypes.bool_)


def isnan(self):
    return new_tensor(np.isnan(self._data), _dtypes.bool_)


def equal(self, other):
    return self._data.shape == other._data.shape and bool(np.all(self._data == other._data))


def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


# -- more elementwise functions ------------------------------------------------

class Log1PBackward0(Node):
    """out = log(1 + self);  grad_self = grad / (self + 1)"""

    def apply(self, grad):
        from .formula_ops import add_scalar
        return grad / add_scalar(self.saved("self"), 1),


def log1p(self):
    return _unary(Log1PBackward0, np.log1p, self, save_self=True)


class Expm1Backward0(Node):
    """out = exp(self) - 1;  grad_self = grad * (out + 1)"""

    def apply(self, grad):
        from .formula_ops import add_scalar
        return grad * add_scalar(self.saved("result"), 1),


def expm1(self):
    return _unary(Expm1Backward0, np.expm1, self, save_result=True)


class Log2Backward0(Node):
    """out = log2(self);  grad_self = grad / (self * ln 2)"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        return grad / mul_scalar(self.saved("self"), math.log(2.0)),


def log2(self):
    return _unary(Log2Backward0, np.log2, self, save_self=True)


class Log10Backward0(Node):
    """out = log10(self);  grad_self = grad / (self * ln 10)"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        return grad / mul_scalar(self.saved("self"), math.log(10.0)),


def log10(self):
    return _unary(Log10Backward0, np.log10, self, save_self=True)


class TanBackward0(Node):
    """out = tan(self);  grad_self = grad * (1 + out²)"""

    def apply(self, grad):
        from .arithmetic import pow
        from .formula_ops import add_scalar
        return grad * add_scalar(pow(self.saved("result"), 2), 1),


def tan(self):
    return _unary(TanBackward0, np.tan, self, save_result=True)


class AtanBackward0(Node):
    """out = atan(self);  grad_self = grad / (self² + 1)"""

    def apply(self, grad):
        from .formula_ops import add_scalar
        x = self.saved("self")
        return grad / add_scalar(x * x, 1),


def atan(self):
    return _unary(AtanBackward0, np.arctan, self, save_self=True)


class RsqrtBackward0(Node):
    """out = 1 / sqrt(self);  grad_self = -grad * out³ / 2"""

    def apply(self, grad):
        result = self.saved("result")
        from .formula_ops import mul_scalar
        return mul_scalar(grad, -0.5) * result.pow(3),


def rsqrt(self):
    return _unary(RsqrtBackward0, lambda x: np.asarray(1, x.dtype) / np.sqrt(x), self,
                  save_result=True)


class _ZeroGradient(Node):
    """A piecewise-constant function: its derivative is 0 almost everywhere."""

    def apply(self, grad):
        from .creation import zeros_like
        return zeros_like(grad),


class SignBackward0(_ZeroGradient):
    __doc__ = "out = sign(self);  grad_self = 0"


class RoundBackward0(_ZeroGradient):
    __doc__ = "out = round(self);  grad_self = 0"


class FloorBackward0(_ZeroGradient):
    __doc__ = "out = floor(self);  grad_self = 0"


class CeilBackward0(_ZeroGradient):
    __doc__ = "out = ceil(self);  grad_self = 0"


class RoundBackward1(_ZeroGradient):
    __doc__ = "out = round(self, decimals);  grad_self = 0"


class TruncBackward0(_ZeroGradient):
    __doc__ = "out = trunc(self);  grad_self = 0"


class SgnBackward0(_ZeroGradient):
    __doc__ = "out = sgn(self) (sign, for real tensors);  grad_self = 0"


def sign(self):
    return _unary(SignBackward0, np.sign, self, keep_int=True)


def sgn(self):
    return _unary(SgnBackward0, np.sign, self, keep_int=True)


def round(self, decimals=0):  # noqa: A001 - torch's name
    node = RoundBackward1 if decimals else RoundBackward0
    return _unary(node, lambda x: np.round(x, decimals), self, keep_int=True)


def floor(self):
    return _unary(FloorBackward0, np.floor, self, keep_int=True)


def ceil(self):
    return _unary(CeilBackward0, np.ceil, self, keep_int=True)


def trunc(self):
    return _unary(TruncBackward0, np.trunc, self, keep_int=True)


class MaskedFillBackward0(Node):
    """out = self with ``value`` where mask;  grad_self = grad with 0 where mask"""

    def apply(self, grad):
        return grad.masked_fill(self.saved("mask"), 0),


class MaskedFillBackward1(Node):
    """out = self with ``value`` (a 0-d tensor) where mask;
    grad_self = grad with 0 where mask,  grad_value = Σ grad where mask (masked_select)"""

    def apply(self, grad):
        from .formula_ops import masked_select
        mask = self.saved("mask")
        return (grad.masked_fill(mask, 0) if self.needs_input_grad(0) else None,
                masked_select(grad, mask).sum() if self.needs_input_grad(1) else None)


def masked_fill(self, mask, value):
    from .._tensor import Tensor
    broadcast_shape(mask._data.shape, self._data.shape)  # PyTorch's order (a is the mask)
    # PyTorch fills a contiguous clone of (expanded) self in place: the result is
    # contiguous whatever self's layout (np.where would keep it)
    fill = value._data.astype(self._dtype.numpy) if isinstance(value, Tensor) \
        else np.asarray(value, self._dtype.numpy)
    data = np.where(mask._data, fill, self._data).copy(order="C")
    if isinstance(value, Tensor):
        return record(MaskedFillBackward1, new_tensor(data, self._dtype), (self, value),
                      {"mask": mask})
    return record(MaskedFillBackward0, new_tensor(data, self._dtype), (self,), {"mask": mask})
