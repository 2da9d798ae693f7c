"""In-place operations (``add_``, ``x += 1``, ``zero_``, ``copy_``, ``x[i] = v``).

Each one is its out-of-place operation followed by a write into the
tensor's own memory, a version-counter bump and, when recording, a rebase
of the tensor's history onto the new node:

- on a plain tensor, ``grad_fn`` becomes the new node (``AddBackward0``);
- on a view, the *base* gets a ``CopySlices`` node (the view's part of the
  gradient goes through the in-place op, the rest passes unchanged) and the
  view gets ``AsStridedBackward0`` reading its part of the base.

The out-of-place op runs on a snapshot of the tensor's old values, so a
derivative that needs them (``y.mul_(w)`` needs old ``y`` for ``w``'s
gradient) gets them, as PyTorch's ``original_self`` does.
"""

import weakref

import numpy as np

from .. import _messages as msg
from .._grad_mode import is_grad_enabled, is_inference_mode_enabled
from .._tensor import DEFAULT, Tensor, view_rebase_error
from ..autograd.graph import Node, gradient_edge, set_history
from ._common import bump_version, connect_stale_views, needs_recording, new_tensor
from ._memory import (
    YES,
    check_internal_overlap,
    check_write,
    geometry,
    has_internal_overlap,
    laid_out_as,
    same_elements,
    storage_size,
)


def check_inplace(self, *others):
    """PyTorch's check before writing into ``self`` (``others``: the op's other tensor
    arguments). When the write is recorded, it refuses leaves that require grad, views
    of such leaves, and views that may not be modified in place (see CreationMeta).
    It comes before the autograd kernel asks for the arguments' history: its errors are
    marked ``before_inputs`` so that ``autograd_first`` lets a stale argument's wait."""
    error = inplace_error(self, others)
    if error is not None:
        error.before_inputs = True
        raise error


def inplace_error(self, others):
    if self._zero:
        return RuntimeError(msg.ZERO_TENSOR_INPLACE)
    if self._is_inference and not is_inference_mode_enabled():
        return RuntimeError(msg.INFERENCE_INPLACE)
    if not is_grad_enabled() or not (self.requires_grad or any(t.requires_grad for t in others)):
        return None
    if self._base is not None:
        if self._creation_meta is not DEFAULT:
            return view_rebase_error(self, indirect=False)
        if self.requires_grad and self._base._grad_fn is None:
            return RuntimeError(msg.INPLACE_VIEW_OF_LEAF)
    if self.requires_grad and self._grad_fn is None:  # a view's history as it is: a view
        return RuntimeError(msg.INPLACE_LEAF)  # whose base gained history since is a "leaf"
    return None


def _snapshot(self):
    """The tensor's current values and history, in memory of its own."""
    snap = Tensor._make(self._data.copy(), self._dtype)
    snap._grad_fn, snap._output_nr, snap._requires_grad = (
        self.grad_fn, self._output_nr, self._requires_grad)
    return snap


def _clone_of(source):
    """PyTorch's ``original_self = self.clone()``: an in-place op whose derivative needs
    ``self`` saves a (recorded) clone of its old value, so a double backward goes through
    ``CloneBackward0`` to ``self``'s old history. PyTorch clones right after making the
    op's node, so the clone's node has the later sequence number (and runs first in a
    backward through both); ``source`` is a snapshot the op does not change, so the
    clone is taken after the op."""
    from .copying import clone
    return clone(source) if source.requires_grad else None


def _save_original(out, source, original):
    from ..autograd.graph import SavedTensor
    node = out._grad_fn
    if original is None or node is None or not node._saved:
        return
    for name, value in node._saved.items():
        if isinstance(value, SavedTensor) and value.tensor is source:
            node._saved[name] = SavedTensor(original)


def _check_cast(out, self):
    if out._dtype._rank[0] > self._dtype._rank[0]:
        names = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
                 "bool": "Bool", "float16": "Half"}
        raise RuntimeError(f"result type {names.get(out._dtype.name, out._dtype.name)} can't be "
                           f"cast to the desired output type "
                           f"{names.get(self._dtype.name, self._dtype.name)}")


