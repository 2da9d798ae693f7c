"""``draw(*tensors)``: the public drawing, shown inline in JupyterLab as SVG.

A ``Drawing`` is a *snapshot*: the DOT text is built when ``draw`` is called
(values, ``.grad``, versions, freed buffers as they are then), so drawing
before and after ``backward()`` gives two different pictures, and the same
program always gives the same bytes. ``dot`` runs only when the SVG is
needed (display, ``.svg()``, ``.save()``), so ``.source`` works without it.
"""

import os
import warnings

from . import dot, render
from .graph_model import collect, label_map, named_tensors

DEFAULT_MAX_NODES = 2500


class LargeGraphWarning(UserWarning):
    """The graph has more nodes than ``max_nodes``; a collapsed view is drawn."""


def draw(*tensors, names=None, show_values=True, show_grads=True, show_saved=False,
         show_versions=False, legend=True, max_nodes=DEFAULT_MAX_NODES, max_values=6,
         rankdir="TB", graph_attrs=None):
    """Draw the autograd graph behind ``tensors`` (autograd_edu or PyTorch tensors).

    What you see, and the colours (also in the drawn legend):

    - grey boxes: ``grad_fn`` nodes, with PyTorch's names (``MulBackward0``);
    - blue boxes: ``AccumulateGrad`` nodes with the leaf tensor they add into
      (its label, shape, small values, ``.grad``, ``requires_grad``);
    - green boxes: the tensors passed to ``draw``;
    - arrows follow the forward computation, one arrow per *use* of a value
      (``a * a`` has two), numbered with the input index of the consumer;
    - ``show_saved``: orange boxes for saved tensors, with the version each
      was saved at and the current one (red and "STALE" when an in-place
      change moved it: backward would raise); scalars saved (``alpha``) and
      inputs not saved. A stale saved tensor is flagged even without it, and
      saved values freed by ``backward()`` show as "freed";
    - hooks and ``retains_grad`` in purple.

    ``names``: label -> tensor (``names=locals()``, ``model.named_parameters()``).
    ``max_nodes``: above this many nodes, warn and draw only the nodes nearest
    the outputs, the rest summarised in one box (``.full()`` draws all).
    """
    if not tensors:
        raise TypeError("draw() needs at least one tensor, e.g. draw(loss)")
    pairs = named_tensors(names)
    model = collect(tensors, pairs, max_values)
    options = dot.Options(show_values=show_values, show_grads=show_grads, show_saved=show_saved,
                          show_versions=show_versions, legend=legend, rankdir=rankdir)
    return Drawing(model, options, label_map(pairs), max_nodes, graph_attrs)


def nearest_nodes(model, limit):
    """The ``limit`` node ids closest to the outputs (breadth first, in id order)."""
    producers = {n.id: [e.source for e in n.inputs if e is not None] for n in model.nodes}
    order, seen = [], set()
    frontier = [o.node for o in model.outputs if o.node is not None]
    while frontier and len(order) < limit:
        nxt = []
        for node_id in frontier:
            if node_id in seen:
                continue
            seen.add(node_id)
            order.append(node_id)
            nxt.extend(producers[node_id])
        frontier = nxt
    return set(order[:limit])


class Drawing:
    """The result of ``draw``: ``.source`` (DOT), ``.svg()``, ``.save(path)``."""

    def __init__(self, model, options, names, max_nodes, graph_attrs=None):
        self.model, self.options, self._names = model, options, names
        self._graph_attrs = graph_attrs
        self.collapsed = max_nodes is not None and len(model.nodes) > max_nodes
        keep = None
        if self.collapsed:
            keep = nearest_nodes(model, max_nodes)
            warnings.warn(
                f"the graph has {len(model.nodes)} nodes, more than max_nodes={max_nodes}: "
                f"drawing the {len(keep)} nodes nearest the outputs and collapsing the rest "
                "into one box. Use .summary() for counts, or .full() to lay out everything "
                "(dot may take minutes on large tangled graphs).",
                LargeGraphWarning, stacklevel=3)
        self.source = dot.build(model, options, keep=keep, names=names, graph_attrs=graph_attrs)
        self._svg = None

    def full(self):
        """The same snapshot with every node drawn (no collapsing)."""
        return Drawing(self.model, self.options, self._names, None, self._graph_attrs)

    def svg(self):
        """The drawing as an SVG string (runs ``dot`` once, then cached)."""
        if self._svg is None:
            self._svg = render.pipe(self.source, "svg")
        return self._svg

    def save(self, path, format=None):
        """Write the drawing; the format comes from the suffix (.svg .png .pdf .dot/.gv)."""
        path = os.fspath(path)
        fmt = format or os.path.splitext(path)[1].lstrip(".").lower() or "svg"
        if fmt in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif fmt == "svg":
            data = self.svg().encode("utf-8")
        else:
            data = render.pipe(self.source, fmt)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def summary(self):
        """Node counts by name: a text view that never runs dot."""
        counts = {}
        for n in self.model.nodes:
            counts[n.name] = counts.get(n.name, 0) + 1
        lines = [repr(self)]
        lines += [f"  {count:6d}  {name}" for name, count in
                  sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return "\n".join(lines)

    def __repr__(self):
        nodes = self.model.nodes
        acc = sum(n.variable is not None for n in nodes)
        outs = len(self.model.outputs)
        text = (f"<autograd graph: {len(nodes)} nodes ({len(nodes) - acc} grad_fn, {acc} "
                f"AccumulateGrad), {outs} output{'s' if outs != 1 else ''}")
        if self.collapsed:
            text += ", collapsed view"
        return text + ">"

    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            return {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        except render.GraphvizNotFoundError as error:
            # A display must not raise (IPython would print a long traceback): show the message.
            return {"text/plain": f"{self!r}\n{error}", "text/html": render.error_html(error)}
