"""What every op module shares: turning arguments into tensors, dtype
promotion, broadcasting checks, and recording a node for a result."""

import functools

import numpy as np

from .. import _argparse, _dtypes
from .. import _messages as msg
from .._grad_mode import is_grad_enabled
from .._ieee import cast
from .._tensor import Tensor
from ..autograd.graph import Node, SavedTensor, connect


def int_arg(value, first=True):
    """``value`` where PyTorch's parser wants an int (an ``int`` parameter, an element of
    a list of ints): numpy ints and 0-d integer tensors are converted; a bool, a float,
    None... are refused with a plain TypeError, which the public wrapper words as the
    parser does (``_argparse``). The parser checks only a list's first element's type,
    so later elements (``first=False``) may be bools."""
    if type(value) is int:
        return value
    if _argparse._is_int(value) or (not first and type(value) is bool):
        return int(value)
    raise TypeError("expected an int")


def bool_arg(value):
    """``value`` where PyTorch's parser wants a bool (``keepdim``): a Python bool only."""
    if value is not True and value is not False:
        raise TypeError("expected a bool")
    return value


def int_list(values):
    """A list of ints as PyTorch's parser converts it (see ``int_arg``), as a tuple."""
    return tuple(int_arg(v, not i) for i, v in enumerate(values))


def wrap_dim(dim, ndim):
    """A possibly negative dim as an index (torch's maybe_wrap_dim, with its error)."""
    if type(dim) is not int:
        dim = int_arg(dim)
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(msg.DIM_OUT_OF_RANGE.format(lo=lo, hi=hi, dim=dim))
    return dim % ndim if ndim else 0


def np_axis(dims, ndim):
    """The numpy ``axis`` for reducing ``dims``: a 0-d tensor accepts dim 0 or -1
    in PyTorch (the reduction is then the identity), numpy wants no axis."""
    return dims if ndim else None


def wrap_dims(dims, ndim):
    """Each dim wrapped, in order; a dim given twice is refused as PyTorch's
    dim_list_to_bitset refuses it (checked dim by dim, so an out-of-range dim
    before the repetition is reported first). On a 0-d tensor 0 and -1 are one dim."""
    if type(dims) not in (tuple, list):
        dims = (dims,)
    wrapped = []
    for i, d in enumerate(dims):
        d = wrap_dim(d if type(d) is int else int_arg(d, not i), ndim)
        if d in wrapped:
            raise RuntimeError(msg.DIM_REPEATED.format(dim=d))
        wrapped.append(d)
    return tuple(wrapped)


def reduced_dims(dim, ndim, keepdim=False):
    """The dims a reduction such as ``sum`` reduces: None or an empty list means all
    (and its ``keepdim`` checked to be a bool)."""
    bool_arg(keepdim)
    return (dim is not None and wrap_dims(dim, ndim)) or tuple(range(ndim))


def scalar_tensor(value):
    """A Python number as a 0-d tensor, flagged so type promotion treats it as a number."""
    d = _dtypes.scalar_dtype(value)
    if d.is_floating_point:
        d = _dtypes.float64  # PyTorch keeps a Python float as a double "wrapped number"
    t = Tensor._make(np.asarray(value, dtype=d.numpy), d)
    t._wrapped_number = True
    return t


def as_tensor_arg(value):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, int | float | bool | np.number | np.bool_):
        return scalar_tensor(value)
    raise TypeError(f"expected Tensor as element 1 in argument 0, but got {type(value).__name__}")


def require_tensor(value):
    """A guard before an op uses a Tensor-only argument (numbers are refused too); the
    public wrapper words the refusal as PyTorch's parser does (_argparse)."""
    if not isinstance(value, Tensor):
        raise TypeError("expected a Tensor")


_NUMBER_TYPES = (int, float, bool)
# C++ type names as PyTorch prints a dtype's TypeMeta in some errors
CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
                  "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                  "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}
_CPP_TYPES = {"float32": "float", "float64": "double", "int64": "int64_t", "int32": "int32_t",
              "int16": "int16_t", "int8": "int8_t", "uint8": "uint8_t"}


