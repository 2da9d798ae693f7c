"""Operations, grouped by family; this module attaches them to ``Tensor`` as
methods and operators, so ``x.exp()``, ``torch.exp(x)`` and ``x ** 2`` all
reach the same function."""

from .._tensor import Tensor
from . import arithmetic, copying, creation, indexing, inplace, linalg, pointwise, reductions, shape
from ._common import autograd_first, public
from .inplace import apply_inplace

_METHODS = {
    arithmetic: "add sub mul div pow neg reciprocal square rsub",
    pointwise: ("abs exp log sqrt sin cos tanh sigmoid relu clamp clamp_min clamp_max maximum "
                "minimum sgn sign eq ne lt le gt ge isnan signbit equal allclose logical_not "
                "floor_divide remainder fmod log1p expm1 log2 log10 tan atan rsqrt round floor "
                "ceil trunc masked_fill"),
    reductions: ("sum sum_to_size mean max min argmax argmin norm all any prod var std amax amin "
                 "cumsum cumprod logsumexp sort"),
    shape: ("view reshape flatten view_as reshape_as t transpose permute squeeze unsqueeze "
            "expand expand_as unbind narrow split chunk repeat flip"),
    indexing: "select gather index_select",
    linalg: "mm mv dot bmm matmul outer addmm",
    copying: "clone contiguous to type_as float double half long int bool",
    inplace: "zero_ fill_ copy_",
    creation: "normal_ uniform_",
}
# The ops users call (``Tensor.op``, and ``torch.op`` through PUBLIC) fail as PyTorch's do
# (see ``public``): arguments of the wrong type get PyTorch's parser's TypeError, and a
# stale view among the arguments reports its own error first, except for the ops whose
# arguments PyTorch checks before its autograd kernel runs (composite ops, ops without
# derivative; matmul connects stale views itself after its own check). The ops' modules
# keep the plain functions, for their internal calls.
_CHECKED_FIRST = set("eq ne lt le gt ge isnan signbit equal allclose logical_not argmax argmin "
                     "all any narrow chunk outer matmul reshape reshape_as flatten".split())
_FUNCTIONS = [*_METHODS.items(), (shape, "cat stack"), (pointwise, "where"),
              (creation, "zeros ones full arange linspace eye randn rand")]
PUBLIC = {name: public(getattr(module, name), name, stale_views=name not in _CHECKED_FIRST)
          for module, names in _FUNCTIONS for name in names.split()}
for module, names in _METHODS.items():
    for name in names.split():
        setattr(Tensor, name, public(getattr(module, name), name, method=True,
                                     stale_views=name not in _CHECKED_FIRST))

Tensor.T, Tensor.mT = shape.T, shape.mT
Tensor.ger = Tensor.outer
Tensor.multiply, Tensor.subtract, Tensor.divide, Tensor.true_divide = (
    Tensor.mul, Tensor.sub, Tensor.div, Tensor.div)
Tensor.absolute, Tensor.clip, Tensor.swapaxes = Tensor.abs, Tensor.clamp, Tensor.transpose
def _new_factory(fill):
    def new(self, *size, dtype=None, requires_grad=False, device=None):
        return creation.full(creation._size(size), fill, dtype=dtype or self._dtype,
                             requires_grad=requires_grad)
    return new


Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty = (
    _new_factory(0), _new_factory(1), _new_factory(0))
Tensor.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False, device=None: \
    creation.full(size, fill_value, dtype=dtype or self._dtype, requires_grad=requires_grad)
Tensor.new_tensor = lambda self, data, dtype=None, requires_grad=False, device=None: \
    creation.tensor(data, dtype=dtype or self._dtype, requires_grad=requires_grad)
Tensor.type = copying.type_method
Tensor.where = public(lambda self, condition, other: PUBLIC["where"](condition, self, other),
                      "where", method=True)


def _softmax_method(name):
    def method(self, dim, dtype=None):
        from ..nn import functional
        return getattr(functional, name)(self, dim, dtype)
    method.__name__ = name
    return method


Tensor.softmax, Tensor.log_softmax = (public(_softmax_method(name), name, method=True)
                                      for name in ("softmax", "log_softmax"))
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem

