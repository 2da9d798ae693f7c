"""``BackwardStepper``: walk backward one node at a time, in PyTorch's order.

The stepper drives the *same* generator ``Tensor.backward()`` exhausts
(``autograd.backward_steps``): one ``next()`` per new step, so when the walk
ends every leaf's ``.grad`` is exactly what ``backward()`` gives, and the
order of the steps is the engine's (PyTorch's: among ready nodes, the one
created last). Each step is kept as a frame (``frames.py``); going back
only re-shows frames. Given a real PyTorch tensor, the stepper replays
PyTorch's own backward, recorded through node hooks (``torch_replay.py``).

The UI is plain ipywidgets, so it works in JupyterLab and can be driven
headless in tests (``next_button.click()``, ``slider.value``, ``panel.value``).
The step slider is the single source of truth: buttons and the ``Play``
animation (linked to it) only move the slider. ``frames()`` and
``to_html()`` give the whole walk for places with no kernel.
"""

import ipywidgets as w
import numpy as np

from . import dot, render
from . import introspect as ins
from .frames import Recorder
from .graph_model import collect, label_map, named_tensors
from .svg_style import SvgTemplate


def _as_tuple(value):
    if value is None:
        return None
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _is_torch(tensors):
    return any(type(t).__module__.split(".")[0] == "torch" for t in tensors)


def _seed_arrays(outputs, gradients):
    """The gradient each output starts with (ones for a scalar, as backward() does)."""
    seeds = []
    for i, out in enumerate(outputs):
        grad = gradients[i] if gradients is not None else None
        if grad is None:
            values = ins.to_numpy(out)
            seeds.append(np.ones(tuple(out.shape), dtype=None if values is None
                                 else values.dtype))
        elif ins.is_tensor(grad):
            seeds.append(grad)
        else:
            seeds.append(np.asarray(grad))
    return seeds