def checked_value(value, dtype):
    """A number converted to ``dtype`` as PyTorch's Scalar::to (checked_convert) does when
    it fills a tensor: out of the dtype's range is an error (nan and inf for integers,
    a negative float for unsigned; a negative int wraps into unsigned)."""
    kind = dtype.numpy.kind
    if kind == "b" or dtype.name not in _CPP_TYPES:  # half types saturate to inf unchecked
        with np.errstate(over="ignore"):
            return np.asarray(value).astype(dtype.numpy)
    if kind == "f":
        ok = dtype.name == "float64" or not np.isfinite(value) or abs(value) <= float(
            np.finfo(np.float32).max)
    else:
        info = np.iinfo(dtype.numpy)
        ok = bool(np.isfinite(value)) and value <= info.max and (
            value >= info.min or (kind == "u" and not isinstance(value, float)
                                  and -value <= info.max))
    if not ok:
        raise RuntimeError(msg.VALUE_OVERFLOW.format(type=_CPP_TYPES[dtype.name]))
    return np.asarray(value if kind == "f" else int(value)).astype(dtype.numpy)


def promote(*operands, elementwise=True):
    """(tensors, result dtype) for an op on tensors and/or numbers; an
    elementwise op also checks that the shapes broadcast (PyTorch's message)."""
    if len(operands) == 2 and elementwise:  # fast paths for the common cases (same answer as below)
        a, b = operands
        if type(a) is Tensor and not a._wrapped_number:
            if type(b) is Tensor and b._dtype is a._dtype and not b._wrapped_number:
                if a._data.shape != b._data.shape:
                    broadcast_shape(a._data.shape, b._data.shape)
                return operands, a._dtype
            if a._dtype.is_floating_point:
                # a float tensor with a number (or a number saved by an earlier op) keeps
                # its own dtype: numbers never widen a tensor of the same category
                if type(b) in _NUMBER_TYPES and type(b) is not bool:
                    return (a, scalar_tensor(b)), a._dtype
                if type(b) is Tensor and b._wrapped_number and b._dtype is not _dtypes.bool_:
                    return operands, a._dtype
    dtype = _dtypes.result_type(*(op.item() if getattr(op, "_wrapped_number", False) else op
                                  for op in operands))
    tensors = tuple(as_tensor_arg(op) for op in operands)
    shapes = [t._data.shape for t in tensors]
    if elementwise and any(s != shapes[0] for s in shapes):
        broadcast_shape(*shapes)
    return tensors, dtype


def values(t, dtype):
    """The numpy values of ``t`` as ``dtype``."""
    return t._data if t._dtype is dtype else cast(t._data, dtype.numpy)


def broadcast_shape(*shapes):
    """The broadcast of ``shapes``, raising PyTorch's message when they clash
    (PyTorch's infer_size: pairwise, scanning from the last dim)."""
    result = tuple(shapes[0])
    for shape in shapes[1:]:
        ndim = max(len(result), len(shape))
        out = [0] * ndim
        for i in range(ndim - 1, -1, -1):
            offset = ndim - 1 - i
            a = result[len(result) - 1 - offset] if offset < len(result) else 1
            b = shape[len(shape) - 1 - offset] if offset < len(shape) else 1
            if a != b and a != 1 and b != 1:
                raise RuntimeError(msg.BROADCAST.format(a=a, b=b, dim=i))
            out[i] = b if a == 1 else a
        result = tuple(out)
    return result


def gives_edge(t):
    """Whether a node made now gets an edge to input ``t`` (PyTorch saves what only one
    input's gradient uses when ``should_compute_output`` says that gradient is needed): a
    view made under no_grad of a tensor that requires grad requires grad but gives none
    (a view whose base was modified since has its history remade, or refused, on use)."""
    return t.requires_grad and (t._grad_fn is not None or t._requires_grad
                                or t._view_version != t._version_counter.version)


def needs_recording(*inputs):
    if not is_grad_enabled():
        return False
    for t in inputs:
        if t is not None and (t._requires_grad or t._grad_fn is not None
                              or (t._base is not None and t._base.requires_grad)):
            return True
    return False


def connect_stale_views(tensors):
    """PyTorch's autograd kernel of an op connects its node to the inputs' ``grad_fn``
    before the op checks its arguments; a view whose base was modified in place since
    its history was set has it remade then, or refused with the view's own error. Only
    such stale views need work here (the others are connected by ``record``)."""
    for t in tensors:
        if t._base is not None and t._view_version != t._version_counter.version:
            t.grad_fn  # noqa: B018 - remade, or raises the view's error


