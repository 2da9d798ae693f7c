"""Collect the graph behind some output tensors into plain, ordered records.

Why a model between the engine and the DOT text: drawing, stepping and
testing all need the same facts (which nodes, which edges, what each one
holds) in the same stable order. Node ids are given by *creation order*
(each node's sequence number, ranked within this graph; an AccumulateGrad,
whose sequence number is the same huge constant for all of them, is placed
just before the first node that used its leaf, which is when the engine
created it). Ranking within the graph, rather than using the raw global
counter or ``id()``, makes the same program give the same ids in a fresh
process, after re-running a notebook cell, and in PyTorch.
"""

from dataclasses import dataclass, field

from . import introspect as ins


@dataclass
class TensorInfo:
    """A tensor as the drawing shows it (a snapshot taken when collected)."""

    label: str | None
    shape: tuple
    dtype: str
    values: str | None
    grad: str | None
    has_grad: bool
    requires_grad: bool
    is_leaf: bool
    retains_grad: bool
    version: int | None
    hooks: list = field(default_factory=list)


@dataclass
class EdgeInfo:
    """One use of a producer by a consumer: ``consumer.next_functions[index]``."""

    id: str
    source: str  # producer node id
    target: str  # consumer node id
    index: int  # which input of the consumer
    output_nr: int  # which output of the producer


@dataclass
class NodeInfo:
    """One ``grad_fn`` node (or AccumulateGrad, with its leaf as ``variable``)."""

    id: str
    name: str
    rank: int
    accumulate: bool
    inputs: list  # per next_functions slot: EdgeInfo or None (input needs no grad)
    saved: list
    hooks: list
    variable: TensorInfo | None = None
    outputs: dict = field(default_factory=dict)  # output_nr -> label of a named tensor
    sequence_nr: int = 0


@dataclass
class OutputInfo:
    """One tensor passed to ``draw``: its box, and the node that made it."""

    id: str
    tensor: TensorInfo
    node: str | None  # id of its grad_fn (or of the AccumulateGrad for a leaf output)
    output_nr: int = 0


@dataclass
class GraphModel:
    nodes: list  # NodeInfo in creation order
    edges: list  # EdgeInfo in consumer order, then input index
    outputs: list
    node_of: dict  # engine node object -> NodeInfo (for the stepper)
    engine: str  # "autograd_edu" or "torch"

    def node(self, node_id):
        return self._by_id[node_id]

    def __post_init__(self):
        self._by_id = {n.id: n for n in self.nodes}
        self._consumers = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            self._consumers[edge.source].append(edge)

    def consumer_edges(self, node_id):
        """Edges out of ``node_id`` to the nodes that used its outputs: the gradient
        that reaches ``node_id`` in backward is the sum of what comes back along them."""
        return list(self._consumers[node_id])


def named_tensors(names):
    """``names`` (label -> tensor mapping, or (label, tensor) pairs, e.g. ``locals()``
    or ``model.named_parameters()``) as a list of (label, tensor); non-tensors dropped."""
    if names is None:
        return []
    items = names.items() if hasattr(names, "items") else names
    return [(str(label), value) for label, value in items if ins.is_tensor(value)]


def label_map(pairs):
    """{id(tensor): label} from ``named_tensors``. A tensor with several names gets
    its first name not starting with ``_`` (IPython's ``_``, ``_3`` output
    history), else its first."""
    labels = {}
    for label, value in pairs:
        key = id(value)
        label = str(label)
        if key not in labels or (labels[key].startswith("_") and not label.startswith("_")):
            labels[key] = label
    return labels


def tensor_info(tensor, label, max_values=6):
    grad = ins.read_grad(tensor)
    return TensorInfo(
        label=label, shape=tuple(tensor.shape), dtype=ins.dtype_name(tensor.dtype),
        values=ins.format_tensor(tensor, max_values),
        grad=None if grad is None else ins.describe_tensor(grad, max_values),
        has_grad=grad is not None, requires_grad=bool(tensor.requires_grad),
        is_leaf=bool(tensor.is_leaf), retains_grad=bool(getattr(tensor, "retains_grad", False)),
        version=getattr(tensor, "_version", None), hooks=ins.tensor_hooks(tensor))


