"""``autograd_edu.widgets.draw``: what the drawing shows, byte-stable DOT, escaping,
freed and stale saved tensors, real PyTorch tensors, large graphs, missing ``dot``."""

import os
import re
import subprocess
import sys
import textwrap
import warnings
import xml.etree.ElementTree as ET

import pytest
import test_widgets_graphs as graphs
import torch
from autograd_edu.widgets import GraphvizNotFoundError, LargeGraphWarning, draw
from autograd_edu.widgets import dot as dotmod
from autograd_edu.widgets.graph_model import collect
from autograd_edu.widgets.introspect import format_tensor

import autograd_edu as ae

SVG_NS = "{http://www.w3.org/2000/svg}"


def node_lines(source):
    """DOT statements that declare a node (``n3 [...]``), by id."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^  (\w+) \[.*$", source, re.M)}


def edges(source):
    """(source, target, headlabel) of the graph edges between autograd nodes."""
    return re.findall(r"^  (n\d+) -> (n\d+) \[id=\"e\d+\" headlabel=\"([^\"]*)\"", source, re.M)


def svg_texts(svg):
    root = ET.fromstring(svg.encode("utf-8"))  # also proves the SVG is well-formed
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


# -- what is shown -------------------------------------------------------------------
def test_nodes_names_leaves_and_output_are_shown():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    w = ae.tensor(3.0, requires_grad=True)
    h = x * w
    y = (h * h).sum()
    d = draw(y, names={"x": x, "w": w, "h": h, "y": y})
    nodes = node_lines(d.source)
    assert "MulBackward0" in nodes["n2"] and "\u2192 h" in nodes["n2"]
    assert "AccumulateGrad" in nodes["n0"] and "<b>x</b> (leaf)" in nodes["n0"]
    assert "[1., 2.]" in nodes["n0"] and "grad: None" in nodes["n0"]
    assert "requires_grad" in nodes["n0"]
    assert "SumBackward0" in nodes["n4"]
    assert "<b>y</b>" in nodes["o0"] and "45." in nodes["o0"]
    assert re.search(r"^  n4 -> o0 ", d.source, re.M)
    assert "legend" in nodes
    assert repr(d) == "<autograd graph: 5 nodes (3 grad_fn, 2 AccumulateGrad), 1 output>"


def test_mimebundle_is_svg_with_plain_text_without_address():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    bundle = draw((x * 2).sum())._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert "<svg" in bundle["image/svg+xml"]
    assert "0x" not in bundle["text/plain"] and "at 0x" not in bundle["text/plain"]
    texts = svg_texts(bundle["image/svg+xml"])
    assert any("MulBackward0" in t for t in texts)


def test_grads_after_backward_and_values_toggle():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    shown = draw(y, names={"x": x}).source
    assert "grad: [2., 4.]" in shown
    hidden = draw(y, names={"x": x}, show_values=False, show_grads=False).source
    assert "grad:" not in hidden and "[1., 2.]" not in hidden


def test_reuse_draws_one_edge_per_use_labelled_with_input_index():
    a = ae.tensor([1.0, 2.0], requires_grad=True)
    y = (a * a).sum()
    source = draw(y).source
    assert edges(source) == [("n0", "n1", "0"), ("n0", "n1", "1"), ("n1", "n2", "0")]
    # a diamond: b feeds both sin and cos; each use is its own edge
    out, names = graphs.diamond(ae)
    es = edges(draw(out, names=names).source)
    exp_node = "n1"
    assert sorted(e for e in es if e[0] == exp_node) == [("n1", "n2", "0"), ("n1", "n3", "0")]


def test_multiple_outputs_share_one_graph():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y1, y2 = h.sum(), (h * 3).mean()
    d = draw(y1, y2, names={"x": x, "y1": y1, "y2": y2})
    nodes = node_lines(d.source)
    assert "<b>y1</b>" in nodes["o0"] and "<b>y2</b>" in nodes["o1"]
    assert sum("ExpBackward0" in line for line in nodes.values()) == 1
    assert "2 outputs" in repr(d)


def test_hooks_and_retains_grad_are_marked():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()

    def double(g):
        return g * 2

    h.register_hook(double)
    x.register_hook(double)
    y = h.sum()
    y.grad_fn.register_prehook(lambda g: None)
    nodes = node_lines(draw(y, names={"x": x, "h": h}).source)
    assert "tensor hook " in nodes["n0"] and "double" in nodes["n0"]
    assert "tensor hook " in nodes["n1"] and "retains_grad (output 0)" in nodes["n1"]
    assert "pre-hook " in nodes["n2"] and "&lt;lambda&gt;" in nodes["n2"]


def test_rule_text_is_the_node_docstring_as_tooltip():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    nodes = node_lines(draw((x * x).sum()).source)
    assert 'tooltip="out = self · other;  grad_self = grad · other' in nodes["n1"]


# -- determinism ---------------------------------------------------------------------
DETERMINISM_PROGRAM = textwrap.dedent("""
    import sys
    import autograd_edu as torch
    from autograd_edu.widgets import draw
    sys.path.insert(0, sys.argv[1])
    import test_widgets_graphs as graphs
    out, names = graphs.mlp(torch)
    out2, names2 = graphs.shared_depths(torch)
    names2["s"].register_hook(lambda g: g)
    y = torch.tensor([1.0, 2.0], requires_grad=True)
    z = y.exp()
    w = (z * 2).sum()
    z.add_(1)
    sys.stdout.write(draw(out, out2, w, names={**names, **names2, "y": y},
                          show_saved=True, show_versions=True).source)
