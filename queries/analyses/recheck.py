"""Conflicts that arise after allocation: every current allocation of an open case, re-checked.

An allocation is *current* on d when its case is open on d (opened by d; closed_on blank
or on/after d) and its investigator, supervisor or appropriate_authority assignment has
begun by d and not ended (end_date blank or on/after d). Each is checked with the
:class:`~coi.queries.engine.Engine` as of d; those not clear on d also as of their own
allocation date (start_date), which says whether the conflict arose after allocation.
The checks share the audit's bulk reads (each unit's posting history read once, one read
transaction on Neo4j).

Each allocation is compared with the last recorded recheck of the same assignment (its
*baseline*; the allocation-date check when none is recorded): a *change* is another
verdict, or a finding above info severity (``RULE(other)``) the baseline did not have.
Alerts (:mod:`coi.queries.analyses.alerts`) are raised and updated from the report; the state that
keeps baseline and alerts is :mod:`coi.queries.analyses.recheck_state`.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coi.graph.model import OVERSIGHT_ROLES, Assignment
from coi.graph.store import StoreChanged, chunks
from coi.queries.analyses.alerts import Alert, AlertChanges, apply_alerts, open_alerts
from coi.queries.analyses.recheck_state import RecheckState
from coi.queries.engine import CheckResult, Engine
from coi.queries.timeline import active

__all__ = ["Recheck", "RecheckReport", "current_allocations", "recheck"]


def _above_info(result: CheckResult) -> set[str]:
    return {f"{f.rule}({f.other_id})" for f in result.findings if f.severity != "info"}


@dataclass
class Recheck:
    """One current allocation: checked now, at allocation (when not clear now), and as last recorded."""

    assignment: Assignment
    now: CheckResult
    at_allocation: CheckResult | None
    previous: dict[str, Any] | None = None  # {"on", "verdict", "findings"} from the state

    @property
    def above_info(self) -> set[str]:
        return _above_info(self.now)

    @property
    def baseline(self) -> tuple[str, set[str]]:
        if self.previous:
            return self.previous["verdict"], set(self.previous["findings"])
        base = self.at_allocation or self.now
        return base.verdict, set(base.rules())

    @property
    def baseline_verdict(self) -> str:
        return self.baseline[0]

    @property
    def added(self) -> list[str]:
        return sorted(set(self.now.rules()) - self.baseline[1])

    @property
    def removed(self) -> list[str]:
        return sorted(self.baseline[1] - set(self.now.rules()))

    @property
    def changed(self) -> bool:
        verdict, findings = self.baseline
        return self.now.verdict != verdict or bool(self.above_info - findings)

    def to_dict(self) -> dict[str, Any]:
        a = self.assignment
        return {
            "assignment_id": a.assignment_id,
            "case_id": a.case_id,
            "person_id": a.person_id,
            "name": self.now.investigator_name,
            "role": a.role,
            "allocated_on": a.start_date.isoformat(),
            "allocation_verdict": self.at_allocation.verdict if self.at_allocation else None,
            "previous_on": self.previous["on"] if self.previous else None,
            "previous_verdict": self.previous["verdict"] if self.previous else None,
            "old_verdict": self.baseline_verdict,
            "new_verdict": self.now.verdict,
            "verdict_changed": self.now.verdict != self.baseline_verdict,
            "added_findings": self.added,
            "removed_findings": self.removed,
            "findings": [f.to_dict() for f in self.now.findings],
        }


@dataclass
class RecheckReport:
    on: date
    items: list[Recheck]
    policy: str
    previous_on: str | None = None
    gone: list[dict[str, Any]] = field(default_factory=list)  # recorded allocations no longer current
    alerts: dict[str, Alert] = field(default_factory=dict)  # every alert on record after this recheck
    episodes: dict[str, int] = field(default_factory=dict)  # last episodes of forgotten alerts
    alert_changes: AlertChanges = field(default_factory=AlertChanges)

    @property
    def changes(self) -> list[Recheck]:
        return [r for r in self.items if r.changed]

    @property
    def open_alerts(self) -> list[Alert]:
        return open_alerts(self.alerts)

    def item(self, assignment_id: str) -> Recheck | None:
        return next((r for r in self.items if r.assignment.assignment_id == assignment_id), None)

    def alert_dict(self, alert: Alert) -> dict[str, Any]:
        """An alert with its allocation's current findings in full (when it is still current)."""
        r = self.item(alert.assignment_id)
        return {
            **alert.to_dict(),
            "new": alert.alert_id in self.alert_changes.raised,
            "name": r.now.investigator_name if r else None,
            "details": [f.to_dict() for f in r.now.findings] if r else [],
        }

    def to_dict(self) -> dict[str, Any]:
        opened = {a.assignment_id: a.alert_id for a in self.open_alerts}
        c = self.alert_changes
        return {
            "on": self.on.isoformat(),
            "policy": self.policy,
            "previous_recheck_on": self.previous_on,
            "checked": len(self.items),
            "open_alerts": [self.alert_dict(a) for a in self.open_alerts],
            "alerts_raised": c.raised,
            "alerts_updated": c.updated,
            "alerts_reopened": c.reopened,
            "changes": [r.to_dict() for r in self.changes],
            "allocations": [
                {
                    "assignment_id": r.assignment.assignment_id,
                    "case_id": r.assignment.case_id,
                    "person_id": r.assignment.person_id,
                    "name": r.now.investigator_name,
                    "role": r.assignment.role,
                    "allocated_on": r.assignment.start_date.isoformat(),
                    "allocation_verdict": r.at_allocation.verdict if r.at_allocation else None,
                    "previous_verdict": r.previous["verdict"] if r.previous else None,
                    "verdict": r.now.verdict,
                    "changed": r.changed,
                    "open_alert": opened.get(r.assignment.assignment_id),
                }
                for r in self.items
            ],
            "no_longer_current": self.gone,
        }

    def state(self) -> RecheckState:
        """What the state file keeps after this recheck: its verdicts per assignment, and the alerts."""
        allocations = {
            r.assignment.assignment_id: {
                "case_id": r.assignment.case_id,
                "person_id": r.assignment.person_id,
                "role": r.assignment.role,
                "verdict": r.now.verdict,
                "findings": sorted(r.now.rules()),
            }
            for r in self.items
        }
        return RecheckState(self.on.isoformat(), self.policy, allocations, self.alerts, self.episodes)


