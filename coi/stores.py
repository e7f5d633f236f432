"""Open the configured store: Neo4j when a URI is given, else the embedded file."""

from __future__ import annotations

from pathlib import Path

from graph.sqlite_store import SqliteStore, default_store_path
from graph.store import GraphStore

__all__ = ["open_store"]


def open_store(store: Path | None, neo4j: str | None) -> GraphStore:
    """``--neo4j``/``NEO4J_URI`` wins; otherwise ``--store``/``COI_STORE``/the default file."""
    if neo4j:
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.from_env(uri=neo4j)
    return SqliteStore(store or default_store_path())
