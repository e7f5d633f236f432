"""Shared fixtures: the example force, and stores parametrised by backend.

``loaded_store`` runs a test once per store: the embedded SQLite file always, and Neo4j
when ``NEO4J_URI`` is set (tests marked ``neo4j``; otherwise skipped with the reason).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import GraphStore
from coi.loaders.load import load_folder

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
NEO4J_SKIP = "NEO4J_URI is not set: the Neo4j half of the suite needs a real server (see README, 'Neo4j')"


@pytest.fixture(autouse=True)
def _no_default_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's default store, audit trail or recheck state."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    for name in ("COI_STORE", "COI_TRAIL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """A private copy of the example force, safe to edit."""
    target = tmp_path / "example"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def _neo4j_store() -> GraphStore:
    if not os.environ.get("NEO4J_URI"):
        pytest.skip(NEO4J_SKIP)
    from coi.graph.neo4j_store import Neo4jStore

    store = Neo4jStore.from_env()
    store.wipe()
    return store


@pytest.fixture
def neo() -> Iterator[GraphStore]:
    """An empty Neo4j store (the Neo4j tests: skipped unless ``NEO4J_URI`` is set)."""
    store = _neo4j_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    """The example force in an embedded store, shared by a module's tests (read only)."""
    store = SqliteStore(tmp_path_factory.mktemp("parity") / "store.sqlite")
    load_folder(EXAMPLE, store)
    return store


@pytest.fixture(
    params=[pytest.param("embedded"), pytest.param("neo4j", marks=pytest.mark.neo4j)],
)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], GraphStore]]:
    """A function that returns an empty store of the parametrised backend."""
    made: list[GraphStore] = []

    def make() -> GraphStore:
        store = SqliteStore(tmp_path / "store.sqlite") if request.param == "embedded" else _neo4j_store()
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def load_into(store_factory: Callable[[], GraphStore]) -> Callable[[Path], GraphStore]:
    """Load a folder into a fresh store of the parametrised backend and return it."""

    def load(folder: Path) -> GraphStore:
        store = store_factory()
        load_folder(folder, store)
        return store

    return load


@pytest.fixture
def example_store(load_into: Callable[[Path], GraphStore]) -> GraphStore:
    return load_into(EXAMPLE)
