"""The graph autograd records: nodes (``grad_fn``), edges and saved tensors.

A forward operation that involves a tensor requiring grad creates one *node*
(``MulBackward0``...). The node points at the nodes that produced its inputs
(``next_functions``: one ``(node, output_nr)`` edge per input, ``(None, 0)``
for an input that needs no gradient) and keeps what its derivative needs
(``saved tensors``). A leaf tensor that requires grad is reached through its
``AccumulateGrad`` node, whose job is to add the incoming gradient to ``.grad``.

Nothing here knows any particular operation: op modules subclass ``Node`` and
write ``apply`` (their derivative); the engine (``engine.py``) walks the graph.
"""

import itertools
import threading
import warnings

import numpy as np

from .. import _grad_mode
from .. import _messages as msg
from ..utils.hooks import HookDict

_sequence_numbers = itertools.count()
# AccumulateGrad nodes get the largest sequence number, as in PyTorch, so the
# engine's ready queue runs them as soon as their gradient is complete.
UINT64_MAX = 2**64 - 1


class _Released:
    """What a released ``_released_values`` entry becomes."""

    def __repr__(self):
        return "<freed>"


RELEASED = _Released()


class SavedTensor:
    """A tensor kept by a node for its derivative, with the version it had.

    An input is kept by reference; the node's own output is kept as its data
    and version counter only (keeping the tensor would make a cycle output ->
    node -> output), and is rebuilt with ``grad_fn`` = that node on unpack.
    Unpacking checks the version counter: an in-place change since saving makes
    the derivative wrong, so it raises PyTorch's "modified by an inplace
    operation" error. ``release()`` (after backward without retain_graph) drops
    the data; unpacking then raises "Trying to backward through the graph a
    second time".
    """

    __slots__ = ("tensor", "data", "dtype", "version_counter", "saved_version",
                 "output_nr", "requires_grad", "released", "view_grad_fn")

    def __init__(self, tensor, is_output=False):
        if tensor._is_inference:
            raise RuntimeError(msg.INFERENCE_SAVED)
        self.version_counter = tensor._version_counter
        self.saved_version = self.version_counter.version
        self.released = False
        # the output of an in-place op on a view: PyTorch keeps a weak reference to the
        # view's (remade) grad_fn and names it, while alive, as the producer
        self.view_grad_fn = None
        if is_output:
            self.tensor = None
            self.data, self.dtype = tensor._data, tensor._dtype
            self.output_nr, self.requires_grad = tensor._output_nr, tensor.requires_grad
        else:
            self.tensor = tensor

    def unpack(self, owner):
        if self.released:
            raise RuntimeError(msg.SECOND_BACKWARD)
        # PyTorch asks a saved input for its grad_fn first: a view may refuse (raise)
        if self.tensor is not None:
            producer = self.tensor.grad_fn
        else:
            producer = (self.view_grad_fn and self.view_grad_fn()) or owner
        current = self.version_counter.version
        if current != self.saved_version:
            self._raise_modified(producer, current)
        if self.tensor is not None:
            return self.tensor
        from .._tensor import Tensor
        out = Tensor._make(self.data, self.dtype, self.version_counter)
        if self.requires_grad:
            out._grad_fn, out._output_nr = producer, self.output_nr
        return out

    def _raise_modified(self, producer, current):
        if self.tensor is not None:
            data, dtype, nr = self.tensor._data, self.tensor._dtype, self.tensor._output_nr
        else:
            data, dtype, nr = self.data, self.dtype, self.output_nr
        where = ""
        if producer is not None:
            where = f", which is output {nr} of {short_name(producer)},"
        sizes = "[" + ", ".join(map(str, data.shape)) + "]"
        raise RuntimeError(msg.MODIFIED_INPLACE.format(
            type=_type_string(dtype), sizes=sizes, producer=where,
            current=current, saved=self.saved_version))

    def release(self):
        self.released = True
        self.tensor = self.data = None


def _is_saved_list(value):
    """A list of saved tensors (tuple of SavedTensor | None), as ``record`` makes one."""
    return type(value) is tuple and any(isinstance(v, SavedTensor) for v in value)


def _type_string(dtype):
    """PyTorch's ``Tensor::toString()``: the legacy class name ("torch.FloatTensor"), but
    "CPUBoolType" for bool, which has no legacy class in that registry."""
    return "CPUBoolType" if dtype.name == "bool" else dtype.tensor_type


def short_name(node):
    """The forward op's name, as PyTorch names producers in its errors (forward_op_name):
    'ExpBackward0' -> 'Exp', 'SqueezeBackward1' -> 'Squeeze1'; other names unchanged."""
    name = node.name()
    cut = name.rfind("Backward")
    suffix = name[cut + len("Backward"):]
    if cut < 0 or not (suffix.isdigit() or not suffix):
        return name
    return name[:cut] + ("" if suffix in ("", "0") else suffix)


