"""Small bar charts as inline SVG for the HTML reports (no JavaScript, no external files).

Every label is escaped here; callers pass plain text. Each chart carries a ``<title>``
and an ``aria-label`` so it reads without the picture, and the report repeats its
numbers in a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from coi.queries.present.palette import VERDICT_COLOURS

__all__ = ["hbar_chart", "stacked_bar_chart"]

#: Colour per verdict, distinguishable in greyscale print (light to dark).
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Arial, sans-serif" font-size="11"'


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _nice_max(value: float) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    value = max(value, 1)
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_e(label)}" {FONT}>'
        f"<title>{_e(label)}</title>" + "".join(body) + "</svg>"
    )


def stacked_bar_chart(
    label: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[int]],
    colours: Mapping[str, str] = VERDICT_COLOURS,
) -> str:
    """Vertical bars, one per category, stacked by series (e.g. allocations per year by verdict)."""
    left, top, bottom, legend_h = 40, 10, 28, 22
    slot = max(18, min(60, 560 // max(len(categories), 1)))
    width = left + slot * max(len(categories), 1) + 20
    width = max(width, 360)
    plot_h = 180
    rotate = slot * 0.9 < 7 * max((len(c) for c in categories), default=0)
    bottom += 24 if rotate else 0
    height = top + plot_h + bottom + legend_h
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top_value = _nice_max(max(totals, default=0))
    scale = plot_h / top_value
    body = []
    for tick in (0, top_value // 2, top_value):
        y = top + plot_h - tick * scale
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, category in enumerate(categories):
        x = left + i * slot + slot * 0.15
        y = top + plot_h
        for name, values in series.items():
            h = values[i] * scale
            if h:
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{_e(colours.get(name, "#888"))}"><title>{_e(category)}: {_e(name)} {values[i]}</title></rect>'
                )
        cx, cy = x + slot * 0.35, top + plot_h + 14
        turn = f' transform="rotate(-45 {cx:.1f} {cy})"' if rotate else ""
        anchor = "end" if rotate else "middle"
        body.append(f'<text x="{cx:.1f}" y="{cy}" text-anchor="{anchor}"{turn}>{_e(category)}</text>')
    x = left
    for name in series:
        body.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{_e(colours.get(name, "#888"))}"/>'
            f'<text x="{x + 14}" y="{height - 5}">{_e(name)}</text>'
        )
        x += 20 + 7 * len(name)
    return _svg(width, height, label, body)


def hbar_chart(
    label: str,
    items: Sequence[tuple[str, float, str]],
    maximum: float | None = None,
    colour: str = "#3b5b92",
) -> str:
    """Horizontal bars: (label, value, text shown after the bar) per row, in the given order."""
    row_h, left, right, top = 20, 230, 90, 6
    width = 620
    height = top * 2 + row_h * max(len(items), 1)
    top_value = maximum if maximum is not None else max((v for _, v, _ in items), default=0)
    scale = (width - left - right) / (top_value or 1)
    body = []
    if not items:
        body.append(f'<text x="{left}" y="{top + 14}">nothing to show</text>')
    for i, (name, value, text) in enumerate(items):
        y = top + i * row_h
        shown = name if len(name) <= 36 else name[:35] + "…"
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end"><title>{_e(name)}</title>{_e(shown)}</text>')
        w = value * scale
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{_e(colour)}">'
            f"<title>{_e(name)}: {_e(text)}</title></rect>"
        )
        body.append(f'<text x="{left + w + 4:.1f}" y="{y + 14}">{_e(text)}</text>')
    return _svg(width, height, label, body)
