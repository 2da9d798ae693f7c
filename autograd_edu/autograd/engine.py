"""The backward engine: one generator of steps, used by everything.

``GraphTask(...).steps()`` runs backward one node at a time and yields a
``BackwardStep`` after each node has run. ``Tensor.backward()`` and
``autograd.grad`` exhaust it; the stepper widget consumes it step by step.
There is no second implementation.

It follows PyTorch's engine (``torch/csrc/autograd/engine.cpp``):

1. count, for every node reachable from the roots, how many edges point at
   it (its *dependencies*);
2. keep an input buffer per node where gradients from its consumers are
   summed; a node is *ready* when all its dependencies have delivered;
3. run ready nodes from a priority queue that prefers the highest sequence
   number (the most recently created node; ``AccumulateGrad`` nodes have the
   largest number, so they run as soon as they are ready). The queue is a
   binary heap driven exactly like libstdc++'s ``std::priority_queue``, so
   even ties come out in PyTorch's order;
4. around each node: tensor hooks, ``retain_grad``, node pre-hooks, the node,
   freeing its saved tensors (unless ``retain_graph``), shape/dtype checks of
   what it returned, node post-hooks.

The loop is iterative, so a chain of 100,000 operations needs no recursion.
"""

from .. import _grad_mode
from .. import _messages as msg
from .._ieee import restore, silence
from .graph import AccumulateGrad, add_gradients


class BackwardStep:
    """What one node did. ``grads_in`` arrived (one per forward output, after
    hooks), ``grads_out`` were sent along ``edges`` (one per forward input).
    For an ``AccumulateGrad`` step, ``accumulated`` is ``(leaf, grad_before,
    grad_after)``. ``hooks`` names the hooks that ran. ``task`` is the live
    graph task: look at ``task.buffers`` for gradients still waiting."""

    __slots__ = ("node", "grads_in", "grads_out", "edges", "accumulated", "hooks", "task")

    def __init__(self, node, grads_in, grads_out, edges, accumulated, hooks, task):
        self.node, self.grads_in, self.grads_out, self.edges = node, grads_in, grads_out, edges
        self.accumulated, self.hooks, self.task = accumulated, hooks, task

    def __repr__(self):
        return f"<BackwardStep {self.node.name()}>"


class _EngineMode:
    """The engine's working modes, entered and left as one context."""

    __slots__ = ("grad_mode", "previous", "quiet")

    def __init__(self, grad_mode):
        self.grad_mode = grad_mode

    def __enter__(self):
        self.previous = _grad_mode.is_grad_enabled()
        _grad_mode._set_enabled(self.grad_mode)
        self.quiet = silence()

    def __exit__(self, *exc):
        restore(self.quiet)
        _grad_mode._set_enabled(self.previous)


class _ReadyQueue:
    """std::priority_queue<NodeTask, vector, CompareNodeTaskTime> from libstdc++:
    a max-heap on sequence numbers with libstdc++'s push_heap/pop_heap."""

    def __init__(self):
        self.heap = []

    def __len__(self):
        return len(self.heap)

    def push(self, node):
        heap = self.heap
        heap.append(node)
        self._sift_up(len(heap) - 1, 0, node)

    def pop(self):
        heap = self.heap
        top = heap[0]
        last = heap.pop()
        if heap:
            self._adjust(0, len(heap), last)
        return top

    def _sift_up(self, hole, top, node):  # libstdc++ __push_heap
        heap, seq = self.heap, node._sequence_nr
        parent = (hole - 1) // 2
        while hole > top and heap[parent]._sequence_nr < seq:
            heap[hole] = heap[parent]
            hole = parent
            parent = (hole - 1) // 2
        heap[hole] = node

    def _adjust(self, hole, length, node):  # libstdc++ __adjust_heap
        heap, top, child = self.heap, hole, hole
        while child < (length - 1) // 2:
            child = 2 * (child + 1)
            if heap[child]._sequence_nr < heap[child - 1]._sequence_nr:
                child -= 1
            heap[hole] = heap[child]
            hole = child
        if length % 2 == 0 and child == (length - 2) // 2:
            child = 2 * (child + 1)
            heap[hole] = heap[child - 1]
            hole = child - 1
        self._sift_up(hole, top, node)