# Python operators. ``2 + x`` and ``2 * x`` are recorded as ``x + 2``, ``x * 2``.
_NOT_OPERANDS = (str, list, tuple, dict, type(None))


def _operator(method):
    """``x + "a"``: PyTorch's operators give NotImplemented for such operands, so Python
    raises its own "unsupported operand type(s)" TypeError."""
    def op(self, other):
        if isinstance(other, _NOT_OPERANDS):
            return NotImplemented
        return method(self, other)
    op.__name__ = method.__name__
    return op


Tensor.__add__ = Tensor.__radd__ = _operator(Tensor.add)
Tensor.__sub__ = _operator(Tensor.sub)
Tensor.__rsub__ = _operator(Tensor.rsub)
Tensor.__mul__ = Tensor.__rmul__ = _operator(Tensor.mul)
Tensor.__truediv__ = _operator(Tensor.div)
Tensor.__rtruediv__ = _operator(autograd_first(arithmetic.rtruediv))
Tensor.__floordiv__ = Tensor.floor_divide
Tensor.__rfloordiv__ = lambda self, other: Tensor.floor_divide(other, self)
Tensor.__mod__ = Tensor.remainder
Tensor.__rmod__ = lambda self, other: Tensor.remainder(other, self)
Tensor.__pow__ = Tensor.pow
Tensor.__rpow__ = autograd_first(arithmetic.rpow)
Tensor.__matmul__ = lambda self, other: (Tensor.matmul(self, other) if isinstance(other, Tensor)
                                         else NotImplemented)
Tensor.__rmatmul__ = linalg.rmatmul
Tensor.__neg__ = Tensor.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = Tensor.abs
Tensor.__eq__, Tensor.__ne__ = pointwise.eq, pointwise.ne
Tensor.__lt__, Tensor.__le__ = pointwise.lt, pointwise.le
Tensor.__gt__, Tensor.__ge__ = pointwise.gt, pointwise.ge
Tensor.__and__ = Tensor.__rand__ = pointwise.bitwise_and
Tensor.__or__ = Tensor.__ror__ = pointwise.bitwise_or
Tensor.__xor__ = Tensor.__rxor__ = pointwise.bitwise_xor
Tensor.__invert__ = pointwise.bitwise_not


def _inplace_method(op, name):
    def method(self, *args, **kwargs):
        return apply_inplace(self, op, *args, **kwargs)
    method.__name__ = name
    return public(method, name, method=True, stale_views=False)


# In-place variants: the out-of-place op, written back (see inplace.py).
for _name, _op in {"add_": arithmetic.add, "sub_": arithmetic.sub, "mul_": arithmetic.mul,
                   "div_": arithmetic.div, "pow_": arithmetic.pow, "neg_": arithmetic.neg,
                   "exp_": pointwise.exp, "log_": pointwise.log, "sqrt_": pointwise.sqrt,
                   "abs_": pointwise.abs, "sin_": pointwise.sin, "cos_": pointwise.cos,
                   "tanh_": pointwise.tanh, "sigmoid_": pointwise.sigmoid,
                   "relu_": pointwise.relu, "clamp_": pointwise.clamp,
                   "clamp_min_": pointwise.clamp_min, "clamp_max_": pointwise.clamp_max,
                   "reciprocal_": arithmetic.reciprocal, "remainder_": pointwise.remainder,
                   "fmod_": pointwise.fmod,
                   "floor_divide_": pointwise.floor_divide}.items():
    setattr(Tensor, _name, _inplace_method(_op, _name))
Tensor.masked_fill_ = public(pointwise.masked_fill_, "masked_fill_", method=True, stale_views=False)
Tensor.requires_grad_ = public(Tensor.requires_grad_, "requires_grad_", method=True,
                              stale_views=False)
Tensor.__iadd__, Tensor.__isub__ = Tensor.add_, Tensor.sub_
Tensor.__imul__, Tensor.__itruediv__ = Tensor.mul_, Tensor.div_
Tensor.__ipow__ = Tensor.pow_
Tensor.__imod__, Tensor.__ifloordiv__ = Tensor.remainder_, Tensor.floor_divide_
