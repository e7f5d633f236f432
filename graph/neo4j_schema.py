"""Neo4j schema, ingestion Cypher and load transactions, generated from :data:`coi.graph.model.TABLES`.

Nothing here lists a table by hand: labels, keys, properties, relationships and indexes
all come from the model. Every node a load writes carries ``gen`` (the load's id), so
uniqueness is per (key, gen): one generation is current, the next is written beside it
(see docs/neo4j.md). Labels and relationship types only ever come from the model, never
from input; every value is a query parameter.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, fields
from datetime import date
from functools import cache
from typing import Any

import neo4j.time
from coi.graph.model import (
    TABLE_ORDER,
    TABLES,
    Assignment,
    Association,
    Case,
    Person,
    Posting,
    Relationship,
    Table,
    Unit,
)
from neo4j import ManagedTransaction

__all__ = [
    "EXTRA_INDEXES",
    "LABELS",
    "META",
    "NODE_KEYS",
    "PROJECTIONS",
    "begin_tx",
    "cell",
    "constraint_statements",
    "count_cypher",
    "delete_batch_tx",
    "flip_tx",
    "forget_tx",
    "index_statements",
    "ingest_cypher",
    "link_cypher",
    "node_key",
    "records",
    "row_params",
    "run_all_tx",
    "run_batch_tx",
    "schema_statements",
    "self_links",
    "table_match",
]

META = "CoiMeta"  # (:CoiMeta {key: 'current'}) holds the current generation
#: Properties the store derives (not input columns) and reads by, per table.
EXTRA_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {"assignments": (("role", "effective_start"),)}

#: label -> the property that identifies its nodes: a relationship target's key, else the table key.
NODE_KEYS: dict[str, str] = {r.target_label: r.target_key for t in TABLES.values() for r in t.relationships}
for _t in TABLES.values():
    NODE_KEYS.setdefault(_t.label, _t.key)
#: Every node label the store owns (generations of these are written and deleted).
LABELS: tuple[str, ...] = tuple(dict.fromkeys(TABLES[n].label for n in TABLE_ORDER))


def _slug(*parts: str) -> str:
    return "coi_" + "_".join(re.sub(r"(?<!^)(?=[A-Z])", "_", p).lower() for p in parts)


def node_key(table: Table) -> str:
    """The node property holding this table's key (officers' ``officer_id`` -> ``person_id``)."""
    return NODE_KEYS[table.label]


def table_match(table: Table, var: str = "n") -> tuple[str, str]:
    """(pattern, predicate) selecting exactly this table's nodes, e.g. people = Person, not Officer."""
    others = {x for t in TABLES.values() if t.label == table.label and t is not table for x in t.extra_labels}
    pattern = f"{var}:{_labels(table)}"
    predicate = " AND ".join(f"NOT {var}:{x}" for x in sorted(others - set(table.extra_labels)))
    return pattern, predicate


def _labels(table: Table) -> str:
    return ":".join((table.label, *table.extra_labels))


def _index_label(table: Table) -> str:
    return table.extra_labels[-1] if table.extra_labels else table.label


def constraint_statements() -> list[str]:
    """One uniqueness constraint per label on (key, gen), plus the metadata node's key."""
    out = [
        f"CREATE CONSTRAINT {_slug(label, 'key')} IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE (n.{NODE_KEYS[label]}, n.gen) IS UNIQUE"
        for label in LABELS
    ]
    out.append(f"CREATE CONSTRAINT coi_meta_key IF NOT EXISTS FOR (n:{META}) REQUIRE n.key IS UNIQUE")
    return out


def index_statements() -> list[str]:
    """Range indexes: ``gen`` per label, the model's ``indexes`` and the store's derived lookups."""
    wanted: dict[tuple[str, tuple[str, ...]], None] = {(label, ("gen",)): None for label in LABELS}
    for name in TABLE_ORDER:
        table = TABLES[name]
        for column in table.indexes:
            wanted[(_index_label(table), (column,))] = None
        for props in EXTRA_INDEXES.get(name, ()):
            wanted[(_index_label(table), props)] = None
    return [
        f"CREATE INDEX {_slug(label, *props)} IF NOT EXISTS FOR (n:{label}) ON ({', '.join(f'n.{p}' for p in props)})"
        for label, props in wanted
    ]