class BackwardStepper(w.VBox):
    """Step through ``output.backward(gradient)`` node by node.

    ``output`` (or a list of outputs): autograd_edu or PyTorch tensors.
    ``names``: label -> tensor, as for ``draw`` (``names=locals()``).
    Buttons: ⏮ start, ◀ back, ▶ step, ⏭ end; ``play`` animates. Read the
    current frame with ``.frame`` (``.frame.text()`` is the panel as text).
    """

    def __init__(self, output, gradient=None, retain_graph=False, names=None, *,
                 show_values=True, show_saved=False, interval=1200):
        several = isinstance(output, list | tuple)
        outputs = tuple(output) if several else (output,)
        gradients = (_as_tuple(gradient) if several
                     else None if gradient is None else (gradient,))
        pairs = named_tensors(names)
        self.model = collect(outputs, pairs)
        self.options = dot.Options(show_values=show_values, show_grads=False,
                                   show_saved=show_saved, stepper_legend=True)
        self._names = label_map(pairs)
        self.source = dot.build(self.model, self.options, names=self._names)
        self.torch = _is_torch(outputs)
        if self.torch:
            from .torch_replay import record
            steps = iter(record(list(self.model.node_of), outputs, gradients, retain_graph))
        else:
            from autograd_edu.autograd import backward_steps
            steps = backward_steps(outputs, gradients, retain_graph=retain_graph)
        seeds = [(o.node, o.output_nr, grad, o.tensor.label or f"output {i}")
                 for i, (o, grad) in enumerate(zip(self.model.outputs,
                                                   _seed_arrays(outputs, gradients),
                                                   strict=True))]
        self.recorder = Recorder(self.model, steps, seeds)
        self._template, self._render_error = None, None
        self._build_ui(interval)
        self._show(0)

    # -- the UI -----------------------------------------------------------------------
    def _build_ui(self, interval):
        total = self.recorder.total

        def button(text, icon, tip):
            # icons, not glyphs: some browsers' fonts lack the media-control characters
            return w.Button(description=text, icon=icon, tooltip=tip,
                            layout=w.Layout(width="auto"))

        self.first_button = button("Start", "fast-backward",
                                   "Back to the start, before any node ran")
        self.prev_button = button("Back", "step-backward",
                                  "Show the previous step again (nothing re-runs)")
        self.next_button = button("Step", "step-forward", "Run the next node of backward")
        self.last_button = button("End", "fast-forward", "Run all remaining nodes")
        self.play = w.Play(value=0, min=0, max=total, step=1, interval=interval,
                           description="Play", tooltip="Play the walk one step at a time")
        self.slider = w.IntSlider(value=0, min=0, max=total, description="Step",
                                  continuous_update=False)
        w.link((self.play, "value"), (self.slider, "value"))
        self.picture = w.HTML(layout=w.Layout(overflow="auto", max_height="70vh",
                                              flex="3 1 420px"))
        self.panel = w.HTML(layout=w.Layout(flex="2 1 320px"))
        self.first_button.on_click(lambda _: self.go(0))
        self.prev_button.on_click(lambda _: self.go(self.slider.value - 1))
        self.next_button.on_click(lambda _: self.go(self.slider.value + 1))
        self.last_button.on_click(lambda _: self.go(self.recorder.total))
        self.slider.observe(self._on_slider, names="value")
        controls = w.HBox([self.first_button, self.prev_button, self.next_button,
                           self.last_button, self.play, self.slider],
                          layout=w.Layout(flex_flow="row wrap"))
        super().__init__([controls, w.HBox([self.picture, self.panel],
                                           layout=w.Layout(flex_flow="row wrap"))])

    def go(self, index):
        """Show frame ``index`` (running the engine forward as far as needed)."""
        self.slider.value = max(0, min(int(index), self.slider.max))

    def _on_slider(self, change):
        self._show(change["new"])

    def _show(self, index):
        reached = self.recorder.run_to(index)
        if self.recorder.finished and self.slider.max != len(self.recorder.frames) - 1:
            # the walk ended early (an error): the slider cannot go past it
            self.slider.max = self.play.max = len(self.recorder.frames) - 1
        if reached != self.slider.value:
            self.slider.value = reached  # re-enters _show with the reachable index
            return
        frame = self.recorder.frames[reached]
        self.picture.value = self._picture_html(frame)
        self.panel.value = f"<div style='font-size:13px;line-height:1.45'>{frame.html()}</div>"
        at_end = reached >= self.slider.max
        self.first_button.disabled = self.prev_button.disabled = reached == 0
        self.next_button.disabled = self.last_button.disabled = at_end

    # -- pictures ---------------------------------------------------------------------
    def _template_svg(self):
        """Lay out the graph once (the only ``dot`` run); frames only recolour it."""
        if self._template is None and self._render_error is None:
            try:
                self._template = SvgTemplate(render.pipe(self.source, "svg"))
            except render.GraphvizNotFoundError as error:
                self._render_error = error
        if self._render_error is not None:
            raise self._render_error
        return self._template

    def frame_svg(self, frame):
        """The SVG of one frame (raises ``GraphvizNotFoundError`` without dot)."""
        return self._template_svg().render(frame.node_states, frame.edge_states)

    def frame_dot(self, frame):
        """The DOT text of one frame, with its states written in (needs no dot)."""
        return dot.build(self.model, self.options, names=self._names,
                         node_states=frame.node_states, edge_states=frame.edge_states)

    def _picture_html(self, frame):
        try:  # scaled to the box, so a wide graph is not cut off beside the panel
            svg = self.frame_svg(frame)
            return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
        except render.GraphvizNotFoundError as error:
            return render.error_html(error)

    # -- reading it ---------------------------------------------------------------------
    @property
    def step(self):
        """The index of the frame shown (0 = before backward)."""
        return self.slider.value

    @property
    def frame(self):
        return self.recorder.frames[self.slider.value]

    def frames(self, format="svg"):
        """The whole walk as a list of (picture, panel text), one per frame; runs the
        remaining steps. ``format="dot"`` gives DOT text instead of SVG (no dot needed)."""
        self.recorder.run_to(self.recorder.total)
        picture = self.frame_svg if format == "svg" else self.frame_dot
        return [(picture(f), f.text()) for f in self.recorder.frames]

    def to_html(self):
        """One HTML fragment showing every frame, for notebooks read without a kernel."""
        self.recorder.run_to(self.recorder.total)
        parts = ["<div class='autograd-edu-walk'>"]
        for frame in self.recorder.frames:
            parts.append("<section style='border-top:1px solid #ccc;padding:6px 0;"
                         "display:flex;flex-wrap:wrap;gap:12px'>")
            parts.append(f"<div style='flex:3 1 420px;overflow:auto'>"
                         f"{self._picture_html(frame)}</div>")
            parts.append(f"<div style='flex:2 1 320px;font-size:13px'>{frame.html()}</div>")
            parts.append("</section>")
        parts.append("</div>")
        return "\n".join(parts)

    def static(self):
        """An object that displays the whole walk as HTML (``to_html``) in any viewer."""
        return StaticWalk(self)

    def __repr__(self):
        return f"<BackwardStepper: {self.frame.title}>"


class StaticWalk:
    """Displays a stepper's walk without widgets (nbviewer, GitHub, HTML export)."""

    def __init__(self, stepper):
        self._html = stepper.to_html()
        self._text = "\n\n".join(f.text() for f in stepper.recorder.frames)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self._html, "text/plain": self._text}
