"""``coi log``: show and verify the audit trail; the hooks that record checks and candidates.

Every ``coi check`` and ``coi candidates`` is recorded (ids only, never names) in the
trail of :mod:`graph.trail`; ``check --override REASON`` records an allocation that goes
ahead whatever the verdict, with the written reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from coi import exitcodes
from coi.options import JsonOpt, StoreOpt
from coi.output import Output
from graph import trail
from graph.store import GraphStore
from queries.engine import CheckResult, Engine

__all__ = ["ByOpt", "CountingEngine", "OverrideOpt", "log_app", "record_candidates", "record_check"]


def _written(value: str | None) -> str | None:
    """Refuse a blank --by or --override: the trail needs a name and a reason."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be blank")
    return value.strip() if value is not None else None


ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        callback=_written,
        help="Who is deciding, for the audit trail (default: the OS user).",
        show_default=False,
    ),
]
OverrideOpt = Annotated[
    str | None,
    typer.Option(
        "--override",
        callback=_written,
        help="The allocation goes ahead despite the verdict, for this written reason (recorded in the audit trail).",
        show_default=False,
    ),
]
TrailOpt = Annotated[
    Path | None,
    typer.Option(
        "--trail", help="Audit trail file (default: $COI_TRAIL, else <store>.trail.jsonl).", show_default=False
    ),
]

log_app = typer.Typer(help="The audit trail of checks and allocation decisions.", no_args_is_help=True)


class CountingEngine(Engine):
    """An :class:`Engine` that counts the people it checks (the size of a candidate pool)."""

    checked: int = 0

    def check_many(self, case_id: str, person_ids: Iterable[str], *args: Any, **kwargs: Any) -> dict[str, CheckResult]:
        people = list(dict.fromkeys(person_ids))
        self.checked += len(people)
        return super().check_many(case_id, people, *args, **kwargs)


def _who(by: str | None) -> str:
    return by.strip() if by and by.strip() else trail.current_user()


def _append(out: Output, where: Path | None, body: dict[str, Any]) -> dict[str, Any]:
    path = trail.trail_path(where)
    try:
        return trail.append(path, body)
    except trail.TrailTampered as exc:
        out.fail(exitcodes.TAMPERED, f"not recorded: {exc}")


def _findings(result: CheckResult) -> list[dict[str, str]]:
    return [{"rule": f.rule, "severity": f.severity, "other_id": f.other_id} for f in result.findings]


def record_check(
    out: Output, store: GraphStore, result: CheckResult, where: Path | None, by: str | None, override: str | None
) -> dict[str, Any]:
    """Record one check (and, with ``override``, the allocation going ahead) in the trail."""
    override = override.strip() if override and override.strip() else None
    body = {
        "by": _who(by),
        "command": "check",
        "inputs": {
            "case": result.case_id,
            "person": result.investigator_id,
            "role": result.role,
            "on": result.on.isoformat(),
            "policy": result.policy,
        },
        "data_version": store.info().data_version,
        "verdict": result.verdict,
        "findings": _findings(result),
        "decision": "allocated" if override is not None else None,
        "override": override,
    }
    entry = _append(out, where, body)
    if override is not None:
        out.note(
            f"audit trail entry {entry['seq']}: {result.investigator_id} allocated to {result.case_id} "
            f"with verdict {result.verdict}, for the reason given"
        )
    return entry


def record_candidates(
    out: Output,
    engine: CountingEngine,
    ranked: list[CheckResult],
    where: Path | None,
    by: str | None,
    inputs: dict[str, Any],
) -> dict[str, Any]:
    """Record a candidates search: its inputs, the pool size and the ids and verdicts proposed."""
    body = {
        "by": _who(by),
        "command": "candidates",
        "inputs": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in inputs.items()}
        | {"policy": engine.policy.name},
        "data_version": engine.store.info().data_version,
        "pool_size": engine.checked,
        "candidates": [{"person_id": r.investigator_id, "verdict": r.verdict} for r in ranked],
        "override": None,
    }
    return _append(out, where, body)


def _summary(entry: dict[str, Any]) -> str:
    if entry.get("command") == "candidates":
        top = ", ".join(f"{c.get('person_id')} {c.get('verdict')}" for c in entry.get("candidates") or [])
        return f"{entry.get('pool_size')} checked; proposed: {top or 'none'}"
    text = str(entry.get("verdict"))
    if entry.get("override"):
        text += f"; ALLOCATED despite it: {entry['override']}"
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
        cells = (e.get("seq"), e.get("timestamp"), e.get("by"), e.get("command"), inputs.get("case"))
        table.add_row(*(Text(str(c)) for c in cells), Text(str(inputs.get("person") or "-")), Text(_summary(e)))
    out.print(table)


@log_app.command("verify")
def verify(trail_file: TrailOpt = None, store: StoreOpt = None, json_: JsonOpt = False) -> None:
    """Check the trail's hash chain; if it is broken, exit 6 naming the first bad entry."""
    out = Output(json_)
    path = trail_file or trail.trail_path(store)
    with out.guard():
        result = trail.verify(path)
    if json_:
        out.json({"trail": str(path), **result._asdict()})
    elif result.ok:
        out.print(Text(result.message))
    if not result.ok:
        out.fail(exitcodes.TAMPERED, result.message)
