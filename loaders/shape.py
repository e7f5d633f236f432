"""Turn one source's frame (the export's own headers) into the contract's columns.

The mapping's steps, in order: check that every header it names is there, drop filtered
rows (counted), rename mapped headers, add constant columns, apply value maps, id
templates and date formats, and check that every required column is now present. A
source without a mapping only has the last step: the identity path costs nothing more.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from coi.graph.model import Table
from coi.loaders.filters import drop_mask
from coi.loaders.mapping import SourceSpec
from coi.loaders.raw import CONSTANT, Part
from coi.loaders.transform import apply_dates, apply_template, apply_values

__all__ = ["Shaped", "shape_source"]

SHOWN_HEADERS = 30


@dataclass
class Shaped:
    """One source in the contract's columns; positions in it are local to the source."""

    frame: pd.DataFrame
    part: Part
    bad_rows: dict[int, object] = field(default_factory=dict)
    refusals: list[tuple[int, str, str]] = field(default_factory=list)  # (position, column, reason)
    structural: list[str] = field(default_factory=list)  # reasons: the source cannot be read row by row
    notes: list[str] = field(default_factory=list)  # warnings: rows dropped by a filter


def _found(written: dict[str, str]) -> str:
    headers = list(written.values())
    shown = ", ".join(repr(h) for h in headers[:SHOWN_HEADERS])
    return f"headers found: {shown}" + (
        f" and {len(headers) - SHOWN_HEADERS} more" if len(headers) > SHOWN_HEADERS else ""
    )


def _closest(word: str, written: dict[str, str]) -> str:
    near = difflib.get_close_matches(word.strip().lower(), list(written), n=1, cutoff=0.6)
    return f" (closest: {written[near[0]]!r})" if near else ""


def _check_headers(spec: SourceSpec, written: dict[str, str]) -> list[str]:
    """Every header the mapping names must be in the source."""
    problems = []
    for contract, header in spec.columns.items():
        if header.strip().lower() not in written:
            problems.append(
                f"header {header!r} (mapped to {contract}) not found{_closest(header, written)}; {_found(written)}"
            )
    for header in [*spec.drop_when, *spec.drop_blank]:
        if header.strip().lower() not in written:
            problems.append(f"filter header {header!r} not found{_closest(header, written)}; {_found(written)}")
    return problems


def _filter(shaped: Shaped, spec: SourceSpec) -> None:
    frame = shaped.frame
    drop, notes = drop_mask(frame, spec, {c: c for c in frame.columns})
    drop[list(shaped.bad_rows)] = False  # a row with shifted fields is refused, never filtered out
    if not drop.any():
        return
    keep = ~drop
    shaped.notes.extend(notes)
    new_position = np.cumsum(keep) - 1
    shaped.bad_rows = {int(new_position[pos]): problem for pos, problem in shaped.bad_rows.items()}
    part = shaped.part
    shaped.part.rows = (part.first_row + np.arange(len(frame)))[keep]
    shaped.frame = frame[keep].reset_index(drop=True)


def _rename(shaped: Shaped, spec: SourceSpec, written: dict[str, str]) -> None:
    renames = spec.renames()
    for header, contract in renames.items():
        if contract in shaped.frame.columns and contract not in renames:
            shaped.structural.append(
                f"header {written[header]!r} is mapped to {contract}, but the export also has a column {contract!r}: "
                "rename or drop one"
            )
        shaped.part.headers[contract] = written[header]
    shaped.frame = shaped.frame.rename(columns=renames)


def _constants(shaped: Shaped, spec: SourceSpec) -> None:
    frame = shaped.frame
    for column, value in spec.constants.items():
        if column in frame.columns:
            shaped.structural.append(
                f"constants.{column}: the export also has a column {column!r}; use one or the other"
            )
            continue
        frame[column] = pd.Series(value, index=frame.index, dtype=object)
        shaped.part.headers[column] = CONSTANT


def _values(shaped: Shaped, spec: SourceSpec) -> None:
    frame, part = shaped.frame, shaped.part
    steps = [("values", spec.values), ("ids", spec.ids), ("dates", spec.dates)]
    for key, rules in steps:
        for column, rule in rules.items():
            if column not in frame.columns:
                shaped.structural.append(f"{key}.{column}: the source has no column {column} (map a header to it)")
                continue
            part.originals.setdefault(column, frame[column])
            if key == "values":
                frame[column], bad = apply_values(frame[column], rule)
                reason = f"value not in the mapping's value map (values.{column}): add it, or set _default"
            elif key == "ids":
                frame[column], bad = apply_template(frame[column], *rule), np.array([], dtype=np.int64)
            else:
                frame[column], bad = apply_dates(frame[column], rule)
                reason = f"not a date in the mapping's format {rule.format!r} (dates.{column})"
            shaped.refusals.extend((int(pos), column, reason) for pos in bad)


def _required(shaped: Shaped, table: Table, written: dict[str, str]) -> None:
    missing = [f.name for f in table.fields if f.required and f.name not in shaped.frame.columns]
    if missing:
        named = ", ".join(f"{c}{_closest(c, written)}" for c in missing)
        shaped.structural.append(f"missing required column(s): {named}; {_found(written)}")


def shape_source(
    table: Table,
    frame: pd.DataFrame,
    written: dict[str, str],
    part: Part,
    bad_rows: dict[int, object],
    spec: SourceSpec,
) -> Shaped:
    """Apply ``spec`` to one source. ``written``: normalised header -> the header as the export writes it."""
    shaped = Shaped(frame, part, dict(bad_rows))
    shaped.structural = _check_headers(spec, written)
    if shaped.structural:
        return shaped
    if spec.drop_when or spec.drop_blank:
        _filter(shaped, spec)
    if spec.columns:
        _rename(shaped, spec, written)
    if spec.constants:
        _constants(shaped, spec)
    _values(shaped, spec)
    _required(shaped, table, written)
    return shaped