def public(fn, name=None, method=False, stale_views=True):
    """``fn`` as users call it (``torch.name`` or, with ``method``, ``Tensor.name``), with
    PyTorch's order of errors, at no cost while ``fn`` succeeds. When it fails:

    - arguments PyTorch's parser refuses get its TypeError (see ``_argparse``);
    - then (``stale_views``) a stale view among the tensor arguments (or in a list of
      them) reports its own error first: PyTorch's autograd kernel connects the inputs
      before the op checks them (see ``connect_stale_views``)."""
    @functools.wraps(fn)
    def op(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            refused = name and _argparse.refusal(name, args[1:] if method else args, kwargs,
                                                 method)
            if refused:
                raise refused from None
            if (not stale_views or not isinstance(error, RuntimeError | IndexError)
                    or getattr(error, "before_inputs", False)):  # check_inplace's refusal
                raise
            tensors = [t for a in (*args, *kwargs.values())
                       for t in (a if type(a) in (list, tuple) else (a,)) if isinstance(t, Tensor)]
            if needs_recording(*tensors):
                try:
                    connect_stale_views(tensors)
                except RuntimeError as view_error:
                    raise view_error from None
            raise
    return op


def autograd_first(fn):
    """``fn`` with only the stale-view order of errors (see ``public``)."""
    return public(fn)


class NotImplementedBackward(Node):
    """The node PyTorch records for an op without a derivative (its
    autogradNotImplementedFallback): connected to the inputs that require grad only,
    in order; a backward through it fails."""

    def __init__(self, op):
        super().__init__()
        self._op = op

    def name(self):
        return "torch::autograd::NotImplemented"

    def __repr__(self):
        return f"<NotImplemented object at {id(self):#x}>"

    def _repr_pretty_(self, printer, cycle):
        printer.text(f"<NotImplemented at {id(self):#x}>")

    def apply(self, *grads):
        raise RuntimeError(msg.DERIVATIVE_NOT_IMPLEMENTED.format(op=self._op))


def record_not_implemented(op, out, inputs):
    """``out`` of the op ``op`` ("aten::floor_divide"), which has no derivative."""
    return record(functools.partial(NotImplementedBackward, op), out,
                  [t for t in inputs if isinstance(t, Tensor) and t.requires_grad])


def not_implemented_for(kernel, dtype):
    """PyTorch's error for a dtype its kernel was not compiled for."""
    return NotImplementedError(msg.KERNEL_DTYPE.format(kernel=kernel, dtype=dtype.c_name))


def record(node_cls, out, inputs, save=None, save_output=None):
    """Attach a new ``node_cls`` node to ``out`` (a Tensor or tuple of them) if
    any input requires grad and grad mode is on. ``save`` maps names to values
    the derivative needs (tensors are saved with their version, as are the tensors
    of a list or tuple, e.g. index tensors with None for slices; other values as
    they are); ``save_output`` names the output when the derivative uses it.
    Returns ``out``."""
    if not needs_recording(*inputs):
        return out
    outputs = out if type(out) is tuple else (out,)
    for t in outputs:  # e.g. x.sum(dtype=torch.int64) of an x that requires grad
        if not t._dtype.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {t._dtype.c_name}")
    node = node_cls()
    connect(node, inputs, outputs)
    saved = {}
    if save:
        for name, value in save.items():
            if isinstance(value, list | tuple) and any(isinstance(v, Tensor) for v in value):
                value = tuple(v if v is None else SavedTensor(v) for v in value)
            saved[name] = SavedTensor(value) if isinstance(value, Tensor) else value
    if save_output is not None:
        saved[save_output] = SavedTensor(outputs[0], is_output=True)
    node._saved = saved
    return out


def new_tensor(data, dtype):
    """Wrap a numpy result as a tensor of ``dtype`` (numpy may hand back a scalar)."""
    if not isinstance(data, np.ndarray):
        data = np.asarray(data)
    if data.dtype != dtype.numpy:
        data = cast(data, dtype.numpy)
    return Tensor._make(data, dtype)


def bump_version(t):
    """``t`` at one version more: a derivative that PyTorch computes with an in-place op
    (``zeros(...).scatter_(...)``) returns a tensor whose ``_version`` shows it."""
    t._version_counter.version += 1
    return t
