"""autograd_edu.widgets: notebook drawings of computation graphs and the backward stepper.

Uses the engine only through its public graph API (``grad_fn``,
``next_functions``, ``variable``, saved values, ``autograd.backward_steps``),
so the same drawing works on real PyTorch tensors.

- ``draw(*tensors, names=...)``      a snapshot of the graph, shown as SVG
- ``BackwardStepper(output)``        walk backward one node at a time

Modules, one job each: ``introspect`` (read a node or tensor of either
engine), ``graph_model`` (collect nodes/edges with stable ids), ``rules``
(each node's derivative rule as text), ``dot`` (DOT text with escaping),
``render`` (run ``dot``, or one clear error), ``drawing`` (``draw``),
``frames`` (record backward steps as frames), ``torch_replay`` (PyTorch's
own backward recorded through hooks), ``stepper`` (the ipywidgets UI).
"""

from .drawing import Drawing, LargeGraphWarning, draw
from .render import GraphvizNotFoundError
from .stepper import BackwardStepper

__all__ = ["draw", "Drawing", "LargeGraphWarning", "GraphvizNotFoundError", "BackwardStepper"]
