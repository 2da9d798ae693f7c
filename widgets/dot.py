"""Turn a ``GraphModel`` into DOT text: labels, colours, legend, escaping.

Why DOT is written here by hand rather than through ``graphviz.Digraph``
calls: every piece of user text (tensor names, hook names, values) must be
escaped the same way, in exactly two contexts, and the output must be
byte-identical for the same program. Two escaping rules cover everything:

- ``html()``: text inside an HTML-like label ``<...>`` (``& < > "`` become
  entities, ``\\`` is doubled, control characters become visible ``\\xNN``),
  so a name like ``</b><font color="red">`` is shown literally, adds no markup;
- ``quote()``: a DOT double-quoted string (tooltips, ids, edge labels), where
  ``"`` ends the string and ``\\`` starts graphviz escapes such as ``\\N``.

Nothing here runs ``dot``; ``render.py`` does.
"""

import html as _html
from dataclasses import dataclass

from .introspect import shape_text
from .rules import local_rule

# Colours (torchviz's vocabulary: blue leaves, green outputs, orange saved).
OP_FILL = "#eeeeee"
LEAF_FILL = "#cfe2f3"
OUTPUT_FILL = "#d9f2b4"
SAVED_FILL = "#ffe0b2"
STALE_FILL = "#ff8a80"
STALE_TEXT = "#b71c1c"
MUTED_TEXT = "#666666"
HOOK_TEXT = "#6a1b9a"

# How the stepper marks nodes and edges. Each state differs in outline shape
# (thick, dashed, bold) as well as colour, so it reads without colour vision.
NODE_STATES = {
    "current": {"fillcolor": "#ffd54f", "color": "#e65100", "penwidth": "3.5"},
    "done": {"fillcolor": "#bdbdbd", "color": "#616161", "penwidth": "1"},
    "waiting": {"color": "#ef6c00", "penwidth": "2.5", "style": "dashed"},
    "ready": {"color": "#2e7d32", "penwidth": "2.5"},
    "error": {"fillcolor": "#ff8a80", "color": "#b71c1c", "penwidth": "3.5"},
}
EDGE_STATES = {
    "sent": {"color": "#e65100", "penwidth": "1.8"},
    "sending": {"color": "#e65100", "penwidth": "3.5"},
}
STATE_WORDS = {
    "current": "running now (thick border)",
    "ready": "all gradients in, queued (thick green border)",
    "waiting": "some gradients in, waiting for more (dashed border)",
    "done": "already ran (dark grey)",
}

# Graph attributes that bound dot's work on large graphs: fewer crossing-
# minimisation passes (mclimit) and network-simplex iterations (nslimit*).
# newrank (one global ranking pass) measured ~30% faster on a 2,000-node MLP here.
LARGE_GRAPH_ATTRS = {"newrank": "true", "mclimit": "0.2", "nslimit": "2", "nslimit1": "2",
                     "searchsize": "10", "remincross": "false"}
LARGE_GRAPH = 300


@dataclass
class Options:
    show_values: bool = True
    show_grads: bool = True
    show_saved: bool = False
    show_versions: bool = False
    legend: bool = True
    rankdir: str = "TB"
    stepper_legend: bool = False


def html(text):
    """Escape text for an HTML-like DOT label (see the module docstring). Graphviz
    also expands ``\\N`` (node name) & co. inside HTML labels, after decoding
    entities, so a backslash is doubled rather than written as ``&#92;``."""
    text = _html.escape(str(text).replace("\\", "\\\\"), quote=True)
    text = "".join(ch if ch >= " " or ch in "\t\n" else f"\\\\x{ord(ch):02x}" for ch in text)
    return text.replace("\n", '<br align="left"/>')  # numpy's line breaks in 2-d values


