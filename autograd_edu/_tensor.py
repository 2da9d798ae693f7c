"""The Tensor: a numpy array plus what autograd needs to know about it.

- ``_data``: the values (a numpy array; views share memory with their base);
- ``_version_counter``: bumped by every in-place change, shared by views and
  ``detach()`` (not by ``.data``), checked by saved tensors at backward time;
- ``_grad_fn`` / ``_output_nr``: the node that made this tensor (None for a
  leaf) and which of its outputs this is;
- ``_requires_grad`` (leaves only), ``_grad``, ``_retains_grad``, hooks.

Operations (``+``, ``exp``, ``sum``...) live in ``ops/`` and are attached as
methods in ``ops/__init__.py``; this module holds the autograd-facing API.
"""

import warnings
import weakref

import numpy as np

from . import _dtypes, _grad_mode, _printing
from . import _messages as msg
from .utils.hooks import HookDict


class VersionCounter:
    """How many in-place changes the shared storage has seen."""

    __slots__ = ("version",)

    def __init__(self):
        self.version = 0


class Size(tuple):
    """``torch.Size([2, 3])``: a tuple of ints with torch's repr."""

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


# How a view was made (PyTorch's CreationMeta). Only DEFAULT views may be modified in place
# while recording, or used after their base (or another view of it) was modified in place:
# for the others autograd cannot rebuild a correct history, so PyTorch refuses.
DEFAULT = "DEFAULT"
MULTI_OUTPUT_NODE = "MULTI_OUTPUT_NODE"  # one of several views made by one op (split, unbind)
NO_GRAD_MODE = "NO_GRAD_MODE"  # made with grad mode off
INFERENCE_MODE = "INFERENCE_MODE"  # made in inference mode
IN_CUSTOM_FUNCTION = "IN_CUSTOM_FUNCTION"  # returned by a custom Function's forward


def view_creation_meta(base, multi_output):
    """The CreationMeta of a view of ``base`` made now. A view of a view inherits its
    base's restriction unless it has its own (inference mode's always wins)."""
    if _grad_mode.is_inference_mode_enabled():
        meta = INFERENCE_MODE
    elif not _grad_mode.is_grad_enabled():
        meta = NO_GRAD_MODE
    else:
        meta = MULTI_OUTPUT_NODE if multi_output else DEFAULT
    if base._base is not None and (meta is DEFAULT or base._creation_meta is INFERENCE_MODE):
        meta = base._creation_meta
    return meta


def view_rebase_error(view, indirect):
    """PyTorch's refusal to modify ``view`` in place (``indirect``: its base or another
    view of it was modified, and now the view's history is asked for)."""
    modified = msg.VIEW_BASE_MODIFIED if indirect else msg.VIEW_MODIFIED
    from .autograd.graph import short_name
    meta, node = view._creation_meta, view._grad_fn
    if meta in (NO_GRAD_MODE, INFERENCE_MODE) or node is None:
        prefix = (msg.VIEW_PREFIX if node is None else
                  msg.VIEW_OF_VIEW_PREFIX.format(nr=view._output_nr, name=short_name(node)))
        head = msg.VIEW_INFERENCE_HEAD if meta is INFERENCE_MODE else msg.VIEW_NO_GRAD_HEAD
        text = head.format(prefix=prefix, modified=modified)
    else:
        text = msg.VIEW_HEAD.format(nr=view._output_nr, name=short_name(node), modified=modified)
    return RuntimeError(text + {
        MULTI_OUTPUT_NODE: msg.VIEW_MULTI_OUTPUT,
        IN_CUSTOM_FUNCTION: msg.VIEW_CUSTOM_FUNCTION,
        NO_GRAD_MODE: msg.VIEW_MODE.format(block="no_grad"),
        INFERENCE_MODE: msg.VIEW_MODE.format(block="inference_mode")}[meta])


