"""Data types (``torch.float32`` ...) and PyTorch's type-promotion rules.

numpy's promotion differs from PyTorch's (``int64 + float32`` is ``float64`` in
numpy, ``float32`` in torch; a 0-d tensor or a Python number does not widen a
tensor of the same category), so the rules are written out here once.
"""

import numpy as np


class dtype:  # noqa: N801 - torch's spelling
    """One element type. ``repr`` is torch's (``torch.float32``)."""

    __slots__ = ("name", "numpy", "is_floating_point", "tensor_type", "_rank")

    def __init__(self, name, numpy_type, is_floating_point, tensor_type, rank):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.is_floating_point = is_floating_point
        self.tensor_type = tensor_type  # "torch.FloatTensor", used in error messages
        self._rank = rank  # (category, size): bool < ints < floats, then by width

    @property
    def c_name(self):
        """PyTorch's C++ scalar type name: Float, Double, Long..."""
        return self.tensor_type[len("torch."):-len("Tensor")]

    @property
    def itemsize(self):
        return self.numpy.itemsize

    @property
    def is_signed(self):
        return self.name != "bool" and self.name != "uint8"

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


bool_ = dtype("bool", np.bool_, False, "torch.BoolTensor", (0, 1))
uint8 = dtype("uint8", np.uint8, False, "torch.ByteTensor", (1, 1))
int8 = dtype("int8", np.int8, False, "torch.CharTensor", (1, 1))
int16 = dtype("int16", np.int16, False, "torch.ShortTensor", (1, 2))
int32 = dtype("int32", np.int32, False, "torch.IntTensor", (1, 4))
int64 = dtype("int64", np.int64, False, "torch.LongTensor", (1, 8))
float16 = dtype("float16", np.float16, True, "torch.HalfTensor", (2, 2))
float32 = dtype("float32", np.float32, True, "torch.FloatTensor", (2, 4))
float64 = dtype("float64", np.float64, True, "torch.DoubleTensor", (2, 8))

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.numpy: d for d in ALL}

_default_float = [float32]


def get_default_dtype():
    return _default_float[0]


def set_default_dtype(d):
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float[0] = d


def from_numpy_dtype(np_dtype):
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only "
                        "supported types are: float64, float32, float16, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


def promote_types(a, b):
    """torch.promote_types for real dtypes."""
    if a is b:
        return a
    if a._rank[0] != b._rank[0]:
        return a if a._rank[0] > b._rank[0] else b
    if a._rank[0] == 1 and {a.name, b.name} == {"uint8", "int8"}:
        return int16
    return a if a._rank[1] >= b._rank[1] else b


def scalar_dtype(value):
    """The dtype a Python number takes when it becomes a tensor."""
    if isinstance(value, bool | np.bool_):
        return bool_
    if isinstance(value, int | np.integer):
        return int64
    return get_default_dtype()


def result_type(*operands):
    """torch.result_type: tensors with dims outrank 0-d tensors, which outrank
    Python numbers; a lower group only matters when it is of a higher category
    (bool < integer < floating)."""
    groups = [None, None, None]  # dimensioned tensors, 0-d tensors, Python numbers
    for op in operands:
        if hasattr(op, "_dtype"):
            slot, d = (0 if op._data.ndim else 1), op._dtype
        else:
            slot, d = 2, scalar_dtype(op)
        groups[slot] = d if groups[slot] is None else promote_types(groups[slot], d)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool_ or lower._rank[0] > higher._rank[0]:
        return promote_types(higher, lower)
    return higher
