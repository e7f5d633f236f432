"""``coi recheck``: every open case's current allocations re-checked; alerts open until acknowledged.

Exit 9 (``OPEN_ALERTS``) while any alert is open, 0 otherwise. ``--ack ID --reason TEXT``
(or ``--ack-all``) acknowledges alerts and records that in the audit trail. On a terminal
the allocations are a table; piped, every alert and allocation is one whole line.
"""

from __future__ import annotations

import os
import re
import shlex
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table
from rich.text import Text

from coi import exitcodes
from coi.commands.log import ByOpt, ReasonOpt, record_ack
from coi.graph import trail
from coi.graph.sqlite_store import default_store_path
from coi.options import JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.analyses.alerts import Alert, UnknownAlert, acknowledge, latest_alerts, open_alerts
from coi.queries.analyses.recheck import RecheckReport
from coi.queries.analyses.recheck import recheck as run_recheck
from coi.queries.analyses.recheck_state import RecheckStateError, load_state, locked, record, save_state
from coi.queries.engine import Engine
from coi.queries.policy import load_policy
from coi.render import SEVERITY_STYLE, VERDICT_STYLE
from coi.stores import neo4j_uri, open_store

__all__ = ["default_state_path", "exit_for", "recheck", "recheck_and_record", "recheck_text"]


StateOpt = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Recheck state file: baseline and alerts (default: STORE.recheck.json beside the embedded store; "
        "for Neo4j, recheck-neo4j-HOST-PORT-DATABASE.json in the coi data directory).",
        show_default=False,
    ),
]
RecordOpt = Annotated[
    bool,
    typer.Option("--record/--no-record", help="Record this recheck (new baseline, alerts) in the state file."),
]
AckOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ack",
        metavar="ALERT_ID",
        help="Acknowledge this alert (its id, or its allocation's assignment id); repeatable; needs --reason. "
        "Re-checks nothing.",
        show_default=False,
    ),
]
AckAllOpt = Annotated[bool, typer.Option("--ack-all", help="Acknowledge every open alert; needs --reason.")]


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


def _verdicts(text: Text, before: str | None, after: str) -> None:
    if before:
        text.append(before, style=VERDICT_STYLE[before])
        text.append(" -> ")
    text.append(after, style=VERDICT_STYLE[after])


def _alert_text(report: RecheckReport, alert: Alert) -> Text:
    r = report.item(alert.assignment_id)
    text = Text()
    text.append(" ALERT ", style="bold white on red")
    text.append(f" {alert.alert_id}" + (" (new)" if alert.alert_id in report.alert_changes.raised else "") + "\n")
    who = r.now.investigator_name if r else alert.person_id
    text.append(f"   case {alert.case_id}: {who} as {alert.role.replace('_', ' ')}, allocated {alert.allocated_on}: ")
    if r is None:
        text.append("no longer current; last seen ")
        _verdicts(text, None, alert.verdict)
        text.append("\n")
    else:
        _verdicts(text, r.baseline_verdict if r.baseline_verdict != r.now.verdict else None, r.now.verdict)
        text.append(f" (at allocation {alert.at_allocation or 'not checked'})\n")
        for f in r.now.findings:
            mark = "new " if f"{f.rule}({f.other_id})" in r.added else ""
            text.append(f"   {mark}[{f.severity}] {f.rule}", style=SEVERITY_STYLE[f.severity])
            text.append(f" ({f.other_id}): {f.explanation}\n")
        for key in r.removed:
            text.append(f"   no longer found: {key}\n", style="dim")
    text.append(f"   raised {alert.raised_on}: {alert.why}", style="dim")
    text.append(f"; updated {alert.updated_on}\n" if alert.updated_on else "\n", style="dim")
    text.append(f"   acknowledge: coi recheck --ack {shlex.quote(alert.alert_id)} --reason '...'\n", style="dim")
    return text


def _alert_cell(alert: Alert | None) -> str:
    if alert is None:
        return "-"
    return f"{alert.alert_id} ({alert.status})"