def current_allocations(engine: Engine, on: date) -> list[Assignment]:
    """Oversight assignments of the cases open on ``on`` that are active on ``on``."""
    open_cases = sorted(c.case_id for c in engine.store.all_cases() if active(c.opened_on, c.closed_on, on))
    found = [a for batch in chunks(open_cases) for a in engine.store.assignments_for_cases(batch)]
    current = [a for a in found if a.role in OVERSIGHT_ROLES and active(a.start_date, a.end_date, on)]
    return sorted(current, key=lambda a: (a.case_id, a.role, a.person_id, a.start_date))


def _checked(engine: Engine, groups: Mapping[tuple[str, date, str], list[str]]) -> dict[tuple, CheckResult]:
    out = {}
    for (case_id, day, role), people in sorted(groups.items()):
        for person, result in engine.check_many(case_id, people, day, role).items():
            out[(case_id, day, role, person)] = result
    return out


def recheck(engine: Engine, on: date, state: RecheckState | None = None) -> RecheckReport:
    """Re-check every current allocation as of ``on``; compare with ``state``; raise and update alerts.

    ``state`` is not changed: the report's :meth:`RecheckReport.state` is the new one.
    """
    engine.store.pin()  # the checks below then confirm they read the version the allocations came from
    allocations = current_allocations(engine, on)
    now_groups: dict[tuple[str, date, str], list[str]] = defaultdict(list)
    for a in allocations:
        now_groups[(a.case_id, on, a.role)].append(a.person_id)
    engine.reader.keep_unit_histories()  # as the audit does: many checks over the same units
    with engine.store.reading():
        now = _checked(engine, now_groups)
        then_groups: dict[tuple[str, date, str], list[str]] = defaultdict(list)
        for a in allocations:
            if now[(a.case_id, on, a.role, a.person_id)].verdict != "clear":
                then_groups[(a.case_id, a.start_date, a.role)].append(a.person_id)
        then = _checked(engine, then_groups)
    try:
        engine.store.check_pinned()
    except StoreChanged as exc:
        raise StoreChanged(f"the re-check stopped, no alert was raised or recorded: {exc}; run it again") from None
    recorded = state.allocations if state else {}
    items = [
        Recheck(
            a,
            now[(a.case_id, on, a.role, a.person_id)],
            then.get((a.case_id, a.start_date, a.role, a.person_id)),
            {"on": state.on, **recorded[a.assignment_id]} if state and a.assignment_id in recorded else None,
        )
        for a in allocations
    ]
    ids = {a.assignment_id for a in allocations}
    gone = [{"assignment_id": k, **v} for k, v in sorted(recorded.items()) if k not in ids]
    report = RecheckReport(on, items, engine.policy.name, state.on if state else None, gone)
    report.alerts = copy.deepcopy(state.alerts) if state else {}
    report.episodes = dict(state.episodes) if state else {}
    report.alert_changes = apply_alerts(report.alerts, report.episodes, report)
    return report
