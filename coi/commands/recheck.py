"""``coi recheck``: conflicts that arose after allocation, on every open case, as alerts."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table
from rich.text import Text

from coi import exitcodes
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, StoreOpt, parse_day
from coi.output import Output
from coi.render import SEVERITY_STYLE, VERDICT_STYLE
from coi.stores import neo4j_uri, open_store
from graph.sqlite_store import default_store_path
from queries.engine import Engine
from queries.policy import load_policy
from queries.recheck import RecheckReport, RecheckStateError, load_state, save_state
from queries.recheck import recheck as run_recheck

__all__ = ["default_state_path", "recheck", "recheck_text"]

StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Recheck state file (default: STORE.recheck.json beside the embedded store; for Neo4j, "
        "recheck-neo4j-HOST-PORT-DATABASE.json in the coi data directory).",
        show_default=False,
    ),
]
RecordOpt = Annotated[
    bool, typer.Option("--record/--no-record", help="Record this recheck as the new baseline in the state file.")
]


def default_state_path(store: Path | None, neo4j: str | None) -> Path:
    """Beside the embedded store file; for Neo4j, in the coi data directory, named by server.

    >>> default_state_path(Path("/data/store.sqlite"), None).as_posix()
    '/data/store.sqlite.recheck.json'
    """
    if not neo4j:
        file = store or default_store_path()
        return file.with_name(file.name + ".recheck.json")
    parts = urlsplit(neo4j)  # host and port only: never user info from the URI
    name = f"{parts.hostname or 'neo4j'}-{parts.port or 7687}-{os.environ.get('NEO4J_DATABASE') or 'neo4j'}"
    return default_store_path().parent / f"recheck-neo4j-{re.sub(r'[^A-Za-z0-9.-]+', '_', name)}.json"


def recheck_text(report: RecheckReport) -> list[Text | Table]:
    """Alerts first (each with its new findings explained), then a table of every allocation."""
    against = f"the last recheck ({report.previous_on})" if report.previous_on else "the allocation dates"
    head = Text(
        f"Recheck of {len(report.items)} current allocation(s) of open cases on {report.on}, against {against}.\n"
    )
    changes = report.changes
    if not changes:
        head.append("No new or changed verdicts.\n", style="bold green")
    for r in changes:
        a = r.assignment
        head.append("\n ALERT ", style="bold white on red")
        head.append(
            f" case {a.case_id}: {r.now.investigator_name} as {a.role.replace('_', ' ')}, allocated {a.start_date}: "
        )
        head.append(r.baseline_verdict, style=VERDICT_STYLE[r.baseline_verdict])
        head.append(" -> ")
        head.append(r.now.verdict + "\n", style=VERDICT_STYLE[r.now.verdict])
        for f in r.now.findings:
            key = f"{f.rule}({f.other_id})"
            mark = "new " if key in r.added else ""
            head.append(f"   {mark}[{f.severity}] {f.rule}", style=SEVERITY_STYLE[f.severity])
            head.append(f" ({f.other_id}): {f.explanation}\n")
        for key in r.removed:
            head.append(f"   no longer found: {key}\n", style="dim")
    table = Table(title="Current allocations", title_justify="left")
    for column in ("case", "person", "role", "allocated", "at allocation", "last recheck", "now"):
        table.add_column(column)
    for r in report.items:
        a = r.assignment
        previous = r.previous["verdict"] if r.previous else "-"
        table.add_row(
            a.case_id,
            r.now.investigator_name,
            a.role.replace("_", " "),
            str(a.start_date),
            Text(r.at_allocation.verdict, style=VERDICT_STYLE[r.at_allocation.verdict]),
            previous,
            Text(r.now.verdict, style=VERDICT_STYLE[r.now.verdict]),
        )
    out: list[Text | Table] = [head]
    if report.items:
        out.append(table)
    if report.gone:
        out.append(Text(f"{len(report.gone)} allocation(s) recorded last time are no longer current.", style="dim"))
    return out


def recheck_and_record(
    out: Output,
    store: Path | None,
    neo4j: str | None,
    day: date,
    state: Path | None = None,
    record: bool = True,
    policy: Path | None = None,
) -> tuple[RecheckReport, Path]:
    """Re-check current allocations as of ``day`` against the recorded state; record the new one."""
    state_file = state or default_state_path(store, neo4j_uri(store, neo4j))
    try:
        previous = load_state(state_file)
    except RecheckStateError as exc:
        out.fail(exitcodes.BAD_DATA, str(exc), "delete it, or pass another file with --state")
    engine = Engine(open_store(store, neo4j), load_policy(policy))
    try:
        report = run_recheck(engine, day, previous)
    finally:
        engine.store.close()
    if record:
        save_state(state_file, report)
        out.note(f"recorded this recheck in {state_file}")
    return report, state_file


def recheck(
    on: OnOpt = None,
    state: StateOpt = None,
    record: RecordOpt = True,
    policy: PolicyOpt = None,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Re-check every current allocation of open cases; alert on new or changed verdicts (exit 0)."""
    out = Output(json_)
    day = parse_day(on) or date.today()
    with out.guard():
        report, state_file = recheck_and_record(out, store, neo4j, day, state, record, policy)
    if json_:
        out.json({**report.to_dict(), "state_file": str(state_file), "recorded": record})
        return
    for item in recheck_text(report):
        out.print(item)