class Node:
    """Base of every ``grad_fn``. Subclasses implement ``apply(*grads)``.

    ``apply`` receives one gradient per forward output and returns one
    gradient (or None) per forward input, in the order of ``next_functions``.
    It may return a gradient with the broadcast shape or another float dtype:
    the engine reduces and casts it to the input's shape and dtype, once, for
    every node (PyTorch's ``validate_outputs``).
    """

    # Filled by ``connect``; class-level defaults keep node creation cheap.
    _next_edges = ()
    _input_metadata = ()  # per forward output: (shape, dtype) of the gradient it expects
    _saved = None  # name -> SavedTensor | plain value (exposed as ``_saved_<name>``)
    # plain values that PyTorch keeps as saved tensors (tensor indices): freed on release
    _released_values = ()
    _pre_hooks = _post_hooks = _tensor_pre_hooks = _retains_grad_hooks = None

    def __init__(self, sequence_nr=None):
        self._sequence_nr = next(_sequence_numbers) if sequence_nr is None else sequence_nr
        self.metadata = {}

    # -- what PyTorch exposes ------------------------------------------------
    def name(self):
        return type(self).__name__

    def __repr__(self):
        # PyTorch's node classes print without a module: <MulBackward0 object at 0x...>
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _repr_pretty_(self, printer, cycle):
        # ...and IPython shows them as <MulBackward0 at 0x...>
        printer.text(f"<{type(self).__name__} at {id(self):#x}>")

    @property
    def next_functions(self):
        return self._next_edges

    def _sequence_nr_(self):
        return self._sequence_nr

    def apply(self, *grads):
        raise NotImplementedError

    def __call__(self, *grads):
        self.unpack_saved()
        out = self.apply(*grads)
        return out[0] if len(out) == 1 else out

    def needs_input_grad(self, index):
        return self._next_edges[index][0] is not None

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = HookDict()
        return self._post_hooks.add(fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = HookDict()
        return self._pre_hooks.add(fn)

    # -- saved values --------------------------------------------------------
    def saved(self, name):
        """The saved value ``name``, unpacked (raises if freed or modified in place)."""
        value = self._saved[name]
        if value is RELEASED:
            raise RuntimeError(msg.SECOND_BACKWARD)
        if _is_saved_list(value):  # PyTorch's unpack_list: each in turn, None stays None
            return tuple(v if v is None else v.unpack(self) for v in value)
        return value.unpack(self) if isinstance(value, SavedTensor) else value

    def unpack_saved(self):
        """Unpack every saved tensor as PyTorch's generated nodes do before computing any
        gradient: the inputs by name, then the outputs by name. So the error for tensors
        modified in place (or views that may no longer be used) is about the first of
        them in that order, whatever gradients are asked for."""
        if not self._saved:
            return
        tensors = [(isinstance(value, SavedTensor) and value.tensor is None, name)
                   for name, value in self._saved.items()
                   if isinstance(value, SavedTensor) or _is_saved_list(value)]
        for _, name in sorted(tensors):
            self.saved(name)

    def __getattr__(self, attr):
        # ``grad_fn._saved_self`` and friends, as PyTorch exposes them.
        if attr.startswith("_saved_"):
            saved = self.__dict__.get("_saved") or {}
            if attr[7:] in saved:
                return self.saved(attr[7:])
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def release_variables(self):
        saved = self._saved or {}
        for name, value in saved.items():
            if isinstance(value, SavedTensor):
                value.release()
            elif _is_saved_list(value):
                for v in value:
                    if v is not None:
                        v.release()
            elif name in self._released_values:
                saved[name] = RELEASED

    def saved_tensors_info(self):
        """(name, SavedTensor | value) pairs, for drawings: no unpacking, no errors."""
        return list((self._saved or {}).items())


class AccumulateGrad(Node):
    """The node behind a leaf tensor: adds the gradient that reaches it to ``.grad``.

    Accumulation follows PyTorch: the first gradient is stored as it is (detached)
    when nothing else holds it and its layout suits the leaf (``steal``, decided by the
    engine), otherwise as a copy; later ones are added **in place** (a reference to
    ``x.grad`` sees the sum) unless the graph of the gradient itself is being recorded
    (``create_graph=True``), in which case ``x.grad`` becomes a new tensor ``x.grad + g``
    with history. A stored gradient can thus share memory with another leaf's: stacked
    scalars summed get two views of one expanded element, and a second backward adds
    into both, as in PyTorch.
    """

    def __init__(self, variable):
        super().__init__(sequence_nr=UINT64_MAX)
        self.variable = variable
        self._input_metadata = ((variable._data.shape, variable._dtype),)

    def name(self):
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ node keeps its C++ name

    def apply(self, grad, steal=False):
        variable = self.variable
        if grad is None:
            return ()
        if variable.grad_fn is not None:  # the leaf was modified in place since, with history
            raise RuntimeError(msg.LEAF_MOVED)
        if not variable.requires_grad:  # requires_grad_(False) since
            return ()
        with _ACCUMULATE_LOCK:  # PyTorch locks AccumulateGrad: threads lose no update
            old = variable._grad
            if old is None:
                if _grad_mode.is_grad_enabled():
                    from ..ops.copying import copy_with_history
                    variable._grad = copy_with_history(grad)
                elif steal and _obeys_layout_contract(grad._data, variable._data):
                    variable._grad = grad.detach()
                else:
                    variable._grad = _clone_obey_contract(grad, variable)
            elif _grad_mode.is_grad_enabled():
                variable._grad = add_gradients(old, grad)
                _check_result(variable._grad, variable, line=282)
            else:
                if old._zero:
                    raise RuntimeError(msg.ZERO_TENSOR_INPLACE)
                old._data += grad._data
                old._version_counter.version += 1
                _check_result(old, variable, line=252)
        return ()


_ACCUMULATE_LOCK = threading.RLock()  # re-entrant: a grad-mode add may record and recurse


_WARNED_AT = set()  # PyTorch's TORCH_WARN_ONCE: once per process and per place


def _check_result(grad, variable, line):
    """PyTorch's CHECK_RESULT after adding into ``.grad``: a warning (once) when the sum
    does not obey the gradient layout contract (a ``.grad`` the user assigned with other
    strides, or one laid out as a parameter with stride-0 size-1 dims)."""
    if line in _WARNED_AT or grad._data.size == 0 or _obeys_layout_contract(grad._data,
                                                                             variable._data):
        return  # (numpy's strides of empty arrays are not PyTorch's, which agree there)
    _WARNED_AT.add(line)
    warnings.warn(msg.LAYOUT_CONTRACT.format(
        grad_sizes=list(grad.shape), grad_strides=list(grad.stride()),
        sizes=list(variable.shape), strides=list(variable.stride()), line=line),
        UserWarning, stacklevel=2)


def add_gradients(a, b):
    """``a + b`` as PyTorch adds two gradients out of place: when one is an immutable zero
    tensor (sgn's gradient) that is ``add_zerotensor``, a copy of the other operand, so a
    -0. stays -0. (two zero tensors give a zero tensor)."""
    total = a + b
    if a._zero and b._zero:
        total._zero = True
    elif a._zero or b._zero:
        np.copyto(total._data, (b if a._zero else a)._data)
    return total


def _obeys_layout_contract(grad, variable):
    """PyTorch's gradient layout contract (utils::obeys_layout_contract): a dense leaf's
    gradient has its strides (size-1 dims aside, but never a 0 stride); any other
    leaf's is C-contiguous."""
    from ..ops._memory import is_non_overlapping_and_dense
    if not is_non_overlapping_and_dense(variable):
        return grad.flags.c_contiguous
    return all((g == v) if n != 1 else g != 0
               for n, g, v in zip(grad.shape, grad.strides, variable.strides, strict=True))


def _clone_obey_contract(grad, variable):
    """PyTorch's copy of a gradient it cannot keep: into a new tensor with a dense leaf's
    strides (``new_empty_strided(...).copy_(grad)``: version 1), else a contiguous clone."""
    from ..ops._memory import geometry, is_non_overlapping_and_dense, laid_out_as, storage_size
    if is_non_overlapping_and_dense(variable._data):
        layout = geometry(variable._data)  # its strides, those of size-1 dims too
        data = laid_out_as(np.empty(storage_size(layout), grad._data.dtype), layout)
        data[...] = grad._data
        out = type(grad)._make(data, grad._dtype)
        out._version_counter.version = 1
        return out
    return type(grad)._make(np.array(grad._data, order="C"), grad._dtype)


def gradient_edge(tensor):
    """The edge through which a gradient for ``tensor`` flows: (node, output_nr)."""
    if tensor is None:
        return (None, 0)
    node = tensor.grad_fn  # a view's history may have to be remade first
    if node is not None:
        return (node, tensor._output_nr)
    if tensor._requires_grad:  # not a view that only requires grad through its base
        return (tensor._grad_accumulator(), 0)
    return (None, 0)


def set_history(tensor, node, output_nr=0):
    """``tensor`` now comes out of ``node`` (an in-place op changed it, or a view's history
    was remade from its base's). Like PyTorch's update_tensor_hooks_on_new_gradfn, a
    ``retain_grad()`` follows the tensor to its new node; hooks registered with
    ``register_hook`` stay with the old one (they were about the old value)."""
    old = tensor._grad_fn
    hooks = old._retains_grad_hooks if old is not None and tensor._retains_grad else None
    ref = hooks.pop(tensor._output_nr, None) if hooks else None
    if ref is not None:
        if node._retains_grad_hooks is None:
            node._retains_grad_hooks = {}
        node._retains_grad_hooks[output_nr] = ref
    tensor._backward_hooks = None  # hooks registered from now on go to ``node``
    tensor._grad_fn, tensor._output_nr = node, output_nr


def connect(node, inputs, outputs, modified=()):
    """Wire ``node`` between its forward ``inputs`` and the ``outputs`` it made
    (except the ``modified`` ones, inputs changed in place: the caller rebases them)."""
    node._next_edges = tuple([gradient_edge(t) for t in inputs])
    node._input_metadata = tuple([(t._data.shape, t._dtype) for t in outputs])
    for nr, out in enumerate(outputs):
        if any(out is m for m in modified):
            continue
        out._grad_fn, out._output_nr = node, nr
