"""``BackwardStepper``: headless widget tests, step order against PyTorch 2.13,
final gradients against plain ``backward()`` and PyTorch, the static form."""

import gc
import re

import ipywidgets
import numpy as np
import pytest
import test_widgets_graphs as graphs
import torch
from autograd_edu.widgets import BackwardStepper, GraphvizNotFoundError, render
from autograd_edu.widgets.frames import describe
from autograd_edu.widgets.graph_model import collect
from autograd_edu.widgets.introspect import describe_tensor, node_name, to_numpy
from autograd_edu.widgets.svg_style import _ATTR, _GROUP, _SHAPE

import autograd_edu as ae
import autograd_edu.autograd as ae_autograd


@pytest.fixture(autouse=True)
def close_widgets():
    yield
    ipywidgets.Widget.close_all()


def walk(stepper):
    """Run to the end with the ▶ button; return the node ids in step order."""
    while not stepper.next_button.disabled:
        stepper.next_button.click()
    return [f.node_id for f in stepper.recorder.frames[1:]]


def torch_order(outputs, gradients=None):
    """The order PyTorch 2.13 runs the nodes in, as model ids: a pre-hook on every node."""
    outputs = outputs if isinstance(outputs, list) else [outputs]
    model = collect(outputs)
    ran, handles = [], []
    for node, info in model.node_of.items():
        handles.append(node.register_prehook(lambda grads, i=info.id: ran.append(i)))
    torch.autograd.backward(outputs, gradients)
    for h in handles:
        h.remove()
    return ran


def grads(names):
    return {k: to_numpy(v.grad) for k, v in names.items() if v.is_leaf}


# -- the widget, headless ------------------------------------------------------------------
def test_buttons_slider_and_panel():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    w = ae.tensor(3.0, requires_grad=True)
    h = x * w
    y = (h * h).sum()
    s = BackwardStepper(y, names={"x": x, "w": w, "h": h, "y": y})
    assert s.step == 0 and s.slider.max == 5 and s.play.max == 5
    assert s.first_button.disabled and s.prev_button.disabled and not s.next_button.disabled
    assert "Before backward" in s.panel.value and "SumBackward0 #4: 1." in s.frame.text()
    assert repr(s) == "<BackwardStepper: Before backward: 1 start gradient>"
    for button in (s.first_button, s.prev_button, s.next_button, s.last_button):
        assert button.tooltip and re.search("[A-Za-z]", button.description)

    s.next_button.click()
    assert s.step == 1 and "Step 1 of 5: SumBackward0 #4" in s.panel.value
    s.next_button.click()
    s.next_button.click()
    text = s.frame.text()
    assert text.startswith("Step 3 of 5: MulBackward0 #2")
    assert "Gradient arrived (sum of 2 contributions):" in text
    assert "from MulBackward0 #3, its input 0: [3., 6.]" in text
    assert "sum = [ 6., 12.]" in text
    assert "MulBackward0: out = self · other;  grad_self = grad · other" in text
    assert "input 0 → AccumulateGrad #0 (x): [18., 36.]" in text
    assert "input 1 → AccumulateGrad #1 (w): 30." in text
    assert 'id="n2"' in s.picture.value
    current = re.search(r'<g id="n2" class="node">.*?<(?:path|polygon)([^>]*)>',
                        s.picture.value, re.S).group(1)
    assert 'fill="#ffd54f"' in current and 'stroke-width="3.5"' in current

    s.next_button.click()
    assert "x.grad: None → [18., 36.]" in s.frame.text()
    s.last_button.click()
    assert s.step == 5 and s.next_button.disabled and s.last_button.disabled
    assert "Done: every node has run" in s.panel.value
    np.testing.assert_array_equal(to_numpy(x.grad), [18.0, 36.0])


def test_going_back_never_reruns_or_reaccumulates(monkeypatch):
    calls = []
    real = ae_autograd.backward_steps

    def counting(*args, **kwargs):
        for step in real(*args, **kwargs):
            calls.append(node_name(step.node))
            yield step

    monkeypatch.setattr(ae_autograd, "backward_steps", counting)
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    s = BackwardStepper(y)
    assert calls == []
    s.next_button.click()
    assert calls == ["SumBackward0"]  # one ▶ = one step of the generator
    s.go(3)
    assert calls == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    final = to_numpy(x.grad)
    frames_before = [f.text() for f in s.recorder.frames]
    for target in (2, 0, 1, 3, 2, 3):
        s.go(target)
    s.first_button.click()
    s.last_button.click()
    s.prev_button.click()
    assert len(calls) == 3
    np.testing.assert_array_equal(to_numpy(x.grad), final)
    assert [f.text() for f in s.recorder.frames] == frames_before


