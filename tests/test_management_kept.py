"""Bulk mode keeps what it derives once per person and clips it per check: the same links, in
the same order for each person, as working them out inside each check's window."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.synthetic import ForceSpec
from coi.queries.management import managed_by, managers_of
from coi.queries.reader import Reader
from forces import generated_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    return generated_store(tmp_path_factory.mktemp("kept"), ForceSpec(officers=800, seed=3))


def _windows(rng: random.Random, n: int) -> list[tuple[date, date]]:
    """Windows of a day to decades, some before anyone joined or after everyone left."""
    out = [(date(1900, 1, 1), date(1900, 1, 1)), (date(1970, 1, 1), date(2040, 1, 1))]
    while len(out) < n:
        start = date(1985, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        out.append((start, start + timedelta(days=rng.choice([0, 1, 30, 400, 3650]))))
    return out


def test_kept_supervision_equals_supervision_found_in_each_window(store: SqliteStore) -> None:
    rng = random.Random(11)
    people = sorted(store.table_rows("officers"), key=lambda r: r["officer_id"])
    sample = rng.sample([r["officer_id"] for r in people], 150)
    windowed, kept = Reader(store), Reader(store)
    kept.keep_unit_histories()
    supervised = 0
    for window in _windows(rng, 12):
        for find in (managers_of, managed_by):
            expected, found = find(windowed, sample, window), find(kept, sample, window)
            assert found == expected, (find.__name__, window)
            supervised += sum(link.how == "supervision" for links in found.values() for link in links)
    assert supervised > 1000, "the sample must hold supervision links for the test to mean anything"
