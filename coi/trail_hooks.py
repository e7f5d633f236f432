"""The audit trail's hooks: what ``check``, ``candidates`` and ``recheck --ack`` record.

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
from typing import Any

from coi import __version__, exitcodes
from coi.graph import trail
from coi.graph.store import GraphStore
from coi.output import Output
from coi.queries.analyses.alerts import Alert
from coi.queries.engine import CheckResult, Engine

__all__ = ["CountingEngine", "record_ack", "record_candidates", "record_check"]


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
