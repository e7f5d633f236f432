"""The dense preset is shaped like a big city force: few units, hundreds of officers in each at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from coi.loaders.synthetic import SCALES, ForceSpec, generate


def _crowding(folder: Path) -> tuple[float, int]:
    """(officers at once in the unit of the median officer serving on the last day, units)."""
    postings = pd.read_csv(folder / "postings.csv", dtype=str, keep_default_na=False)
    last = postings.start_date.max()
    serving = postings[(postings.start_date <= last) & ((postings.end_date == "") | (postings.end_date >= last))]
    per_unit = serving.groupby("unit_id").officer_id.transform("size")
    return float(per_unit.median()), len(pd.read_csv(folder / "units.csv", dtype=str))


def _scaled(spec: ForceSpec) -> ForceSpec:
    """The preset at a tenth of the dense force's size, over ten years, with few cases: seconds to make."""
    return replace(spec, officers=3000, years=10, cases_per_officer=0.05)


def test_dense_units_are_crowded_and_few(tmp_path: Path) -> None:
    generate(tmp_path / "dense", _scaled(SCALES["dense"]))
    generate(tmp_path / "force", _scaled(SCALES["force"]))
    dense, dense_units = _crowding(tmp_path / "dense")
    force, force_units = _crowding(tmp_path / "force")
    assert dense >= 80 and dense >= 10 * force, (dense, force)
    assert dense_units * 3 < force_units, (dense_units, force_units)


def test_dense_preset_is_a_big_city_force() -> None:
    dense = SCALES["dense"]
    assert dense.forces == 1 and dense.officers >= 25_000 and dense.years >= 30
    assert dense.team_constables[0] >= 50 and dense.constables_per_sergeant > 0