def schema_statements() -> list[str]:
    return constraint_statements() + index_statements()


def self_links(table: Table) -> tuple[Relationship, ...]:
    """Relationships to the table's own label: written after all its nodes exist."""
    return tuple(r for r in table.relationships if r.target_label == table.label)


def _hint(var: str, label: str, key: str) -> str:
    """Pin the (key, gen) constraint index: with few generations the planner may prefer ``gen``."""
    return f" USING INDEX SEEK {var}:{label}({key}, gen)"


def _rel_block(rel: Relationship) -> str:
    return (
        "CALL (n, row) {\n"
        f"  MATCH (t:{rel.target_label} {{{rel.target_key}: row.props.{rel.column}, gen: $gen}}){_hint('t', rel.target_label, rel.target_key)}\n"
        f"  CREATE (n)-[:{rel.type}]->(t)\n"
        "}\n"
    )


def ingest_cypher(table: Table) -> str:
    """Write one batch of ``$rows`` ({key, props}) into generation ``$gen``.

    CREATE, not MERGE: a generation is written once into an empty space (a retried
    transaction was rolled back first), and the (key, gen) constraint still rejects a
    duplicate. MERGE would read and lock before every write for nothing.

    Returns how many keys existed in generation ``$old`` (``kept``) and how many of those
    had the same ``row_hash`` (``same``), so the change report costs no extra round trip.
    """
    key, labels = node_key(table), _labels(table)
    text = f"UNWIND $rows AS row\nCREATE (n:{labels} {{{key}: row.key, gen: $gen}})\nSET n += row.props\n"
    others = [r for r in table.relationships if r not in self_links(table)]
    if others:
        text += "WITH n, row\n" + "".join(_rel_block(r) for r in others)
    text += "WITH row\n"
    predicate = table_match(table, "o")[1]
    return text + (
        f"OPTIONAL MATCH (o:{labels} {{{key}: row.key, gen: $old}}){_hint('o', table.label, key)}"
        + (f" WHERE {predicate}" if predicate else "")
        + "\nRETURN count(o) AS kept, sum(CASE WHEN o.row_hash = row.props.row_hash THEN 1 ELSE 0 END) AS same"
    )


def link_cypher(table: Table, rel: Relationship) -> str:
    """Write one self relationship (e.g. PART_OF) for a batch of ``$rows`` of generation ``$gen``."""
    key = node_key(table)
    return (
        f"UNWIND $rows AS row\nMATCH (n:{_labels(table)} {{{key}: row.key, gen: $gen}}){_hint('n', table.label, key)}\n"
        f"MATCH (t:{rel.target_label} {{{rel.target_key}: row.props.{rel.column}, gen: $gen}}){_hint('t', rel.target_label, rel.target_key)}\n"
        f"CREATE (n)-[:{rel.type}]->(t)"
    )


def count_cypher() -> str:
    """Node count per table in generation ``$gen``, one column per table."""
    parts = []
    for name in TABLE_ORDER:
        pattern, predicate = table_match(TABLES[name])
        extra = f" AND {predicate}" if predicate else ""
        parts.append(f"CALL () {{ MATCH ({pattern}) WHERE n.gen = $gen{extra} RETURN count(n) AS {name} }}")
    return "\n".join(parts) + "\nRETURN " + ", ".join(TABLE_ORDER)


