"""Control characters made visible: no value can steer the terminal it is shown on.

A name, role, unit or reason holding ESC sequences could recolour a CONFLICT line into a
green "CLEAR", clear the screen or plant a hyperlink; a carriage return or a bidirectional
override could overwrite or reorder what was printed. Every character that is not plain
printable text is shown as an escape (``\\x1b``, ``\\r``, ``\\u202e``) instead.

Line breaks are the one exception in terminal output, because the templates draw lines
with them: a line break inside a *value* is stopped where values come in (the loader
refuses it in every single-line field, the CLI refuses it in ``--by``/``--reason``), see
``docs/security.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
from rich.segment import Segment

from coi.redact import redact

__all__ = ["VisibleText", "attach", "control_character", "visible", "visible_json"]

#: C0 controls, DEL, C1 controls (0x9b is an 8-bit CSI), and the bidi/zero-width/line
#: separator characters that reorder or hide text.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
#: what ``json.dumps(ensure_ascii=False)`` leaves raw but a terminal may act on
JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str, keep_newlines: bool = False) -> str:
    """``text`` with every control or format character shown as an escape.

    >>> visible("Evil\\x1b[32mCLEAR\\r\\nx")
    'Evil\\\\x1b[32mCLEAR\\\\r\\\\nx'
    >>> visible("a\\nb", keep_newlines=True)
    'a\\nb'
    """
    if text.isprintable() and "\x85" not in text:  # the common case: nothing to do
        return text
    return _UNSAFE.sub(lambda m: m.group() if keep_newlines and m.group() == "\n" else _escape(m.group()), text)


def visible_json(document: str) -> str:
    """JSON text whose strings carry C1, bidi and zero-width characters as ``\\uXXXX`` escapes:
    the same values to a parser, inert on a terminal (json already escapes C0 controls), and
    no credential."""
    document = redact(document)
    return JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


@lru_cache(maxsize=4096)
def control_character(text: str) -> str | None:
    """The first control or format character of a single-line value, described, or None."""
    for char in text:
        if _UNSAFE.match(char) or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
    return None


class VisibleText:
    """A renderable drawing ``inner`` with every control character in its text made visible and
    every credential redacted (rich's own styling and cursor controls pass untouched: they are
    separate segments)."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
                continue
            text = redact(segment.text)
            if not text.isprintable():
                text = visible(text, keep_newlines=True)
            yield segment if text == segment.text else Segment(text, segment.style)


class VisibleHook(RenderHook):
    """A rich render hook wrapping everything printed in ``VisibleText``."""

    def process_renderables(self, renderables: list) -> list:
        return [VisibleText(r) for r in renderables]


def attach(consoles: Iterable[Console]) -> None:
    """Make every later print on ``consoles`` show control characters visibly."""
    for console in consoles:
        console.push_render_hook(VisibleHook())