def quote(text):
    """A DOT double-quoted string, with graphviz's backslash escapes neutralised."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r", "").replace("\n", "\\n")
    return f'"{text}"'


def attrs(mapping):
    """``[a="1" b=<...>]`` with keys sorted as given; values starting with '<' are
    HTML labels built by this module (already escaped)."""
    parts = []
    for key, value in mapping.items():
        if isinstance(value, HtmlLabel):
            parts.append(f"{key}=<{value.markup}>")
        else:
            parts.append(f"{key}={quote(value)}")
    return "[" + " ".join(parts) + "]"


class HtmlLabel:
    """Markup built only from ``html()``-escaped pieces and our own tags."""

    __slots__ = ("markup",)

    def __init__(self, lines):
        self.markup = "<br/>".join(lines) if lines else " "


def _small(text, color=None, italic=False):
    body = html(text)
    if italic:
        body = f"<i>{body}</i>"
    color_attr = f' color="{color}"' if color else ""
    return f'<font point-size="9"{color_attr}>{body}</font>'


def _tensor_lines(t, options, title):
    """Lines describing a tensor box (leaf variable or output)."""
    lines = [f"<b>{html(title)}</b>"]
    lines.append(_small(f"{shape_text(t.shape)} {t.dtype}"
                        + ("  requires_grad" if t.requires_grad else "  requires_grad=False")))
    if options.show_values and t.values is not None:
        lines.append(_small(t.values))
    if options.show_grads and ((t.is_leaf and t.requires_grad) or t.retains_grad or t.has_grad):
        lines.append(_small(f"grad: {t.grad}", color=None if t.has_grad else MUTED_TEXT))
    if t.retains_grad:
        lines.append(_small("retains_grad", color=HOOK_TEXT))
    if options.show_versions and t.version is not None:
        lines.append(_small(f"version {t.version}", color=MUTED_TEXT))
    for hook in t.hooks:
        lines.append(_small(hook, color=HOOK_TEXT))
    return lines


def _saved_summary(node, options):
    """Rows inside an op node about its saved values."""
    lines = []
    for s in node.saved:
        if s.kind == "value" and options.show_saved:
            lines.append(_small(f"{s.name} = {s.value}"))
        elif s.kind == "none" and options.show_saved:
            lines.append(_small(f"{s.name}: not saved (not needed)", color=MUTED_TEXT))
        elif s.kind == "tensor" and s.state == "stale":
            moved = "" if s.saved_version is None else \
                f" saved at v{s.saved_version}, now v{s.current_version}"
            lines.append(f'<font point-size="9" color="{STALE_TEXT}"><b>'
                         f"STALE {html(s.name)}:{html(moved)}</b></font>")
    freed = [s.name for s in node.saved if s.kind == "tensor" and s.state == "freed"]
    if freed and not options.show_saved:
        lines.append(_small("saved " + ", ".join(freed) + ": freed", MUTED_TEXT, italic=True))
    return lines


def _op_lines(node, options, drawn_outputs):
    lines = [f'<b>{html(node.name)}</b> <font point-size="8" color="{MUTED_TEXT}">'
             f"#{node.rank}</font>"]
    for nr, label in sorted(node.outputs.items()):
        if (node.id, nr) not in drawn_outputs:
            suffix = f" (output {nr})" if nr else ""
            lines.append(_small(f"\u2192 {label}{suffix}"))
    if node.variable is not None:  # the leaf this AccumulateGrad adds into
        v = node.variable
        lines.append(f"<b>{html(v.label)}</b> (leaf)" if v.label else "(unnamed leaf)")
        lines += _tensor_lines(v, options, "")[1:]
    lines += _saved_summary(node, options)
    for hook in node.hooks:
        lines.append(_small(hook, color=HOOK_TEXT))
    return lines


def _saved_box(owner, k, s, names):
    """A separate box for one saved tensor (show_saved=True)."""
    box_id = f"{owner.id}s{k}"
    label = names.get(id(s.tensor)) if s.tensor is not None else None
    title = f"saved {s.name}" + (f" = {label}" if label else "") + (" (output)" if s.is_output
                                                                    else "")
    lines = [f"<b>{html(title)}</b>"]
    style = {"shape": "box", "style": "filled", "fillcolor": SAVED_FILL}
    if s.state == "freed":
        lines.append(_small("freed by backward", MUTED_TEXT, italic=True))
        style = {"shape": "box", "style": "dashed", "color": "#9e9e9e", "fontcolor": MUTED_TEXT}
    else:
        if s.shape is not None:
            lines.append(_small(f"{shape_text(s.shape)} {s.dtype or ''}".rstrip()))
        if s.saved_version is not None:
            lines.append(_small(f"saved at v{s.saved_version}, now v{s.current_version}"))
        if s.state == "stale":
            lines.append(f'<font point-size="9" color="{STALE_TEXT}"><b>'
                         "STALE: modified in place; backward will raise</b></font>")
            style = {"shape": "box", "style": "filled,bold", "fillcolor": STALE_FILL,
                     "color": STALE_TEXT, "penwidth": "2"}
    return box_id, style, lines


def build(model, options=None, keep=None, names=None, node_states=None, edge_states=None,
          graph_attrs=None):
    """The DOT text for ``model``.

    ``keep``: node ids to draw (the rest is summarised in one "collapsed" box).
    ``names``: {id(tensor): label}, to name saved tensors. ``node_states`` /
    ``edge_states``: id -> stepper state (see ``NODE_STATES``)."""
    options = options or Options()
    names = names or {}
    node_states, edge_states = node_states or {}, edge_states or {}
    drawn = model.nodes if keep is None else [n for n in model.nodes if n.id in keep]
    drawn_ids = {n.id for n in drawn}
    out = ["digraph autograd {"]
    gattrs = {"rankdir": options.rankdir, "nodesep": "0.25", "ranksep": "0.35",
              "fontname": "Helvetica,Arial,sans-serif"}
    if len(drawn) > LARGE_GRAPH:
        gattrs.update(LARGE_GRAPH_ATTRS)
    gattrs.update(graph_attrs or {})
    out.append("  graph " + attrs(gattrs))
    out.append("  node " + attrs({"shape": "box", "style": "rounded,filled",
                                  "fillcolor": OP_FILL, "fontname": "Helvetica,Arial,sans-serif",
                                  "fontsize": "10", "margin": "0.08,0.04", "penwidth": "1"}))
    out.append("  edge " + attrs({"fontname": "Helvetica,Arial,sans-serif", "fontsize": "8",
                                  "arrowsize": "0.6"}))
    if options.legend:
        out.append("  legend " + attrs({"shape": "plaintext", "style": "",
                                        "label": HtmlLabel([legend_table(options)])}))
    drawn_outputs = {(o.node, o.output_nr) for o in model.outputs if o.node is not None}
    for node in drawn:
        a = {"id": node.id, "label": HtmlLabel(_op_lines(node, options, drawn_outputs)),
             "tooltip": local_rule(node.name).symbols or node.name}
        if node.variable is not None:
            a["fillcolor"] = LEAF_FILL
        a.update(_state_attrs(node_states.get(node.id)))
        out.append(f"  {node.id} " + attrs(a))
        if options.show_saved:
            for k, s in enumerate(node.saved):
                if s.kind != "tensor":
                    continue
                box_id, style, lines = _saved_box(node, k, s, names)
                out.append(f"  {box_id} " + attrs({"id": box_id, **style,
                                                   "label": HtmlLabel(lines)}))
                out.append(f"  {box_id} -> {node.id} " + attrs(
                    {"style": "dashed", "arrowhead": "none", "color": "#e6a23c"}))
    for edge in model.edges:
        if edge.source in drawn_ids and edge.target in drawn_ids:
            out.append(f"  {edge.source} -> {edge.target} " + attrs(_edge_attrs(
                edge, model, edge_states.get(edge.id))))
    hidden = [n for n in model.nodes if n.id not in drawn_ids]
    if hidden:
        out += _collapsed(model, hidden, drawn_ids)
    for o in model.outputs:
        title = o.tensor.label or ("output" if len(model.outputs) == 1 else f"output {o.id[1:]}")
        out.append(f"  {o.id} " + attrs({"id": o.id, "fillcolor": OUTPUT_FILL,
                                         "style": "filled",
                                         "label": HtmlLabel(_tensor_lines(o.tensor, options,
                                                                          title))}))
        if o.node is not None and o.node in drawn_ids:
            a = {"id": f"e{o.id}", "style": "bold"}
            if o.output_nr:
                a["taillabel"] = f"out {o.output_nr}"
            if edge_states.get(a["id"]):
                a.update(EDGE_STATES[edge_states[a["id"]]])
            out.append(f"  {o.node} -> {o.id} " + attrs(a))
    out.append("}")
    return "\n".join(out) + "\n"


def _state_attrs(state):
    if state is None:
        return {}
    a = dict(NODE_STATES[state])
    if "style" in a:
        a["style"] = "rounded,filled," + a["style"]
    return a


def _edge_attrs(edge, model, state):
    producer = model.node(edge.source)
    label = str(edge.index)
    if edge.output_nr or len(producer.outputs) > 1:
        label = f"{edge.output_nr}\u2192{edge.index}"
    a = {"id": edge.id, "headlabel": label,
         "tooltip": f"input {edge.index} of {model.node(edge.target).name}"}
    if state is not None:
        a.update(EDGE_STATES[state])
    return a


def _collapsed(model, hidden, drawn_ids):
    """One box standing for the nodes not drawn, with their names counted."""
    counts = {}
    for n in hidden:
        counts[n.name] = counts.get(n.name, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    lines = [f"<b>{html(f'… {len(hidden)} more nodes (collapsed)')}</b>"]
    lines += [_small(f"{count} \u00d7 {name}") for name, count in top]
    if len(counts) > len(top):
        lines.append(_small("…"))
    out = ["  collapsed " + attrs({"id": "collapsed", "shape": "note", "style": "filled",
                                   "fillcolor": "#fafafa", "label": HtmlLabel(lines)})]
    hidden_ids = {n.id for n in hidden}
    targets = sorted({e.target for e in model.edges
                      if e.source in hidden_ids and e.target in drawn_ids},
                     key=lambda t: int(t[1:]))
    for target in targets:
        out.append(f"  collapsed -> {target} " + attrs({"style": "dashed"}))
    return out


def _swatch(fill="#ffffff", border="#000000", width="1", dashed=False):
    style = ' style="dashed"' if dashed else ""
    return (f'<td bgcolor="{fill}" color="{border}" border="{round(float(width))}"{style} '
            'width="16"> </td>')


def legend_table(options):
    """The colour key, as an HTML table (one node, so it barely affects layout)."""
    rows = [(_swatch(OP_FILL), "grad_fn node (e.g. MulBackward0); #k = creation order"),
            (_swatch(LEAF_FILL), "AccumulateGrad + the leaf tensor it adds into (variable)"),
            (_swatch(OUTPUT_FILL), "tensor passed to draw (output)")]
    if options.show_saved:
        rows += [(_swatch(SAVED_FILL), "saved tensor (version saved at / now)"),
                 (_swatch(STALE_FILL, STALE_TEXT, "2"), "saved tensor changed in place (stale)")]
    rows.append(("<td> </td>", "arrow = one use of a value; number = input index"))
    if options.stepper_legend:
        for state, words in STATE_WORDS.items():
            style = NODE_STATES[state]
            rows.append((_swatch(style.get("fillcolor", "#ffffff"), style["color"],
                                 style["penwidth"], "dashed" in style.get("style", "")), words))
    cells = "".join(f'<tr>{swatch}<td align="left">{html(text)}</td></tr>'
                    for swatch, text in rows)
    return ('<table border="0" cellborder="0" cellspacing="3" cellpadding="2">'
            '<tr><td colspan="2"><b>legend</b></td></tr>' + cells + "</table>")
