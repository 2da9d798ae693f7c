"""Turn backward steps into frames: what the stepper shows at each step.

A frame is a *copy* taken when the step happens: the engine's buffers and
the leaves' ``.grad`` keep changing (``.grad`` is even added to in place),
so everything a frame shows is formatted at once into text and kept. Going
back re-shows a frame; it never runs or accumulates anything again.

The engine yields a step after its node ran but *before* its gradients are
delivered to the next nodes, and the stepper shows each frame as the state
*after* the step. So the partial sums still waiting at other nodes are kept
here in a ledger of every gradient sent so far (per receiving node and
slot), which is also how the panel can say which consumer sent which part
of a gradient that arrives as a sum. (A test checks the ledger against the
engine's own ``task.buffers``.)
"""

from dataclasses import dataclass, field
from html import escape as html  # web HTML, not a DOT label

import numpy as np

from . import introspect as ins
from .rules import local_rule


@dataclass
class Contribution:
    """One gradient sent to a node: by whom, into which of its output slots."""

    source: str
    slot: int
    array: np.ndarray | None
    text: str


@dataclass
class Pending:
    """A node that has received some gradients but has not run yet."""

    node: str
    received: int
    expected: int
    sums: list  # text per output slot

    @property
    def ready(self):
        return self.received >= self.expected


@dataclass
class Frame:
    """Everything one step of the walk shows (frame 0: before any node runs)."""

    index: int
    total: int
    node_id: str | None
    title: str
    node_states: dict
    edge_states: dict
    arrived: list = field(default_factory=list)
    grads_in: list = field(default_factory=list)
    hooks_changed: bool = False
    rule: object = None
    sent: list = field(default_factory=list)
    accumulated: tuple | None = None
    hooks: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    error: str | None = None

    def text(self):
        """The panel as plain text (for static output and tests)."""
        return "\n".join(_lines(self, plain=True))

    def html(self):
        """The panel as HTML (every piece of data escaped)."""
        return "\n".join(_lines(self, plain=False))


def describe(info):
    """``MulBackward0 #2``, ``AccumulateGrad #0 (x)``: how the panel names a node."""
    text = f"{info.name} #{info.rank}"
    if info.variable is not None and info.variable.label:
        text += f" ({info.variable.label})"
    return text


