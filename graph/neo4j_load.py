"""The Neo4j store's one write: a new generation beside the current one, then a flip.

A load claims a generation (``begin_tx``), writes every table into it, checks its counts,
lets ``before_commit`` see the change report, and flips ``(:CoiMeta {key: 'current'})`` to
it. A later load that starts meanwhile takes the store over: it drops the earlier load's
unfinished generation, and the earlier load, which checks its claim after every table,
stops with a clear message and changes nothing. See docs/neo4j.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from coi.graph import neo4j_schema as schema
from coi.graph.model import TABLE_ORDER, TABLES, Table
from coi.graph.store import Dataset, LoadSummary, StoreError, TableChange, data_version

__all__ = ["BATCH_SIZE", "SCHEMA_VERSION", "Neo4jLoads"]

#: Rows per write transaction (measured on a generated force: see docs/neo4j.md).
BATCH_SIZE = 5_000
DELETE_BATCH = 10_000
SCHEMA_VERSION = "1"
Progress = Callable[[str, int, int], None]
TAKEN_OVER = (
    "another `coi load` started on this database while this one ran and took it over; "
    "this load changed nothing (the other load's data is what the store will hold)"
)
CLAIMED = f"MATCH (m:{schema.META} {{key: 'current'}}) RETURN $gen IN coalesce(m.pending, []) AS mine"


class Neo4jLoads:
    """The load side of :class:`coi.graph.neo4j_store.Neo4jStore` (it supplies ``_query``, ``_write``, ``_meta``)."""

    _query: Callable[..., list[Any]]
    _write: Callable[..., Any]
    _meta: Callable[[], dict[str, Any]]
    _units: Any
    _checked: bool

    def replace(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        before_commit: Callable[[LoadSummary], None] | None = None,
    ) -> LoadSummary:
        """Write ``dataset`` as a new generation, check its counts, flip to it, drop the old one."""
        self._ensure_schema()
        gen = uuid.uuid4().hex[:16]
        previous = self._meta()
        old, stale = self._write(schema.begin_tx, gen)
        self._drop(stale)
        unreadable = ""
        if old and previous.get("schema_version") != SCHEMA_VERSION:
            unreadable = f"it was written by another version of coi (schema version {previous.get('schema_version')})"
        try:
            summary = self._load(dataset, gen, None if unreadable else old, progress)
            summary.previous_unreadable = unreadable
            if before_commit:
                before_commit(summary)
            meta = {
                "data_version": summary.data_version,
                "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "source": dataset.source,
                "schema_version": SCHEMA_VERSION,
            }
            if not self._write(schema.flip_tx, gen, old, meta):
                raise StoreError(TAKEN_OVER)
        except BaseException:
            with suppress(Exception):
                if self._meta().get("gen") != gen:
                    self._drop([gen])
            raise
        with suppress(StoreError):  # the load is done; if this fails, the next load deletes it
            self._drop([old] if old else [])
        self._units, self._checked = None, True
        return summary

    def _still_claimed(self, gen: str) -> None:
        records = self._query(CLAIMED, gen=gen)
        if not records or not records[0]["mine"]:
            raise StoreError(TAKEN_OVER)

    def _ensure_schema(self) -> None:
        have = {r["name"] for r in self._query("SHOW INDEXES YIELD name")}
        missing = [s for s in schema.schema_statements() if s.split()[2] not in have]
        if missing:
            self._write(schema.run_all_tx, missing)
            self._query("CALL db.awaitIndexes(300)")

    def _load(self, dataset: Dataset, gen: str, old: str | None, progress: Progress | None) -> LoadSummary:
        before = self._query(schema.count_cypher(), gen=old)[0]
        opened = {r["case_id"]: r["opened_on"] for r in dataset.tables.get("cases", ())}
        summary = LoadSummary(data_version=data_version(dataset))
        for name in TABLE_ORDER:
            rows = dataset.tables.get(name, [])
            kept, same = self._write_table(TABLES[name], rows, gen, old, opened, progress)
            summary.tables[name] = TableChange(len(rows) - kept, kept - same, same, before[name] - kept)
            self._still_claimed(gen)
        after = self._query(schema.count_cypher(), gen=gen)[0]
        for name in TABLE_ORDER:
            if after[name] != dataset.count(name):
                self._still_claimed(gen)
                raise StoreError(
                    f"load check failed: {after[name]} {name} written, {dataset.count(name)} expected (another load "
                    "may have taken the store over); the previous data is still current"
                )
        return summary

    def _write_table(
        self,
        table: Table,
        rows: Sequence[dict[str, Any]],
        gen: str,
        old: str | None,
        opened: dict,
        progress: Progress | None,
    ) -> tuple[int, int]:
        """Write one table in batches (nodes, then its self relationships); return (kept, same)."""
        kept = same = 0
        node_query = schema.ingest_cypher(table)
        for start in range(0, len(rows), BATCH_SIZE):
            batch = [schema.row_params(table, r) for r in rows[start : start + BATCH_SIZE]]
            if table.name == "assignments":
                for params, row in zip(batch, rows[start : start + BATCH_SIZE], strict=True):
                    params["props"]["effective_start"] = row.get("start_date") or opened.get(row["case_id"])
            k, s = self._write(schema.run_batch_tx, node_query, batch, gen, old)
            kept, same = kept + k, same + s
            if progress:
                progress(table.name, min(start + BATCH_SIZE, len(rows)), len(rows))
        for rel in schema.self_links(table):
            linked = [schema.row_params(table, r) for r in rows if r.get(rel.column)]
            for start in range(0, len(linked), BATCH_SIZE):
                self._write(
                    schema.run_batch_tx, schema.link_cypher(table, rel), linked[start : start + BATCH_SIZE], gen, old
                )
        if progress and not rows:
            progress(table.name, 0, 0)
        return kept, same

    def _drop(self, gens: Iterable[str]) -> None:
        """Delete whole generations in batches, then forget them in the metadata."""
        gens = [g for g in gens if g]
        for gen in gens:
            self._delete(schema.LABELS, "{gen: $gen}", gen)
        if gens:
            self._write(schema.forget_tx, gens)

    def _delete(self, labels: Sequence[str], where: str, gen: str | None) -> None:
        # leaves first (postings, assignments, ...): a batch never drags a unit's or a person's
        # thousands of relationships into one transaction
        for label in reversed(labels):
            while self._write(schema.delete_batch_tx, f"MATCH (n:{label} {where})", gen, DELETE_BATCH) == DELETE_BATCH:
                pass

    def wipe(self) -> None:
        """Delete every node the store owns, in batches (tests and benchmarks); keep the schema."""
        self._delete((schema.META, *schema.LABELS), "", None)
        self._units, self._checked = None, False
