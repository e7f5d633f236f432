"""Postings of leavers: an ongoing posting of an officer who has left ends on ``left_on``.

HR exports often leave a leaver's last posting open. Such a posting (blank end_date, the
officer has a left_on) ends on left_on, so both stores hold, and every check explains,
its effective end. One that starts after left_on (a re-joiner, or an error in the export)
is kept as recorded and reported as a data-quality warning; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
from coi.loaders.problems import Problem

__all__ = ["end_leavers_postings"]


def end_leavers_postings(
    officer_ids: pd.Series,
    left_on: pd.Series,
    postings: dict[str, pd.Series],
    valid: np.ndarray,
    source: Callable[[int], str],
    row_number: Callable[[int], int],
) -> tuple[int, list[Problem]]:
    """End (in ``postings``, in place) the ongoing postings of leavers; return (how many, warnings)."""
    left = {k: v for k, v in zip(officer_ids, left_on, strict=True) if isinstance(v, date) and isinstance(k, str)}
    if not left:
        return 0, []
    ongoing = np.flatnonzero(valid & postings["end_date"].isna().to_numpy())
    who = postings["officer_id"].iloc[ongoing]
    leaving = who.map(left)
    has_left = leaving.notna().to_numpy()
    positions, left_days = ongoing[has_left], leaving.to_numpy()[has_left]
    starts = postings["start_date"].to_numpy()[positions]
    after = np.array([s > d for s, d in zip(starts, left_days, strict=True)], dtype=bool)
    end = postings["end_date"].copy()
    end.iloc[positions[~after]] = left_days[~after]
    postings["end_date"] = end
    warnings = [
        Problem(
            source(int(pos)),
            f"ongoing posting of officer {postings['officer_id'].iat[pos]} starts after they left on {day}: "
            "kept as recorded (ongoing); check the export",
            row_number(int(pos)),
            "start_date",
            str(postings["start_date"].iat[pos]),
        )
        for pos, day in zip(positions[after], left_days[after], strict=True)
    ]
    return int((~after).sum()), warnings
