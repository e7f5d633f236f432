"""Open a local HTML page in Debian's headless chromium, offline, and report what happened.

Playwright drives ``/usr/bin/chromium`` (never a downloaded browser). Every request that
is not for the file itself is aborted and recorded, and the context is offline too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM", "LAUNCH_ARGS", "Visit", "intersecting_labels", "open_picture"]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file:", "data:", "about:")
STATE_JS = """() => {
  const canvas = document.querySelector("#mynetwork canvas");
  return {
    canvas: canvas ? [canvas.clientWidth, canvas.clientHeight] : null,
    dataset_nodes: typeof nodes === "undefined" ? null : nodes.length,
    network_nodes: typeof network === "undefined" ? null : network.body.data.nodes.length,
    network_edges: typeof network === "undefined" ? null : network.body.data.edges.length,
    pwned: typeof window.__pwned !== "undefined",
    drawn_ms: window.__coiDrawnAt === undefined ? null : window.__coiDrawnAt,
    legend: !!document.querySelector(".coi-legend"),
    header: document.querySelector(".coi-head") ? document.querySelector(".coi-head").innerText : "",
  };
}"""

LABELS_JS = """() => ({
  // each node's label as vis-network split it for drawing, and its bounding box on the canvas
  labels: typeof network === "undefined" ? {} : Object.fromEntries(network.body.nodeIndices.map((id) => {
    const split = network.body.nodes[id].labelModule.lines || [];
    const lines = Array.isArray(split) ? split : split.lines || [];
    const text = lines.map((l) => (l.blocks || []).map((b) => b.text).join("")).join("\\n");
    return [id, { text: text, box: network.getBoundingBox(id) }];
  })),
  edge_labels: typeof network === "undefined" ? {} : Object.fromEntries(
    network.body.edgeIndices.map((id) => [id, network.body.edges[id].options.label || ""])),
})"""


@dataclass
class Visit:
    """What a page did: its state once drawn, errors, and requests that tried to leave the file."""

    state: dict[str, Any]
    seconds: float
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    hover: str = ""


def open_picture(path: Path, screenshot: Path | None = None, hover_node: str | None = None) -> Visit:
    """Load ``path`` offline, wait until vis-network has drawn, optionally hover a node and screenshot."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    page_errors: list[str] = []
    requests: list[str] = []

    def block(route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            requests.append(url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.set_offline(True)
            context.route("**/*", block)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(LOCAL) else requests.append(r.url))
            start = time.perf_counter()
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_function("document.body.getAttribute('data-picture-drawn') === '1'", timeout=30_000)
            seconds = time.perf_counter() - start
            labels = page.evaluate(LABELS_JS)  # before any hover: a hovered label is split again
            hover = _hover(page, hover_node) if hover_node else ""
            state = {**page.evaluate(STATE_JS), **labels}
            if screenshot:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    return Visit(state, seconds, errors, page_errors, list(dict.fromkeys(requests)), hover)


def intersecting_labels(visit: Visit) -> list[tuple[str, str]]:
    """Pairs of nodes whose drawn boxes (shape and label, from vis-network) intersect."""
    boxes = [(k, v["box"]) for k, v in visit.state["labels"].items()]
    found = []
    for i, (a, p) in enumerate(boxes):
        for b, q in boxes[i + 1 :]:
            if p["left"] < q["right"] and q["left"] < p["right"] and p["top"] < q["bottom"] and q["top"] < p["bottom"]:
                found.append((a, b))
    return found


def _hover(page: Any, node_id: str) -> str:
    """Move the mouse onto a node and return the tooltip text vis-network shows."""
    where = page.evaluate(
        "(id) => { const p = network.canvasToDOM(network.getPositions([id])[id]);"
        " const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        node_id,
    )
    page.mouse.move(where[0] + 1, where[1] + 1)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    return page.inner_text("div.vis-tooltip")
