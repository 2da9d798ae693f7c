"""Copies and dtype conversions: clone, contiguous, to/float/double/long."""

import numpy as np

from .. import _dtypes
from .._ieee import cast
from ..autograd.graph import Node
from ._common import new_tensor, record
from ._memory import copy_in_torch_layout


class CloneBackward0(Node):
    """out = a copy of self;  grad_self = grad"""

    def apply(self, grad):
        return grad,


def clone(self, *, memory_format=None):
    """A copy. Like PyTorch's default (``preserve_format``) it keeps the memory
    layout of a dense input (a transposed tensor's clone is still transposed),
    which later decides whether ``view``/``reshape`` can avoid a copy."""
    if memory_format == "contiguous":
        data = np.array(self._data, order="C", copy=True)
    else:
        data = copy_in_torch_layout(self._data)
    return record(CloneBackward0, new_tensor(data, self._dtype), (self,))


def contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else clone(self, memory_format="contiguous")


class ToCopyBackward0(Node):
    """out = self converted to another dtype;  grad_self = grad converted back"""

    def apply(self, grad):
        return grad.to(self.saved("self_dtype")),


def _dtype_arg(args, kwargs):
    for a in list(args) + [kwargs.get("dtype")]:
        if isinstance(a, _dtypes.dtype):
            return a
        if hasattr(a, "_dtype"):  # x.to(other_tensor)
            return a._dtype
    return None


def to(self, *args, copy=False, **kwargs):
    dtype = _dtype_arg(args, kwargs)
    if dtype is None or (dtype is self._dtype and not copy):
        return self  # devices other than the CPU do not exist here
    out = new_tensor(cast(self._data, dtype.numpy), dtype)
    if not dtype.is_floating_point:
        return out
    return record(ToCopyBackward0, out, (self,), {"self_dtype": self._dtype})


def type_method(self, dtype=None, non_blocking=False):
    """``x.type()`` names the tensor type; ``x.type(dtype)`` converts."""
    if dtype is None:
        return self._dtype.tensor_type
    return to(self, dtype)


def type_as(self, other):
    return to(self, other._dtype)


def float(self):  # noqa: A001 - torch's names
    return to(self, _dtypes.float32)


def double(self):
    return to(self, _dtypes.float64)


def half(self):
    return to(self, _dtypes.float16)


def long(self):
    return to(self, _dtypes.int64)


def int(self):  # noqa: A001
    return to(self, _dtypes.int32)


def bool(self):  # noqa: A001
    return to(self, _dtypes.bool_)


def copy_with_history(grad):
    """What AccumulateGrad stores the first time when the gradient has history:
    PyTorch copies it into a new tensor with ``copy_`` (so ``CopyBackwards``)."""
    from .inplace import CopyBackwards
    out = new_tensor(np.array(grad._data), grad._dtype)
    return record(CopyBackwards, out, (None, grad))
