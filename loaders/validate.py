"""Check raw tables against the data contract and turn them into typed rows.

Column checks are vectorised with pandas (a national export has millions of rows); only
the rows that fail are looked at one by one. Every problem is collected, none stops the
search. With ``skip_invalid`` the bad rows are set aside, and rows that refer to them are
set aside in turn, until what is left is consistent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

import numpy as np
import pandas as pd
from coi.graph.model import TABLE_ORDER, TABLES, Field, Table
from coi.graph.store import Dataset
from coi.loaders.dates import REASONS, parse_dates
from coi.loaders.ids import compatibility_twin, normalise_ids
from coi.loaders.leavers import end_leavers_postings
from coi.loaders.problems import Problem
from coi.loaders.raw import RawTable
from coi.loaders.transform import integral_ids

__all__ = ["FrameRows", "Validation", "validate"]

TRUE = {"true", "t", "yes", "y", "1"}
FALSE = {"false", "f", "no", "n", "0", ""}
# which tables' ids a reference column may name
TARGETS = {"unit": ("units",), "officer": ("officers",), "person": ("officers", "people"), "case": ("cases",)}


class FrameRows(Sequence[dict[str, Any]]):
    """A validated table as a read-only sequence of row dicts, built only when read.

    The rows stay in one DataFrame (a dict per row for ten million rows would cost
    gigabytes); stores slice or iterate it in batches.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.frame)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return self.frame.iloc[index].to_dict("records")
        return self.frame.iloc[index].to_dict()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self.frame), 10_000):
            yield from self[start : start + 10_000]