class GraphTask:
    """One backward pass from ``root_edges`` seeded with ``root_grads``.

    ``capture``: edges whose incoming gradient is returned instead of being
    accumulated (``autograd.grad``). ``accumulate_only``: the only edges to
    deliver into (``backward(inputs=...)``). With either, only nodes on a
    path to those edges run, as in PyTorch.
    """

    def __init__(self, root_edges, root_grads, retain_graph=False, create_graph=False,
                 capture=None, accumulate_only=None, keep_grad_before=False):
        self.retain_graph = retain_graph
        # a copy of each leaf's .grad before accumulation, for the stepper's
        # "before -> after" (accumulation is in place, so it must be copied first)
        self.keep_grad_before = keep_grad_before
        self.create_graph = create_graph
        self.root_edges, self.root_grads = tuple(root_edges), tuple(root_grads)
        self.buffers = {}  # node -> gradients received so far, one slot per forward output
        single_root = len(self.root_edges) == 1
        self.dependencies = _count_dependencies(self.root_edges, count_root_edges=not single_root)
        self.capture_slots = {}
        for i, (node, nr) in enumerate(capture or ()):
            self.capture_slots.setdefault(node, []).append((nr, i))
        self.captured = [None] * len(capture or ())
        self.needed = None
        if capture is not None or accumulate_only is not None:
            self.needed = _needed_nodes(self.root_edges, self.dependencies, set(self.capture_slots),
                                        {node for node, _ in accumulate_only or ()})
        self.ready = _ReadyQueue()
        # gradients also held elsewhere (root gradients, captured ones): PyTorch never adds
        # into those in place (see _accumulate)
        self.shared = {id(g): g for g in self.root_grads if g is not None}
        # one tensor sent along several edges: held elsewhere only while another input
        # buffer (or a delivery still to come) holds it too
        self.multi_sent = {}

    def steps(self):
        """Run backward, yielding one ``BackwardStep`` per node executed.

        Grad mode is set (to ``create_graph``) only while the engine itself
        works, never across a ``yield``: a paused walk (the stepper widget
        waiting for a click) must not change grad mode for the user's code.
        A step is yielded after its gradients were delivered, so
        ``task.buffers`` then shows what is pending downstream."""
        with self._engine_mode():
            self._start()
        while self.ready:
            with self._engine_mode():
                step = self._run_next(BackwardStep)
            if step is not None:
                yield step

    def run(self):
        """Run backward to the end, without pausing: the same per-node work as
        ``steps()``, with the engine's modes set once instead of around every node.
        Returns the captured gradients (for autograd.grad)."""
        with self._engine_mode():
            self._start()
            while self.ready:
                self._run_next(None)
        return self.captured

    def _engine_mode(self):
        """Grad mode ``create_graph`` (derivatives are recorded only for double backward)
        and numpy's warnings off (formulas meet inf * 0 silently, as in C++)."""
        return _EngineMode(self.create_graph)

    def _start(self):
        if len(self.root_edges) == 1:  # PyTorch skips its GraphRoot node for one root
            (node, nr), = self.root_edges
            self.buffers[node] = buffer = [None] * len(node._input_metadata)
            buffer[nr] = self.root_grads[0]
            self.ready.push(node)
        else:
            self._send(self.root_edges, self.root_grads)

    def _run_next(self, make_step):
        """Run the next ready node and send its gradients on. With ``make_step``
        (``BackwardStep``), return what the node did; otherwise return nothing."""
        node = self.ready.pop()
        try:
            done = self._evaluate(node, self.buffers.pop(node))
            if done is None:
                return None
            self._send(node._next_edges, done[2])
        except Exception as error:
            error.autograd_node = node  # which node failed (for the stepper)
            raise
        return make_step(*done, self) if make_step is not None else None

    # -- one node ------------------------------------------------------------
    def _evaluate(self, node, grads):
        """Run ``node`` on ``grads``: (node, grads_in, grads_out, edges, accumulated,
        hooks_run), or None for a node that is not on a path to what was asked for."""
        hooks_run = []
        if node._tensor_pre_hooks or node._retains_grad_hooks or isinstance(node, AccumulateGrad):
            grads = _call_tensor_pre_hooks(node, grads, hooks_run)
        if self.capture_slots:
            for nr, index in self.capture_slots.get(node, ()):
                self.captured[index] = grads[nr]
                self.shared[id(grads[nr])] = grads[nr]
        if self.needed is not None and not self.needed.get(node):
            return None
        if node._pre_hooks:
            for hook in list(node._pre_hooks.values()):
                result = hook(tuple(grads))
                hooks_run.append(("pre", hook))
                if result is not None:
                    grads = _checked_hook_results(hook, grads, result)
        accumulated = None
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            before = leaf._grad
            if before is not None and self.keep_grad_before:
                before = before.detach().clone()
            # only a first gradient can be kept as it is (later ones are added into it)
            steal = before is None and not hooks_run and grads[0] is not None \
                and not self._still_held(grads[0])
            outputs = node.apply(grads[0], steal=steal)
            accumulated = (leaf, before, leaf._grad)
        else:
            node.unpack_saved()  # first, as PyTorch's nodes do, even for undefined gradients
            if all(g is None for g in grads):
                outputs = (None,) * len(node._next_edges)
            else:
                if len(grads) > 1 and any(g is None for g in grads):
                    grads = _materialize(node, grads)
                outputs = node.apply(*grads)
        if not self.retain_graph:
            node.release_variables()
        outputs = _validate_outputs(node, node._next_edges, outputs)
        if node._post_hooks:
            for hook in list(node._post_hooks.values()):
                result = hook(tuple(outputs), tuple(grads))
                hooks_run.append(("post", hook))
                if result is not None:
                    outputs = _checked_hook_results(hook, outputs, result)
        return (node, tuple(grads), tuple(outputs), node._next_edges, accumulated, hooks_run)

    # -- passing gradients on ------------------------------------------------
    def _send(self, edges, grads):
        dependencies, buffers, needed = self.dependencies, self.buffers, self.needed
        sent = [id(g) for (target, _), g in zip(edges, grads, strict=True)
                if g is not None and target is not None]
        for g in grads:
            if g is not None and sent.count(id(g)) > 1:
                self.multi_sent[id(g)] = g
        for (target, nr), grad in zip(edges, grads, strict=True):
            if target is None:
                continue
            if grad is not None:
                sent.pop(0)  # what is left is still to be delivered
            dependencies[target] -= 1
            if needed is not None and target not in needed:
                continue  # not on a path to what was asked for
            buffer = buffers.get(target)
            if buffer is None:
                buffer = buffers[target] = [None] * len(target._input_metadata)
            if grad is not None:
                buffer[nr] = grad if buffer[nr] is None else self._accumulate(
                    buffer[nr], grad, self._held_elsewhere(buffer[nr], grad, buffer, sent))
            if dependencies[target] == 0:
                self.ready.push(target)

    def _still_held(self, grad):
        """Does anything but the node about to run hold ``grad`` (PyTorch: its use count
        is above 1)? The user's root gradients, captured ones, and other pending buffers."""
        return id(grad) in self.shared or (id(grad) in self.multi_sent and any(
            g is grad for b in self.buffers.values() for g in b))

    def _held_elsewhere(self, old, new, buffer, undelivered):
        """Does something besides ``buffer`` hold ``old`` (PyTorch: its use count is not 1)?"""
        if id(old) in self.shared:
            return True
        if id(old) not in self.multi_sent:
            return False
        return new._base is old or new is old or id(old) in undelivered or any(
            g is old for b in self.buffers.values() if b is not buffer for g in b)

    def _accumulate(self, old, new, held_elsewhere):
        """Two gradients for one input. PyTorch's InputBuffer adds the second into the first
        in place (``old.add_(new)``) when grad mode is off and nothing else holds the first:
        the sum then shows ``old``'s version plus one. Here the sum is always a new tensor
        (nothing is overwritten) that gets that version. A view counts as seen elsewhere
        (it shares memory). An immutable zero tensor is never added into; one added in
        place into ``old`` is an ordinary 0 (a -0. in ``old`` becomes 0.)."""
        in_place = (not self.create_graph and old._base is None and not held_elsewhere
                    and not old._zero)
        total = old + new if in_place else add_gradients(old, new)
        if in_place:
            total._version_counter.version = old._version_counter.version + 1
        return total