def _allocations(report: RecheckReport, tty: bool) -> list[Text | Table]:
    latest = latest_alerts(report.alerts)
    rows = []
    for r in report.items:
        a = r.assignment
        rows.append(
            (
                a,
                r.now.investigator_name,
                r.at_allocation.verdict if r.at_allocation else "-",
                r.previous["verdict"] if r.previous else "-",
                r.now.verdict,
                _alert_cell(latest.get(a.assignment_id)),
            )
        )
    if tty:
        table = Table(title="Current allocations", title_justify="left")
        for column in ("case", "person", "role", "allocated", "at allocation", "last recheck", "now", "alert"):
            table.add_column(column)
        for a, name, then, last, now, alert in rows:
            table.add_row(
                a.case_id,
                name,
                a.role.replace("_", " "),
                str(a.start_date),
                then,
                last,
                Text(now, style=VERDICT_STYLE[now]),
                alert,
            )
        return [table]
    lines = Text("Current allocations:\n")
    for a, name, then, last, now, alert in rows:
        lines.append(
            f"{a.assignment_id}: {name} as {a.role.replace('_', ' ')} of case {a.case_id}, allocated {a.start_date}; "
            f"at allocation {then}, last recheck {last}, now "
        )
        lines.append(now, style=VERDICT_STYLE[now])
        lines.append(f"; alert {alert}\n")
    return [lines]


def recheck_text(report: RecheckReport, tty: bool = False) -> list[Text | Table]:
    """Open alerts first (each with its findings explained), then every allocation: a table on a
    terminal, else one whole line each (never cut to the terminal's width)."""
    against = f"the last recheck ({report.previous_on})" if report.previous_on else "the allocation dates"
    head = Text(
        f"Recheck of {len(report.items)} current allocation(s) of open cases on {report.on} "
        f'under policy "{report.policy}", against {against}.\n'
    )
    alerts, c = report.open_alerts, report.alert_changes
    if alerts:
        head.append(f"{len(alerts)} open alert(s): {len(c.raised)} new, {len(c.updated)} updated.\n", style="bold red")
    else:
        head.append("No open alerts.\n", style="bold green")
    out: list[Text | Table] = [head, *(_alert_text(report, a) for a in alerts)]
    if report.items:
        out.extend(_allocations(report, tty))
    if report.gone:
        out.append(Text(f"{len(report.gone)} allocation(s) recorded last time are no longer current.", style="dim"))
    return out


def exit_for(report: RecheckReport) -> int:
    """9 (OPEN_ALERTS) while any alert is open, else 0."""
    return exitcodes.OPEN_ALERTS if report.open_alerts else exitcodes.CLEAR


def recheck_and_record(
    out: Output,
    store: Path | None,
    neo4j: str | None,
    day: date,
    state: Path | None = None,
    record_it: bool = True,
    policy: Path | None = None,
) -> tuple[RecheckReport, Path]:
    """Re-check current allocations as of ``day`` against the recorded state; record the new one."""
    state_file = state or default_state_path(store, neo4j_uri(store, neo4j))
    try:
        previous = load_state(state_file)
    except RecheckStateError as exc:
        out.fail(exitcodes.BAD_DATA, str(exc), "delete it, or pass another file with --state")
    if previous and previous.migrated_from:
        out.note(
            f"{state_file} is a version {previous.migrated_from} state (before alerts): every current "
            "allocation that is not clear raises an alert now"
        )
    engine = Engine(open_store(store, neo4j), load_policy(policy))
    try:
        report = run_recheck(engine, day, previous)
    finally:
        engine.store.close()
    if record_it:
        try:
            record(state_file, report.state())
        except RecheckStateError as exc:  # damaged while this recheck ran
            out.fail(exitcodes.BAD_DATA, f"not recorded: {exc}", "delete it, or pass another file with --state")
        out.note(f"recorded this recheck in {state_file}")
    return report, state_file