def test_a_paused_stepper_does_not_leak_grad_mode():
    """The engine walks with grad mode off; between clicks the learner's cells must
    still record graphs, and a stepper dropped mid-walk must not flip the mode later."""
    out, names = graphs.several_leaves(ae)
    s = BackwardStepper(out, names=names)
    s.go(2)
    assert ae.is_grad_enabled()
    x = ae.tensor([1.0], requires_grad=True)
    assert (x * 2).grad_fn is not None
    with ae.no_grad():
        s.next_button.click()
        assert not ae.is_grad_enabled()
    assert ae.is_grad_enabled()
    s.recorder.steps.close()  # abandon the walk mid-way (what garbage collection does)
    assert ae.is_grad_enabled()
    s2 = BackwardStepper(graphs.mlp(ae)[0])
    s2.go(3)
    del s2
    ipywidgets.Widget.close_all()
    gc.collect()
    assert ae.is_grad_enabled()


def test_play_is_linked_to_the_slider():
    out, names = graphs.diamond(ae)
    s = BackwardStepper(out, names=names)
    s.play.value = 3
    assert s.slider.value == 3 and s.frame.index == 3
    s.slider.value = 1
    assert s.play.value == 1
    assert s.play.max == s.slider.max == len(collect([out]).nodes)


def test_waiting_nodes_show_partial_sums():
    out, names = graphs.diamond(ae)
    s = BackwardStepper(out, names=names)
    s.last_button.click()
    texts = [f.text() for f in s.recorder.frames]
    waiting = [t for t in texts if "1 of 2 in, so far" in t]
    assert waiting, texts
    assert any("ExpBackward0 #1: 1 of 2 in, so far" in t for t in waiting)
    arrival = next(t for t in texts if t.split("\n")[0].endswith(": ExpBackward0 #1"))
    assert "Gradient arrived (sum of 2 contributions):" in arrival
    states = [f.node_states.get("n1") for f in s.recorder.frames]
    assert "waiting" in states and "ready" in states and states[-1] == "done"


def test_hooks_and_accumulation_before_after_are_shown():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()

    def double(g):
        return g * 2

    double.__qualname__ = "double<script>"
    h.register_hook(double)
    y = h.sum()
    y.grad_fn.register_prehook(lambda grads: None)
    y.backward(retain_graph=True)  # x.grad = [4., 4.] before the walk
    s = BackwardStepper(y, retain_graph=True, names={"x": x, "h": h})
    s.last_button.click()
    texts = {f.title: f.text() for f in s.recorder.frames}
    assert re.search(r"pre hook \S*<lambda> ran", texts["Step 1 of 3: SumBackward0 #2"])
    mul = texts["Step 2 of 3: MulBackward0 #1"]
    assert "tensor hook double<script> ran" in mul
    assert "retain_grad: the gradient was stored" in mul
    assert "after hooks = [2., 2.]" in mul
    assert "x.grad: [4., 4.] → [8., 8.]" in texts["Step 3 of 3: AccumulateGrad #0 (x)"]
    assert "<script>" not in "".join(f.html() for f in s.recorder.frames)
    assert "double&lt;script&gt;" in s.recorder.frames[2].html()


def test_inplace_error_ends_the_walk_on_the_stale_node():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * 2).sum()
    y.add_(1)
    s = BackwardStepper(z, names={"x": x})
    s.last_button.click()
    frame = s.frame
    assert frame.title == "Step 3: ExpBackward0 #1 raised an error"
    assert "modified by an inplace operation" in frame.text()
    assert frame.node_states["n1"] == "error"
    assert s.slider.max == 3 and s.next_button.disabled
    assert isinstance(s.recorder.error, RuntimeError)
    assert x.grad is None


def test_seed_gradient_for_non_scalar_and_several_outputs():
    x = ae.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    s = BackwardStepper(y, gradient=ae.tensor([1.0, 0.5, 0.0]), names={"x": x})
    assert "MulBackward0 #1: [1. , 0.5, 0. ]" in s.frame.text()
    s.last_button.click()
    np.testing.assert_allclose(to_numpy(x.grad), [2.0, 2.0, 0.0])

    def two(T):
        a = T.tensor([0.5, 1.5], requires_grad=True)
        b = a.exp()
        return [b.sum(), (b * a).sum()], a

    (y1, y2), a = two(ae)
    s = BackwardStepper([y1, y2])
    order = walk(s)
    (t1, t2), ta = two(torch)
    assert order == torch_order([t1, t2])
    np.testing.assert_allclose(to_numpy(a.grad), to_numpy(ta.grad), rtol=1e-6)


# -- against PyTorch and plain backward ----------------------------------------------------------
@pytest.mark.parametrize("program", graphs.PROGRAMS, ids=lambda p: p.__name__)
def test_step_order_is_pytorch_order(program):
    ours = walk(BackwardStepper(program(ae)[0]))
    theirs = torch_order(program(torch)[0])
    assert ours == theirs
    assert len(ours) == len(set(ours))  # every node exactly once (AccumulateGrad included)


@pytest.mark.parametrize("program", graphs.PROGRAMS, ids=lambda p: p.__name__)
def test_final_grads_equal_plain_backward_and_pytorch(program):
    out, names = program(ae)
    walk(BackwardStepper(out, names=names))
    stepped = grads(names)

    plain_out, plain_names = program(ae)
    plain_out.backward()
    torch_out, torch_names = program(torch)
    torch_out.backward()
    for key, value in stepped.items():
        plain, reference = to_numpy(plain_names[key].grad), to_numpy(torch_names[key].grad)
        if reference is None:  # a leaf the output does not depend on
            assert value is None and plain is None, key
            continue
        np.testing.assert_array_equal(value, plain)
        np.testing.assert_allclose(value, reference, rtol=2e-6, atol=1e-7)


