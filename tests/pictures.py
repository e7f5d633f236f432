"""What the picture tests share: the example force loaded into a store, edits of a private
copy of it, a case too large to draw whole, and the node and edge lists a page draws."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from forces import assign, case, edit_csv, load_force, officer, posting, unit

DAY = date(2023, 3, 15)


def data_sets(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The node and edge lists the page hands to vis-network."""
    found = {
        m.group(1): json.loads(m.group(2)) for m in re.finditer(r"(nodes|edges) = new vis\.DataSet\((.*?)\);\n", text)
    }
    return found["nodes"], found["edges"]


def rewrite(path: Path, change: Callable[[dict[str, str]], None]) -> None:
    """Edit a CSV of the contract in place, row by row."""

    def each(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for row in rows:
            change(row)
        return rows

    edit_csv(path, each)


def rename(folder: Path, officer_id: str, name: str) -> None:
    rewrite(folder / "officers.csv", lambda row: row.update(name=name) if row["officer_id"] == officer_id else None)


def loaded(folder: Path, tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "picture.sqlite")
    load_folder(folder, store)
    return store


def dense_force(folder: Path, teams: int = 30, per_team: int = 8) -> tuple[SqliteStore, str, str, date]:
    """A command of ``teams`` teams whose constables are all subjects of one case; the commander is checked.

    The picture holds the case, every subject, the complainant, the commander, every team's
    sergeant (line chains) and unit: about ``teams * (per_team + 2) + 4`` nodes.
    """
    units = [unit("EXF", kind="force"), unit("C1", "EXF", kind="command")]
    officers = [officer("CMD", "chief_superintendent")]
    postings = [posting("CMD", "C1", "2015-01-01", supervisor=True)]
    assignments = [assign("BIG", "CIV", "complainant")]
    for t in range(1, teams + 1):
        team, sergeant = f"T{t:02}", f"S{t:02}"
        units.append(unit(team, "C1"))
        officers.append(officer(sergeant, "sergeant"))
        postings.append(posting(sergeant, team, "2016-01-01", supervisor=True, manager="CMD"))
        for i in range(1, per_team + 1):
            pc = f"O{t:02}{i:02}"
            officers.append(officer(pc))
            postings.append(posting(pc, team, "2017-01-01", manager=sergeant))
            assignments.append(assign("BIG", pc, "subject"))
    store = load_force(
        folder,
        units=units,
        officers=officers,
        people=[{"person_id": "CIV", "name": "Civilian Complainant"}],
        postings=postings,
        cases=[case("BIG", "2023-01-10", "conduct")],
        assignments=assignments,
    )
    return store, "BIG", "CMD", date(2023, 2, 1)