def _count_dependencies(root_edges, count_root_edges):
    """How many edges point at each node reachable from the roots (iterative DFS)."""
    dependencies = {}
    stack = []
    for node, _ in root_edges:
        if node is not None:
            if count_root_edges:
                dependencies[node] = dependencies.get(node, 0) + 1
            if node not in stack:
                stack.append(node)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for child, _ in node._next_edges:
            if child is not None:
                dependencies[child] = dependencies.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    return dependencies


def _needed_nodes(root_edges, dependencies, captured, accumulate_targets):
    """{node: run it?} for nodes on a path to a target; captured nodes are keys
    even when they need not run (their incoming gradient is the answer)."""
    remaining = dict(dependencies)
    for node, _ in root_edges:
        if remaining.get(node):
            remaining[node] -= 1  # only edges inside the graph count here
    order = []
    stack = list(dict.fromkeys(n for n, _ in root_edges if n is not None and not remaining.get(n)))
    while stack:  # Kahn's algorithm: parents before children
        node = stack.pop()
        order.append(node)
        for child, _ in node._next_edges:
            if child is not None:
                remaining[child] -= 1
                if remaining[child] == 0:
                    stack.append(child)
    needed = {}
    for node in reversed(order):
        run = node in accumulate_targets or any(
            needed.get(c) or c in captured for c, _ in node._next_edges if c is not None)
        if run or node in captured:
            needed[node] = run
    return needed


