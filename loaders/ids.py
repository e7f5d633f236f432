"""Identifiers that look alike must not load as different people, units or cases.

Every id is compared after Unicode NFC normalisation (a decomposed ``Ö1`` is ``Ö1``). An
id holding an invisible or format character (zero-width space, BOM, bidirectional
controls, control characters, non-breaking and other odd spaces) is refused: nobody can
see which of two such ids a row names. Only non-ASCII values need the slow, per-value
look, and real exports have few.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

__all__ = ["compatibility_twin", "invisible", "normalise_ids"]

#: invisible though not in a format/control category (Hangul fillers, braille blank, CGJ)
INVISIBLE = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def invisible(value: str) -> str | None:
    """The first invisible or format character of ``value``, described, or None.

    >>> invisible("O1\\u200b"), invisible("O 1"), invisible("Müller-1")
    ('U+200B ZERO WIDTH SPACE', None, None)
    """
    for char in value:
        category = unicodedata.category(char)
        odd_space = category == "Zs" and char != " "
        if category in REFUSED_CATEGORIES or odd_space or char in INVISIBLE:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
    return None


def normalise_ids(text: pd.Series) -> tuple[pd.Series, dict[int, str]]:
    """NFC-normalised ids, and per position the invisible character that refuses it."""
    control = text.str.contains(r"[\x00-\x1f\x7f]", regex=True).to_numpy(dtype=bool)
    wide = ~text.str.isascii().to_numpy(dtype=bool)
    look = np.flatnonzero(control | wide)
    if len(look) == 0:
        return text, {}
    bad: dict[int, str] = {}
    fixed: dict[int, str] = {}
    for pos in look:
        value = text.iat[pos]
        found = invisible(value)
        if found:
            bad[int(pos)] = found
        normal = unicodedata.normalize("NFC", value)
        if normal != value:
            fixed[int(pos)] = normal
    if fixed:
        text = text.copy()
        text.iloc[list(fixed)] = list(fixed.values())
    return text, bad


def compatibility_twin(value: str, known: set[str]) -> str | None:
    """A known id that ``value`` equals once full-width or other compatibility forms are folded.

    >>> compatibility_twin("Ｏ1", {"O1"}), compatibility_twin("O1", {"O1"})
    ('O1', None)
    """
    if value.isascii():
        return None
    folded = unicodedata.normalize("NFKC", value)
    return folded if folded != value and folded in known else None
