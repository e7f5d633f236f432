"""``coi patterns``: repeat subjects, subjects posted to sensitive units, repeat investigators."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from coi.graph.files import write_csv_atomic
from coi.graph.model import SENSITIVE_UNIT_TAGS
from coi.options import JsonOpt, Neo4jOpt, OnOpt, ShowNamesOpt, StoreOpt, parse_day
from coi.output import Output
from coi.outputs import check_outputs
from coi.queries.analyses.patterns import CaseView, PatternReport
from coi.queries.analyses.patterns import patterns as find_patterns
from coi.queries.present.patterns_csv import CSV_HEADER, csv_rows
from coi.stores import opened_store

__all__ = ["patterns", "patterns_tables"]


def _case(view: CaseView) -> str:
    c = view.case
    return f"{c.case_id} {c.case_type.replace('_', ' ')}, opened {c.opened_on}, {view.status}"


def _oversight(report: PatternReport, view: CaseView) -> str:
    return "; ".join(f"{report.namer(a.person_id)} ({a.role.replace('_', ' ')})" for a in view.oversight) or "-"


def _shown(report: PatternReport, key: str, rows: int) -> str:
    total = report.counts.get(key, rows)
    return f" ({rows} of {total} shown: --limit)" if rows < total else ""


def patterns_tables(report: PatternReport) -> list[Table | str]:
    """Three tables (or a one-line "none found" for an empty pattern, with the true reason)."""
    out: list[Table | str] = []
    why = report.why_empty()
    if report.repeat_subjects:
        table = Table(
            title="Repeat subjects: subjects of two or more cases"
            + _shown(report, "repeat_subjects", len(report.repeat_subjects)),
            title_justify="left",
        )
        for column in ("subject", "case", "investigators"):
            table.add_column(column)
        for r in report.repeat_subjects:
            for i, view in enumerate(r.cases):
                who = f"{report.namer(r.person_id)}, {len(r.cases)} cases" if i == 0 else ""
                table.add_row(who, _case(view), _oversight(report, view), end_section=i == len(r.cases) - 1)
        out.append(table)
    else:
        out.append(f"Repeat subjects: none ({why['repeat_subjects']}).")
    if report.sensitive_postings:
        table = Table(
            title=f"Subjects of open domestic abuse / sexual misconduct cases posted on {report.on} "
            f"to a unit tagged {', '.join(SENSITIVE_UNIT_TAGS)}"
            + _shown(report, "subjects_in_sensitive_units", len(report.sensitive_postings)),
            title_justify="left",
        )
        for column in ("subject", "case", "posted to", "since", "tags (from unit)"):
            table.add_column(column)
        units = report.reader.units
        for s in report.sensitive_postings:
            unit = units.get(s.posting.unit_id)
            table.add_row(
                report.namer(s.person_id),
                f"{s.case.case_id} {s.case.case_type.replace('_', ' ')}, opened {s.case.opened_on}",
                f"{unit.name if unit else s.posting.unit_id} ({s.posting.unit_id})",
                str(s.posting.start_date),
                f"{', '.join(s.tags)} ({s.tagged_unit_id})",
            )
        out.append(table)
    else:
        out.append(f"Subjects in sensitive units: none ({why['subjects_in_sensitive_units']}).")
    if report.repeat_investigators:
        table = Table(
            title="Investigators who repeatedly investigate the same officer"
            + _shown(report, "repeat_investigators", len(report.repeat_investigators)),
            title_justify="left",
        )
        for column in ("investigator", "subject", "cases"):
            table.add_column(column)
        for r in report.repeat_investigators:
            cases = "; ".join(f"{_case(v)} as {'/'.join(roles)}" for v, roles in r.cases)
            table.add_row(report.namer(r.investigator_id), report.namer(r.subject_id), cases)
        out.append(table)
    else:
        out.append(f"Repeat investigators: none ({why['repeat_investigators']}).")
    return out


def patterns(
    on: OnOpt = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Show at most N hits per pattern (--csv still gets every hit)."),
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Also write every hit to this CSV file (one row per hit and case).", show_default=False
        ),
    ] = None,
    show_names: ShowNamesOpt = False,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Patterns across cases: repeat subjects, subjects in sensitive units, repeat investigators."""
    out = Output(json_)
    check_outputs(out, store, csv=csv)
    day = parse_day(on) or date.today()
    with out.guard(), opened_store(store, neo4j) as graph:
        report = find_patterns(graph, day, show_names)
        if csv:
            write_csv_atomic(csv, CSV_HEADER, csv_rows(report), bom=True)
            out.note(f"wrote {csv}")
        shown_report = report.limited(limit)
        document = shown_report.to_dict() if json_ else None
        shown = [] if json_ else patterns_tables(shown_report)
    if json_:
        out.json(document)
        return
    out.print(f"Patterns as of {day} (a unit's tags include those of the units above it).")
    for item in shown:
        out.print(item)
