"""``coi log``: show and verify the audit trail (what is recorded: :mod:`coi.trail_hooks`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from coi import exitcodes
from coi.graph import trail
from coi.options import JsonOpt, StoreOpt, TrailOpt
from coi.output import Output

__all__ = ["log_app"]


log_app = typer.Typer(help="The audit trail of checks and allocation decisions.", no_args_is_help=True)


def _summary(entry: dict[str, Any]) -> str:
    if entry.get("command") == "recheck-ack":
        ids = ", ".join(str(a.get("alert_id")) for a in entry.get("alerts") or [])
        return f"acknowledged {ids}: {entry.get('reason')}"
    if entry.get("command") == "candidates":
        top = ", ".join(f"{c.get('person_id')} {c.get('verdict')}" for c in entry.get("candidates") or [])
        return f"{entry.get('pool_size')} checked; proposed: {top or 'none'}"
    text = str(entry.get("verdict"))
    if entry.get("allocatable") is False:
        text = f"NOT ALLOCATABLE ({', '.join(entry.get('not_allocatable') or [])}); {text}"
    if entry.get("decision") == "refused":
        text += f"; override REFUSED ({entry.get('refused')}): {entry['override']}"
    elif entry.get("override"):
        confirmed = " (disqualified, confirmed)" if entry.get("confirmed_disqualified") else ""
        text += f"; ALLOCATED despite it{confirmed}: {entry['override']}"
    return text


@log_app.command("show")
def show(
    tail: Annotated[int | None, typer.Option("--tail", min=1, help="Only the last N entries.")] = None,
    trail_file: TrailOpt = None,
    store: StoreOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the recorded checks and decisions, oldest first."""
    out = Output(json_)
    path = trail_file or trail.trail_path(store)
    with out.guard():
        try:
            entries = trail.read_entries(path)
        except trail.TrailTampered as exc:
            out.fail(exitcodes.TAMPERED, str(exc))
    if tail:
        entries = entries[-tail:]
    if json_:
        out.json({"trail": str(path), "entries": entries})
        return
    if not entries:
        out.print(Text(f"No entries in {path}."))
        return
    table = Table(title=f"Audit trail {path}", title_justify="left")
    for column in ("seq", "when (UTC)", "by", "command", "case", "person", "result"):
        table.add_column(column)
    for e in entries:
        inputs = e.get("inputs") or {}
        cells = (e.get("seq"), e.get("timestamp"), e.get("by"), e.get("command"), inputs.get("case") or "-")
        table.add_row(*(Text(str(c)) for c in cells), Text(str(inputs.get("person") or "-")), Text(_summary(e)))
    out.print(table)


@log_app.command("verify")
def verify(trail_file: TrailOpt = None, store: StoreOpt = None, json_: JsonOpt = False) -> None:
    """Check the trail's hash chain and each entry's exact bytes; if broken, exit 6 naming the first
    bad entry. An incomplete last entry (a write cut off by a crash) is reported, not tampering."""
    out = Output(json_)
    path = trail_file or trail.trail_path(store)
    with out.guard():
        result = trail.verify(path)
    if json_:
        out.json({"trail": str(path), **result._asdict(), "incomplete_bytes": result.incomplete_bytes})
    elif result.ok:
        out.print(Text(result.message))
    if not result.ok:
        out.fail(exitcodes.TAMPERED, result.message)