def apply_inplace(self, op, *args, check_overlap=check_write, region=None, **kwargs):
    """``op(self, *args)`` written back into ``self``; returns ``self``.

    Before anything is computed: PyTorch's autograd checks (``check_inplace``, then
    stale views among the arguments, ``connect_stale_views``), then its kernel's memory
    checks (``check_overlap(self, tensor arguments)``, TensorIterator's by default),
    then the shapes. ``region``: only that part
    of ``self`` is written (``index_put_``, which may write an expanded tensor)."""
    tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
    check_inplace(self, *tensors)
    recording = needs_recording(self, *tensors)
    if recording:
        connect_stale_views(tensors)
    if check_overlap is not None:
        check_overlap(self, tensors)
    source = _snapshot(self) if recording else self
    out = op(source, *args, **kwargs)
    if recording:
        _save_original(out, source, _clone_of(source))
    if out._data.shape != self._data.shape:
        raise RuntimeError(msg.INPLACE_BROADCAST.format(
            shape=list(self._data.shape), broadcast=list(out._data.shape)))
    _check_cast(out, self)
    if check_overlap in (check_write, check_copy) and _reads_itself(self, tensors):
        out._data[...] = _in_memory_order(self, op, args, kwargs)
    commit_inplace(self, out, region)
    return self


def _reads_itself(self, tensors):
    """An argument reads ``self``'s memory through another view (an overlap PyTorch's
    check could not rule out: one of them is not dense)."""
    mine = self._data
    # may_share_memory (bounds only) first: exact shares_memory is costly, and this runs
    # for every in-place op (an SGD step's p.add_(g) included)
    return any(t._data is not mine and np.may_share_memory(t._data, mine)
               and np.shares_memory(t._data, mine)
               and t._data.__array_interface__ != mine.__array_interface__ for t in tensors)


def _in_memory_order(self, op, args, kwargs):
    """The values ``op`` leaves in ``self`` when an argument reads ``self``'s memory:
    PyTorch's TensorIterator cannot prove the overlap harmless, so it goes through
    ``self`` element after element (in memory order) and an element read after it was
    written is read with its new value. Only such rare programs take this slow path."""
    from .._grad_mode import no_grad
    from .indexing import _addresses
    current = self._data.copy()
    position = {a: i for i, a in enumerate(_addresses(self._data).ravel())}
    flat = current.reshape(-1)  # a view: current is a fresh contiguous copy
    shape = self._data.shape
    readers = [(i, np.broadcast_to(a._data, shape)) for i, a in enumerate(args)
               if isinstance(a, Tensor)]
    addresses = [(i, _addresses(data), data) for i, data in readers]
    order = np.argsort(_addresses(self._data).ravel(), kind="stable")
    with no_grad():
        for k in order:
            index = np.unravel_index(k, shape)
            operands = list(args)
            for i, where, data in addresses:
                address = where[index]
                value = flat[position[address]] if address in position else data[index]
                operands[i] = Tensor._make(np.array(value, data.dtype), args[i]._dtype)
            element = Tensor._make(np.array(flat[k], current.dtype), self._dtype)
            flat[k] = op(element, *operands, **kwargs)._data
    return current


def commit_inplace(self, out, region=None):
    """Write ``out``'s values into ``self`` and move ``self``'s history onto ``out``'s node."""
    if region is None:
        np.copyto(self._data, out._data, casting="unsafe")
    else:
        self._data[region] = out._data[region]
    self._version_counter.version += 1
    node = out._grad_fn
    if node is not None:
        if out._dtype is not self._dtype:  # the node's output is ``self``, cast back
            node._input_metadata = ((self._data.shape, self._dtype),)
        rebase_history(self, node)
        _rebind_saved_output(node, out, self)


def rebase_history(self, node, output_nr=0):
    """``self`` was changed in place by what ``node`` records: it now comes out of
    ``node``; a view's base gets a ``CopySlices`` node around ``node``, and the view
    reads its part of the base (PyTorch's rebase_history)."""
    if self._base is None:
        set_history(self, node, output_nr)
        return
    base = self._base
    copy_slices = CopySlices()
    copy_slices._next_edges = (gradient_edge(base),) + node._next_edges[1:]
    copy_slices._input_metadata = ((base._data.shape, base._dtype),)
    copy_slices._saved = {"view_fn": self._view_fn, "fn": node,
                          "base_geometry": geometry(base._data),
                          "base_overlaps": has_internal_overlap(base._data) == YES}
    set_history(base, copy_slices)
    set_history(self, view_of_base_node(self))
    self._view_version = self._version_counter.version


