"""``coi audit``: every past investigator allocation, checked as of its own date."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from coi.graph.files import opened_atomic, write_csv_atomic
from coi.options import JsonOpt, Neo4jOpt, PolicyOpt, StoreOpt, parse_day
from coi.output import Output
from coi.outputs import check_outputs
from coi.queries.analyses.audit import CSV_HEADER, AuditReport, csv_rows
from coi.queries.analyses.audit import audit as run_audit
from coi.render import audit_tables, check_text, not_allocatable_text
from coi.stores import opened_engine

__all__ = ["audit"]


def audit(
    since: Annotated[str | None, typer.Option("--since", help="Only allocations on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Only allocations on or before YYYY-MM-DD.")] = None,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write one row per finding (spreadsheet-safe).")
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl",
            help="Also write each allocation as one line of JSON as soon as it is checked (by case, then day).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Processes to check allocations in (large audits: the number of cores)."),
    ] = 1,
    policy: PolicyOpt = None,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Audit every investigator allocation; totals per verdict, rule, year and unit, and the
    allocations that were not allocatable at all on their own date."""
    out = Output(json_)
    first, last = parse_day(since), parse_day(until)
    if first and last and first > last:
        raise typer.BadParameter(f"{since} is after --until {until}: nothing could be audited", param_hint="--since")
    check_outputs(out, store, csv=csv, html=html, jsonl=jsonl)
    with out.guard(), opened_engine(store, neo4j, policy) as engine, ExitStack() as stack:
        lines = stack.enter_context(opened_atomic(jsonl)) if jsonl else None
        with out.progress() as bar:
            report = stack.enter_context(
                run_audit(
                    engine,
                    first,
                    last,
                    lambda done, total: bar("checking allocations", done, total),
                    workers,
                    lines,
                )
            )
        unit_names = {uid: u.name for uid, u in engine.reader.units.items()}
        if csv:
            write_csv_atomic(csv, CSV_HEADER, csv_rows(report, unit_names), bom=True)
            out.note(f"wrote {csv}")
        if html:
            from coi.queries.present.report import write_audit_html

            write_audit_html(report, html, engine.reader)
            out.note(f"wrote {html}")
        _show(out, report, unit_names, json_)
    if jsonl:
        out.note(f"wrote {jsonl}")


def _show(out: Output, report: AuditReport, unit_names: dict[str, str], json_: bool) -> None:
    if json_:
        out.json_streamed({"totals": report.totals()}, "allocations", (r.to_dict() for r in report.allocations))
        return
    for table in audit_tables(report, unit_names):
        out.print(table)
    barred = report.not_allocatable()
    if barred:
        out.print(f"\n{len(barred)} allocation(s) not allocatable on their own date:")
        for result in barred:
            out.print(not_allocatable_text(result))
    conflicted = report.conflicted()
    out.print(f"\n{len(conflicted)} conflicted allocation(s):")
    for result in conflicted:
        out.print(check_text(result))
