"""A mapping's value work on one column: number-like ids, id templates, value maps, dates.

Each function takes a column of trimmed text and returns the new column (and the
positions it could not convert), vectorised: work is done once per *distinct* value
(``pd.factorize``), never once per row, so a million rows with forty ranks cost forty
look-ups.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from coi.loaders.mapping import DateRule, ValueMap

__all__ = ["EXCEL_EPOCH", "apply_dates", "apply_template", "apply_values", "integral_ids"]

INTEGRAL = r"^-?[0-9]+\.0+$"
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def integral_ids(text: pd.Series) -> pd.Series:
    """``128108.0`` -> ``128108`` (a spreadsheet's number); ``1.5``, ``O1`` and the rest stay as they are.

    >>> integral_ids(pd.Series(["128108.0", "1.5", "O1.0", "7.00", ""])).tolist()
    ['128108', '1.5', 'O1.0', '7', '']
    """
    dotted = text.str.contains(".", regex=False)
    if not dotted.any():  # the common case: one cheap pass
        return text
    return text.str.replace(r"^(-?[0-9]+)\.0+$", r"\1", regex=True)


def apply_template(text: pd.Series, prefix: str, suffix: str) -> pd.Series:
    """``P{}`` around every non-blank id (after number-like ids are normalised).

    >>> apply_template(pd.Series(["7", "", "12.0"]), "P", "").tolist()
    ['P7', '', 'P12']
    """
    text = integral_ids(text)
    return (prefix + text + suffix).where(text != "", "")


def _by_distinct(text: pd.Series, convert) -> tuple[pd.Series, np.ndarray]:
    """Apply ``convert(value) -> str | None`` once per distinct value; None refuses it (kept as it was)."""
    codes, uniques = pd.factorize(text)
    converted = [convert(u) for u in uniques]
    out = np.array([(u if c is None else c) for u, c in zip(uniques, converted, strict=True)] + [""], dtype=object)
    refused = np.array([c is None for c in converted] + [False], dtype=bool)
    return pd.Series(out[codes], index=text.index, dtype=object), np.flatnonzero(refused[codes])


def apply_values(text: pd.Series, mapping: ValueMap) -> tuple[pd.Series, np.ndarray]:
    """Map export values (case-insensitively, trimmed) to the contract's; positions of unmapped ones.

    A blank stays blank unless the map names ``""``. An unmapped value becomes the map's
    default, stays as it is with ``_unmapped = "keep"``, and is refused otherwise.

    >>> m = ValueMap({"pc": "constable", "ds": "sergeant"})
    >>> values, bad = apply_values(pd.Series(["PC", "ds ", "", "Cadet"]), m)
    >>> values.tolist(), bad.tolist()
    (['constable', 'sergeant', '', 'Cadet'], [3])
    """

    def convert(value: str) -> str | None:
        key = value.strip().lower()
        if key in mapping.values:
            return mapping.values[key]
        if key == "" or mapping.keep_unmapped:
            return value
        return mapping.default

    return _by_distinct(text, convert)


def _one_date(value: str, rule: DateRule) -> str | None:
    """The ISO text of one date as the rule writes it; None when it is not one."""
    if rule.format == "excel":
        try:
            serial = float(value)
        except ValueError:
            serial = None
        if serial is not None and serial.is_integer() and 1 <= serial < 2958466:
            return (EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()
    elif rule.format:
        parsed = pd.to_datetime(value, format=rule.format, errors="coerce")
        if parsed is not pd.NaT and not pd.isna(parsed):
            return parsed.date().isoformat()
    if pd.Series([value]).str.match(ISO).iat[0]:  # already ISO (an Excel date cell is read so)
        return value
    return None


def apply_dates(text: pd.Series, rule: DateRule) -> tuple[pd.Series, np.ndarray]:
    """Dates in the rule's format as ISO text, "still open" sentinels as blank; refused positions.

    >>> rule = DateRule("%d-%b-%y", ("31-DEC-99", "9999-12-31"))
    >>> values, bad = apply_dates(pd.Series(["20-MAR-18", "31-dec-99", "9999-12-31", "", "soon"]), rule)
    >>> values.tolist(), bad.tolist()
    (['2018-03-20', '', '', '', 'soon'], [4])
    """
    opened = {s.lower() for s in rule.open} | {_one_date(s, rule) or s for s in rule.open}
    if not rule.format:  # only sentinels: the contract's own forms are read by the validator
        lowered = text.str.lower()
        return text.where(~lowered.isin(opened), ""), np.array([], dtype=np.int64)

    def convert(value: str) -> str | None:
        if value == "" or value.lower() in opened:
            return ""
        iso = _one_date(value, rule)
        return "" if iso in opened else iso

    return _by_distinct(text, convert)
