"""A long read of Neo4j (an audit, a re-check) reads one generation or stops: a load that flips
the store meanwhile is never half seen (the embedded store reads its one open file instead).
Skipped unless NEO4J_URI is set."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from coi.graph.neo4j_store import Neo4jStore
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import StoreChanged
from coi.loaders.load import load_folder
from coi.queries.analyses import audit as audit_module
from coi.queries.analyses import recheck as recheck_module
from coi.queries.analyses.audit import audit
from coi.queries.analyses.recheck import recheck
from coi.queries.engine import Engine
from load_helpers import EXAMPLE
from neo4j_helpers import NEO4J_ONLY

pytestmark = NEO4J_ONLY

REPLACED = "was replaced by a load while this command read it"


def test_a_pin_holds_until_a_load_flips_the_store(neo: Neo4jStore) -> None:
    load_folder(EXAMPLE, neo)
    neo.pin()
    neo.check_pinned()
    worker = pickle.loads(pickle.dumps(neo))  # what a parallel audit's worker gets
    worker.check_pinned()
    load_folder(EXAMPLE, neo)  # the same rows, but a new generation, flipped
    try:
        for store in (neo, worker):
            with pytest.raises(StoreChanged, match=REPLACED):
                store.check_pinned()
    finally:
        worker.close()
    neo.pin()
    neo.check_pinned()


def _reloading_after(monkeypatch: pytest.MonkeyPatch, module: object, name: str, store: Neo4jStore) -> None:
    """``module.name`` reads as before, then a load flips ``store`` (after the pin, before the checks)."""
    original = getattr(module, name)

    def read_then_reload(*args: object, **kwargs: object) -> object:
        found = original(*args, **kwargs)
        load_folder(EXAMPLE, store)
        return found

    monkeypatch.setattr(module, name, read_then_reload)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_audit_overtaken_by_a_load_reports_nothing(
    neo: Neo4jStore, embedded: SqliteStore, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    load_folder(EXAMPLE, neo)
    monkeypatch.setattr(audit_module, "CHUNK", 2)  # several chunks, split over the workers
    with audit(Engine(neo), workers=workers) as undisturbed, audit(Engine(embedded)) as expected:
        assert undisturbed.to_dict() == expected.to_dict() and len(expected.allocations) > 2
    _reloading_after(monkeypatch, audit_module, "_groups", neo)
    with pytest.raises(StoreChanged, match=f"^the audit stopped, nothing was reported: .*{REPLACED}; run it again$"):
        audit(Engine(neo), workers=workers)


def test_a_recheck_overtaken_by_a_load_raises_no_alert(neo: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    load_folder(EXAMPLE, neo)
    on = date(2023, 6, 1)
    assert recheck(Engine(neo), on).items, "the example has current allocations on that day"
    _reloading_after(monkeypatch, recheck_module, "current_allocations", neo)
    with pytest.raises(StoreChanged, match=f"^the re-check stopped, no alert was raised or recorded: .*{REPLACED}"):
        recheck(Engine(neo), on)