class Recorder:
    """Consume a stream of backward steps one at a time, keeping a frame for each.

    ``steps``: an iterator of step objects (``autograd.backward_steps(...)``, or a
    replay of PyTorch's backward). ``seeds``: (node id, slot, gradient, label)
    for the gradient each output starts with.
    """

    def __init__(self, model, steps, seeds):
        self.model, self.steps = model, steps
        # one step per node; a leaf passed as an output gets its AccumulateGrad only
        # when backward starts, so it is not in the model but is a step too
        self.total = len(model.nodes) + sum(
            o.node is None and o.tensor.requires_grad for o in model.outputs)
        self.frames = []
        self.finished = False
        self.error = None
        self.done = []  # node ids in the order they ran
        self.ledger = {}  # node id -> [Contribution]
        self.expected = {n.id: len(model.consumer_edges(n.id)) for n in model.nodes}
        self.sent_edges = []
        seed_edges = {}
        for node_id, slot, grad, label in seeds:
            if node_id is None:
                continue
            self.expected[node_id] += 1
            self._receive(node_id, slot, grad, f"the start gradient of {label}")
            seed_edges[label] = node_id
        root_edges = {f"e{o.id}": "sending" for o in model.outputs if o.node is not None}
        title = f"Before backward: {len(seeds)} start gradient{'s' if len(seeds) != 1 else ''}"
        self.frames.append(Frame(0, self.total, None, title, self._node_states(None),
                                 root_edges, pending=self._pending(None)))

    # -- stepping ----------------------------------------------------------------
    def advance(self):
        """Run one more step of the engine; return its frame, or None when finished."""
        if self.finished:
            return None
        try:
            step = next(self.steps)
        except StopIteration:
            self.finished = True
            return None
        except Exception as error:  # noqa: BLE001 - shown to the learner, then re-raisable
            self.finished, self.error = True, error
            frame = self._error_frame(error)
            self.frames.append(frame)
            return frame
        frame = self._record(step)
        self.frames.append(frame)
        return frame

    def run_to(self, index):
        """Advance until frame ``index`` exists (or the walk ends); return the last index."""
        while len(self.frames) <= index and self.advance() is not None:
            pass
        return min(index, len(self.frames) - 1)

    # -- one step ------------------------------------------------------------------
    def _record(self, step):
        info = self.model.node_of.get(step.node)
        node_id = info.id if info is not None else None
        name = describe(info) if info is not None else ins.node_name(step.node)
        arrived = list(self.ledger.get(node_id, ()))
        grads_in = [ins.describe_tensor(g) for g in step.grads_in]
        summed = _slot_sums(arrived, len(step.grads_in))
        hooks_changed = any(s != g for s, g in zip(summed, grads_in, strict=False)) \
            and bool(step.hooks)
        sent, now_sending = [], {}
        inputs = info.inputs if info is not None else [None] * len(step.grads_out)
        for index, (edge, grad) in enumerate(zip(inputs, step.grads_out, strict=False)):
            if edge is None:
                sent.append(f"input {index}: no gradient needed (does not require grad)")
                continue
            target = self.model.node(edge.source)
            text = ins.describe_tensor(grad)
            sent.append(f"input {index} \u2192 {describe(target)}: {text}")
            self._receive(edge.source, edge.output_nr, grad,
                          f"{name}, its input {index}")
            now_sending[edge.id] = "sending"
        accumulated = None
        if step.accumulated is not None:
            leaf, before, after = step.accumulated
            label = (info.variable.label if info is not None and info.variable is not None
                     else None) or "leaf"
            accumulated = (label, ins.describe_tensor(before), ins.describe_tensor(after))
        if node_id is not None:
            self.done.append(node_id)
        edge_states = {e: "sent" for e in self.sent_edges}
        edge_states.update(now_sending)
        self.sent_edges.extend(now_sending)
        index = len(self.frames)
        return Frame(index, self.total, node_id, f"Step {index} of {self.total}: {name}",
                     self._node_states(node_id), edge_states, arrived=arrived,
                     grads_in=grads_in, hooks_changed=hooks_changed,
                     rule=local_rule(info.name if info else ins.node_name(step.node)),
                     sent=sent, accumulated=accumulated,
                     hooks=[_hook_text(kind, hook) for kind, hook in step.hooks],
                     pending=self._pending(node_id))

    def _error_frame(self, error):
        """The engine raised (e.g. a saved tensor modified in place): show it on the
        node that was about to run: the ready one created last, as PyTorch picks."""
        ready = self._ready_nodes()
        culprit = max(ready, key=lambda n: (n.sequence_nr, n.rank)) if ready else None
        node_id = culprit.id if culprit else None
        states = self._node_states(None)
        if node_id:
            states[node_id] = "error"
        index = len(self.frames)
        title = f"Step {index}: {describe(culprit) if culprit else 'backward'} raised an error"
        return Frame(index, self.total, node_id, title, states,
                     {e: "sent" for e in self.sent_edges}, pending=self._pending(node_id),
                     error=f"{type(error).__name__}: {error}",
                     rule=local_rule(culprit.name) if culprit else None)

    # -- bookkeeping -------------------------------------------------------------------
    def _receive(self, node_id, slot, grad, source):
        if grad is None or isinstance(grad, np.ndarray):  # a start gradient made here
            array, text = grad, _array_text(grad)
        else:
            array, text = ins.to_numpy(grad), ins.describe_tensor(grad)
        self.ledger.setdefault(node_id, []).append(Contribution(source, slot, array, text))

    def _ready_nodes(self):
        done = set(self.done)
        return [self.model.node(i) for i, got in self.ledger.items()
                if i not in done and len(got) >= self.expected[i]]

    def _pending(self, current):
        done = set(self.done)
        out = []
        for node in self.model.nodes:  # creation order: stable and easy to scan
            got = self.ledger.get(node.id)
            if got is None or node.id in done or node.id == current:
                continue
            slots = max(c.slot for c in got) + 1
            out.append(Pending(describe(node), len(got), self.expected[node.id],
                               _slot_sums(got, slots)))
        return out

    def _node_states(self, current):
        states = {i: "done" for i in self.done}
        for node_id, got in self.ledger.items():
            if node_id not in states:
                states[node_id] = "ready" if len(got) >= self.expected[node_id] else "waiting"
        if current is not None:
            states[current] = "current"
        return states


