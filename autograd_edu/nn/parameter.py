"""``nn.Parameter``: a leaf tensor that a Module registers as trainable."""

from .._tensor import Tensor


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        param = Tensor._make.__func__(cls, data._data, data._dtype)
        param._requires_grad = requires_grad
        return param

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__