class Tensor:
    # Every tensor sets these; the rarer attributes below are class-level
    # defaults, stored per tensor only when set (keeps creating a tensor cheap).
    __slots__ = ("_data", "_dtype", "_version_counter", "_requires_grad", "_grad_fn",
                 "_output_nr", "__weakref__", "__dict__")
    _grad = None
    _retains_grad = False
    _zero = False  # one of PyTorch's immutable "efficient zero tensors" (sgn's gradient)
    _backward_hooks = None  # HookDict of hooks registered with register_hook
    _accumulator = None  # weakref to this leaf's AccumulateGrad node
    _base = None  # for a view: the tensor whose memory it shares
    _view_fn = None  # for a view: base array -> this view's array
    _view_version = 0  # for a view: the storage version its grad_fn was made at
    _wrapped_number = False  # a Python number turned into a 0-d tensor
    _creation_meta = DEFAULT  # for a view: how it was made (see view_creation_meta)
    _is_inference = False  # made inside inference_mode: may not join a recorded graph

    def __init__(self, *args, **kwargs):
        # torch.Tensor(data) / torch.Tensor(2, 3): a float tensor (legacy constructor)
        from .ops.creation import legacy_tensor_data
        data = legacy_tensor_data(*args, **kwargs)
        Tensor._init(self, data, _dtypes.get_default_dtype(), None)

    @classmethod
    def _make(cls, data, dtype, version_counter=None):
        """A new tensor wrapping ``data`` (not copied); no grad history."""
        self = object.__new__(cls)
        self._init(data, dtype, version_counter)
        return self

    def _init(self, data, dtype, version_counter):
        self._data = data
        self._dtype = dtype
        self._version_counter = version_counter or VersionCounter()
        self._requires_grad = False
        self._grad_fn = None
        self._output_nr = 0
        if _grad_mode._state.__dict__.get("inference"):
            self._is_inference = True

    # -- autograd state ------------------------------------------------------
    @property
    def requires_grad(self):
        if self._base is not None and self._base.requires_grad:  # a view follows its base
            return True
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, msg.INT_REQUIRES_GRAD_SETTER)

    def requires_grad_(self, requires_grad=True):
        if requires_grad is not True and requires_grad is not False:  # worded by _argparse
            raise TypeError("expected a bool")
        self._set_requires_grad(requires_grad, msg.INT_REQUIRES_GRAD_METHOD)
        return self

    def _set_requires_grad(self, value, int_message):
        if self._grad_fn is not None:  # C++'s is_leaf: a view's history is not remade here
            if not value:
                raise RuntimeError(msg.NON_LEAF_REQUIRES_GRAD)
            if int_message is msg.INT_REQUIRES_GRAD_SETTER:  # only the setter refuses True
                raise RuntimeError(msg.NON_LEAF_REQUIRES_GRAD_TRUE)
            return
        if value and self._is_inference and not _grad_mode.is_inference_mode_enabled():
            raise RuntimeError(msg.INFERENCE_REQUIRES_GRAD)
        if value and not self._dtype.is_floating_point:
            raise RuntimeError(int_message)
        self._requires_grad = bool(value)

    @property
    def grad_fn(self):
        if self._base is not None and self._view_version != self._version_counter.version:
            self._refresh_view_grad_fn()
        return self._grad_fn

    def _refresh_view_grad_fn(self):
        """The base of this view (or another view of it) was changed in place since the
        view's ``grad_fn`` was set: like PyTorch, the view's history is remade from the
        base's (AsStridedBackward0), or refused for a view that may not be modified in
        place. Nothing to remake while neither has history (the version stays stale)."""
        if self._grad_fn is None and not self._base.requires_grad:
            return
        if self._creation_meta is not DEFAULT:
            raise view_rebase_error(self, indirect=True)
        from .autograd.graph import set_history
        from .ops.inplace import view_of_base_node
        set_history(self, view_of_base_node(self))
        self._view_version = self._version_counter.version

    @property
    def is_leaf(self):
        """Python's ``is_leaf`` asks for ``grad_fn`` (a view's history may be remade, or
        refused); PyTorch's C++ checks (``requires_grad_``, in-place) read it as it is."""
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(msg.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(msg.GRAD_ASSIGN_SIZE.format(
                    got=list(value._data.shape), expected=list(self._data.shape)))
            if value._dtype is not self._dtype:
                raise RuntimeError(msg.GRAD_ASSIGN_DTYPE.format(
                    got=value._dtype.c_name.lower(), expected=self._dtype.c_name))
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError(msg.RETAIN_NO_GRAD)
        if self._grad_fn is None or self._retains_grad:
            return
        node = self.grad_fn  # a view's history may be remade (or refused) first
        if node._retains_grad_hooks is None:
            node._retains_grad_hooks = {}
        node._retains_grad_hooks[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """``hook(grad)`` runs when the gradient for this tensor is computed; a
        returned tensor replaces the gradient. On a leaf it runs before ``.grad``
        is accumulated."""
        if not self.requires_grad:
            raise RuntimeError(msg.HOOK_NO_GRAD)
        if self._backward_hooks is None:
            self._backward_hooks = HookDict()
            node = self.grad_fn
            if node is not None:
                if node._tensor_pre_hooks is None:
                    node._tensor_pre_hooks = {}
                node._tensor_pre_hooks[self._output_nr] = self._backward_hooks
        return self._backward_hooks.add(hook)

    def _grad_accumulator(self):
        """This leaf's AccumulateGrad node: one per leaf while a graph holds it."""
        node = self._accumulator() if self._accumulator is not None else None
        if node is None:
            from .autograd.graph import AccumulateGrad
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    @property
    def data(self):
        """Same values and memory, no history, and its own version counter: in-place
        changes through ``.data`` are invisible to autograd's checks."""
        return Tensor._make(self._data, self._dtype)

    @data.setter
    def data(self, value):
        self._data = value._data
        self._dtype = value._dtype

    def detach(self):
        """Same values, memory and version counter; no history."""
        out = Tensor._make(self._data, self._dtype, self._version_counter)
        out._zero = self._zero
        return out

    def detach_(self):
        if self._base is not None:
            raise RuntimeError(msg.DETACH_VIEW_INPLACE)
        self._grad_fn, self._output_nr, self._requires_grad = None, 0, False
        return self

    @property
    def _version(self):
        return self._version_counter.version

    def _is_view(self):
        return self._base is not None

    def _is_zerotensor(self):
        return self._zero

    # -- shape and values ----------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        from .ops._common import wrap_dim
        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        return "cpu"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def is_floating_point(self):
        return self._dtype.is_floating_point

    def is_contiguous(self):
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim=None):
        """Steps, in elements, between neighbours along each dim (numpy counts bytes)."""
        from .ops._memory import strides
        steps = strides(self._data)
        if dim is None:
            return steps
        from .ops._common import wrap_dim
        return steps[wrap_dim(dim, self._data.ndim)]

    def element_size(self):
        return self._dtype.itemsize

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(msg.ITEM_NUMEL.format(numel=self._data.size))
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError(msg.NUMPY_REQUIRES_GRAD)
        return self._data

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError(msg.LEN_0D)
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(msg.BOOL_AMBIGUOUS if self._data.size else msg.BOOL_EMPTY)
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._data.size != 1:
            raise ValueError(msg.SCALAR_CONVERSION)
        return float(self.item())

    def __int__(self):
        if self._data.size != 1:
            raise ValueError(msg.SCALAR_CONVERSION)
        return int(self.item())

    def __index__(self):
        if self._dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    # -- printing ------------------------------------------------------------
    def __repr__(self, *, tensor_contents=None):
        try:
            grad_fn_name = None if self.grad_fn is None else type(self.grad_fn).__name__
        except RuntimeError:  # a view whose history cannot be remade (torch prints this too)
            grad_fn_name = "Invalid"
        return _printing.tensor_repr(
            self._data, self._dtype.name, grad_fn_name=grad_fn_name,
            requires_grad=self.requires_grad,
            default_float_dtype=_dtypes.get_default_dtype().name)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._dtype.name, self.requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = type(self)._make(self._data.copy(), self._dtype)
        new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new


Tensor.__module__ = "autograd_edu"  # it is autograd_edu.Tensor (torch prints torch.Tensor)


def _rebuild(data, dtype_name, requires_grad):
    t = Tensor._make(data, getattr(_dtypes, dtype_name if dtype_name != "bool" else "bool_"))
    t._requires_grad = requires_grad
    return t


def is_tensor(obj):
    return isinstance(obj, Tensor)
