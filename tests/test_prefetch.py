"""A check's prefetch (Reader.prefetch / prefetch_units) changes how records are read, never an answer.

The embedded store has no neighbourhood of its own (its reads are cheap), so these tests
give it one built from its batched reads (``read_neighbourhood``, the definition Neo4j's
one-query version is tested against) and compare every check with and without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from coi.graph.model import OVERSIGHT_ROLES
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore, read_neighbourhood
from coi.loaders.load import load_folder
from coi.queries import engine as engine_module
from coi.queries.engine import Engine
from coi.queries.reader import Reader
from forces import assign, case, load_force, officer, posting, unit

EXAMPLE = Path(__file__).parent / "fixtures" / "example"


class Prefetching:
    """A store with a neighbourhood read (from its own batched reads) that counts every read."""

    def __init__(self, store: SqliteStore) -> None:
        self.store, self.reads, self.prefetches = store, 0, 0

    def neighbourhood(self, case_id: str, person_ids: Sequence[str], roles: Sequence[str], start, end, levels: int):
        self.prefetches += 1
        return read_neighbourhood(self.store, case_id, person_ids, roles, start, end, levels)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if name in ("reading", "units", "info") or not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.reads += 1
            return attr(*args, **kwargs)

        return counted


def _checks(store: GraphStore, allocations: list, pool: int = 1) -> list[dict]:
    out = []
    for i, a in enumerate(allocations):
        people = [a.person_id, *(b.person_id for b in allocations[i + 1 : i + pool])]
        results = Engine(store).check_many(a.case_id, people, a.start_date, a.role)
        out.append({p: r.to_dict() for p, r in results.items()})
    return out


def _allocations(store: SqliteStore) -> list:
    return store.assignments_with_roles(list(OVERSIGHT_ROLES))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    store = SqliteStore(tmp_path_factory.mktemp("prefetch") / "store.sqlite")
    load_folder(EXAMPLE, store)
    return store


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    from coi.loaders.synthetic import SCALES, ForceSpec, generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "force", ForceSpec(**{**vars(SCALES["small"]), "seed": 5}))
    store = SqliteStore(folder / "store.sqlite")
    load_folder(folder / "force", store)
    return store


@pytest.mark.parametrize("levels", [0, 1, 4, 16])
@pytest.mark.parametrize("pool", [1, 3])
def test_example_checks_are_identical_with_a_prefetch(
    example: SqliteStore, levels: int, pool: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PREFETCH_LEVELS", levels)
    allocations = _allocations(example)
    prefetching = Prefetching(example)
    assert _checks(prefetching, allocations, pool) == _checks(example, allocations, pool)  # type: ignore[arg-type]
    assert prefetching.prefetches == len(allocations)


def test_generated_force_checks_are_identical_with_a_prefetch(generated: SqliteStore) -> None:
    allocations = _allocations(generated)[::3]
    assert len(allocations) > 30
    prefetching = Prefetching(generated)
    assert _checks(prefetching, allocations) == _checks(generated, allocations)  # type: ignore[arg-type]


def test_a_prefetched_check_reads_little_else(example: SqliteStore) -> None:
    """After the neighbourhood, a check reads its units' postings once and little more."""
    counts = []
    for a in _allocations(example):
        prefetching = Prefetching(example)
        Engine(prefetching).check(a.case_id, a.person_id, a.start_date, a.role)  # type: ignore[arg-type]
        counts.append(prefetching.reads)
    assert max(counts) <= 6, counts


def test_a_chain_longer_than_the_prefetch_is_read_as_the_rules_reach_it(tmp_path: Path, monkeypatch) -> None:
    """O0 manages O1 manages ... O6; the subject O6 is managed by the investigator O0 six levels up."""
    chain = [officer(f"O{i}") for i in range(7)] + [officer("I")]
    postings = [posting(f"O{i}", "T", "2015-01-01", manager=f"O{i - 1}" if i else "") for i in range(7)]
    store = load_force(
        tmp_path,
        units=[unit("F", kind="force"), unit("T", "F")],
        officers=chain,
        postings=[*postings, posting("I", "F", "2015-01-01")],
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "O6", "subject")],
    )
    monkeypatch.setattr(engine_module, "PREFETCH_LEVELS", 2)
    prefetching = Prefetching(store)
    mine = Engine(prefetching).check("K", "O0", date(2023, 2, 1)).to_dict()  # type: ignore[arg-type]
    assert "MANAGES_SUBJECT" in {f["rule"] for f in mine["findings"]}
    assert mine == Engine(store).check("K", "O0", date(2023, 2, 1)).to_dict()


def test_the_embedded_store_has_no_neighbourhood_and_bulk_readers_skip_it(example: SqliteStore) -> None:
    assert example.neighbourhood("K1", ["O2"], ["subject"], date(2013, 3, 15), date(2023, 3, 15), 4) is None
    prefetching = Prefetching(example)
    reader = Reader(prefetching)  # type: ignore[arg-type]
    reader.keep_unit_histories()
    reader.prefetch("K1", ["O2"], (date(2013, 3, 15), date(2023, 3, 15)), 4, ("subject",))
    assert prefetching.prefetches == 0
