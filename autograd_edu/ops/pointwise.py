"""Elementwise functions, each forward beside its derivative
(formulas from ``tools/autograd/derivatives.yaml``), and comparisons."""

import math

import numpy as np

from .. import _dtypes, _glibc, _sleef
from .. import _messages as msg
from ..autograd.graph import Node
from ._common import (
    CPP_TYPE_NAMES,
    broadcast_shape,
    checked_value,
    gives_edge,
    new_tensor,
    not_implemented_for,
    promote,
    record,
    record_not_implemented,
    require_tensor,
    values,
)
from ._memory import GRAIN_SIZE, iterator_order, strides, torch_threads
from .arithmetic import _saved_if, in_iterator_layout


def _float_dtype(t):
    """Integer inputs of exp/log/... give default-float results, as in PyTorch."""
    return t._dtype if t._dtype.is_floating_point else _dtypes.get_default_dtype()


def _unary(node_cls, numpy_fn, self, save_self=False, save_result=False, keep_int=False):
    dtype = self._dtype if keep_int else _float_dtype(self)
    with np.errstate(all="ignore"):  # laid out as TensorIterator does (numpy differs on
        data = in_iterator_layout(numpy_fn(values(self, dtype)), dtype, self, self)  # expands)
        out = new_tensor(data, dtype)
    return record(node_cls, out, (self,), {"self": self} if save_self else None,
                  save_output="result" if save_result else None)


def _mkl(numpy_fn):
    """For PyTorch's exp, log, sin, cos, tanh: its CPU kernels call Intel MKL's VML
    (``ATen/cpu/vml.h``: ``vmsExp(..., VML_HA | ...)``), closed source and not correctly
    rounded, so its last bits cannot be reproduced. For float32 numpy's own SIMD functions
    are further off; numpy's float64 function rounded to float32 agrees with MKL far more
    often (measured against torch on normal samples: exp 60% -> 99%, log 83% -> 92%,
    tanh 68% -> 99.9%, sin/cos 87%/81% -> 95%). float64 keeps numpy's."""
    def fn(x):
        return numpy_fn(x.astype(np.float64)).astype(x.dtype) if x.dtype == np.float32 \
            else numpy_fn(x)
    return fn


_EXP, _LOG, _SIN, _COS, _TANH = (_mkl(f) for f in (np.exp, np.log, np.sin, np.cos, np.tanh))


class AbsBackward0(Node):
    """out = |self|;  grad_self = grad * sign(self)"""

    def apply(self, grad):
        return grad * sgn(self.saved("self")),


def _refuse_bool(self, kernel):
    if self._dtype is _dtypes.bool_:
        raise not_implemented_for(kernel, self._dtype)


def abs(self):  # noqa: A001 - torch's name
    _refuse_bool(self, "abs_cpu")
    return _unary(AbsBackward0, np.abs, self, save_self=True, keep_int=True)


class ExpBackward0(Node):
    """out = exp(self);  grad_self = grad * out"""

    def apply(self, grad):
        return grad * self.saved("result"),


def exp(self):
    return _unary(ExpBackward0, _EXP, self, save_result=True)


class LogBackward0(Node):
    """out = log(self);  grad_self = grad / self"""

    def apply(self, grad):
        return grad / self.saved("self"),


def log(self):
    return _unary(LogBackward0, _LOG, self, save_self=True)


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
    return _unary(SinBackward0, _SIN, self, save_self=True)


class CosBackward0(Node):
    """out = cos(self);  grad_self = grad * -sin(self)"""

    def apply(self, grad):
        return grad * -sin(self.saved("self")),


def cos(self):
    return _unary(CosBackward0, _COS, self, save_self=True)


class TanhBackward0(Node):
    """out = tanh(self);  grad_self = grad * (1 - out²)"""

    def apply(self, grad):
        from .formula_ops import tanh_backward
        return tanh_backward(grad, self.saved("result")),


def tanh(self):
    return _unary(TanhBackward0, _TANH, self, save_result=True)


class SigmoidBackward0(Node):
    """out = 1 / (1 + exp(-self));  grad_self = grad * (1 - out) * out"""

    def apply(self, grad):
        from .formula_ops import sigmoid_backward
        return sigmoid_backward(grad, self.saved("result")),


