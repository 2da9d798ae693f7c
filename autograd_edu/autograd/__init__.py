"""``torch.autograd``: ``backward``, ``grad``, custom ``Function``, grad modes."""

import warnings

import numpy as np

from .. import _messages as msg
from .._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .engine import BackwardStep, GraphTask
from .function import Function, FunctionCtx
from .graph import AccumulateGrad, Node, gradient_edge

__all__ = ["backward", "grad", "backward_steps", "Function", "FunctionCtx", "Node",
           "AccumulateGrad", "BackwardStep", "GraphTask", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "set_detect_anomaly", "detect_anomaly"]


def _as_tuple(x):
    from .._tensor import Tensor
    if x is None:
        return None
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _make_grads(outputs, grads):
    """The gradient to start from for each output (PyTorch's ``_make_grads``)."""
    from .._tensor import Size, Tensor
    grads = (None,) * len(outputs) if grads is None else grads
    if len(grads) != len(outputs):
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    result = []
    for i, (out, grad) in enumerate(zip(outputs, grads, strict=True)):
        if grad is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError(msg.IMPLICIT_GRAD_SCALAR)
                if not out._dtype.is_floating_point:
                    raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                       f"outputs but got {out._dtype!r}")
                grad = Tensor._make(np.ones(out._data.shape, out._dtype.numpy), out._dtype)
        else:
            from ..ops._common import as_tensor_arg
            grad = as_tensor_arg(grad)
            if grad._data.shape != out._data.shape:
                raise RuntimeError(msg.GRAD_SHAPE_MISMATCH.format(
                    index=i, grad_shape=Size(grad._data.shape), out_shape=Size(out._data.shape)))
        result.append(grad)
    return result


def _root_edges(outputs):
    edges = []
    for i, out in enumerate(outputs):
        edge = gradient_edge(out)  # None also for a view made under no_grad
        if edge[0] is None:
            raise RuntimeError(msg.NO_GRAD_FN.format(index=i))
        edges.append(edge)
    return edges


_warned_create_graph = []


def _graph_task(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                inputs=None, keep_grad_before=False):
    """Check the arguments as ``backward()`` does and set up its graph task."""
    tensors = _as_tuple(tensors)
    grads = _make_grads(tensors, _as_tuple(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    edges = _root_edges(tensors)
    accumulate_only = capture = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        accumulate_only, capture = [], []
        for t in inputs:
            if t.is_leaf and t.requires_grad:
                accumulate_only.append((t._grad_accumulator(), 0))
            else:
                # PyTorch makes a non-leaf input retain its grad, then stops there
                t.retain_grad()
                capture.append(gradient_edge(t))
    if create_graph and not _warned_create_graph:
        _warned_create_graph.append(True)  # PyTorch warns once per process (TORCH_WARN_ONCE)
        warnings.warn(msg.CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    task = GraphTask(edges, grads, retain_graph=retain_graph, create_graph=create_graph,
                     accumulate_only=accumulate_only, capture=capture,
                     keep_grad_before=keep_grad_before)
    return task


def backward_steps(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                   inputs=None):
    """The steps of ``torch.autograd.backward(...)``, one per node, as a generator.

    Exhausting it *is* running backward (this is what ``Tensor.backward`` does).
    Arguments are checked immediately, before the first step. Each
    AccumulateGrad step carries a copy of the leaf's ``.grad`` from before."""
    return _graph_task(tensors, grad_tensors, retain_graph, create_graph, inputs,
                       keep_grad_before=True).steps()


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    _graph_task(tensors, grad_tensors, retain_graph, create_graph, inputs).run()


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _make_grads(outputs, _as_tuple(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    edges = _root_edges(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError(msg.INPUT_NO_GRAD)
    capture = [(t._grad_accumulator(), 0) if t.is_leaf else gradient_edge(t) for t in inputs]
    captured = GraphTask(edges, grads, retain_graph=retain_graph, create_graph=create_graph,
                         capture=capture).run()
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured, strict=True)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(msg.UNUSED_INPUT.format(index=i))
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
        result.append(g)
    return tuple(result)


class set_detect_anomaly:  # noqa: N801 - torch's name
    """Accepted for compatibility; anomaly detection is not implemented here."""

    def __init__(self, mode=True, check_nan=True):
        self.mode = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


detect_anomaly = set_detect_anomaly
