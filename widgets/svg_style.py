"""Recolour an already rendered SVG for one stepper frame, without running ``dot``.

Why: a step must feel instant (≤ 100 ms on a 200-node graph), but laying
out 200 nodes takes ``dot`` longer than that, and the layout never changes
between steps, only colours and outlines do. So ``dot`` runs once, and each
frame rewrites the outline of the nodes and edges whose state it shows. The
SVG that graphviz writes puts each node in ``<g id="<our id>" class="node">``
(we set ``id`` in the DOT) with its outline as the first shape inside; an
edge has its line (``<path>``) and arrowhead (``<polygon>``). The styles are
the same dictionaries ``dot.py`` writes into DOT, translated here to SVG
attributes; a test checks both give the same colours.
"""

import re

from .dot import EDGE_STATES, NODE_STATES

_GROUP = re.compile(r'<g id="([^"]+)" class="(node|edge)">')
_SHAPE = re.compile(r"<(path|polygon|ellipse)\b([^>]*?)(/?)>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


class SvgTemplate:
    """An SVG split at every node/edge group, ready to be restyled per frame."""

    def __init__(self, svg):
        start = svg.find("<svg")
        svg = svg[start:] if start >= 0 else svg  # drop the XML prolog for inline HTML
        matches = list(_GROUP.finditer(svg))
        self.groups = {}  # id -> index in pieces
        self.pieces = [svg[:matches[0].start()] if matches else svg]
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(svg)
            self.groups[match.group(1)] = len(self.pieces)
            self.pieces.append(svg[match.start():end])

    def render(self, node_states=None, edge_states=None):
        """The SVG with ``node_states`` / ``edge_states`` (id -> state) applied."""
        pieces = list(self.pieces)
        for states, table, edge in ((node_states, NODE_STATES, False),
                                    (edge_states, EDGE_STATES, True)):
            for group_id, state in (states or {}).items():
                slot = self.groups.get(group_id)
                if slot is not None:
                    pieces[slot] = _restyle(pieces[slot], table[state], edge)
        return "".join(pieces)


def svg_attrs(style, edge=False, arrowhead=False):
    """DOT style attributes (fillcolor, color, penwidth, style) as SVG attributes."""
    out = {}
    if edge:
        if "color" in style:
            out["stroke"] = style["color"]
            if arrowhead:
                out["fill"] = style["color"]
    else:
        if "fillcolor" in style:
            out["fill"] = style["fillcolor"]
        if "color" in style:
            out["stroke"] = style["color"]
    if style.get("penwidth", "1") not in ("1", "1.0"):
        out["stroke-width"] = style["penwidth"]
    if "dashed" in style.get("style", ""):
        out["stroke-dasharray"] = "5,2"
    return out


def _restyle(text, style, edge):
    """Restyle a group's outline (a node) or its line and arrowhead (an edge)."""
    count, done = (2 if edge else 1), 0

    def replace(match):
        nonlocal done
        if done >= count:
            return match.group(0)
        new = svg_attrs(style, edge=edge, arrowhead=edge and done == 1)
        done += 1
        attributes = dict(_ATTR.findall(match.group(2)))
        attributes.pop("stroke-width", None)
        attributes.pop("stroke-dasharray", None)
        attributes.update(new)
        body = "".join(f' {k}="{v}"' for k, v in attributes.items())
        return f"<{match.group(1)}{body}{match.group(3)}>"

    return _SHAPE.sub(replace, text)
