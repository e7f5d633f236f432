"""Open the configured store: Neo4j when a URI is given, else the embedded file."""

from __future__ import annotations

import os
from pathlib import Path

from coi.graph.sqlite_store import SqliteStore, default_store_path
from coi.graph.store import GraphStore

__all__ = ["neo4j_uri", "open_store"]


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

        return Neo4jStore.from_env(uri=neo4j)
    return SqliteStore(store or default_store_path())