""")


def test_dot_is_byte_identical_across_processes(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(DETERMINISM_PROGRAM)
    tests_dir = os.path.dirname(__file__)
    outputs = []
    for seed in ("1", "987"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, str(script), tests_dir], env=env,
                              capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b"0x" not in outputs[0] and b"STALE" in outputs[0] and b"AddmmBackward0" in outputs[0]


def test_ids_do_not_depend_on_earlier_graphs_in_the_same_process():
    def program():
        out, names = graphs.several_leaves(ae)
        return draw(out, names=names, show_saved=True).source

    first = program()
    for _ in range(3):  # more nodes created in between: global sequence numbers move on
        graphs.mlp(ae)
    assert program() == first


# -- escaping --------------------------------------------------------------------------
NASTY = ['<b>x</b> & "q" {a|b} \\N', 'evil"]; n9 [label="pwned', "</font><font color=\"red\">R"]


def test_escaping_names_cannot_break_or_inject():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    w = ae.tensor(2.0, requires_grad=True)
    h = x * w

    def hook(g):
        return g

    hook.__qualname__ = "<script>alert(1)</script>"
    h.register_hook(hook)
    y = (h + w).sum()
    d = draw(y, names={NASTY[0]: x, NASTY[1]: w, NASTY[2]: y, "h": h}, show_saved=True)
    assert "<b>x</b> &" not in d.source and "<script>" not in d.source
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &quot;q&quot; {a|b} \\\\N" in d.source
    svg = d.svg()
    texts = " ".join(svg_texts(svg))
    for name in NASTY:
        assert name in texts  # shown literally
    assert "<script>alert(1)</script>" in texts
    assert 'fill="red"' not in svg and "pwned" not in re.findall(r"<title>(.*?)</title>", svg)
    node_ids = re.findall(r'<g id="([^"]+)" class="node">', svg)
    assert sorted(node_ids) == sorted(["n0", "n1", "n2", "n3", "n4", "o0", "node1",
                                       "n2s0", "n2s1"])


def test_quote_and_html_helpers():
    assert dotmod.quote('a"b\\N\nc') == '"a\\"b\\\\N\\nc"'
    assert dotmod.html('<&>"') == "&lt;&amp;&gt;&quot;"
    assert dotmod.html("a\\Nb") == "a\\\\Nb"  # graphviz expands \N even in HTML labels
    assert dotmod.html("a\x07b") == "a\\\\x07b"  # control characters break dot's XML parser


# -- freed and stale saved tensors ---------------------------------------------------
def test_freed_buffers_are_shown_after_backward():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    w = ae.tensor(3.0, requires_grad=True)
    y = (x * w).exp().sum()
    before = draw(y, show_saved=True).source
    assert "freed" not in before and "saved at v0, now v0" in before
    y.backward()
    after = draw(y, show_saved=True).source
    assert after.count("freed by backward") == 3  # self, other of Mul; result of Exp
    compact = node_lines(draw(y).source)
    assert "saved self, other: freed" in compact["n2"]
    assert "saved result: freed" in compact["n3"]


def test_stale_saved_tensor_is_marked_and_backward_raises():
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * 2).sum()
    assert "STALE" not in draw(z).source
    y.add_(1)
    compact = node_lines(draw(z).source)
    assert "STALE result: saved at v0, now v1" in compact["n1"]
    full = node_lines(draw(z, show_saved=True).source)
    assert "STALE: modified in place" in full["n1s0"] and '"#ff8a80"' in full["n1s0"]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


# -- real PyTorch tensors --------------------------------------------------------------
@pytest.mark.parametrize("program", graphs.PROGRAMS, ids=lambda p: p.__name__)
def test_torch_tensors_give_the_same_graph(program):
    ours, torchs = collect([program(ae)[0]]), collect([program(torch)[0]])
    assert torchs.engine == "torch" and ours.engine == "autograd_edu"
    assert [n.name for n in torchs.nodes] == [n.name for n in ours.nodes]
    assert [(e.source, e.target, e.index) for e in torchs.edges] == \
        [(e.source, e.target, e.index) for e in ours.edges]


def test_torch_drawing_shows_leaves_freed_and_stale():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor(3.0, requires_grad=True)
    y = (x * w).exp().sum()
    d = draw(y, names={"x": x, "w": w}, show_saved=True)
    nodes = node_lines(d.source)
    assert "<b>AccumulateGrad</b>" in nodes["n0"] and "torch::" not in d.source
    assert "<b>x</b> (leaf)" in nodes["n0"]
    assert "saved self = x" in d.source and "saved other = w" in d.source
    assert "<svg" in d.svg()
    y.backward()
    after = draw(y, names={"x": x, "w": w}, show_saved=True)
    assert after.source.count("freed by backward") == 3
    expected = "grad: " + format_tensor(x.grad)  # e.g. [60.2566, 1210.2863]
    assert expected in node_lines(after.source)["n0"] and "grad: None" not in after.source

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()
    c = (b * 2).sum()
    b.add_(1)
    stale = node_lines(draw(c, show_saved=True).source)
    assert "STALE result: saved at v0, now v1" in stale["n1"]


# -- large graphs ------------------------------------------------------------------------
def chain(n):
    x = ae.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(n):
        y = y.sin()
    return y.sum()


def test_large_graph_warns_collapses_and_bounds_dot():
    y = chain(60)
    with pytest.warns(LargeGraphWarning, match="62 nodes, more than max_nodes=20"):
        d = draw(y, max_nodes=20)
    assert d.collapsed and "collapsed view" in repr(d)
    nodes = node_lines(d.source)
    assert len([k for k in nodes if re.fullmatch(r"n\d+", k)]) == 20
    assert "42 more nodes (collapsed)" in nodes["collapsed"]
    assert "<svg" in d.svg()
    assert re.search(r"^ +60  SinBackward0$", d.summary(), re.M)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not d.full().collapsed
    big = draw(chain(dotmod.LARGE_GRAPH + 5)).source
    assert 'mclimit="0.2"' in big and 'nslimit="2"' in big and 'newrank="true"' in big
    assert "mclimit" not in draw(chain(5)).source


# -- saving and a missing dot --------------------------------------------------------------
def test_save_formats(tmp_path):
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    d = draw((x * x).sum())
    assert d.save(tmp_path / "g.dot") == str(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == d.source
    d.save(tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_text().count("<svg") == 1
    d.save(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


MISSING_DOT_PROGRAM = textwrap.dedent("""
    import autograd_edu as torch
    from autograd_edu.widgets import draw
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = draw((x * x).sum())
    assert "MulBackward0" in d.source            # the DOT text needs no dot
    bundle = d._repr_mimebundle_()               # a display never raises
    assert "image/svg+xml" not in bundle
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert "apt-get install graphviz" in bundle["text/html"]
    try:
        d.svg()
    except Exception as error:
        print("RENDER", *error._render_traceback_(), sep="\\n")
    d.save("out.svg")                            # uncaught: the traceback a learner sees