def view_of_base_node(view):
    """A node reading ``view``'s part of its base's gradient history."""
    base = view._base
    node = AsStridedBackward0()
    node._next_edges = (gradient_edge(base),)
    node._input_metadata = ((view._data.shape, view._dtype),)
    node._saved = {"view_fn": view._view_fn, "base_geometry": geometry(base._data)}
    return node


def _rebind_saved_output(node, out, self):
    """A node that saved its output (``exp_`` saves the result) now refers to ``self``;
    on a view, PyTorch's saved variable also keeps a weak reference to the view's new
    grad_fn (a view saved this way unpacks with it, and errors name it, while it lives)."""
    from ..autograd.graph import SavedTensor
    for value in (node._saved or {}).values():
        if isinstance(value, SavedTensor) and value.tensor is None and value.data is out._data:
            value.data, value.version_counter = self._data, self._version_counter
            value.saved_version = self._version_counter.version
            if self._base is not None:
                value.view_grad_fn = weakref.ref(self._grad_fn)


class CopySlices(Node):
    """base[view] was changed in place by ``fn``: the view's part of the gradient
    goes through ``fn``'s derivative, the rest of the base's gradient passes as is."""

    def name(self):
        return "torch::autograd::CopySlices"  # PyTorch's C++ node keeps its C++ name

    def apply(self, grad):
        """PyTorch's CopySlices::apply, with tensor operations: under ``create_graph``
        they record, so the gradient has a history (a double backward goes through)."""
        from .copying import clone
        view_fn, fn = self.saved("view_fn"), self.saved("fn")
        if fn is None:  # released by an earlier backward, as PyTorch's CopySlices drops ``fn``
            raise RuntimeError(msg.SECOND_BACKWARD)
        # PyTorch copies the gradient into a tensor laid out as the base: copy_'s overlap
        # check fails when the base is an expanded tensor (ours is laid out contiguously)
        if self.saved("base_overlaps"):
            raise RuntimeError(msg.INTERNAL_OVERLAP)
        geom = self.saved("base_geometry")  # laid out as the base (new_empty_strided)
        result = Tensor._make(laid_out_as(np.empty(storage_size(geom), grad._dtype.numpy), geom),
                              grad._dtype)
        copy_(result, grad)
        grad_slice = as_strided_view(result, view_fn)
        # fn is called as a function, not by the engine: its gradients come unchecked (the
        # engine checks what this node returns; copy_ casts the view's part)
        fn.unpack_saved()  # PyTorch calls fn as the engine would
        fn_grads = fn.apply(clone(grad_slice, memory_format="contiguous"))
        fn_grads = fn_grads if isinstance(fn_grads, tuple) else (fn_grads,)
        if fn_grads[0] is None or not self.needs_input_grad(0):
            return (None, *fn_grads[1:])
        copy_(grad_slice, fn_grads[0])  # refused when the view is an expanded tensor
        return (result, *fn_grads[1:])

    def release_variables(self):
        self._saved["fn"] = None


def as_strided_view(base, view_fn):
    """``view_fn``'s view of ``base`` as PyTorch's ``base.as_strided(...)``: its
    gradient goes to its part of ``base`` (AsStridedBackward0)."""
    from ._common import record
    from .shape import make_view
    out = make_view(base, view_fn(base._data), view_fn)
    return record(AsStridedBackward0, out, (base,),
                  {"view_fn": view_fn, "base_geometry": geometry(base._data)})


class AsStridedBackward0(Node):
    """A view whose base was changed in place: its gradient goes to its part of the base."""

    def apply(self, grad):
        """PyTorch's as_strided_backward, with tensor operations (recorded under
        create_graph): grad, its size-1 dims squeezed and its expanded dims summed, is
        copied into a view of zeros laid out as the base, which is returned viewed with the
        base's geometry (version 1)."""
        from .creation import zeros
        from .shape import squeeze
        geom, view_fn = self.saved("base_geometry"), self.saved("view_fn")
        if grad._data.size == 0:  # measured: zeros written once (version 1), not a view
            return bump_version(new_tensor(np.zeros(geom[0], grad._dtype.numpy), grad._dtype)),
        numel = storage_size(geom)
        positions = view_fn(laid_out_as(np.arange(numel), geom))
        # dim by dim from the last: size 1 squeezed; an expanded dim repeats elements, so
        # each gets the sum of its gradients
        expanded = set()
        for i in reversed(range(grad.dim())):
            if grad.shape[i] == 1:
                grad = squeeze(grad, i)
            elif positions.strides[i] == 0:
                grad = grad.sum(i)
                expanded.add(i)

        def target(flat):
            view = view_fn(laid_out_as(flat, geom))
            if expanded:  # one element stands for the repeated ones
                view = view[tuple(slice(0, 1) if i in expanded else slice(None)
                                  for i in range(view.ndim))]
            return np.squeeze(view, tuple(i for i, n in enumerate(view.shape) if n == 1))
        storage = zeros(numel, dtype=grad.dtype)
        copy_(as_strided_view(storage, target), grad)  # copied, not added: keeps -0.
        return as_strided_view(storage, lambda flat: laid_out_as(flat, geom)),