def _call_tensor_pre_hooks(node, grads, hooks_run):
    """Hooks registered on tensors (``t.register_hook``), then ``retain_grad``."""
    grads = list(grads)
    tensor_hooks = node._tensor_pre_hooks
    if isinstance(node, AccumulateGrad):
        leaf_hooks = node.variable._backward_hooks
        tensor_hooks = {0: leaf_hooks} if leaf_hooks else None
    if tensor_hooks:
        for nr, hooks in tensor_hooks.items():
            for hook in list(hooks.values()):
                if grads[nr] is None:
                    continue
                result = hook(grads[nr])
                hooks_run.append(("tensor", hook))
                if result is not None:
                    grads[nr] = _checked_hook_result(hook, grads[nr], result)
    if node._retains_grad_hooks:
        for nr, tensor_ref in node._retains_grad_hooks.items():
            tensor = tensor_ref()
            if tensor is not None and grads[nr] is not None:
                _retain(tensor, grads[nr])
                hooks_run.append(("retain_grad", tensor))
    return grads


def _hook_name(hook):
    return getattr(hook, "__name__", None) or repr(hook)


def _checked_hook_result(hook, old, new):
    """A hook may replace a gradient, but not change its dtype or shape."""
    if new._dtype is not old._dtype:
        raise RuntimeError(msg.HOOK_CHANGED_TYPE.format(
            name=_hook_name(hook), was=old._dtype.tensor_type, got=new._dtype.tensor_type))
    if new._data.shape != old._data.shape:
        raise RuntimeError(msg.HOOK_CHANGED_SIZE.format(name=_hook_name(hook)))
    return new


def _checked_hook_results(hook, old, new):
    new = list(new)
    if len(new) != len(old):
        raise RuntimeError(msg.HOOK_WRONG_COUNT.format(
            name=_hook_name(hook), got=len(new), expected=len(old)))
    for i, (o, n) in enumerate(zip(old, new, strict=True)):
        if n is None or o is None:
            if o is None and n is not None:
                raise RuntimeError(msg.HOOK_REPLACED_NONE)
            continue
        new[i] = _checked_hook_result(hook, o, n)
    return new


def _retain(tensor, grad):
    """PyTorch's retain_grad hook: a first gradient is copied contiguous (whatever the
    tensor's layout), later ones are added."""
    from ..ops.copying import clone
    if tensor._grad is None:
        grad = grad if _grad_mode.is_grad_enabled() else grad.detach()
        tensor._grad = clone(grad, memory_format="contiguous")
    else:
        tensor._grad = tensor._grad + grad


def _materialize(node, grads):
    from ..ops.creation import zeros_like_meta
    return [zeros_like_meta(*node._input_metadata[i]) if g is None else g
            for i, g in enumerate(grads)]


def _validate_outputs(node, edges, grads):
    """PyTorch's validate_outputs: count, then reduce/cast each gradient to its input."""
    grads = list(grads)
    if len(grads) != len(edges):
        raise RuntimeError(msg.WRONG_GRAD_COUNT.format(
            name=node.name(), expected=len(edges), got=len(grads)))
    for i, grad in enumerate(grads):
        target, nr = edges[i]
        if target is None or grad is None:
            if target is None:
                grads[i] = None
            continue
        shape, dtype = target._input_metadata[nr]
        if grad._data.shape != shape:
            if not _expandable(shape, grad._data.shape):
                raise RuntimeError(msg.WRONG_GRAD_SHAPE.format(
                    name=node.name(), index=i, got=list(grad._data.shape), expected=list(shape)))
            grad = grad.sum_to_size(shape)
        if grad._dtype is not dtype:
            grad = grad.to(dtype)
        grads[i] = grad
    return grads


def _expandable(shape, target):
    """Can ``shape`` be broadcast to ``target``? (so a gradient of ``target`` sums back)."""
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target), strict=False):
        if s != t and s != 1:
            return False
    return True
