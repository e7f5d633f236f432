"""The pyvis wrapper: a networkx graph of plain attributes in, one self-contained HTML page out.

This is the only module that imports pyvis (unmaintained since 2023), so its quirks stay
here: ``from_nx`` mutates its input and overwrites edge widths (we add items one by one
from copies instead); even ``cdn_resources="in_line"`` pulls Bootstrap from a CDN (pyvis
issue #229: removed here, and any leftover remote reference is an error); a node title
containing "href" switches every popup to ``innerHTML`` (titles are escaped and "href" is
neutralised). The page embeds vis-network, makes no network request (a Content Security
Policy forbids it too) and is drawn with physics off from precomputed positions where no
two nodes' labels overlap (:mod:`coi.queries.present.layout`).

Callers pass plain text. Hover texts and the page around the network are escaped here.
Labels are drawn on the canvas as text, so they are not escaped: vis-network's label markup
(``font.multi``) stays off, because in its "html" mode ``<b>`` and ``</i>`` in a name would
be read as markup and ``&lt;`` would show as typed; the data sets reach the page as JSON
with ``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes (Jinja's ``tojson``), so no text can
end the script. Node attributes read: ``label``, ``title`` (hover text, lines separated by
``\\n``), ``shape``, ``color``, ``size``, ``border`` (width), ``bold`` (a larger label),
``x``/``y``. Edge attributes: ``label`` (a short text drawn on the line), ``title``,
``color``, ``width``, ``dashes``, ``arrow`` (True: arrow towards the second node).
"""

from __future__ import annotations

import copy
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from coi.graph.files import write_text_atomic
from coi.queries.present.layout import box_for, separate
from pyvis.network import Network

__all__ = ["FONT_PX", "Fact", "LegendItem", "Page", "html_text", "label_text", "positions", "render_html", "write_html"]

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)
OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "edges": {"smooth": False, "font": {"size": 10, "face": "sans-serif", "multi": False}},
    # a white outline keeps a label legible where a line crosses it
    "nodes": {"font": {"multi": False, "size": 14, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"}},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True, "multiselect": True},
}
FONT_PX, BOLD_PX, DEFAULT_SIZE = 14, 16, 25  # label font sizes; vis-network's default node size
NODE_KEYS = ("shape", "color", "size", "x", "y")
EDGE_KEYS = ("color", "width", "dashes")
REMOTE = re.compile(
    r"<(?:script|link|img|iframe|embed|object|source)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//",
    re.I,
)
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I)
REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)
DEAD_MARKUP = re.compile(
    r"<!--(?:(?!-->).)*?<(?:link|script)\b(?:(?!-->).)*?-->|<center>\s*<h1>\s*</h1>\s*</center>", re.S | re.I
)
# Runs after pyvis has built the network: hover texts (escaped in Python) become inert
# elements, so they show as the original text whichever popup code displays them; the
# body is marked once the first frame is drawn (tests and timings wait for it).
TIPS_JS = """<script>(function () {
  function tip(text) { var d = document.createElement("div"); d.className = "coi-tip"; d.innerHTML = text; return d; }
  [nodes, edges].forEach(function (set) {
    set.update(set.get({ filter: function (x) { return typeof x.title === "string"; } })
      .map(function (x) { return { id: x.id, title: tip(x.title) }; }));
  });
  network.fit({ animation: false });
  network.once("afterDrawing", function () {
    window.__coiDrawnAt = performance.now();
    document.body.setAttribute("data-picture-drawn", "1");
  });
})();</script>"""
STYLE = """<style>
html, body { height: 100%; }
body { margin: 0; display: flex; flex-direction: column; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; }
body > .card { flex: 1 1 auto; min-height: 420px; position: relative; }
.coi-head { display: flex; gap: 24px; justify-content: space-between; padding: 10px 16px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
.coi-head h1 { font-size: 18px; margin: 0 0 6px; }
.coi-facts { margin: 0; display: grid; grid-template-columns: max-content auto; gap: 2px 12px; font-size: 13px; }
.coi-facts dt { color: #57606a; } .coi-facts dd { margin: 0; }
.coi-badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.coi-notes { margin: 6px 0 0; padding-left: 18px; font-size: 13px; color: #8a4600; }
.coi-list { margin: 6px 0 0; padding-left: 22px; font-size: 12px; max-height: 120px; overflow: auto; }
.coi-legend { font-size: 12px; min-width: 250px; }
.coi-legend h2 { font-size: 13px; margin: 0 0 4px; }
.coi-legend ul { list-style: none; margin: 0 0 6px; padding: 0; }
.coi-legend li { display: flex; align-items: center; gap: 6px; line-height: 18px; }
div.vis-tooltip { white-space: pre-line; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 12px; max-width: 460px; }
#mynetwork { position: absolute !important; inset: 0; border: 0 !important; float: none !important; }
</style>"""


