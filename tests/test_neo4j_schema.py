"""The generated Neo4j schema and ingestion Cypher (pure: no server needed)."""

from __future__ import annotations

from datetime import date

import pytest
from coi.graph import neo4j_schema as schema
from coi.graph.model import TABLES
from coi.graph.neo4j_store import Neo4jStore
from coi.graph.store import StoreError

POSTINGS_CYPHER = """\
UNWIND $rows AS row
CREATE (n:Posting {posting_id: row.key, gen: $gen})
SET n += row.props
WITH n, row
CALL (n, row) {
  MATCH (t:Person {person_id: row.props.officer_id, gen: $gen}) USING INDEX SEEK t:Person(person_id, gen)
  CREATE (n)-[:HELD_BY]->(t)
}
CALL (n, row) {
  MATCH (t:Unit {unit_id: row.props.unit_id, gen: $gen}) USING INDEX SEEK t:Unit(unit_id, gen)
  CREATE (n)-[:IN_UNIT]->(t)
}
CALL (n, row) {
  MATCH (t:Person {person_id: row.props.line_manager_id, gen: $gen}) USING INDEX SEEK t:Person(person_id, gen)
  CREATE (n)-[:LINE_MANAGED_BY]->(t)
}
WITH row
OPTIONAL MATCH (o:Posting {posting_id: row.key, gen: $old}) USING INDEX SEEK o:Posting(posting_id, gen)
RETURN count(o) AS kept, sum(CASE WHEN o.row_hash = row.props.row_hash THEN 1 ELSE 0 END) AS same"""

PEOPLE_CYPHER = """\
UNWIND $rows AS row
CREATE (n:Person {person_id: row.key, gen: $gen})
SET n += row.props
WITH row
OPTIONAL MATCH (o:Person {person_id: row.key, gen: $old}) USING INDEX SEEK o:Person(person_id, gen) WHERE NOT o:Officer
RETURN count(o) AS kept, sum(CASE WHEN o.row_hash = row.props.row_hash THEN 1 ELSE 0 END) AS same"""

UNITS_LINK = """\
UNWIND $rows AS row
MATCH (n:Unit {unit_id: row.key, gen: $gen}) USING INDEX SEEK n:Unit(unit_id, gen)
MATCH (t:Unit {unit_id: row.props.parent_unit_id, gen: $gen}) USING INDEX SEEK t:Unit(unit_id, gen)
CREATE (n)-[:PART_OF]->(t)"""


def test_postings_cypher_is_pinned() -> None:
    assert schema.ingest_cypher(TABLES["postings"]) == POSTINGS_CYPHER


def test_people_cypher_excludes_officers_on_the_old_side() -> None:
    assert schema.ingest_cypher(TABLES["people"]) == PEOPLE_CYPHER
    assert schema.ingest_cypher(TABLES["officers"]).startswith(
        "UNWIND $rows AS row\nCREATE (n:Person:Officer {person_id: row.key, gen: $gen})"
    )


def test_self_relationships_are_written_after_their_nodes() -> None:
    (part_of,) = schema.self_links(TABLES["units"])
    assert schema.link_cypher(TABLES["units"], part_of) == UNITS_LINK
    assert "PART_OF" not in schema.ingest_cypher(TABLES["units"])
    assert [r.type for r in schema.self_links(TABLES["cases"])] == ["COUNTER_ALLEGATION_OF"]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_has_a_uniqueness_constraint(name: str) -> None:
    table = TABLES[name]
    key = schema.node_key(table)
    wanted = f"FOR (n:{table.label}) REQUIRE (n.{key}, n.gen) IS UNIQUE"
    assert any(wanted in s for s in schema.constraint_statements())


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_relationship_and_index_of_the_model_is_generated(name: str) -> None:
    table = TABLES[name]
    text = schema.ingest_cypher(table) + "".join(schema.link_cypher(table, r) for r in schema.self_links(table))
    for rel in table.relationships:
        target = f"(t:{rel.target_label} {{{rel.target_key}: row.props.{rel.column}, gen: $gen}})"
        assert f"MATCH {target} USING INDEX SEEK t:{rel.target_label}({rel.target_key}, gen)" in text
        assert f"CREATE (n)-[:{rel.type}]->(t)" in text
    indexes = "\n".join(schema.index_statements())
    for column in table.indexes:
        assert f"ON (n.{column})" in indexes


def test_officers_and_people_share_the_person_key() -> None:
    assert schema.node_key(TABLES["officers"]) == schema.node_key(TABLES["people"]) == "person_id"
    assert schema.table_match(TABLES["people"]) == ("n:Person", "NOT n:Officer")
    assert schema.table_match(TABLES["officers"]) == ("n:Person:Officer", "")


def test_schema_statements_are_idempotent_and_uniquely_named() -> None:
    statements = schema.schema_statements()
    assert all(" IF NOT EXISTS " in s for s in statements)
    names = [s.split()[2] for s in statements]
    assert len(names) == len(set(names)) and all(n.startswith("coi_") for n in names)
    assert "ON (n.role, n.effective_start)" in "\n".join(statements)


def test_row_params_keep_types_and_drop_blanks() -> None:
    row = {
        "unit_id": "U1",
        "name": "Unit <1> & 'co'",
        "parent_unit_id": None,
        "kind": "team",
        "tags": ("vawg", "safeguarding"),
        "extra": {"cost_centre": "ü7"},
        "row_hash": "abc",
    }
    assert schema.row_params(TABLES["units"], row) == {
        "key": "U1",
        "props": {
            "name": "Unit <1> & 'co'",
            "kind": "team",
            "tags": ["vawg", "safeguarding"],
            "extra_json": '{"cost_centre": "ü7"}',
            "row_hash": "abc",
        },
    }
    posting = {"posting_id": "P", "officer_id": "O1", "unit_id": "U1", "start_date": date(2020, 1, 31)}
    props = schema.row_params(TABLES["postings"], {**posting, "supervisor": False, "extra": {}, "row_hash": "h"})
    assert props["props"] == {
        "officer_id": "O1",
        "unit_id": "U1",
        "start_date": date(2020, 1, 31),
        "supervisor": False,
        "row_hash": "h",
    }


def test_from_env_without_a_uri_is_a_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(StoreError, match="NEO4J_URI"):
        Neo4jStore.from_env()


def test_refused_connection_is_one_safe_line() -> None:
    store = Neo4jStore("bolt://127.0.0.1:1", "neo4j", "pw-never-shown-42")
    with pytest.raises(StoreError) as caught:
        store.info()
    message = str(caught.value)
    assert message.startswith("cannot reach Neo4j at bolt://127.0.0.1:1")
    assert "pw-never-shown-42" not in message and "\n" not in message


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_lookup_in_a_load_pins_an_index_seek(name: str) -> None:
    """Plans cached while a label was nearly empty would otherwise scan whole indexes per row."""
    table = TABLES[name]
    text = (
        schema.ingest_cypher(table) + "\n" + "\n".join(schema.link_cypher(table, r) for r in schema.self_links(table))
    )
    lookups = [line for line in text.splitlines() if "MATCH (" in line]
    assert lookups and all("USING INDEX SEEK" in line for line in lookups)