def reachable(roots):
    """Every node reachable from ``roots`` (iterative: deep chains need no recursion),
    and for each node the sequence numbers of the nodes that use it."""
    seen = {}
    stack = [n for n in roots if n is not None]
    for n in stack:
        seen.setdefault(n, [])
    while stack:
        node = stack.pop()
        for child, _ in ins.next_edges(node):
            if child is None:
                continue
            if child not in seen:
                seen[child] = []
                stack.append(child)
            seen[child].append(node)
    return seen


def creation_order(consumers):
    """Nodes sorted by creation: sequence number; an AccumulateGrad right before the
    first node that used its leaf (by that node's input index)."""
    seq = {n: ins.sequence_nr(n) for n in consumers}

    def key(node):
        if ins.is_accumulate(node) and consumers[node]:
            first = min(consumers[node], key=lambda c: seq[c])
            index = next(i for i, (n, _) in enumerate(ins.next_edges(first)) if n is node)
            return (seq[first], 0, index)
        return (seq[node], 1, 0)

    return sorted(consumers, key=key)


def collect(tensors, names=None, max_values=6):
    """The ``GraphModel`` behind ``tensors`` (autograd_edu or torch tensors)."""
    pairs = named_tensors(names)
    labels = label_map(pairs)
    # Named non-leaf tensors label the node output that made them.
    produced = {}
    for _, tensor in pairs:
        if tensor.grad_fn is not None and id(tensor) in labels:
            produced.setdefault((tensor.grad_fn, int(tensor.output_nr)), labels[id(tensor)])
    roots = [_root_node(t) for t in tensors]
    consumers = reachable(roots)
    order = creation_order(consumers)
    infos, node_of = [], {}
    for rank, node in enumerate(order):
        info = NodeInfo(id=f"n{rank}", name=ins.node_name(node), rank=rank,
                        accumulate=ins.is_accumulate(node), inputs=[], saved=[], hooks=[],
                        sequence_nr=ins.sequence_nr(node))
        infos.append(info)
        node_of[node] = info
    edges = []
    for node in order:
        info = node_of[node]
        for index, (child, nr) in enumerate(ins.next_edges(node)):
            if child is None:
                info.inputs.append(None)
                continue
            edge = EdgeInfo(f"e{len(edges)}", node_of[child].id, info.id, index, nr)
            edges.append(edge)
            info.inputs.append(edge)
        info.saved = ins.saved_values(node)
        info.hooks = ins.node_hooks(node)
        if info.accumulate:
            leaf = node.variable
            info.variable = tensor_info(leaf, labels.get(id(leaf)), max_values)
    for (grad_fn, nr), label in produced.items():
        if grad_fn in node_of:
            node_of[grad_fn].outputs[nr] = label
    _add_torch_tensor_hooks(node_of, pairs)
    accumulator_of = {id(n.variable): node_of[n].id for n in order if ins.is_accumulate(n)}
    outputs = []
    for i, tensor in enumerate(tensors):
        root = roots[i]
        node_id = accumulator_of.get(id(tensor)) if root is None else node_of[root].id
        outputs.append(OutputInfo(
            id=f"o{i}", tensor=tensor_info(tensor, labels.get(id(tensor)), max_values),
            node=node_id, output_nr=int(tensor.output_nr) if root is not None else 0))
    engine = "torch" if any(type(t).__module__.startswith("torch") for t in tensors) \
        else "autograd_edu"
    return GraphModel(infos, edges, outputs, node_of, engine)


def _root_node(tensor):
    """The node a tensor's gradient enters through: its grad_fn; None for a leaf
    (a leaf output has no node until backward creates its AccumulateGrad)."""
    return tensor.grad_fn


def _add_torch_tensor_hooks(node_of, pairs):
    """PyTorch hides node hook lists, but a named non-leaf tensor shows its own
    hooks and retains_grad: attach them to the node that made it."""
    seen = set()
    for _, tensor in pairs:
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        node = tensor.grad_fn
        if node is None or node not in node_of or ins.exposes_node_hooks(node):
            continue
        info = node_of[node]
        nr = int(tensor.output_nr)
        for hook in ins.tensor_hooks(tensor):
            info.hooks.append(f"{hook} (output {nr})")
        if getattr(tensor, "retains_grad", False):
            info.hooks.append(f"retains_grad (output {nr})")
