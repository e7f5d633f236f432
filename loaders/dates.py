"""Read a column of date text: ISO ``YYYY-MM-DD``, or ``DD/MM/YYYY`` when the user says so.

Checked column-wise. Each date that cannot be read gets the true reason: not a date, a
day-first date given without ``--dayfirst``, a really ambiguous day/month order, a
month-first date, a day that does not exist, or a year outside the contract's range.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["HIGH", "LOW", "parse_dates"]

LOW, HIGH = date(1900, 1, 1), date(2100, 12, 31)
ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # ASCII digits only: \d would accept full-width ones
SLASHED = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$"
RANGE = f"outside the supported range {LOW}..{HIGH}"
REASONS = {
    "format": "not a date in YYYY-MM-DD form",
    "format_dayfirst": "not a date in YYYY-MM-DD or DD/MM/YYYY form",
    "impossible": "not a real calendar date",
    "impossible_dayfirst": "not a real calendar date (read day-first, DD/MM/YYYY)",
    "range": RANGE,
    "ambiguous": "day/month order is ambiguous: pass --dayfirst if the export is day-first",
    "dayfirst": "a day-first date (DD/MM/YYYY): pass --dayfirst to read day-first dates",
    "monthfirst": "a month-first date (MM/DD/YYYY): month-first dates are not read; write YYYY-MM-DD",
    "no_such_day": "not a real calendar date in either day/month order",
}


def _iso(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    return year.str.zfill(4) + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)


def _real(iso: pd.Series) -> pd.Series:
    """ISO text (in range) that names a real day."""
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").notna()


def _in_range(iso: pd.Series) -> pd.Series:
    return (iso >= LOW.isoformat()) & (iso <= HIGH.isoformat())  # ISO text sorts as its dates do


def parse_dates(text: pd.Series, dayfirst: bool) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Return (the ISO text of every readable date, NaN elsewhere; positions refused per reason key)."""
    filled = (text != "").to_numpy()
    iso_form = text.str.match(ISO).to_numpy(dtype=bool)
    slashed = text.str.match(SLASHED).to_numpy(dtype=bool)
    # pandas extracts row by row: only the (few) slashed values, placed back by position
    parts = text[slashed].str.extract(SLASHED).reindex(text.index)
    day_first = _iso(parts[2], parts[1], parts[0])  # DD/MM/YYYY read day-first
    iso = text.where(iso_form)
    if dayfirst:
        iso = iso.fillna(day_first)
    readable = iso_form | (slashed & dayfirst)
    in_range = readable & _in_range(iso).fillna(False).to_numpy(dtype=bool)
    real = in_range & _real(iso.where(in_range)).to_numpy()
    refused = {
        "format_dayfirst" if dayfirst else "format": filled & ~readable & ~slashed,
        "range": readable & ~in_range,
        "impossible_dayfirst" if dayfirst else "impossible": in_range & ~real & (slashed if dayfirst else iso_form),
    }
    if dayfirst:
        refused["impossible"] = in_range & ~real & iso_form
    else:
        for key, mask in _slashed_without_option(parts, slashed, day_first).items():
            refused[key] = refused.get(key, False) | mask
    return iso.where(real), {key: np.flatnonzero(mask) for key, mask in refused.items() if mask.any()}


def _slashed_without_option(parts: pd.DataFrame, slashed: np.ndarray, day_first: pd.Series) -> dict[str, np.ndarray]:
    """Why a DD/MM/YYYY-looking date was not read when --dayfirst was not given."""
    month_first = _iso(parts[2], parts[0], parts[1])
    in_range = slashed & _in_range(day_first.str.slice(0, 4) + "-01-01").fillna(False).to_numpy(dtype=bool)
    dm = in_range & _real(day_first.where(in_range)).to_numpy()
    md = in_range & _real(month_first.where(in_range)).to_numpy()
    same = (parts[0].astype("float") == parts[1].astype("float")).to_numpy()
    return {
        "range": slashed & ~in_range,
        "ambiguous": dm & md & ~same,
        "dayfirst": dm & (~md | same),
        "monthfirst": md & ~dm,
        "no_such_day": in_range & ~dm & ~md,
    }