@dataclass(frozen=True)
class Fact:
    """One header line: ``label: value``; ``colour`` shows the value as a badge."""

    label: str
    value: str
    colour: str | None = None


@dataclass(frozen=True)
class LegendItem:
    """A legend row: a line (``kind="line"``) or a node shape (``kind="node"``)."""

    kind: str
    text: str
    colour: str
    shape: str = "dot"
    width: float = 2.0
    dashes: bool = False


@dataclass(frozen=True)
class Page:
    """What surrounds the network: title, facts, notes, a numbered list and the legend."""

    title: str
    facts: Sequence[Fact] = ()
    notes: Sequence[str] = ()
    items: Sequence[str] = ()
    legend: Sequence[LegendItem] = ()


def html_text(text: Any) -> str:
    """Text made inert for HTML (``&<>"'`` escaped; "href" hidden from pyvis's check)."""
    return html.escape(str(text), quote=True).replace("href", "&#104;ref")


def label_text(text: Any) -> str:
    """A node label as drawn on the canvas: the text itself, on one line (no markup, no escaping).

    >>> label_text("Rhys <Evans> & Co\\nLtd")
    'Rhys <Evans> & Co Ltd'
    """
    return " ".join(str(text).split())


def positions(graph: nx.Graph) -> dict[Any, tuple[float, float]]:
    """Given x/y where every node has them, else a seeded spring layout scaled to pixels; then
    moved apart until no two nodes' label boxes overlap (:func:`coi.queries.present.layout.separate`)."""
    given = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True) if "x" in d and "y" in d}
    if len(given) == graph.number_of_nodes():
        found = given
    else:
        scale = 140 * math.sqrt(max(graph.number_of_nodes(), 4))
        try:
            found = nx.spring_layout(nx.Graph(graph), seed=7, scale=scale, pos=given or None, fixed=list(given) or None)
        except ImportError:  # large graphs need scipy for spring_layout
            found = nx.circular_layout(graph, scale=scale)
    boxes = {
        n: box_for(label_text(d.get("label", n)), d.get("size", DEFAULT_SIZE), BOLD_PX if d.get("bold") else FONT_PX)
        for n, d in graph.nodes(data=True)
    }
    return separate({n: (float(x), float(y)) for n, (x, y) in found.items()}, boxes)


def _ids(graph: nx.Graph) -> dict[Any, str]:
    ids = {n: n if isinstance(n, str) else str(n) for n in graph.nodes}
    if len(set(ids.values())) < len(ids):
        ids = {n: f"n{i}" for i, n in enumerate(graph.nodes)}
    return ids


def _network(graph: nx.Graph) -> Network:
    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    net.options = copy.deepcopy(OPTIONS)  # a dict: pyvis dumps it as JSON, no option strings
    ids, where = _ids(graph), positions(graph)
    for node, data in graph.nodes(data=True):
        attrs = {k: data[k] for k in NODE_KEYS if k in data}
        attrs["x"], attrs["y"] = where[node]
        if "border" in data:
            attrs["borderWidth"] = data["border"]
        if data.get("title"):
            attrs["title"] = html_text(data["title"])
        if data.get("bold"):
            attrs["font"] = {"size": BOLD_PX}
        net.add_node(ids[node], label=label_text(data.get("label", node)), **attrs)
    for a, b, data in graph.edges(data=True):
        attrs = {k: data[k] for k in EDGE_KEYS if k in data}
        if data.get("title"):
            attrs["title"] = html_text(data["title"])
        if data.get("arrow"):
            attrs["arrows"] = "to"
        if data.get("label"):
            attrs["label"] = label_text(data["label"])
        net.add_edge(ids[a], ids[b], **attrs)
    return net