def row_params(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A dataset row as ``{key, props}``: blanks omitted, tags as a list, ``extra`` as JSON text."""
    props: dict[str, Any] = {}
    for f in table.fields:
        value = row.get(f.name)
        if f.name == table.key or value is None or value == ():
            continue
        props[f.name] = list(value) if f.kind == "tags" else value
    if row.get("extra"):
        props["extra_json"] = json.dumps(row["extra"], ensure_ascii=False)
    props["row_hash"] = row["row_hash"]
    return {"key": row[table.key], "props": props}


# --- records from nodes (the read side) ------------------------------------------------------
def _is_date(f: Any) -> bool:
    return f.type in ("date", "date | None")


def _projection(cls: type, **computed: str) -> str:
    """A Cypher list of node ``n``'s values, in the record's field order (some computed).

    A list, not a map, and dates as ISO text: a check decodes thousands of records, and
    the driver's per-value work (map keys, ``neo4j.time.Date`` objects) was most of its time.
    """
    items = []
    for f in fields(cls):
        value = computed.get(f.name, f"n.{f.name}")
        items.append(f"toString({value})" if _is_date(f) else value)
    return "[" + ", ".join(items) + "]"


PROJECTIONS: dict[type, str] = {
    Unit: _projection(Unit),
    Person: _projection(Person, is_officer="n:Officer"),
    Posting: _projection(Posting),
    Case: _projection(Case),
    Assignment: _projection(Assignment, start_date="n.effective_start"),
    Association: _projection(Association),
}


def _native(value: Any) -> Any:
    if isinstance(value, neo4j.time.Date):
        return value.to_native()
    return tuple(value) if isinstance(value, list) else value


@cache
def _converters(cls: type) -> tuple[tuple[int, Any, Any], ...]:
    """Per field whose stored value needs work: (index, default, conversion or None)."""
    out = []
    for i, f in enumerate(fields(cls)):
        default = None if f.default is MISSING else f.default
        convert = date.fromisoformat if _is_date(f) else tuple if f.type.startswith("tuple") else None
        if default is not None or convert is not None:
            out.append((i, default, convert))
    return tuple(out)


def records(cls: type, rows: list[list[Any]]) -> list[Any]:
    """Model records from :data:`PROJECTIONS` lists; a missing property takes the field's default."""
    steps = _converters(cls)
    out = []
    for values in rows:
        for i, default, convert in steps:
            value = values[i]
            if value is None:
                values[i] = default
            elif convert is not None:
                values[i] = convert(value)
        out.append(cls(*values))
    return out


def cell(value: Any) -> Any:
    """A property as the embedded store's table_rows shows it (text cells)."""
    value = _native(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else value


# --- transaction functions for loads (idempotent: execute_write may retry them) ---------------
def run_all_tx(tx: ManagedTransaction, statements: list[str]) -> None:
    for statement in statements:
        tx.run(statement).consume()


def run_batch_tx(tx: ManagedTransaction, query: str, rows: list[dict], gen: str, old: str | None) -> tuple[int, int]:
    record = tx.run(query, rows=rows, gen=gen, old=old).single()
    return (0, 0) if record is None else (record["kept"], record["same"])


def delete_batch_tx(tx: ManagedTransaction, match: str, gen: str | None, limit: int) -> int:
    query = f"{match} WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS c"
    return tx.run(query, gen=gen, limit=limit).single(strict=True)["c"]


def begin_tx(tx: ManagedTransaction, gen: str) -> tuple[str | None, list[str]]:
    """Register ``gen`` as pending; return the current generation and older pending ones."""
    record = tx.run(
        f"MERGE (m:{META} {{key: 'current'}}) WITH m, coalesce(m.pending, []) AS stale "
        "SET m.pending = stale + $gen RETURN m.gen AS current, stale",
        gen=gen,
    ).single(strict=True)
    return record["current"], [g for g in record["stale"] if g != gen]


def flip_tx(tx: ManagedTransaction, gen: str, old: str | None, meta: dict[str, Any]) -> bool:
    """Make ``gen`` current unless a later load has since claimed the store."""
    record = tx.run(
        f"MATCH (m:{META} {{key: 'current'}}) WHERE $gen IN coalesce(m.pending, []) "
        "SET m += $meta, m.gen = $gen, "
        "m.pending = [x IN m.pending WHERE x <> $gen] + CASE WHEN $old IS NULL THEN [] ELSE [$old] END "
        "RETURN m.gen AS gen",
        gen=gen,
        old=old,
        meta=meta,
    ).single()
    return record is not None


def forget_tx(tx: ManagedTransaction, gens: list[str]) -> None:
    tx.run(
        f"MATCH (m:{META} {{key: 'current'}}) SET m.pending = [x IN coalesce(m.pending, []) WHERE NOT x IN $gens]",
        gens=gens,
    ).consume()