# -- the operations that only exist in place ----------------------------------

class ZeroBackward0(Node):
    """self.zero_();  the old values no longer matter: grad_self = 0"""

    def apply(self, grad):
        from .creation import zeros_like
        return zeros_like(grad),


class FillBackward2(ZeroBackward0):
    """self.fill_(value);  grad_self = 0"""


class NormalBackward0(ZeroBackward0):
    """self.normal_();  grad_self = 0"""


class UniformBackward0(ZeroBackward0):
    """self.uniform_();  grad_self = 0"""


RANDOM_NODES = {"NormalBackward0": NormalBackward0, "UniformBackward0": UniformBackward0}


class FillBackward3(Node):
    """self.fill_(value) with a 0-d tensor value;  grad_self = 0, grad_value = Σ grad"""

    def apply(self, grad):
        from .creation import zeros_like
        return (zeros_like(grad) if self.needs_input_grad(0) else None,
                grad.sum() if self.needs_input_grad(1) else None)


class CopyBackwards(Node):
    """self.copy_(src);  grad_self = 0, grad_src = grad (cast and summed to src)"""

    def name(self):
        return "torch::autograd::CopyBackwards"  # PyTorch's C++ node keeps its C++ name

    def apply(self, grad):
        from .creation import zeros_like
        return (zeros_like(grad) if self.needs_input_grad(0) else None,
                grad if self.needs_input_grad(1) else None)


def _filled(self, value, node_cls):
    from ._common import record
    out = new_tensor(np.full(self._data.shape, value, self._dtype.numpy), self._dtype)
    return record(node_cls, out, (self,))


def zero_(self):
    # fill_ with a number never checks for overlap (every element gets the same value)
    return apply_inplace(self, lambda t: _filled(t, 0, ZeroBackward0), check_overlap=None)


def fill_(self, value):
    from ._common import checked_value
    if isinstance(value, Tensor):
        if value.dim():
            raise RuntimeError(msg.FILL_VALUE_DIM.format(ndim=value.dim()))
        def fill(t, v):
            from ._common import record
            with np.errstate(all="ignore"):  # unchecked, as PyTorch's copy_
                out = new_tensor(np.full(t._data.shape, v._data, t._dtype.numpy), t._dtype)
            return record(FillBackward3, out, (t, v))
        # PyTorch: copy_(value), or copy_(value.clone()) when value is self's memory
        return apply_inplace(self, fill, value,
                             check_overlap=lambda t, _: check_internal_overlap(t))
    if not isinstance(value, int | float | np.number | np.bool_):
        raise TypeError("fill_: bad argument type")  # worded by the public wrapper
    return apply_inplace(self, lambda t: _filled(t, checked_value(value, t._dtype), FillBackward2),
                         check_overlap=None)


def check_copy(self, tensors):
    """copy_'s checks; none when the source is ``self``'s very elements (nothing to do)."""
    src = tensors[0]
    if src is not self and not same_elements(self._data, src._data):
        check_write(self, tensors)


def copy_(self, src, non_blocking=False):
    from ._common import as_tensor_arg, broadcast_shape, record, values
    src = as_tensor_arg(src)
    if self._zero:
        raise RuntimeError(msg.ZERO_TENSOR_COPY)

    def copy(t, s):  # runs after the in-place checks, as PyTorch's kernel does
        shape = broadcast_shape(t._data.shape, s._data.shape)
        out = new_tensor(np.broadcast_to(values(s, t._dtype), shape).copy(), t._dtype)
        return record(CopyBackwards, out, (t, s))
    return apply_inplace(self, copy, src, check_overlap=check_copy)