@dataclass
class Validation:
    """Typed rows, every problem (the load is refused), and data-quality warnings (it is not).

    ``warnings`` are for people to read (``coi load`` prints them on stderr and in
    ``--json``); a future ``coi validate`` reports the same list.
    """

    dataset: Dataset
    problems: list[Problem]
    rejected: list[tuple[Problem, dict[str, str]]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    postings_ended_on_left_on: int = 0

    @property
    def rejected_rows(self) -> int:
        return len({(p.file, p.row) for p, _ in self.rejected})


@dataclass
class _Parsed:
    raw: RawTable
    table: Table
    values: dict[str, pd.Series]
    keys: pd.Series
    errors: dict[int, list[Problem]] = field(default_factory=dict)

    def add(self, positions, column: str | None, reason: str, listed: bool = True) -> None:
        flagged = self.raw.flagged
        for pos in positions:
            pos = int(pos)
            if flagged and (pos, column) in flagged:  # the mapping's value work already refused this cell
                continue
            self.errors.setdefault(pos, []).append(self.raw.problem(pos, column, reason, listed))

    def valid_mask(self) -> np.ndarray:
        mask = np.ones(len(self.keys), dtype=bool)
        if self.errors:
            mask[list(self.errors)] = False
        return mask


#: a line break inside a one-line value would fake extra lines in terminal output
LINE_BREAK = "[\n\r\v\f\x85\u2028\u2029]"


def _shared(values: pd.Series, convert=None, missing: object = None) -> pd.Series:
    """An object column in which equal values are ONE Python object (blank -> ``missing``).

    A national export repeats the same ids, roles and days millions of times; one object
    per distinct value instead of per cell saves gigabytes.
    """
    codes, uniques = pd.factorize(values)
    objects = np.empty(len(uniques) + 1, dtype=object)
    objects[:-1] = [convert(u) for u in uniques] if convert else list(uniques)
    objects[-1] = missing
    return pd.Series(objects[codes], dtype=object)  # code -1 (blank) picks ``missing``


def _parse_field(p: _Parsed, f: Field, dayfirst: bool) -> None:
    frame, n = p.raw.frame, len(p.raw.frame)
    if f.name not in frame.columns:
        p.values[f.name] = pd.Series([f.default] * n, dtype=object)
        return
    text = frame[f.name]  # Arrow-backed strings from CSV: fast vectorised checks
    filled = text != ""
    if f.required:
        p.add(np.flatnonzero(~filled), f.name, "required value is empty")
    if f.kind == "date":
        iso, refused = parse_dates(text, dayfirst)
        for key, positions in refused.items():
            p.add(positions, f.name, REASONS[key])
        p.values[f.name] = _shared(iso, date.fromisoformat)
    elif f.kind == "enum":
        norm = text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        bad = filled & ~norm.isin(f.choices)
        p.add(np.flatnonzero(bad), f.name, f"must be one of {', '.join(f.choices)}")
        p.values[f.name] = _shared(norm.where(filled), missing=f.default)
    elif f.kind == "bool":
        low = text.str.lower()
        p.add(np.flatnonzero(~low.isin(TRUE | FALSE)), f.name, "must be true or false")
        p.values[f.name] = low.isin(TRUE).astype(object)
    elif f.kind == "tags":
        p.values[f.name] = pd.Series(
            [tuple(t.strip().lower() for t in v.split(";") if t.strip()) for v in text], dtype=object
        )
    elif f.kind in ("id", "ref"):
        text, invisible = normalise_ids(integral_ids(text))
        for pos, char in invisible.items():
            p.add([pos], f.name, f"id contains an invisible or format character ({char}): retype it")
        p.values[f.name] = _shared(text.where(filled))
    else:
        if not f.multiline:
            broken = text.str.contains(LINE_BREAK, regex=True).to_numpy(dtype=bool)
            p.add(np.flatnonzero(broken), f.name, "holds a line break: a one-line field (fix the cell in the export)")
        p.values[f.name] = _shared(text.where(filled))


def _parse_table(raw: RawTable, table: Table, dayfirst: bool) -> _Parsed:
    frame = raw.frame
    parsed = _Parsed(raw, table, {}, pd.Series(dtype=object))
    for pos, problem in raw.bad_rows.items():  # wrong number of fields: refused whatever it holds
        parsed.errors.setdefault(pos, []).append(problem)
    for pos, problems in raw.row_problems.items():  # the mapping's value maps and date formats
        parsed.errors.setdefault(pos, []).extend(problems)
    if raw.structural:  # a missing column, a mapped header not there: nothing to check row by row
        parsed.errors[-1] = list(raw.structural)
        return parsed
    required = [f.name for f in table.fields if f.required]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problem = Problem(raw.source, f"missing required column(s): {', '.join(missing)}")
        parsed.errors[-1] = [problem]
        return parsed
    for f in table.fields:
        _parse_field(parsed, f, dayfirst)
    parsed.keys = _keys(parsed)
    dup = parsed.keys.duplicated(keep=False) & parsed.keys.notna()
    what = table.key if table.key in frame.columns else "row (same " + ", ".join(table.derived_key) + ")"
    column = table.key if table.key in frame.columns else None
    parsed.add(np.flatnonzero(dup), column, f"duplicate {what}: ids must be unique")
    if table.interval:
        start, end = (parsed.values[c] for c in table.interval)
        both = start.notna() & end.notna()
        before = np.flatnonzero(both & (end.where(both, date.min) < start.where(both, date.min)))
        parsed.add(before, table.interval[1], f"ends before it starts ({table.interval[0]})")
    return parsed


def _keys(p: _Parsed) -> pd.Series:
    table = p.table
    if table.key in p.raw.frame.columns:
        return p.values[table.key]
    parts = []
    for column in table.derived_key:
        values = p.values[column]
        parts.append(values.map(lambda v: v.isoformat() if isinstance(v, date) else (v or "")))
    if table.name == "associations":  # the pair is unordered
        a, b = parts[0], parts[1]
        parts[0], parts[1] = a.where(a <= b, b), b.where(a <= b, a)
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    p.values[table.key] = key.astype(object)
    return p.values[table.key]


def _table_rules(parsed: dict[str, _Parsed]) -> None:
    """Rules that need more than one column: cycles, self-links, id collisions."""
    if "units" in parsed and -1 not in parsed["units"].errors:
        _unit_cycles(parsed["units"])
    if "people" in parsed and "officers" in parsed and -1 not in parsed["people"].errors:
        people, officers = parsed["people"], parsed["officers"]
        clash = people.keys.isin(set(officers.keys.dropna()))
        people.add(
            np.flatnonzero(clash), "person_id", "id is also an officer_id: officers and people share one id namespace"
        )
    if "cases" in parsed and -1 not in parsed["cases"].errors:
        cases = parsed["cases"]
        own = cases.values["counter_allegation_of"] == cases.keys
        cases.add(np.flatnonzero(own), "counter_allegation_of", "a case cannot be a counter-allegation of itself")
    if "associations" in parsed and -1 not in parsed["associations"].errors:
        assoc = parsed["associations"]
        same = assoc.values["person_a"].notna() & (assoc.values["person_a"] == assoc.values["person_b"])
        assoc.add(np.flatnonzero(same), "person_b", "an association needs two different people")


def _cycle_text(loop: list[str], shown: int = 6) -> str:
    """``A -> B -> C -> A``, cut in the middle for a long cycle (output and memory stay small)."""
    names = [*loop, loop[0]]
    if len(names) > 2 * shown:
        names = [*names[:shown], f"... ({len(names) - 2 * shown} more)", *names[-shown:]]
    return " -> ".join(names)


def _unit_cycles(units: _Parsed) -> None:
    """Each cycle of the hierarchy is one problem (on its first row); its other units are refused with it."""
    parent = {k: v for k, v in zip(units.keys, units.values["parent_unit_id"], strict=True) if k and v}
    position = {k: i for i, k in enumerate(units.keys) if k}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in parent:
        path: list[str] = []
        node = start
        while node in parent and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node in parent and state.get(node) == 1:
            loop = path[path.index(node) :]
            first = min(range(len(loop)), key=lambda i: position[loop[i]])
            loop = loop[first:] + loop[:first]
            reason = f"unit hierarchy has a cycle of {len(loop)} unit(s): {_cycle_text(loop)}"
            units.add([position[loop[0]]], "parent_unit_id", reason)
            row = units.raw.row_number(position[loop[0]])
            rest = [position[m] for m in loop[1:]]
            units.add(rest, "parent_unit_id", f"in the unit hierarchy cycle reported at row {row}", listed=False)
        for member in path:
            state[member] = 2


def _rejected_at(parsed: dict[str, _Parsed]) -> dict[str, dict[str, str]]:
    """Per table, the ids of its refused rows -> where (``officers.csv row 5``)."""
    out: dict[str, dict[str, str]] = {}
    for name, p in parsed.items():
        if -1 in p.errors:
            continue
        out[name] = {
            p.keys.iat[pos]: f"{p.raw.where(pos)} row {p.raw.row_number(pos)}"
            for pos in p.errors
            if isinstance(p.keys.iat[pos], str)
        }
    return out


def _singular(table: str) -> str:
    return "person" if table == "people" else table[:-1]


def _check_references(parsed: dict[str, _Parsed], skip_invalid: bool) -> None:
    """Every reference must name a known id; with ``skip_invalid``, a valid one.

    A row refused only because a row it names was refused says which row that was
    (``posting rejected: officer W1004 rejected at officers.csv row 5``).
    """
    while True:
        ids = {
            name: set(p.keys[p.valid_mask()] if skip_invalid else p.keys.dropna())
            for name, p in parsed.items()
            if -1 not in p.errors
        }
        rejected = _rejected_at(parsed) if skip_invalid else {}
        before = sum(len(p.errors) for p in parsed.values())
        for p in parsed.values():
            if -1 in p.errors:
                continue
            mask = p.valid_mask()
            for f in p.table.fields:
                if f.kind != "ref":
                    continue
                known = set().union(*(ids.get(t, set()) for t in TARGETS[f.ref]))
                values = p.values[f.name]
                bad = mask & values.notna().to_numpy() & ~values.isin(known).to_numpy()
                reason = f"unknown {f.ref} id"
                positions = np.flatnonzero(bad)
                twins = {int(i): compatibility_twin(values.iat[i], known) for i in positions}
                for i, twin in twins.items():
                    cause = next(
                        (rejected[t][values.iat[i]] for t in TARGETS[f.ref] if values.iat[i] in rejected.get(t, {})),
                        None,
                    )
                    if cause:
                        text = f"{_singular(p.table.name)} rejected: {f.ref} {values.iat[i]} rejected at {cause}"
                        p.add([i], f.name, text)
                    elif twin:
                        p.add([i], f.name, f"{reason}: did you mean {twin!r}? (this one has full-width characters)")
                    else:
                        p.add([i], f.name, reason)
        if not skip_invalid or sum(len(p.errors) for p in parsed.values()) == before:
            return


def _rows(p: _Parsed, mask: np.ndarray) -> FrameRows:
    columns = list(p.table.columns)
    frame = pd.DataFrame({c: p.values[c] for c in columns})[mask]
    extras = [c for c in p.raw.frame.columns if c not in columns]
    # hashed column by column (a whole-table string copy would double a national load's memory)
    digest = pd.util.hash_pandas_object(frame, index=False)
    if extras:
        extra_frame = p.raw.frame[extras][mask]
        digest = digest * 31 + pd.util.hash_pandas_object(extra_frame, index=False)
        frame["extra"] = [{k: v for k, v in row.items() if v != ""} for row in extra_frame.to_dict("records")]
    else:
        frame["extra"] = None
    frame["row_hash"] = digest.map("{:016x}".format).to_numpy()
    return FrameRows(frame)


def _look_alike_ids(parsed: dict[str, _Parsed]) -> list[Problem]:
    """Warnings for ids of one namespace that differ only in full-width or other compatibility forms."""
    spaces = (("units",), ("officers", "people"), ("cases",))
    warnings = []
    for space in spaces:
        tables = [parsed[n] for n in space if n in parsed and -1 not in parsed[n].errors]
        known = {k for p in tables for k in p.keys.dropna()}
        for p in tables:
            for pos, key in enumerate(p.keys):
                twin = isinstance(key, str) and compatibility_twin(key, known)
                if twin:
                    reason = f"id {key!r} looks like id {twin!r} (they differ only in full-width characters)"
                    warnings.append(Problem(p.raw.where(pos), reason, p.raw.row_number(pos), p.table.key, key))
    return warnings


def _end_leavers_postings(parsed: dict[str, _Parsed]) -> tuple[int, list[Problem]]:
    officers, postings = parsed.get("officers"), parsed.get("postings")
    if officers is None or postings is None or -1 in officers.errors or -1 in postings.errors:
        return 0, []
    valid = officers.valid_mask()
    left = officers.values["left_on"].where(valid, None)
    raw = postings.raw
    return end_leavers_postings(officers.keys, left, postings.values, postings.valid_mask(), raw.where, raw.row_number)


def validate(
    raw: dict[str, RawTable], dayfirst: bool = False, skip_invalid: bool = False, warnings: list[Problem] | None = None
) -> Validation:
    """Check every table; return typed rows, every problem and every data-quality warning found."""
    parsed = {name: _parse_table(raw[name], TABLES[name], dayfirst) for name in TABLE_ORDER if name in raw}
    _table_rules(parsed)
    _check_references(parsed, skip_invalid)
    ended, leaver_warnings = _end_leavers_postings(parsed)
    warnings = [*(warnings or []), *_look_alike_ids(parsed), *leaver_warnings]
    problems = [
        pr
        for name in TABLE_ORDER
        if name in parsed
        for pos in sorted(parsed[name].errors)
        for pr in parsed[name].errors[pos]
        if pr.listed
    ]
    tables: dict[str, FrameRows] = {}
    rejected: list[tuple[Problem, dict[str, str]]] = []
    structural = any(-1 in p.errors for p in parsed.values())
    for name, p in parsed.items():
        if -1 in p.errors:
            continue
        for pos, row_problems in sorted(p.errors.items()):
            record = {str(k): str(v) for k, v in p.raw.frame.iloc[pos].items()}
            rejected.extend((problem, record) for problem in row_problems)
        if skip_invalid or not p.errors:
            tables[name] = _rows(p, p.valid_mask())
    if skip_invalid and not structural:
        problems = []
    return Validation(Dataset(tables), problems, rejected, warnings, ended)