""")


def test_missing_dot_gives_one_clear_error(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(MISSING_DOT_PROGRAM)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty))
    done = subprocess.run([sys.executable, str(script)], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 1
    err = done.stderr
    assert "GraphvizNotFoundError: Graphviz's `dot` program was not found on PATH" in err
    for hint in ("sudo apt-get install graphviz", "conda install -c conda-forge graphviz",
                 "brew install graphviz", "binder/apt.txt"):
        assert hint in err
    assert "During handling" not in err and "ExecutableNotFound" not in err
    assert len(err.splitlines()) < 20
    # what IPython shows instead of a traceback: the message alone
    assert done.stdout.startswith("RENDER\nGraphvizNotFoundError: Graphviz's `dot`")
    assert "  - macOS:          brew install graphviz\n" in done.stdout


def test_missing_dot_error_type_in_process(monkeypatch):
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    d = draw((x * x).sum())
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizNotFoundError, match="brew install graphviz"):
        d.svg()


IPYTHON_PROGRAM = textwrap.dedent("""
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.run_cell(
        "import autograd_edu as torch\\n"
        "from autograd_edu.widgets import draw, BackwardStepper\\n"
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\\n"
        "y = (x * x).sum()\\n"
        "d = draw(y, names=locals())\\n"
        "s = BackwardStepper(y, names=locals())\\n")
    for name in ("d", "s"):
        data, _ = shell.display_formatter.format(shell.user_ns[name])
        print("BUNDLE", name, sorted(data), data["text/plain"].splitlines()[0])
    shell.run_cell("d.svg()")
