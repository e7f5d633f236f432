"""The recheck state file: the last recorded recheck's verdicts, and the alerts, versioned.

Version 2 (this one)::

    {"version": 2, "on": "2023-04-01", "recorded_at": "...", "policy": "default",
     "allocations": {ASSIGNMENT_ID: {"case_id", "person_id", "role", "verdict", "findings"}},
     "alerts": {ALERT_ID: {...}}, "episodes": {ASSIGNMENT_ID: N}}

``allocations`` is the baseline the next recheck compares with; ``alerts`` is every open
alert and the acknowledged ones of current allocations (:mod:`coi.queries.analyses.alerts`);
``episodes`` the last episode of alerts forgotten since, so alert ids are never reused.
A version 1 file (before alerts existed) is read as version 2 with no alerts, so the next
recheck raises an alert for every current allocation that is not clear; any other version
is refused. Writes are atomic, and :func:`record` holds an exclusive lock while it re-reads
the file, keeps acknowledgements made meanwhile and writes, so a recheck running beside
``coi recheck --ack`` never loses the acknowledgement.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coi.graph.files import write_text_atomic
from coi.queries.analyses.alerts import ACKNOWLEDGED, OPEN, Alert
from coi.queries.verdicts import VERDICT_ORDER

__all__ = ["STATE_VERSION", "RecheckState", "RecheckStateError", "load_state", "locked", "record", "save_state"]

STATE_VERSION = 2
MIGRATES = {1}


class RecheckStateError(ValueError):
    """A state file that is not a recheck state (one-line message)."""


@dataclass
class RecheckState:
    on: str | None = None
    policy: str | None = None
    allocations: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    episodes: dict[str, int] = field(default_factory=dict)
    migrated_from: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "on": self.on,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "policy": self.policy,
            "allocations": self.allocations,
            "alerts": {key: alert.to_dict() for key, alert in sorted(self.alerts.items())},
            "episodes": dict(sorted(self.episodes.items())),
        }


def _bad(path: Path, why: str) -> RecheckStateError:
    return RecheckStateError(f"{path} is not a recheck state file ({why})")


def _allocations(path: Path, data: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(data, dict):
        raise _bad(path, "'allocations' is not an object")
    for key, entry in data.items():
        if (
            not isinstance(entry, dict)
            or entry.get("verdict") not in VERDICT_ORDER
            or not isinstance(entry.get("findings"), list)
        ):
            raise _bad(path, f"allocation {key!r} has no verdict and findings")
    return data


def _alerts(path: Path, data: Any) -> dict[str, Alert]:
    if not isinstance(data, dict):
        raise _bad(path, "'alerts' is not an object")
    alerts = {}
    for key, entry in data.items():
        try:
            alert = Alert.from_dict(entry)
        except (TypeError, ValueError) as exc:
            raise _bad(path, f"alert {key!r}: {exc}") from None
        if alert.alert_id != key or alert.status not in (OPEN, ACKNOWLEDGED) or alert.verdict not in VERDICT_ORDER:
            raise _bad(path, f"alert {key!r} is damaged")
        alerts[key] = alert
    return alerts


def load_state(path: Path) -> RecheckState | None:
    """The state at ``path`` (a version 1 file migrated), or None when there is none yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(path, str(exc)) from exc
    version = data.get("version") if isinstance(data, dict) else None
    if version != STATE_VERSION and version not in MIGRATES:
        found = f"version {version}" if isinstance(version, int) else "no version"
        raise _bad(
            path, f"{found}; this coi reads versions {', '.join(map(str, sorted(MIGRATES)))} and {STATE_VERSION}"
        )
    episodes = data.get("episodes", {})
    if not isinstance(episodes, dict) or not all(isinstance(n, int) for n in episodes.values()):
        raise _bad(path, "'episodes' is not an object of numbers")
    on = data.get("on")
    if not isinstance(on, str | None):
        raise _bad(path, "'on' is not a date")
    return RecheckState(
        on,
        data.get("policy"),
        _allocations(path, data.get("allocations")),
        _alerts(path, data.get("alerts", {})) if version == STATE_VERSION else {},
        episodes,
        None if version == STATE_VERSION else version,
    )


def save_state(path: Path, state: RecheckState) -> None:
    """Write ``state`` to ``path`` atomically (callers that may race hold :func:`locked`)."""
    write_text_atomic(path, json.dumps(state.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path``'s state (a ``.lock`` file beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def record(path: Path, state: RecheckState) -> None:
    """Save ``state``, keeping acknowledgements written to ``path`` since it was read."""
    with locked(path):
        on_disk = load_state(path)
        for key, alert in (on_disk.alerts if on_disk else {}).items():
            ours = state.alerts.get(key)
            if alert.status == ACKNOWLEDGED and ours is not None and ours.status == OPEN:
                ours.status, ours.acknowledged = ACKNOWLEDGED, alert.acknowledged
        save_state(path, state)
