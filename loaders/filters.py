"""A mapping's row filters: drop rows by a value of a column, or a blank cell; always counted.

Conditions name the export's own headers (matched as headers are: trimmed, any case) and
values (trimmed, any case). Every condition that drops rows is reported with its count,
so no row disappears silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from coi.loaders.mapping import SourceSpec

__all__ = ["drop_mask"]


def drop_mask(frame: pd.DataFrame, spec: SourceSpec, column_of: dict[str, str]) -> tuple[np.ndarray, list[str]]:
    """Rows to drop, and one line per condition that dropped any (``3 row(s) ...``).

    ``column_of`` maps a normalised export header to its column in ``frame``; every header
    named has been checked to be there.

    >>> spec = SourceSpec(drop_when={"Status": ("Withdrawn",)}, drop_blank=("Ref",))
    >>> frame = pd.DataFrame({"status": ["Open", "WITHDRAWN", "open"], "ref": ["K1", "K2", ""]})
    >>> mask, notes = drop_mask(frame, spec, {"status": "status", "ref": "ref"})
    >>> mask.tolist(), notes
    ([False, True, True], ["1 row(s) dropped by the mapping's filter: Status is 'Withdrawn'", "1 row(s) dropped by the mapping's filter: Ref is blank"])
    """
    drop = np.zeros(len(frame), dtype=bool)
    notes = []
    for header, values in spec.drop_when.items():
        column = frame[column_of[header.strip().lower()]]
        hit = column.str.lower().isin([v.lower() for v in values]).to_numpy(dtype=bool) & ~drop
        if hit.any():
            shown = " or ".join(repr(v) for v in values)
            notes.append(f"{int(hit.sum())} row(s) dropped by the mapping's filter: {header} is {shown}")
        drop |= hit
    for header in spec.drop_blank:
        hit = (frame[column_of[header.strip().lower()]] == "").to_numpy(dtype=bool) & ~drop
        if hit.any():
            notes.append(f"{int(hit.sum())} row(s) dropped by the mapping's filter: {header} is blank")
        drop |= hit
    return drop, notes