def _sigmoid(x):
    """PyTorch's ``sigmoid_kernel``: ``1 / (1 + exp(-x))``, its ``exp`` SLEEF's vector one
    (``Sleef_expf16_u10``...) on the elements ``cpu_kernel_vec`` runs as SIMD blocks, glibc's
    scalar ``std::exp`` on the others (``vector_elements``); both paths otherwise round
    alike (``0 - x`` in the vector path gives the same exp). numpy's ``np.exp`` differs
    in the last bit for ~15% of float32 elements."""
    one, scalar = x.dtype.type(1), ~vector_elements(x)
    e = np.asarray(-x)  # a new array in x's layout (0-d too), overwritten with exp(-x)
    if scalar.all():
        e[...] = _glibc.exp(e)
    else:  # the tails are short: SLEEF on all, then glibc where the scalar loop runs
        tail = e[scalar]
        e[...] = _sleef.exp(e)
        e[scalar] = _glibc.exp(tail)
    return one / (one + e)


def vector_elements(x):
    """Which elements of ``x`` (PyTorch's strides) a unary ``cpu_kernel_vec`` computes with
    its vector function (True) rather than its scalar one, for a new output.

    TensorIterator visits the elements in ``iterator_order`` (memory order for a dense
    ``x``), as rows: the innermost dims coalesced while each one's stride continues the
    run (``coalesce_dimensions``), further cut where ``at::parallel_for`` splits the
    elements among the threads (from ``GRAIN_SIZE`` elements on). Loops.h's
    ``vectorized_loop`` takes each row in blocks of two vectors (AVX512: 32 float32,
    16 float64) and leaves the rest to the scalar loop; a row whose input is strided (not
    1, nor 0 for an expanded dim) goes all scalar (``basic_loop``), as does a 0-d tensor."""
    from ..nn._softmax_kernels import _lanes, vector_positions
    n, shape, st = x.size, x.shape, strides(x)
    perm = iterator_order(shape, [st])  # fastest first
    row, inner = 1, 1
    for d in perm:
        if shape[d] == 1:
            continue
        if row == 1:
            row, inner = shape[d], st[d]
        elif row * inner == st[d]:
            row *= shape[d]
        else:
            break
    if x.ndim == 0 or inner not in (0, 1):
        return np.zeros(shape, bool)
    threads = torch_threads()
    shares = 1 if n < GRAIN_SIZE or threads == 1 else min(threads, -(-n // GRAIN_SIZE))
    flat = vector_positions(n, row, 2 * _lanes(x.dtype), shares)
    outer_first = perm[::-1]
    return flat.reshape([shape[d] for d in outer_first]).transpose(np.argsort(outer_first))


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
    if self._dtype is _dtypes.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
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
        # min's and max's gradients before self's ("min, max" < "self": see MulBackward0)
        grads = {i: where(mask, grad, 0.0) for i, mask in
                 ((1, min_mask), (2, max_mask), (0, self_mask))
                 if mask is not None and self.needs_input_grad(i)}
        return tuple(grads.get(i) for i in range(3))


def _scalar_overload(min, max):  # noqa: A002
    """(min, max) as PyTorch's argument parser binds them: a number beside a tensor selects
    the overload of numbers (ClampBackward1), where a 0-d tensor passes as its value."""
    from .._tensor import Tensor
    if min is None or max is None or isinstance(min, Tensor) == isinstance(max, Tensor):
        return min, max
    tensor = min if isinstance(min, Tensor) else max
    if tensor.dim() or tensor.requires_grad:  # neither overload matches
        raise TypeError(msg.CLAMP_MIXED.format(*(type(b).__name__ for b in (min, max))))
    return tuple(b.item() if b is tensor else b for b in (min, max))


def clamp(self, min=None, max=None):  # noqa: A002 - torch's names
    from .._tensor import Tensor
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    min, max = _scalar_overload(min, max)
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


class ClampMinBackward1(Node):
    """out = max(self, min) with a tensor;
    grad_self = grad where self >= min,  grad_min = grad where self < min"""

    def apply(self, grad):
        x, lo = self.saved("self"), self.saved("min")
        grad_min = where(x < lo, grad, 0.0) if self.needs_input_grad(1) else None  # first
        return where(x >= lo, grad, 0.0) if self.needs_input_grad(0) else None, grad_min


class ClampMaxBackward1(Node):
    """out = min(self, max) with a tensor;
    grad_self = grad where self <= max,  grad_max = grad where self > max"""

    def apply(self, grad):
        x, hi = self.saved("self"), self.saved("max")
        grad_max = where(x > hi, grad, 0.0) if self.needs_input_grad(1) else None  # first
        return where(x <= hi, grad, 0.0) if self.needs_input_grad(0) else None, grad_max


def _clamp_one_side(self, bound, name, numpy_fn, nodes):
    """clamp_min/clamp_max: ``bound`` a number (nodes[0]) or a tensor (nodes[1])."""
    from .._tensor import Tensor
    if isinstance(bound, Tensor):
        (a, b), dtype = promote(self, bound)
        out = new_tensor(numpy_fn(values(a, dtype), values(b, dtype)), dtype)
        return record(nodes[1], out, (a, b), {"self": a, name: b})
    _, dtype = promote(self, bound)
    out = new_tensor(numpy_fn(values(self, dtype), np.asarray(bound, dtype.numpy)), dtype)
    return record(nodes[0], out, (self,), {"self": self, name: bound})


def clamp_min(self, min):  # noqa: A002
    return _clamp_one_side(self, min, "min", _maximum, (ClampMinBackward0, ClampMinBackward1))


def clamp_max(self, max):  # noqa: A002
    return _clamp_one_side(self, max, "max", _minimum, (ClampMaxBackward0, ClampMaxBackward1))


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
    the in-place masked_fill_ leaves each gradient at version 1. other's gradient is made
    first (see MulBackward0)."""
    from .formula_ops import div_scalar
    grads = {i: masked_fill_(where(winner_if_greater == loser, div_scalar(grad, 2), grad), mask, 0)
             for i, mask in ((1, winner_if_greater > loser), (0, winner_if_greater < loser))
             if node.needs_input_grad(i)}
    return grads.get(0), grads.get(1)


def maximum(self, other):
    require_tensor(other)
    (a, b), dtype = promote(self, other)
    out = new_tensor(in_iterator_layout(_maximum(values(a, dtype), values(b, dtype)), dtype,
                                        a, b), dtype)
    return record(MaximumBackward0, out, (a, b), {"self": a, "other": b})


def minimum(self, other):
    require_tensor(other)
    (a, b), dtype = promote(self, other)
    out = new_tensor(in_iterator_layout(_minimum(values(a, dtype), values(b, dtype)), dtype,
                                        a, b), dtype)
    return record(MinimumBackward0, out, (a, b), {"self": a, "other": b})


class WhereBackward0(Node):
    """out = self where condition else other;  each side gets grad where it was chosen"""

    def apply(self, grad):
        condition = self.saved("condition")
        grad_other = where(condition, 0.0, grad) if self.needs_input_grad(1) else None  # first
        return where(condition, grad, 0.0) if self.needs_input_grad(0) else None, grad_other


def where(condition, input=None, other=None):  # noqa: A002
    if input is None and other is None:
        return tuple(new_tensor(i, _dtypes.int64) for i in np.nonzero(condition._data))
    (a, b), dtype = promote(input, other, elementwise=False)
    broadcast_shape(condition._data.shape, a._data.shape, b._data.shape)  # PyTorch's error
    data = np.where(condition._data.astype(bool), values(a, dtype), values(b, dtype))
    # the condition is TensorIterator's first input
    out = new_tensor(in_iterator_layout(data, dtype, condition, a, b), dtype)
    return record(WhereBackward0, out, (a, b), {"condition": condition})


def integer_division(self, other, numpy_fn, kernel):
    """(a, b, numpy_fn(a, b), dtype) for floor_divide, remainder and div's rounding modes:
    integer kernels refuse bools and raise ZeroDivisionError for a zero divisor."""
    (a, b), dtype = promote(self, other)
    if dtype is _dtypes.bool_:
        raise not_implemented_for(kernel, dtype)
    x, y = values(a, dtype), values(b, dtype)
    if not dtype.is_floating_point and np.broadcast(x, y).size and np.any(y == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(all="ignore"):
        return a, b, new_tensor(numpy_fn(x, y), dtype)


def floor_divide(self, other):
    a, b, out = integer_division(self, other, np.floor_divide, "div_floor_cpu")
    return record_not_implemented("aten::floor_divide", out, (a, b))


class RemainderBackward0(Node):
    """out = self - other * floor(self / other) with a number;  grad_self = grad"""

    def apply(self, grad):
        return grad,


class RemainderBackward1(Node):
    """out = self - other * floor(self / other) (both tensors);
    grad_self = grad,  grad_other = -grad * floor(self / other)"""
    rounding = "floor"

    def apply(self, grad):
        from .arithmetic import div
        grad_other = None
        if self.needs_input_grad(1):  # C++ evaluates ``*``'s right side first
            quotient = div(self.saved("self"), self.saved("other"), rounding_mode=self.rounding)
            grad_other = -grad * quotient
        return grad if self.needs_input_grad(0) else None, grad_other


class FmodBackward0(RemainderBackward0):
    """out = self - other * trunc(self / other) with a number (C's fmod: the sign of
    self);  grad_self = grad"""


class FmodBackward1(RemainderBackward1):
    """out = self - other * trunc(self / other) (both tensors);
    grad_self = grad,  grad_other = -grad * trunc(self / other)"""
    rounding = "trunc"


def _modulo(self, other, numpy_fn, kernel, nodes):
    from .._tensor import Tensor
    a, b, out = integer_division(self, other, numpy_fn, kernel)
    if not isinstance(other, Tensor):
        return record(nodes[0], out, (a,))
    return record(nodes[1], out, (a, b), {"self": _saved_if(a, gives_edge(b)),
                                          "other": _saved_if(b, gives_edge(b))})


def remainder(self, other):
    from .._tensor import Tensor
    if not isinstance(self, Tensor):  # torch.remainder(7, x): no derivative
        _, b, out = integer_division(self, other, np.remainder, "remainder_cpu")
        return record_not_implemented("aten::remainder", out, (b,))
    return _modulo(self, other, np.remainder, "remainder_cpu",
                   (RemainderBackward0, RemainderBackward1))


def fmod(self, other):
    """The remainder with C's sign convention (the sign of ``self``), not Python's."""
    require_tensor(self)
    return _modulo(self, other, np.fmod, "fmod_cpu", (FmodBackward0, FmodBackward1))


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


def signbit(self):
    """Whether the sign bit is set: tells -0. from 0. (and -nan from nan)."""
    return new_tensor(np.signbit(self._data), _dtypes.bool_)


def equal(self, other):
    require_tensor(self)
    require_tensor(other)
    return self._data.shape == other._data.shape and bool(np.all(self._data == other._data))


def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """PyTorch's isclose(...).all(): one dtype, the shapes broadcast, and
    |self - other| <= atol + |rtol * other| computed in that dtype (bools as floats)."""
    require_tensor(self)
    require_tensor(other)
    if self._dtype is not other._dtype:
        raise RuntimeError(f"{self._dtype.c_name} did not match {other._dtype.c_name}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol:g}")
    broadcast_shape(self._data.shape, other._data.shape)
    a, b = self._data, other._data
    close = a == b
    if equal_nan:
        close |= np.isnan(a) & np.isnan(b)
    if rtol or atol:
        if self._dtype is _dtypes.bool_:
            a, b = (values(t, _dtypes.get_default_dtype()) for t in (self, other))
        tolerance_dtype = a.dtype if a.dtype.kind == "f" else _dtypes.get_default_dtype().numpy
        with np.errstate(all="ignore"):
            allowed = np.abs(b * np.asarray(rtol, tolerance_dtype)) + np.asarray(
                atol, tolerance_dtype)
            actual = np.abs(a - b).astype(tolerance_dtype)  # compared in the float dtype
            close = close | (np.isfinite(actual) & (actual <= allowed))
    return bool(np.all(close))


# -- more elementwise functions ------------------------------------------------

class Log1PBackward0(Node):
    """out = log(1 + self);  grad_self = grad / (self + 1)"""

    def apply(self, grad):
        from .formula_ops import add_scalar
        return grad / add_scalar(self.saved("self"), 1),


def log1p(self):
    return _unary(Log1PBackward0, _sleef.log1p, self, save_self=True)


class Expm1Backward0(Node):
    """out = exp(self) - 1;  grad_self = grad * (out + 1)"""

    def apply(self, grad):
        from .formula_ops import add_scalar
        return grad * add_scalar(self.saved("result"), 1),


def expm1(self):
    return _unary(Expm1Backward0, _sleef.expm1, self, save_result=True)


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
        cube = result.pow(3)  # C++ evaluates ``*``'s right side first
        return mul_scalar(grad, -0.5) * cube,


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
    """out = sgn(self) (sign, for real tensors);  grad_self = 0, as PyTorch's immutable
    "efficient zero tensor" (in-place changes to it, or to a .grad it became, refused).
    Unlike sign's, the formula (sgn_backward, written for complex tensors too) takes self
    and the result: both are saved and unpacked, so an in-place change to either since
    makes backward raise, as in PyTorch (abs's double backward goes through here)."""

    def apply(self, grad):
        self.saved("self"), self.saved("result")  # the version checks, self first
        zero, = super().apply(grad)
        zero._zero = True
        return zero,


def _sign_of(x):
    """PyTorch's sign kernel, ``(0 < x) - (x < 0)``: nan and -0. give 0. (numpy's sign
    gives nan and -0.); a bool is its own sign."""
    if x.dtype == np.bool_:
        return np.copy(x)
    return np.subtract(x > 0, x < 0, dtype=x.dtype)


def sign(self):
    return _unary(SignBackward0, _sign_of, self, keep_int=True)


def sgn(self):
    return _unary(SgnBackward0, _sign_of, self, save_self=True, save_result=True, keep_int=True)


def round(self, decimals=0):  # noqa: A001 - torch's name
    if decimals and not self._dtype.is_floating_point:
        raise not_implemented_for("round_cpu", self._dtype)
    _refuse_bool(self, "round_vml_cpu")
    node = RoundBackward1 if decimals else RoundBackward0
    return _unary(node, lambda x: np.round(x, decimals), self, keep_int=True)


def floor(self):
    _refuse_bool(self, "floor_vml_cpu")
    return _unary(FloorBackward0, np.floor, self, keep_int=True)


def ceil(self):
    _refuse_bool(self, "ceil_vml_cpu")
    return _unary(CeilBackward0, np.ceil, self, keep_int=True)


def trunc(self):
    _refuse_bool(self, "trunc_vml_cpu")
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


def _check_masked_fill_types(mask, value):
    """A guard before anything is used; the public wrapper words the refusal (_argparse)."""
    from .._tensor import Tensor
    if not isinstance(mask, Tensor) or not isinstance(value, Tensor | int | float | np.number):
        raise TypeError("masked_fill: bad argument types")


def _check_masked_fill_kernel(mask, value):
    """masked_fill_'s kernel checks: the value's dims, then the mask's dtype."""
    from .._tensor import Tensor
    if isinstance(value, Tensor) and value.dim():
        raise RuntimeError(msg.MASKED_FILL_VALUE_DIM.format(ndim=value.dim()))
    if mask._dtype is not _dtypes.bool_:
        raise RuntimeError(msg.MASKED_FILL_MASK.format(dtype=CPP_TYPE_NAMES[mask._dtype.name]))


def masked_fill_(self, mask, value):
    """In place, in PyTorch's order: argument types, the in-place autograd checks, the
    kernel's checks, then the shapes (``self`` first; the mask may not grow ``self``).
    Only the masked elements are written, so an expanded ``self`` is allowed, with
    PyTorch's deprecation warning, instead of the usual internal-overlap error."""
    from ._memory import YES, has_internal_overlap
    from .inplace import apply_inplace
    _check_masked_fill_types(mask, value)

    def kernel_checks(self, tensors):
        _check_masked_fill_kernel(mask, value)
        if has_internal_overlap(self._data) == YES:
            msg.warn_from_caller(msg.EXPANDED_WRITE_WARNING.format(
                op="masked_fill_", index="mask", value="scalar", line=2450))
        broadcast_shape(self._data.shape, mask._data.shape)
    try:
        region = np.broadcast_to(mask._data, self._data.shape)
    except ValueError:  # reported in PyTorch's words by the checks
        region = None
    return apply_inplace(self, masked_fill, mask, value, check_overlap=kernel_checks,
                         region=region)


def masked_fill(self, mask, value):
    """PyTorch's composite: a contiguous clone of self expanded with the mask (the shapes
    are checked first), then masked_fill_, which checks the value's dims, then the mask's
    dtype, and converts the value to self's dtype (checked)."""
    from .._tensor import Tensor
    _check_masked_fill_types(mask, value)
    broadcast_shape(mask._data.shape, self._data.shape)  # PyTorch's order (a is the mask)
    _check_masked_fill_kernel(mask, value)
    fill = checked_value(value.item() if isinstance(value, Tensor) else value, self._dtype)
    data = np.where(mask._data, fill, self._data).copy(order="C")
    if isinstance(value, Tensor):
        return record(MaskedFillBackward1, new_tensor(data, self._dtype), (self, value),
                      {"mask": mask})
    return record(MaskedFillBackward0, new_tensor(data, self._dtype), (self,), {"mask": mask})
