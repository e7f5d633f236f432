"""``coi recheck``: every open case's current allocations re-checked; alerts open until acknowledged.

Exit 9 (``OPEN_ALERTS``) while any alert is open, 0 otherwise. ``--ack ID --reason TEXT``
(or ``--ack-all``) acknowledges alerts and records that in the audit trail. On a terminal
the allocations are a table; piped, every alert and allocation is one whole line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from coi import exitcodes
from coi.graph import trail
from coi.options import ByOpt, JsonOpt, Neo4jOpt, OnOpt, PolicyOpt, ReasonOpt, StoreOpt, parse_day
from coi.output import Output
from coi.queries.analyses.alerts import UnknownAlert, acknowledge, open_alerts
from coi.queries.analyses.recheck_state import RecheckStateError, load_state, locked, save_state
from coi.recheck_flow import default_state_path, exit_for, recheck_and_record
from coi.render import recheck_text
from coi.stores import neo4j_uri
from coi.trail_hooks import record_ack

__all__ = ["recheck"]


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
