"""``coi log``: show and verify the audit trail; the hooks that record checks and candidates.

Every ``coi check`` and ``coi candidates`` is recorded (ids only, never names) in the
trail of :mod:`coi.graph.trail`, with the tool's version; ``check --override REASON`` records
an allocation that goes ahead despite the verdict, with the written reason. Overriding a
disqualified verdict also needs ``--confirm-disqualified`` (recorded as such); an
allocation that is not allocatable at all (not an officer, not serving, case closed) is
never recorded as allocated: the override is refused and the refusal recorded.
``recheck --ack`` records who acknowledged which alerts, and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from coi import __version__, exitcodes
from coi.graph import trail
from coi.graph.store import GraphStore
from coi.options import JsonOpt, StoreOpt
from coi.output import Output
from coi.queries.analyses.alerts import Alert
from coi.queries.engine import CheckResult, Engine
from coi.visible import control_character

__all__ = [
    "ByOpt",
    "ConfirmDisqualifiedOpt",
    "CountingEngine",
    "OverrideOpt",
    "ReasonOpt",
    "log_app",
    "record_ack",
    "record_candidates",
    "record_check",
]


def _written(value: str | None) -> str | None:
    """Refuse a blank --by or --override (the trail needs a name and a reason), and one holding a
    control character or line break (it would steer a terminal or fake lines when shown)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be blank")
    if value is not None and (char := control_character(value)):
        raise typer.BadParameter(f"must be one line of plain text (it holds {char})")
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
ConfirmDisqualifiedOpt = Annotated[
    bool,
    typer.Option(
        "--confirm-disqualified",
        help="With --override: confirm that the allocation goes ahead although the verdict is DISQUALIFIED "
        "(a reg. 15(3) bar); recorded in the audit trail. Without it such an override is refused.",
    ),
]
ReasonOpt = Annotated[
    str | None,
    typer.Option(
        "--reason", callback=_written, help="Why the alerts are acknowledged (audit trail).", show_default=False
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
        return trail.append(path, {**body, "coi_version": __version__})
    except trail.TrailTampered as exc:
        out.fail(exitcodes.TAMPERED, f"not recorded: {exc}")


def _findings(result: CheckResult) -> list[dict[str, str]]:
    return [{"rule": f.rule, "severity": f.severity, "other_id": f.other_id} for f in result.findings]


Refusal = tuple[int, str, str]  # exit code, message for the user, code for the trail (ids only)


def _refusal(result: CheckResult, confirm_disqualified: bool) -> Refusal | None:
    """Why an ``--override`` of this result is refused (None: it may go ahead)."""
    if not result.allocatable:
        reasons = "; ".join(b.message for b in result.bars)
        return (
            exitcodes.NOT_ALLOCATABLE,
            f"--override refused: {result.investigator_id} may not be allocated to {result.case_id} at all "
            f"({reasons}); nothing was allocated",
            "not_allocatable",
        )
    if result.verdict == "disqualified" and not confirm_disqualified:
        return (
            exitcodes.USAGE,
            f"--override refused: the verdict is DISQUALIFIED; to allocate {result.investigator_id} "
            f"to {result.case_id} all the same, add --confirm-disqualified; nothing was allocated",
            "disqualified_not_confirmed",
        )
    return None


def record_check(
    out: Output,
    store: GraphStore,
    result: CheckResult,
    where: Path | None,
    by: str | None,
    override: str | None,
    confirm_disqualified: bool = False,
) -> tuple[dict[str, Any], tuple[int, str] | None]:
    """Record one check (and, with ``override``, the allocation going ahead or its refusal).

    Returns the ``decision`` document (who, whether allocated, the reason, the trail entry and
    the data version) and, when the override was refused, (exit code, message).
    """
    override = override.strip() if override and override.strip() else None
    refused = _refusal(result, confirm_disqualified) if override is not None else None
    allocated = override is not None and refused is None
    confirmed = allocated and result.verdict == "disqualified"
    version = store.info().data_version
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
        "data_version": version,
        "verdict": result.verdict,
        "allocatable": result.allocatable,
        "not_allocatable": [b.reason for b in result.bars],
        "findings": _findings(result),
        "decision": "allocated" if allocated else ("refused" if refused else None),
        "override": override,
        "confirmed_disqualified": confirmed,
        "refused": refused[2] if refused else None,
    }
    entry = _append(out, where, body)
    if allocated:
        confirm = " (confirmed with --confirm-disqualified)" if confirmed else ""
        out.note(
            f"audit trail entry {entry['seq']}: {result.investigator_id} allocated to {result.case_id} "
            f"with verdict {result.verdict}{confirm}, for the reason given"
        )
    decision = {
        "by": body["by"],
        "allocated": allocated,
        "override": override,
        "confirmed_disqualified": confirmed,
        "refused": refused[1] if refused else None,
        "trail_entry": entry["seq"],
        "data_version": version,
    }
    return decision, refused[:2] if refused else None


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


def record_ack(
    out: Output, alerts: list[Alert], where: Path | None, by: str | None, reason: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """Record alerts acknowledged by ``coi recheck --ack``: which, at what verdict, by whom, why."""
    body = {
        "by": _who(by),
        "command": "recheck-ack",
        "inputs": inputs,
        "alerts": [
            {
                "alert_id": a.alert_id,
                "assignment_id": a.assignment_id,
                "case_id": a.case_id,
                "person_id": a.person_id,
                "role": a.role,
                "verdict": a.verdict,
                "findings": a.findings,
            }
            for a in alerts
        ],
        "reason": reason,
        "override": None,
    }
    return _append(out, where, body)


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
