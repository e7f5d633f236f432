"""What a load would add, change and remove, against a store, without writing anything.

The same per-row hashes a load compares (``row_hash``), read from the store's rows.
"""

from __future__ import annotations

from coi.graph.model import TABLE_ORDER, TABLES
from coi.graph.store import Dataset, GraphStore, TableChange

__all__ = ["compare"]


def compare(dataset: Dataset, store: GraphStore) -> dict[str, TableChange]:
    """Per table: rows a load of ``dataset`` would add, change, leave unchanged and remove."""
    changes = {}
    for name in TABLE_ORDER:
        key = TABLES[name].key
        rows = dataset.tables.get(name)
        frame = getattr(rows, "frame", None)
        if frame is not None:
            new = dict(zip(frame[key], frame["row_hash"], strict=True))
        else:
            new = {r[key]: r["row_hash"] for r in rows or ()}
        old = {r[key]: r["row_hash"] for r in store.table_rows(name)}  # type: ignore[attr-defined]
        kept = new.keys() & old.keys()
        same = sum(1 for k in kept if new[k] == old[k])
        changes[name] = TableChange(len(new) - len(kept), len(kept) - same, same, len(old) - len(kept))
    return changes
