"""The re-check of open cases' current allocations, shared by ``coi recheck`` and ``coi load``:
where its state lives, running and recording it, and its exit code."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from coi import exitcodes
from coi.graph.sqlite_store import default_store_path
from coi.output import Output
from coi.queries.analyses.recheck import RecheckReport
from coi.queries.analyses.recheck import recheck as run_recheck
from coi.queries.analyses.recheck_state import RecheckStateError, load_state, record
from coi.stores import neo4j_uri, opened_engine

__all__ = ["default_state_path", "exit_for", "recheck_and_record"]


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
    with opened_engine(store, neo4j, policy) as engine:
        report = run_recheck(engine, day, previous)
    if record_it:
        try:
            record(state_file, report.state())
        except RecheckStateError as exc:  # damaged while this recheck ran
            out.fail(exitcodes.BAD_DATA, f"not recorded: {exc}", "delete it, or pass another file with --state")
        out.note(f"recorded this recheck in {state_file}")
    return report, state_file