def _acknowledge(
    out: Output, state_file: Path, ids: list[str] | None, by: str | None, reason: str, store: Path | None
) -> None:
    with locked(state_file):
        try:
            state = load_state(state_file)
        except RecheckStateError as exc:
            out.fail(exitcodes.BAD_DATA, str(exc), "delete it, or pass another file with --state")
        if state is None:
            out.fail(exitcodes.NOT_FOUND, f"no alerts recorded in {state_file} yet", "run `coi recheck` first")
        try:
            done, already = acknowledge(state.alerts, ids, by or trail.current_user(), reason)
        except UnknownAlert as exc:
            out.fail(exitcodes.NOT_FOUND, f"unknown alert {exc.args[0]!r} in {state_file}", "`coi recheck` lists them")
        entry = None
        if done:
            inputs = {"alerts": ids, "all": ids is None, "recheck_on": state.on, "policy": state.policy}
            entry = record_ack(out, done, store, done[0].acknowledged.by, reason, inputs)  # type: ignore[union-attr]
            for alert in done:
                alert.acknowledged.trail_seq = entry["seq"]  # type: ignore[union-attr]
            save_state(state_file, state)
    remaining = open_alerts(state.alerts)
    if out.json_mode:
        out.json(
            {
                "state_file": str(state_file),
                "acknowledged": [a.to_dict() for a in done],
                "already_acknowledged": [a.alert_id for a in already],
                "trail_seq": entry["seq"] if entry else None,
                "open_alerts": [a.to_dict() for a in remaining],
            }
        )
    else:
        text = Text()
        for a in done:
            text.append(f"acknowledged {a.alert_id} ({a.verdict}) by {a.acknowledged.by}: {reason}\n")  # type: ignore[union-attr]
        for a in already:
            text.append(f"already acknowledged: {a.alert_id}\n", style="dim")
        if not done and not already:
            text.append("No open alerts to acknowledge.\n")
        text.append(f"{len(remaining)} alert(s) still open.\n" if remaining else "No open alerts.\n")
        out.print(text)
    raise typer.Exit(exitcodes.OPEN_ALERTS if remaining else exitcodes.CLEAR)


def recheck(
    on: OnOpt = None,
    state: StateOpt = None,
    record_it: RecordOpt = True,
    ack: AckOpt = None,
    ack_all: AckAllOpt = False,
    reason: ReasonOpt = None,
    by: ByOpt = None,
    policy: PolicyOpt = None,
    store: StoreOpt = None,
    neo4j: Neo4jOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Re-check every current allocation of open cases; list open alerts; exit 9 while any is open.

    An alert opens for each current allocation that is not clear (when first seen) or that got
    worse after its alert was acknowledged; it stays open until `--ack ALERT_ID --reason TEXT`.
    """
    out = Output(json_)
    if ack and ack_all:
        raise typer.BadParameter("give alert ids or --ack-all, not both", param_hint="--ack")
    if (ack or ack_all) and not reason:
        raise typer.BadParameter("acknowledging needs a written reason", param_hint="--reason")
    if reason and not (ack or ack_all):
        raise typer.BadParameter("--reason goes with --ack or --ack-all", param_hint="--reason")
    if (ack or ack_all) and not record_it:
        raise typer.BadParameter("an acknowledgement is always recorded", param_hint="--no-record")
    if by and not (ack or ack_all):
        raise typer.BadParameter("--by goes with --ack or --ack-all", param_hint="--by")
    day = parse_day(on) or date.today()
    with out.guard():
        if ack or ack_all:
            state_file = state or default_state_path(store, neo4j_uri(store, neo4j))
            _acknowledge(out, state_file, list(ack) if ack else None, by, reason or "", store)
        report, state_file = recheck_and_record(out, store, neo4j, day, state, record_it, policy)
    if json_:
        out.json({**report.to_dict(), "state_file": str(state_file), "recorded": record_it})
    else:
        for item in recheck_text(report, tty=out.console.is_terminal):
            out.print(item)
    raise typer.Exit(exit_for(report))
