"""Open the configured store: Neo4j when a URI is given, else the embedded file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from coi.graph.sqlite_store import SqliteStore, default_store_path
from coi.graph.store import GraphStore, StoreError
from coi.queries.engine import Engine
from coi.queries.policy import load_policy
from coi.redact import redact, register_uri

__all__ = ["neo4j_uri", "open_store", "opened_engine", "opened_store"]

E = TypeVar("E", bound=Engine)
#: what the official driver connects to (http:// would need another transport)
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def neo4j_uri(store: Path | None, neo4j: str | None) -> str | None:
    """Which Neo4j to use, if any: ``--neo4j``, else ``NEO4J_URI`` unless a store file is named.

    Precedence: ``--neo4j`` > ``--store``/``COI_STORE`` > ``NEO4J_URI`` > the default file.
    """
    return neo4j or (os.environ.get("NEO4J_URI") if store is None else None)


def open_store(store: Path | None, neo4j: str | None) -> GraphStore:
    """The Neo4j store when one is configured (see :func:`neo4j_uri`), else the embedded file."""
    neo4j = neo4j_uri(store, neo4j)
    if neo4j:
        from coi.graph.neo4j_store import Neo4jStore

        register_uri(neo4j)
        scheme = neo4j.split("://", 1)[0].lower() if "://" in neo4j else ""
        if scheme not in BOLT_SCHEMES:
            raise StoreError(
                f"{redact(neo4j)} is not a Neo4j Bolt URI: use bolt:// or neo4j:// (+s, +ssc), usually port 7687"
            )

        return Neo4jStore.from_env(uri=neo4j)
    return SqliteStore(store or default_store_path())


@contextmanager
def opened_store(store: Path | None, neo4j: str | None) -> Iterator[GraphStore]:
    """The configured store, closed when the block ends."""
    graph = open_store(store, neo4j)
    try:
        yield graph
    finally:
        graph.close()


@contextmanager
def opened_engine(
    store: Path | None, neo4j: str | None, policy: Path | None = None, kind: type[E] = Engine
) -> Iterator[E]:
    """An engine (of ``kind``) over the configured store under the policy file (or the default);
    the store is closed when the block ends, however it ends."""
    engine = kind(open_store(store, neo4j), load_policy(policy))
    try:
        yield engine
    finally:
        engine.store.close()
