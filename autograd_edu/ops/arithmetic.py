"""+ - * / ** and negation: each forward beside its derivative.

Formulas follow ``tools/autograd/derivatives.yaml``. A derivative may return
a gradient of the broadcast shape: the engine sums it back to each input's
shape. Derivatives are written with tensor operations, so with
``create_graph=True`` they are recorded too (higher-order gradients).
"""

import math

import numpy as np

from .. import _messages as msg
from .._fma import fma
from .._ieee import silent
from .._tensor import Tensor
from ..autograd.graph import Node
from ._common import gives_edge, new_tensor, not_implemented_for, promote, record, values
from ._memory import empty_in_iterator_order


def _binary(a, b):
    (a, b), dtype = promote(a, b)
    return a, b, dtype


def out_like(a, b, dtype, *more):
    """Where PyTorch's TensorIterator writes a new result: all inputs C-contiguous, a
    C-contiguous result (numpy's own choice, None here); otherwise the dims ordered by the
    inputs' strides, broadcast dims telling nothing, the first input that tells two dims
    apart deciding (``iterator_order``). The layout decides later whether ``reshape``
    views or copies, and what ``stride()`` says."""
    if a._data.flags.c_contiguous and b._data.flags.c_contiguous and not more:
        return None  # the common case, first and cheap
    arrays = [a._data, b._data, *(t._data for t in more)]
    if all(x.flags.c_contiguous for x in arrays):
        return None
    shape = np.broadcast_shapes(*(x.shape for x in arrays))
    if len(shape) < 2:
        return None
    operands = []
    for x in arrays:
        lead = len(shape) - x.ndim
        operands.append([0] * lead + [0 if n == 1 and shape[lead + i] != 1 else s
                                      for i, (n, s) in enumerate(zip(x.shape, x.strides,
                                                                     strict=True))])
    return empty_in_iterator_order(shape, operands, dtype.numpy)


def in_iterator_layout(data, dtype, a, b, *more):
    """``data`` (computed by numpy from ``a``, ``b``...) laid out as ``out_like`` says."""
    like = out_like(a, b, dtype, *more)
    if like is None:
        return data
    like[...] = data
    return like


def _saved_if(tensor, condition):
    return tensor if condition else None


class AddBackward0(Node):
    """out = self + alpha * other;  grad_self = grad,  grad_other = alpha * grad"""

    def apply(self, grad):
        alpha = self.saved("alpha")
        if alpha == 1:
            return grad, grad
        from .formula_ops import mul_scalar
        return grad, mul_scalar(grad, alpha)


def _plus_scaled(a, b, alpha, dtype, sign=1, out=None):
    """a + sign * alpha * b. PyTorch's CPU kernels fuse the multiply-add (one rounding;
    alpha is cast to the dtype first): SGD's ``p.add_(g, alpha=-lr)`` needs those bits."""
    if alpha == 1:
        return np.add(a, b, out=out) if sign == 1 else np.subtract(a, b, out=out)
    if not dtype.is_floating_point:
        return a + sign * alpha * b
    scale = np.asarray(sign * alpha, dtype.numpy)
    exact = np.asarray(fma(b, scale, a, dtype.numpy))  # (0-d: numpy gives a scalar)
    return exact if out is None else np.copyto(out, exact) or out


def _is_bool(v):
    return isinstance(v, bool | np.bool_) or (isinstance(v, Tensor) and v._dtype.name == "bool")


def _check_sub(self, other):
    """PyTorch's sub_check, before the shapes are looked at (a Python bool is a bool tensor)."""
    if _is_bool(self) and _is_bool(other):
        raise RuntimeError(msg.SUB_TWO_BOOLS)
    if _is_bool(self) or _is_bool(other):
        raise RuntimeError(msg.SUB_BOOL)


def _check_alpha(dtype, alpha):
    """PyTorch's alpha_check on the result dtype."""
    if _is_bool(alpha) and dtype.name != "bool":
        raise RuntimeError(msg.ALPHA_BOOL)
    if not dtype.is_floating_point and not isinstance(alpha, int | bool | np.integer | np.bool_):
        raise RuntimeError(msg.ALPHA_FLOAT_FOR_INTEGERS)


