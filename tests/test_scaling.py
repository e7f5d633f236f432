"""Big-O sanity: a check reads the same records however large the rest of the force is.

Counts the rows each store read returns (the unit hierarchy excepted: it is read once and
is small), so a regression to whole-graph scans fails here without timing anything.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.queries.engine import Engine

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
READS = [
    "people",
    "cases",
    "cases_linked_to",
    "assignments_for_cases",
    "assignments_for_people",
    "postings_for_people",
    "postings_line_managed_by",
    "postings_in_units",
    "associations_for_people",
    "all_cases",
    "serving_officers",
    "assignments_with_roles",
]


class CountingStore:
    """Wraps a store and counts the rows its reads return."""

    def __init__(self, store: SqliteStore) -> None:
        self.store, self.rows, self.calls = store, 0, 0

    def __getattr__(self, name: str):
        attr = getattr(self.store, name)
        if name not in READS:
            return attr

        def counted(*args, **kwargs):
            result = attr(*args, **kwargs)
            self.calls += 1
            self.rows += len(result)
            return result

        return counted


def grow(folder: Path, extra: int) -> Path:
    """The example plus ``extra`` officers in a second force, busy with their own cases."""
    target = folder / f"grown{extra}"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.md"))

    def append(name: str, rows: list[dict]) -> None:
        frame = pd.read_csv(target / f"{name}.csv", dtype=str, keep_default_na=False)
        pd.concat([frame, pd.DataFrame(rows)]).fillna("").to_csv(target / f"{name}.csv", index=False)

    append(
        "units",
        [
            {"unit_id": "G", "name": "Other Force", "kind": "force"},
            *({"unit_id": f"G{t}", "name": f"Team {t}", "parent_unit_id": "G", "kind": "team"} for t in range(20)),
        ],
    )
    append("officers", [{"officer_id": f"X{i}", "name": f"Other {i}", "rank": "constable"} for i in range(extra)])
    append(
        "postings",
        [
            {
                "officer_id": f"X{i}",
                "unit_id": f"G{i % 20}",
                "start_date": "2015-01-01",
                "line_manager_id": f"X{i - 1}" if i % 10 else "",
                "supervisor": "false",
            }
            for i in range(extra)
        ],
    )
    append(
        "cases", [{"case_id": f"C{i}", "case_type": "conduct", "opened_on": "2022-01-01"} for i in range(extra // 2)]
    )
    append(
        "assignments",
        [{"case_id": f"C{i}", "person_id": f"X{i}", "role": "subject"} for i in range(extra // 2)]
        + [{"case_id": f"C{i}", "person_id": f"X{i + 1}", "role": "investigator"} for i in range(extra // 2)],
    )
    return target


def reads_for_check(folder: Path, case: str, person: str, on: date) -> tuple[int, int, list[str]]:
    store = SqliteStore(folder / "store.sqlite")
    load_folder(folder, store)
    counting = CountingStore(store)
    rules = Engine(counting).check(case, person, on).rules()  # type: ignore[arg-type]
    return counting.calls, counting.rows, rules


@pytest.mark.parametrize(("case", "person", "on"), [("K1", "O2", date(2023, 3, 15)), ("K7", "O10", date(2024, 2, 5))])
def test_check_reads_do_not_grow_with_the_force(tmp_path: Path, case: str, person: str, on: date) -> None:
    small = reads_for_check(grow(tmp_path, 10), case, person, on)
    large = reads_for_check(grow(tmp_path, 400), case, person, on)
    assert small == large
