"""Alerts on current allocations: raised when one is not clear, open until someone acknowledges it.

The rules, applied by :func:`apply_alerts` after every recheck (``coi recheck``, and the
re-check after ``coi load``):

- A current allocation that is not clear and has no alert on record raises one. On the
  first recheck of a store that is every current allocation that is not clear.
- An open alert follows its allocation: a recheck that finds another verdict or other
  findings above info severity updates it (its ``history`` grows) and it stays open, even
  if the allocation is clear by now, until it is acknowledged (:func:`acknowledge`).
- An acknowledged alert stays closed while its allocation stays as it was or gets better.
  When the allocation gets worse than at the last recorded recheck (a higher verdict, or a
  finding above info it did not have), the alert re-opens as the next *episode*: a new
  alert, ``reopens`` naming the acknowledged one.
- An alert's id is ``ASSIGNMENT_ID#EPISODE`` (``K1|O12|investigator|2023-03-15#1``): it
  does not change while the alert lives, and says which allocation it is about.
- An open alert whose allocation is no longer current (case closed, assignment ended)
  stays open, marked ``current: false``; acknowledged ones of such allocations are forgotten,
  all but their episode number (``episodes``), so an id is never given out twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from coi.queries.verdicts import VERDICT_ORDER

if TYPE_CHECKING:
    from coi.queries.analyses.recheck import Recheck, RecheckReport

__all__ = [
    "ACKNOWLEDGED",
    "OPEN",
    "Acknowledgement",
    "Alert",
    "AlertChanges",
    "UnknownAlert",
    "acknowledge",
    "alert_id",
    "apply_alerts",
    "latest_alerts",
    "open_alerts",
]

OPEN, ACKNOWLEDGED = "open", "acknowledged"


def alert_id(assignment_id: str, episode: int) -> str:
    """The id of an assignment's alert of ``episode``.

    >>> alert_id("K1|O12|investigator|2023-03-15", 1)
    'K1|O12|investigator|2023-03-15#1'
    """
    return f"{assignment_id}#{episode}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Acknowledgement:
    by: str
    at: str  # UTC timestamp
    reason: str
    trail_seq: int | None = None  # the audit-trail entry that records it


@dataclass
class Alert:
    """One alert, as the state file keeps it (``verdict``/``findings``: the latest seen)."""

    alert_id: str
    assignment_id: str
    episode: int
    case_id: str
    person_id: str
    role: str
    allocated_on: str
    raised_on: str  # the recheck's reference day
    raised_at: str  # UTC timestamp
    why: str
    verdict: str
    findings: list[str]  # RULE(other) above info severity
    at_allocation: str | None = None  # the verdict as of the allocation date, when it was checked
    status: str = OPEN
    current: bool = True
    updated_on: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)  # {"on", "verdict", "findings"}
    reopens: str | None = None
    acknowledged: Acknowledgement | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        ack = data.get("acknowledged")
        return cls(**{**data, "acknowledged": Acknowledgement(**ack) if ack else None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AlertChanges:
    """What one recheck did to the alerts (ids)."""

    raised: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)  # raised ids that re-open an acknowledged alert
    no_longer_current: list[str] = field(default_factory=list)


def _rank(verdict: str) -> int:
    return VERDICT_ORDER.index(verdict)


def latest_alerts(alerts: dict[str, Alert]) -> dict[str, Alert]:
    """assignment id -> its alert of the highest episode."""
    out: dict[str, Alert] = {}
    for a in alerts.values():
        if a.assignment_id not in out or a.episode > out[a.assignment_id].episode:
            out[a.assignment_id] = a
    return out


def _worse(r: Recheck, before: Alert) -> bool:
    """Worse than the last recorded recheck (or, with none recorded, than the alert itself)."""
    verdict, findings = (
        (r.previous["verdict"], set(r.previous["findings"])) if r.previous else (before.verdict, set(before.findings))
    )
    return _rank(r.now.verdict) > _rank(verdict) or bool(r.above_info - findings)


def apply_alerts(alerts: dict[str, Alert], episodes: dict[str, int], report: RecheckReport) -> AlertChanges:
    """Raise, update and re-open ``alerts`` (by id) from ``report``; both dicts change in place.

    ``episodes``: assignment id -> the last episode of its forgotten alerts.
    """
    changes = AlertChanges()
    latest = latest_alerts(alerts)
    on = report.on.isoformat()
    for r in report.items:
        a = r.assignment
        before = latest.get(a.assignment_id)
        seen = {"on": on, "verdict": r.now.verdict, "findings": sorted(r.above_info)}
        if before is not None and before.status == OPEN:
            before.current = True
            if (before.verdict, before.findings) != (seen["verdict"], seen["findings"]):
                before.verdict, before.findings, before.updated_on = seen["verdict"], seen["findings"], on
                before.history.append(seen)
                changes.updated.append(before.alert_id)
            continue
        if r.now.verdict == "clear" or (before is not None and not _worse(r, before)):
            continue
        episode = max(before.episode if before else 0, episodes.get(a.assignment_id, 0)) + 1
        why = (
            "not clear when first seen"
            if before is None
            else f"worse than at the last recheck, after {before.alert_id} was acknowledged"
        )
        new = Alert(
            alert_id(a.assignment_id, episode),
            a.assignment_id,
            episode,
            a.case_id,
            a.person_id,
            a.role,
            a.start_date.isoformat(),
            on,
            _now(),
            why,
            seen["verdict"],
            seen["findings"],
            r.at_allocation.verdict if r.at_allocation else None,
            history=[seen],
            reopens=before.alert_id if before else None,
        )
        alerts[new.alert_id] = new
        changes.raised.append(new.alert_id)
        if before:
            changes.reopened.append(new.alert_id)
    current = {r.assignment.assignment_id for r in report.items}
    for key, alert in list(alerts.items()):
        if alert.assignment_id in current:
            continue
        if alert.status == ACKNOWLEDGED:
            episodes[alert.assignment_id] = max(episodes.get(alert.assignment_id, 0), alert.episode)
            del alerts[key]
        elif alert.current:
            alert.current = False
            changes.no_longer_current.append(key)
    return changes


def open_alerts(alerts: dict[str, Alert]) -> list[Alert]:
    """Open alerts, worst verdict first, then by case and id."""
    found = [a for a in alerts.values() if a.status == OPEN]
    return sorted(found, key=lambda a: (-_rank(a.verdict), a.case_id, a.alert_id))


class UnknownAlert(LookupError):
    """An alert id (or assignment id) that the state does not hold."""


def acknowledge(
    alerts: dict[str, Alert], ids: Iterable[str] | None, by: str, reason: str
) -> tuple[list[Alert], list[Alert]]:
    """Acknowledge the alerts ``ids`` (an assignment id means its open alert), or all open ones
    when ``ids`` is None. Returns (acknowledged now, already acknowledged); raises
    :class:`UnknownAlert` naming the first id that is neither."""
    if ids is None:
        chosen = open_alerts(alerts)
    else:
        latest = latest_alerts(alerts)
        chosen = []
        for key in dict.fromkeys(ids):
            alert = alerts.get(key) or latest.get(key)
            if alert is None:
                raise UnknownAlert(key)
            chosen.append(alert)
    done, already = [], []
    at = _now()
    for alert in chosen:
        if alert.status == ACKNOWLEDGED:
            already.append(alert)
            continue
        alert.status, alert.acknowledged = ACKNOWLEDGED, Acknowledgement(by, at, reason)
        done.append(alert)
    return done, already
