"""The colours of verdicts and severities, once, for every view (HTML report, SVG charts,
the case picture, and the terminal's styles).

Hex colours carry white text (WCAG AA on white text for badges); the terminal keeps named
ANSI colours so a user's theme still applies.
"""

from __future__ import annotations

__all__ = [
    "NOT_ALLOCATABLE_COLOUR",
    "NOT_ALLOCATABLE_STYLE",
    "SEVERITY_COLOURS",
    "SEVERITY_STYLE",
    "VERDICT_COLOURS",
    "VERDICT_STYLE",
    "verdict_css",
]

VERDICT_COLOURS = {"clear": "#1a7f37", "declare": "#9a6700", "conflict": "#cf222e", "disqualified": "#7a0010"}
SEVERITY_COLOURS = {"disqualifying": "#7a0010", "high": "#d62728", "medium": "#f28e00", "info": "#1f77b4"}
NOT_ALLOCATABLE_COLOUR = "#8b1a8b"

#: rich styles for the terminal, in the same hues
VERDICT_STYLE = {
    "clear": "bold green",
    "declare": "bold yellow",
    "conflict": "bold red",
    "disqualified": "bold white on red",
}
SEVERITY_STYLE = {"disqualifying": "red", "high": "red", "medium": "yellow", "info": "cyan"}
NOT_ALLOCATABLE_STYLE = "bold white on magenta"


def verdict_css() -> str:
    """CSS classes ``.v-<verdict>`` (badges) and ``.allocation.<verdict>`` (a left rule)."""
    badges = " ".join(f".v-{v} {{ background: {c}; color: #fff; }}" for v, c in VERDICT_COLOURS.items())
    rules = " ".join(f".allocation.{v} {{ border-left-color: {c}; }}" for v, c in VERDICT_COLOURS.items())
    return f"{badges}\n{rules}\n"