def _slot_sums(contributions, slots):
    """The sum arriving in each output slot, as text (what the engine's buffer holds)."""
    sums = []
    for slot in range(slots):
        arrays = [c.array for c in contributions if c.slot == slot and c.array is not None]
        total = None
        for array in arrays:
            total = array.copy() if total is None else total + array
        sums.append(_array_text(total))
    return sums


def _array_text(array):
    if array is None:
        return "None"
    text = ins.format_array(np.asarray(array))
    return text if text is not None else f"<{ins.shape_text(array.shape)} {array.dtype}>"


def _hook_text(kind, hook):
    if kind == "retain_grad":
        return "retain_grad: the gradient was stored in the tensor's .grad"
    return f"{kind} hook {ins.callable_name(hook)} ran"


# -- the panel ---------------------------------------------------------------------------
def _lines(frame, plain):
    """The panel, as plain-text lines or HTML lines (same content)."""
    def esc(text):
        return text if plain else f"<div>{html(text)}</div>"

    def head(text):
        return text if plain else f"<div style='margin-top:0.4em'><b>{html(text)}</b></div>"

    def item(text):
        return f"  {text}" if plain else (
            "<div style='margin-left:1.2em;font-family:var(--jp-code-font-family,monospace)'>"
            f"{html(text)}</div>")

    out = [head(frame.title)]
    if frame.error:
        out.append(head("Error:"))
        out.append(item(frame.error))
    if frame.index == 0:
        out.append(esc("Nothing has run yet. PyTorch's engine will run, among the nodes whose "
                       "gradients are all in, the one created last."))
    if frame.arrived:
        n = len(frame.arrived)
        out.append(head(f"Gradient arrived (sum of {n} contribution{'s' if n != 1 else ''}):"
                        if n > 1 else "Gradient arrived:"))
        for c in frame.arrived:
            out.append(item(f"from {c.source}: {c.text}"))
        if n > 1 or frame.hooks_changed:
            label = "after hooks" if frame.hooks_changed else "sum"
            out.append(item(f"{label} = " + ", ".join(frame.grads_in)))
    if frame.rule is not None and not frame.error:
        out.append(head("Local rule:"))
        if frame.rule.symbols:
            out.append(item(f"{frame.rule.name}: {frame.rule.symbols}"))
        out.append(item(f"in words: {frame.rule.words}"))
    if frame.accumulated is not None:
        label, before, after = frame.accumulated
        out.append(head("Accumulated into .grad:"))
        out.append(item(f"{label}.grad: {before} \u2192 {after}"))
    if frame.sent:
        out.append(head("Gradients sent:"))
        out += [item(s) for s in frame.sent]
    if frame.hooks:
        out.append(head("Hooks called:"))
        out += [item(h) for h in frame.hooks]
    waiting = [p for p in frame.pending if not p.ready]
    ready = [p for p in frame.pending if p.ready]
    if ready:
        out.append(head("Ready to run (all gradients in):"))
        out += [item(f"{p.node}: {', '.join(p.sums)}") for p in ready]
    if waiting:
        out.append(head("Waiting for more gradients (partial sums so far):"))
        out += [item(f"{p.node}: {p.received} of {p.expected} in, so far {', '.join(p.sums)}")
                for p in waiting]
    if frame.index == frame.total and not frame.error:
        out.append(head("Done: every node has run; the leaves' .grad now hold the result."))
    return out
