"""Conflicts that arise after allocation: every current allocation of an open case, re-checked.

An allocation is *current* on d when its case is open on d (opened by d; closed_on blank
or on/after d) and its investigator, supervisor or appropriate_authority assignment has
begun by d and not ended (end_date blank or on/after d). Each is checked with the
:class:`~queries.engine.Engine` as of d, and as of its own allocation date (its
start_date), and compared with the last recorded recheck of the same assignment.

The *baseline* is the last recorded recheck when there is one, else the allocation-date
check. An allocation is reported as a change (an alert) when its verdict differs from
the baseline's, or when a finding above info severity (``RULE(other)``) appeared that
the baseline did not have. Info findings (INDIRECT_LINK) and findings that went away are
listed with a change but never raise one alone.

State: a small JSON document (:func:`save_state`) with the day of the recheck and, per
assignment id, its verdict and findings. ``coi recheck`` keeps it beside the embedded
store file (``store.sqlite.recheck.json``), or for Neo4j in the coi data directory
(``recheck-neo4j-HOST-PORT-DATABASE.json``); ``--state PATH`` chooses another file and
``--no-record`` leaves it untouched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graph.files import write_text_atomic
from graph.model import Assignment
from graph.store import chunks
from queries.dispute import OVERSIGHT_ROLES
from queries.engine import CheckResult, Engine
from queries.timeline import active

__all__ = ["STATE_VERSION", "Recheck", "RecheckReport", "RecheckStateError", "load_state", "recheck", "save_state"]

STATE_VERSION = 1


class RecheckStateError(ValueError):
    """A state file that is not a recheck state (one-line message)."""


def _above_info(result: CheckResult) -> set[str]:
    return {f"{f.rule}({f.other_id})" for f in result.findings if f.severity != "info"}


@dataclass
class Recheck:
    """One current allocation: checked now, at allocation, and as last recorded."""

    assignment: Assignment
    now: CheckResult
    at_allocation: CheckResult
    previous: dict[str, Any] | None = None  # {"on", "verdict", "findings"} from the state

    @property
    def baseline_verdict(self) -> str:
        return self.previous["verdict"] if self.previous else self.at_allocation.verdict

    @property
    def baseline_findings(self) -> set[str]:
        return set(self.previous["findings"]) if self.previous else set(self.at_allocation.rules())

    @property
    def added(self) -> list[str]:
        return sorted(set(self.now.rules()) - self.baseline_findings)

    @property
    def removed(self) -> list[str]:
        return sorted(self.baseline_findings - set(self.now.rules()))

    @property
    def changed(self) -> bool:
        return self.now.verdict != self.baseline_verdict or bool(_above_info(self.now) - self.baseline_findings)

    def to_dict(self) -> dict[str, Any]:
        a = self.assignment
        return {
            "assignment_id": a.assignment_id,
            "case_id": a.case_id,
            "person_id": a.person_id,
            "name": self.now.investigator_name,
            "role": a.role,
            "allocated_on": a.start_date.isoformat(),
            "allocation_verdict": self.at_allocation.verdict,
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
    previous_on: str | None = None
    gone: list[dict[str, Any]] = field(default_factory=list)  # recorded allocations no longer current

    @property
    def changes(self) -> list[Recheck]:
        return [r for r in self.items if r.changed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "previous_recheck_on": self.previous_on,
            "checked": len(self.items),
            "changes": [r.to_dict() for r in self.changes],
            "unchanged": [
                {
                    "assignment_id": r.assignment.assignment_id,
                    "case_id": r.assignment.case_id,
                    "person_id": r.assignment.person_id,
                    "role": r.assignment.role,
                    "verdict": r.now.verdict,
                }
                for r in self.items
                if not r.changed
            ],
            "no_longer_current": self.gone,
        }

    def state(self) -> dict[str, Any]:
        """The document :func:`save_state` writes: this recheck's verdicts per assignment."""
        return {
            "version": STATE_VERSION,
            "on": self.on.isoformat(),
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "allocations": {
                r.assignment.assignment_id: {
                    "case_id": r.assignment.case_id,
                    "person_id": r.assignment.person_id,
                    "role": r.assignment.role,
                    "verdict": r.now.verdict,
                    "findings": sorted(r.now.rules()),
                }
                for r in self.items
            },
        }


def load_state(path: Path) -> dict[str, Any] | None:
    """The last recorded recheck at ``path``, or None when there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecheckStateError(f"{path} is not a recheck state file ({exc})") from exc
    if (
        not isinstance(data, dict)
        or data.get("version") != STATE_VERSION
        or not isinstance(data.get("allocations"), dict)
    ):
        raise RecheckStateError(f"{path} is not a recheck state file (version {STATE_VERSION} expected)")
    return data


def save_state(path: Path, report: RecheckReport) -> None:
    write_text_atomic(path, json.dumps(report.state(), indent=2, sort_keys=True) + "\n")


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


def recheck(engine: Engine, on: date, state: dict[str, Any] | None = None) -> RecheckReport:
    """Re-check every current allocation as of ``on``; compare with allocation and ``state``."""
    allocations = current_allocations(engine, on)
    now_groups: dict[tuple[str, date, str], list[str]] = defaultdict(list)
    then_groups: dict[tuple[str, date, str], list[str]] = defaultdict(list)
    for a in allocations:
        now_groups[(a.case_id, on, a.role)].append(a.person_id)
        then_groups[(a.case_id, a.start_date, a.role)].append(a.person_id)
    now, then = _checked(engine, now_groups), _checked(engine, then_groups)
    recorded = (state or {}).get("allocations", {})
    items = [
        Recheck(
            a,
            now[(a.case_id, on, a.role, a.person_id)],
            then[(a.case_id, a.start_date, a.role, a.person_id)],
            {"on": state["on"], **recorded[a.assignment_id]} if state and a.assignment_id in recorded else None,
        )
        for a in allocations
    ]
    ids = {a.assignment_id for a in allocations}
    gone = [{"assignment_id": k, **v} for k, v in sorted(recorded.items()) if k not in ids]
    return RecheckReport(on, items, state.get("on") if state else None, gone)
