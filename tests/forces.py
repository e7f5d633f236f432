"""Build tiny hand-made forces in code: rows in, a loaded store out."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from coi.graph.model import TABLES
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.loaders.synthetic import ForceSpec, generate

__all__ = [
    "assign",
    "assoc",
    "case",
    "edit_csv",
    "generated_store",
    "load_force",
    "officer",
    "posting",
    "unit",
    "write_force",
]


def write_force(folder: Path, **tables: list[dict]) -> Path:
    """Write each given table (plus empty required ones) as CSV with the contract's headers."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in TABLES.items():
        rows = tables.get(name, [])
        if not rows and not table.required:
            continue
        columns = [c for c in table.columns if c != table.key or not table.derived_key]
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def edit_csv(path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]] | None]) -> None:
    """Replace a table's rows with ``change(rows)`` (or the rows as ``change`` left them, when it
    returns None), keeping its header; columns the rows gained go at its end."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, columns = list(reader), list(reader.fieldnames or [])
    changed = change(rows)
    rows = rows if changed is None else changed
    columns += [c for c in dict.fromkeys(k for r in rows for k in r) if c not in columns]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def generated_store(folder: Path, spec: ForceSpec) -> SqliteStore:
    """The synthetic generator's force for ``spec``, loaded into ``folder/s.sqlite`` (export in ``folder/data``)."""
    generate(folder / "data", spec)
    store = SqliteStore(folder / "s.sqlite")
    load_folder(folder / "data", store)
    return store


def load_force(folder: Path, **tables: list[dict]) -> SqliteStore:
    store = SqliteStore(folder / "store.sqlite")
    load_folder(write_force(folder / "data", **tables), store)
    return store


def unit(unit_id: str, parent: str = "", kind: str = "team", tags: str = "") -> dict:
    return {"unit_id": unit_id, "name": f"Unit {unit_id}", "parent_unit_id": parent, "kind": kind, "tags": tags}


def officer(officer_id: str, rank: str = "constable", joined: str = "2000-01-01", left: str = "") -> dict:
    return {
        "officer_id": officer_id,
        "name": f"Officer {officer_id}",
        "rank": rank,
        "joined_on": joined,
        "left_on": left,
    }


def posting(who: str, where: str, start: str, end: str = "", supervisor: bool = False, manager: str = "") -> dict:
    return {
        "officer_id": who,
        "unit_id": where,
        "start_date": start,
        "end_date": end,
        "supervisor": "true" if supervisor else "false",
        "line_manager_id": manager,
    }


def case(case_id: str, opened: str, case_type: str = "conduct", counter: str = "", closed: str = "") -> dict:
    return {
        "case_id": case_id,
        "case_type": case_type,
        "opened_on": opened,
        "closed_on": closed,
        "counter_allegation_of": counter,
    }


def assign(case_id: str, person: str, role: str, start: str = "", end: str = "") -> dict:
    return {"case_id": case_id, "person_id": person, "role": role, "start_date": start, "end_date": end}


def assoc(a: str, b: str, kind: str, start: str = "", end: str = "", source: str = "declared") -> dict:
    return {"person_a": a, "person_b": b, "kind": kind, "start_date": start, "end_date": end, "source": source}
