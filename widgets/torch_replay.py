"""Record real PyTorch's backward, node by node, so the stepper can replay it.

PyTorch's engine runs in C++ and cannot be paused, but it calls a node's
pre-hooks just before the node runs (with the gradients that arrived, after
tensor hooks) and its post-hooks just after (with the gradients it sends).
Registering both on every node of the graph and running one ordinary
``torch.autograd.backward`` gives the exact order PyTorch ran the nodes in,
and what flowed where, as step objects shaped like autograd_edu's
``BackwardStep``. The hooks return None, so they change nothing, and they
are removed afterwards.

The difference from stepping autograd_edu: PyTorch's backward has already
finished when the replay starts (every ``.grad`` is final at once); the
frames show it in order after the fact. PyTorch does not expose its own
hooks to Python, so user hooks are not listed in a replay.
"""


class ReplayStep:
    """Same fields as ``autograd.BackwardStep``; ``task`` is None (PyTorch keeps it in C++)."""

    __slots__ = ("node", "grads_in", "grads_out", "edges", "accumulated", "hooks", "task",
                 "_before")

    def __init__(self, node, grads_in):
        self.node, self.grads_in = node, grads_in
        self.grads_out, self.edges = (), tuple(node.next_functions)
        self.accumulated, self.hooks, self.task, self._before = None, [], None, None

    def __repr__(self):
        return f"<ReplayStep {self.node.name()}>"


def _copy(grad):
    return None if grad is None else grad.detach().clone()


def record(nodes, outputs, grad_tensors=None, retain_graph=False):
    """Run ``torch.autograd.backward(outputs, grad_tensors)`` with recording hooks on
    ``nodes`` (every node of the graph); return the ``ReplayStep`` list in run order."""
    import torch

    log, running, handles = [], {}, []

    def pre_hook(node):
        def hook(grad_outputs):
            step = ReplayStep(node, tuple(_copy(g) for g in grad_outputs))
            if hasattr(node, "variable"):
                step._before = _copy(node.variable.grad)
            running[node] = step
            log.append(step)
        return hook

    def post_hook(node):
        def hook(grad_inputs, grad_outputs):
            step = running.pop(node)
            step.grads_out = tuple(_copy(g) for g in grad_inputs)
            if hasattr(node, "variable"):
                leaf = node.variable
                step.accumulated = (leaf, step._before, _copy(leaf.grad))
        return hook

    try:
        for node in nodes:
            handles.append(node.register_prehook(pre_hook(node)))
            handles.append(node.register_hook(post_hook(node)))
        torch.autograd.backward(outputs, grad_tensors, retain_graph=retain_graph)
    finally:
        for handle in handles:
            handle.remove()
    return log