def test_ledger_matches_engine_buffers(monkeypatch):
    """The partial sums the panel shows are what the engine's buffers hold."""
    seen = []
    real = ae_autograd.backward_steps

    def snooping(*args, **kwargs):
        for step in real(*args, **kwargs):
            seen.append({node: [describe_tensor(g) for g in buf]
                         for node, buf in step.task.buffers.items()})
            yield step

    monkeypatch.setattr(ae_autograd, "backward_steps", snooping)
    for program in graphs.PROGRAMS:
        out, _ = program(ae)
        s = BackwardStepper(out)
        walk(s)
        frames = s.recorder.frames
        assert len(seen) == s.recorder.total == len(frames) - 1
        for k, buffers in enumerate(seen):  # engine state when step k+1 was yielded
            shown = {p.node: p.sums for p in frames[k + 1].pending}
            engine = {describe(s.model.node_of[node]): sums for node, sums in buffers.items()}
            assert shown == engine, (program.__name__, k)
        seen.clear()


# -- a real PyTorch output, replayed ---------------------------------------------------------------
@pytest.mark.parametrize("program", [graphs.diamond, graphs.reuse, graphs.mlp,
                                     graphs.random_dag(3)], ids=lambda p: p.__name__)
def test_torch_output_is_replayed_in_torch_order(program):
    out, names = program(torch)
    s = BackwardStepper(out, names=names)
    assert s.torch
    replayed = walk(s)
    assert replayed == torch_order(program(torch)[0])
    fresh_out, fresh_names = program(torch)
    fresh_out.backward()
    for key, leaf in names.items():
        if leaf.is_leaf:
            np.testing.assert_array_equal(to_numpy(leaf.grad), to_numpy(fresh_names[key].grad))
    acc = [f for f in s.recorder.frames if f.accumulated is not None]
    assert acc and all(f.accumulated[1] == "None" for f in acc)
    # the panel agrees with autograd_edu's own walk of the same program, frame by frame
    ae_out, ae_names = program(ae)
    ae_stepper = BackwardStepper(ae_out, names=ae_names)
    walk(ae_stepper)
    assert [f.title for f in s.recorder.frames] == [f.title for f in ae_stepper.recorder.frames]


# -- pictures and the static form ------------------------------------------------------
def first_shapes(svg):
    out, matches = {}, list(_GROUP.finditer(svg))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(svg)
        shapes = [dict(_ATTR.findall(x.group(2))) for x in _SHAPE.finditer(svg[m.start():end])]
        keep = ("fill", "stroke", "stroke-width", "stroke-dasharray")
        out[m.group(1)] = [{k: v for k, v in d.items() if k in keep} for d in shapes[:2]]
    return out


def test_recoloured_svg_matches_dot_rendering_of_the_frame():
    out, names = graphs.shared_depths(ae)
    s = BackwardStepper(out, names=names)
    for (svg, _), (dot_text, _) in zip(s.frames("svg"), s.frames("dot"), strict=True):
        assert first_shapes(svg) == first_shapes(render.pipe(dot_text))


def test_static_frames_and_html():
    out, names = graphs.reuse(ae)
    s = BackwardStepper(out, names=names)
    dots = s.frames("dot")
    assert len(dots) == s.recorder.total + 1
    for frame, (dot_text, text) in zip(s.recorder.frames[1:], dots[1:], strict=True):
        line = re.search(rf"^  {frame.node_id} \[.*$", dot_text, re.M).group(0)
        assert 'fillcolor="#ffd54f"' in line and text == frame.text()
    svgs = s.frames()
    assert all(svg.startswith("<svg") for svg, _ in svgs)
    page = s.to_html()
    assert page.count("<svg") == len(svgs)
    for frame in s.recorder.frames:
        assert frame.title in page
    bundle = s.static()._repr_mimebundle_()
    assert bundle["text/html"] == page and "Step 1 of" in bundle["text/plain"]


def test_without_dot_the_stepper_still_walks(monkeypatch):
    monkeypatch.setenv("PATH", "")
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    s = BackwardStepper((x * x).sum())
    assert "apt-get install graphviz" in s.picture.value
    s.last_button.click()
    assert "Done: every node has run" in s.panel.value
    assert len(s.frames("dot")) == 4
    with pytest.raises(GraphvizNotFoundError):
        s.frames("svg")


def test_a_leaf_output_is_one_accumulate_step():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    s = BackwardStepper(x, gradient=ae.tensor([1.0, 1.0]))
    assert s.slider.max == 1
    s.next_button.click()
    assert "leaf.grad: None → [1., 1.]" in s.frame.text() and s.next_button.disabled
    np.testing.assert_array_equal(to_numpy(x.grad), [1.0, 1.0])