def _swatch(item: LegendItem) -> str:
    colour = html_text(item.colour)
    if item.kind == "line":
        dash = ' stroke-dasharray="4 3"' if item.dashes else ""
        body = f'<line x1="1" y1="8" x2="27" y2="8" stroke="{colour}" stroke-width="{item.width:g}"{dash}/>'
    else:
        body = {
            "triangle": '<polygon points="14,2 21,14 7,14"',
            "square": '<rect x="8" y="2" width="12" height="12"',
            "diamond": '<polygon points="14,1 21,8 14,15 7,8"',
            "star": '<polygon points="14,1 16,6 21,6 17,9 19,15 14,11 9,15 11,9 7,6 12,6"',
        }.get(item.shape, '<circle cx="14" cy="8" r="6"') + f' fill="{colour}" stroke="#555" stroke-width="1"/>'
    return f'<svg width="28" height="16" aria-hidden="true">{body}</svg>'


def _header(page: Page) -> str:
    facts = "".join(
        f"<dt>{html_text(f.label)}</dt><dd>"
        + (
            f'<span class="coi-badge" style="background:{html_text(f.colour)}">{html_text(f.value)}</span>'
            if f.colour
            else html_text(f.value)
        )
        + "</dd>"
        for f in page.facts
    )
    notes = "".join(f"<li>{html_text(n)}</li>" for n in page.notes)
    items = "".join(f"<li>{html_text(i)}</li>" for i in page.items)
    sections: dict[str, list[str]] = {}
    for item in page.legend:
        sections.setdefault("Lines" if item.kind == "line" else "Shapes and fills", []).append(
            f"<li>{_swatch(item)}<span>{html_text(item.text)}</span></li>"
        )
    legend = "".join(f"<h2>{html_text(name)}</h2><ul>{''.join(rows)}</ul>" for name, rows in sections.items())
    return (
        f'<header class="coi-head"><div><h1>{html_text(page.title)}</h1><dl class="coi-facts">{facts}</dl>'
        + (f'<ul class="coi-notes">{notes}</ul>' if notes else "")
        + (f'<ol class="coi-list">{items}</ol>' if items else "")
        + "</div>"
        + (f'<aside class="coi-legend" aria-label="Legend">{legend}</aside>' if legend else "")
        + "</header>"
    )


def _finish(raw: str, page: Page) -> str:
    """Strip pyvis's remote and dead markup; add CSP, title, styles, header and tip script."""
    text = REMOTE_SCRIPT.sub("", REMOTE_LINK.sub("", DEAD_MARKUP.sub("", raw)))
    text = text.replace("<html>", '<!DOCTYPE html>\n<html lang="en">', 1)
    head = (
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(page.title)}</title>"
    )
    text = text.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + head, 1)
    # The inlined scripts come first and could hold these tags as strings: use the real ones.
    head_end = text.rfind("</head>")
    body = text.find("<body>", head_end) + len("<body>")
    body_end = text.rfind("</body>")
    if head not in text or not 0 < head_end < body < body_end:
        raise RuntimeError("pyvis produced a page of unknown layout; refusing to write it")
    text = (
        text[:head_end] + STYLE + text[head_end:body] + _header(page) + text[body:body_end] + TIPS_JS + text[body_end:]
    )
    if REMOTE.search(text):
        raise RuntimeError("pyvis produced a page with remote references; refusing to write it")
    return text


def render_html(graph: nx.Graph, page: Page) -> str:
    """The whole page for ``graph`` (which is not modified)."""
    net = _network(graph.copy())
    return _finish(net.generate_html(), page)


def write_html(path: Path, graph: nx.Graph, page: Page) -> int:
    """Write the page to ``path`` (UTF-8, atomically); return its size in bytes."""
    text = render_html(graph, page)
    write_text_atomic(Path(path), text)
    return len(text.encode("utf-8"))