""")


@pytest.mark.parametrize("with_dot", [True, False])
def test_ipython_displays_and_shows_the_missing_dot_message_alone(tmp_path, with_dot):
    script = tmp_path / "prog.py"
    script.write_text(IPYTHON_PROGRAM)
    env = dict(os.environ)
    if not with_dot:
        (tmp_path / "bin").mkdir()
        env["PATH"] = str(tmp_path / "bin")
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, check=True)
    out = done.stdout
    stepper = ("BUNDLE s ['application/vnd.jupyter.widget-view+json', 'text/plain'] "
               "<BackwardStepper: Before backward: 1 start gradient>")
    assert stepper in out
    graph = "<autograd graph: 3 nodes (2 grad_fn, 1 AccumulateGrad), 1 output>"
    if with_dot:
        assert f"BUNDLE d ['image/svg+xml', 'text/plain'] {graph}" in out
        assert "Error" not in out
    else:
        assert f"BUNDLE d ['text/html', 'text/plain'] {graph}" in out
        # the cell that needs dot prints the message, not a traceback
        tail = out.split(stepper, 1)[1]
        assert tail.lstrip().startswith("GraphvizNotFoundError: Graphviz's `dot` program")
        assert "Traceback" not in tail and "File " not in tail and len(tail.splitlines()) <= 8


def test_edge_cases_constant_leaf_and_no_tensor():
    c = ae.tensor([3.0])
    assert "grad:" not in draw(c).source and "requires_grad=False" in draw(c).source
    x = ae.tensor([1.0, 2.0], requires_grad=True)
    assert "grad: None" in node_lines(draw(x, names={"x": x}).source)["o0"]
    with pytest.raises(TypeError, match="at least one tensor"):
        draw()
    names = {"_": x, "x": x, "_3": x, "n": 3, "In": ["a"]}
    assert "<b>x</b> (leaf)" in draw((x * 2).sum(), names=names).source