@silent
def add(self, other, *, alpha=1):
    a, b, dtype = _binary(self, other)
    _check_alpha(dtype, alpha)
    out = new_tensor(_plus_scaled(values(a, dtype), values(b, dtype), alpha, dtype,
                                  out=out_like(a, b, dtype)), dtype)
    return record(AddBackward0, out, (a, b), {"alpha": alpha})


class SubBackward0(Node):
    """out = self - alpha * other;  grad_self = grad,  grad_other = -alpha * grad"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        alpha = self.saved("alpha")
        return grad, (-grad if alpha == 1 else mul_scalar(-grad, alpha))


@silent
def sub(self, other, *, alpha=1):
    _check_sub(self, other)
    a, b, dtype = _binary(self, other)
    _check_alpha(dtype, alpha)
    out = new_tensor(_plus_scaled(values(a, dtype), values(b, dtype), alpha, dtype, -1,
                                  out=out_like(a, b, dtype)), dtype)
    return record(SubBackward0, out, (a, b), {"alpha": alpha})


class RsubBackward0(Node):
    """out = other - alpha * self (both tensors);  grad_self = -alpha * grad,  grad_other = grad"""

    def apply(self, grad):
        from .formula_ops import mul_scalar
        alpha = self.saved("alpha")
        return (-grad if alpha == 1 else mul_scalar(-grad, alpha)), grad


class RsubBackward1(Node):
    """out = other - alpha * self  (``2 - x``);  grad_self = -alpha * grad"""

    def apply(self, grad):
        return RsubBackward0.apply(self, grad)[:1]


@silent
def rsub(self, other, *, alpha=1):
    """other - alpha * self: PyTorch's sub(other, self, alpha), fused as sub's kernel is."""
    _check_sub(other, self)
    a, b, dtype = _binary(self, other)
    _check_alpha(dtype, alpha)
    out = new_tensor(_plus_scaled(values(b, dtype), values(a, dtype), alpha, dtype, -1,
                                  out=out_like(b, a, dtype)), dtype)
    if b._wrapped_number or not isinstance(other, Tensor):
        return record(RsubBackward1, out, (a,), {"alpha": alpha})
    return record(RsubBackward0, out, (a, b), {"alpha": alpha})


class MulBackward0(Node):
    """out = self * other;  grad_self = grad * other,  grad_other = grad * self"""

    def apply(self, grad):
        # other's gradient first: PyTorch's generated nodes compute their inputs' gradients in
        # the alphabetical order of derivatives.yaml's keys ("other" < "self"), and the order
        # the formulas' nodes are made in is the order a later backward through them runs in
        grad_other = grad * self.saved("self") if self.needs_input_grad(1) else None
        return grad * self.saved("other") if self.needs_input_grad(0) else None, grad_other


def with_zero_tensors(out, a, b, divide=False):
    """PyTorch's ZeroTensor kernels (mul_zerotensor, div_zerotensor): when an operand is an
    immutable zero tensor (sgn's gradient), a product is a zero tensor and so is 0 / x,
    while x / 0 is +inf and 0 / 0 nan, whatever the values and their signs."""
    if not (a._zero or b._zero):
        return out
    if divide and b._zero:
        out._data[...] = np.nan if a._zero else np.inf
    else:
        out._data[...] = 0
        out._zero = True
    return out


@silent
def mul(self, other):
    a, b, dtype = _binary(self, other)
    out = new_tensor(np.multiply(values(a, dtype), values(b, dtype), out=out_like(a, b, dtype)),
                     dtype)
    out = with_zero_tensors(out, a, b)
    # each factor is saved only if the *other* one needs a gradient
    return record(MulBackward0, out, (a, b),
                  {"self": _saved_if(a, gives_edge(b)), "other": _saved_if(b, gives_edge(a))})


class DivBackward0(Node):
    """out = self / other;  grad_self = grad / other,  grad_other = -grad * self / other²"""

    def apply(self, grad):
        # saved for both formulas, so PyTorch saves and unpacks ``other`` unconditionally:
        # a second backward fails even when no input needs a gradient
        other = self.saved("other")
        grad_other = None  # first (see MulBackward0); C++ evaluates ``*``'s right side first
        if self.needs_input_grad(1):
            ratio = (self.saved("self") / other) / other
            grad_other = -grad * ratio
        return grad / other if self.needs_input_grad(0) else None, grad_other


class DivBackward2(DivBackward0):
    """out = self / other, rounded (``rounding_mode`` "trunc" or "floor") or not (None);
    a rounded quotient has zero gradients"""

    def apply(self, grad):
        if self.saved("rounding_mode") is None:
            return super().apply(grad)
        from .creation import zeros_like
        return tuple(zeros_like(grad) if self.needs_input_grad(i) else None for i in (0, 1))


_UNSET = object()  # div(..., rounding_mode=None) is another overload than div(...)


def _trunc(x, y):
    """C's truncating division: integers as integers (numpy's // floors)."""
    if x.dtype.kind == "f":
        return np.trunc(np.divide(x, y))
    q = np.floor_divide(x, y)
    return q + ((q < 0) & (q * y != x))


@silent
def div(self, other, *, rounding_mode=_UNSET):
    a, b, dtype = _binary(self, other)
    if rounding_mode not in (_UNSET, None, "trunc", "floor"):
        raise RuntimeError(msg.DIV_ROUNDING_MODE.format(mode=rounding_mode))
    if rounding_mode in ("trunc", "floor"):
        from .pointwise import integer_division
        kernel = np.floor_divide if rounding_mode == "floor" else _trunc
        a, b, out = integer_division(a, b, kernel, f"div_{rounding_mode}_cpu")
    else:
        if not dtype.is_floating_point:
            from .. import _dtypes
            dtype = _dtypes.get_default_dtype()  # true division of integers gives floats
        out = with_zero_tensors(new_tensor(np.divide(values(a, dtype), values(b, dtype),
                                                     out=out_like(a, b, dtype)), dtype),
                                a, b, divide=True)
    save = {"self": _saved_if(a, gives_edge(b)), "other": _saved_if(b, True)}
    if rounding_mode is _UNSET:
        return record(DivBackward0, out, (a, b), save)
    return record(DivBackward2, out, (a, b), {**save, "rounding_mode": rounding_mode})


class ReciprocalBackward0(Node):
    """out = 1 / self;  grad_self = -grad * out²"""

    def apply(self, grad):
        result = self.saved("result")
        square = result * result  # C++ evaluates ``*``'s right side first
        return -grad * square,


@silent
def reciprocal(self):
    from .. import _dtypes
    dtype = self._dtype if self._dtype.is_floating_point else _dtypes.get_default_dtype()
    out = new_tensor(np.reciprocal(values(self, dtype)), dtype)
    return record(ReciprocalBackward0, out, (self,), save_output="result")


@silent
def rtruediv(self, other):
    """``2 / x`` is recorded by PyTorch as ``x.reciprocal() * 2``."""
    return mul(reciprocal(self), other)


class NegBackward0(Node):
    """out = -self;  grad_self = -grad"""

    def apply(self, grad):
        return -grad,


def neg(self):
    if self._dtype.name == "bool":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return record(NegBackward0, new_tensor(np.negative(self._data), self._dtype), (self,))


class PowBackward0(Node):
    """out = self ** exponent (a number);  grad_self = grad * exponent * self ** (exponent - 1)"""

    def apply(self, grad):
        exponent = self.saved("exponent")
        if exponent == 0:
            from .creation import zeros_like
            return zeros_like(grad),
        from .formula_ops import mul_scalar
        return grad * mul_scalar(pow(self.saved("self"), exponent - 1), exponent),


class PowBackward1(Node):
    """out = self ** exponent (both tensors);
    grad_self = grad * exponent * self ** (exponent - 1),  grad_exponent = grad * out * log(self)"""

    def apply(self, grad):
        from .pointwise import where
        base, exponent = self.saved("self"), self.saved("exponent")
        grad_self = grad_exponent = None
        if self.needs_input_grad(1):  # first: "exponent" < "self" (see MulBackward0)
            grad_exponent = _pow_exponent_grad(grad, base, exponent, self.saved("result"))
        if self.needs_input_grad(0):
            from .formula_ops import sub_scalar
            grad_self = where(exponent == 0.0, 0.0,
                              grad * (exponent * pow(base, sub_scalar(exponent, 1))))
        return grad_self, grad_exponent


class PowBackward2(Node):
    """out = self ** exponent with ``self`` a number (``2 ** x``);
    grad_exponent = grad * out * log(self)"""

    def apply(self, grad):
        # PyTorch unpacks (and version-checks) ``exponent`` before ``result``
        base, exponent, result = self.saved("self"), self.saved("exponent"), self.saved("result")
        if base == 0:
            from .pointwise import where
            return grad * where(exponent >= 0, 0.0, result * -math.inf),
        from .formula_ops import mul_scalar
        return grad * mul_scalar(result, math.log(base)),  # log of the number, in double


def _pow_exponent_grad(grad, base, exponent, result):
    from .pointwise import log, where
    # 0 ** e has derivative 0 in e for e >= 0 (PyTorch's convention, avoids 0 * -inf)
    return grad * where((base == 0.0) & (exponent >= 0), 0.0, result * log(base))


@silent
def pow(self, exponent):  # noqa: A001 - torch's name
    from .._tensor import Tensor
    if not isinstance(self, Tensor):  # torch.pow(2, x)
        return rpow(exponent, self)
    if isinstance(exponent, Tensor) and not exponent._wrapped_number:
        a, b, dtype = _binary(self, exponent)
        if dtype.name == "bool":
            raise not_implemented_for("pow", dtype)
        out = new_tensor(_power(values(a, dtype), values(b, dtype)), dtype)
        return record(PowBackward1, out, (a, b), {"self": a, "exponent": b},
                      save_output="result")
    a, b, dtype = _binary(self, exponent)
    if not dtype.is_floating_point and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    out = new_tensor(_power_scalar(values(self, dtype), exponent, dtype), dtype)
    return record(PowBackward0, out, (self,), {"self": self, "exponent": exponent})


def _power_scalar(x, exponent, dtype):
    """PyTorch computes x**2 as x*x, x**3 as x*x*x, x**0.5 as sqrt, x**-1 as 1/x."""
    if exponent == 2:
        return x * x
    if exponent == 3:
        return x * x * x
    if exponent == 0.5:
        return np.sqrt(x)
    if exponent == -1:
        return np.asarray(1, dtype.numpy) / x
    if exponent == -2:
        return np.asarray(1, dtype.numpy) / (x * x)
    if exponent == -0.5:
        return np.asarray(1, dtype.numpy) / np.sqrt(x)
    return _power(x, np.asarray(exponent, dtype.numpy))


def _power(x, exponent):
    """``x ** exponent`` elementwise. A float32 power is computed in double and rounded
    once, as the C library's ``powf`` (which PyTorch calls) does; numpy's own float32
    power is less accurate on some CPUs (AVX512 builds use SVML)."""
    if x.dtype == np.float32:
        return np.power(x.astype(np.float64), np.asarray(exponent, np.float64)).astype(np.float32)
    if x.dtype.kind == "i" and np.any(exponent < 0):
        # PyTorch's powi: a negative exponent gives 1 for 1, ±1 for -1, and 0 otherwise
        negative = exponent < 0
        power = np.power(x, np.where(negative, 0, exponent))
        reciprocal = np.where(x == 1, 1, np.where(x == -1, np.where(exponent % 2, -1, 1), 0))
        return np.where(negative, reciprocal, power).astype(x.dtype)
    return np.power(x, exponent)


@silent
def rpow(self, base):
    """``base ** self`` with ``base`` a number."""
    b, e, dtype = _binary(base, self)
    # PyTorch writes number ** tensor contiguously
    out = new_tensor(np.asarray(_power(values(b, dtype), values(e, dtype)), order="C"), dtype)
    return record(PowBackward2, out, (e,), {"self": base, "exponent": e}, save_output="result")


def square(self):
    return pow(self, 2)
