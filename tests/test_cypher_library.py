"""The analysts' Cypher library: validated offline; EXPLAINed and cross-checked on a real Neo4j.

The ``neo4j`` tests load a small force (the example plus a second case against O3 and a
team under the Domestic Abuse Unit) and compare each pattern query with
:mod:`coi.queries.analyses.patterns`, and each allocation query with the engine's findings.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from coi.queries.cypher.library import LibraryError, load_library, parse, problems

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
T = TypeVar("T")
DAY = date(2023, 4, 1)
REQUIRED_IDS = {
    "current-allocations-shared-unit",
    "managers-investigating-own-staff",
    "repeat-subjects",
    "subjects-in-sensitive-units",
    "repeat-investigators",
}
GOOD = """// id: {id}
// title: A query
// description: Something analysts want,
//   over two lines.
// parameters: on: date = today; limit: int = 10
MATCH (meta:CoiMeta {{key: 'current'}})
WITH meta.gen AS g
{body}
"""
GOOD_BODY = "MATCH (c:Case) WHERE c.gen = g AND c.opened_on <= $on\nRETURN c.case_id\nLIMIT $limit"


def test_library_is_valid_and_complete() -> None:
    queries = load_library()
    assert {q.id for q in queries} >= REQUIRED_IDS
    for q in queries:
        assert q.title and q.description and q.cypher.rstrip().endswith("LIMIT $limit")
        assert {"on", "limit"} <= {p.name for p in q.parameters}


def test_parameters_resolve_to_driver_values() -> None:
    q = next(q for q in load_library() if q.id == "subjects-in-sensitive-units")
    params = q.params(DAY, limit=5)
    assert params["on"] == DAY and params["limit"] == 5 and params["inherit_tags"] is True
    assert params["tags"] == ["professional_standards", "domestic_abuse", "vawg", "safeguarding"]
    with pytest.raises(KeyError):
        q.params(DAY, nonsense=1)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.cypher"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_query_passes(tmp_path: Path) -> None:
    write(tmp_path, "good", GOOD.format(id="good", body=GOOD_BODY))
    [q] = load_library(tmp_path)
    assert q.description == "Something analysts want, over two lines."


BAD = {
    "write": (GOOD_BODY.replace("RETURN", "SET c.seen = true RETURN"), "not read-only"),
    "merge": ("MERGE (x:Case {case_id: $on})\nRETURN x\nLIMIT $limit", "not read-only"),
    "delete": (GOOD_BODY.replace("RETURN c.case_id", "DETACH DELETE c RETURN 1"), "not read-only"),
    "load-csv": ("LOAD CSV FROM $on AS row\nRETURN row\nLIMIT $limit", "not read-only"),
    "procedure": ("CALL dbms.listConfig() YIELD name\nRETURN name, $on\nLIMIT $limit", "not read-only"),
    "no-limit": (GOOD_BODY.replace("\nLIMIT $limit", "") + " // $limit", "LIMIT $limit"),
    "literal-limit": (GOOD_BODY.replace("LIMIT $limit", "LIMIT 10 // $limit"), "LIMIT $limit"),
    "unbounded": (GOOD_BODY.replace("(c:Case)", "(c:Case)-[:COUNTER_ALLEGATION_OF*1..]->(:Case)"), "upper bound"),
    "star": (GOOD_BODY.replace("(c:Case)", "(c:Case)-[*]-(:Case)"), "upper bound"),
    "too-deep": (GOOD_BODY.replace("(c:Case)", "(c:Case)-[:PART_OF*1..50]->(:Unit)"), "upper bound"),
    "qpp": (GOOD_BODY.replace("(c:Case)", "(c:Case) ((:Case)-->(:Case)){1,} (:Case)"), "quantified path"),
    "qpp-plus": (GOOD_BODY.replace("(c:Case)", "(c:Case) ((:Case)-->(:Case))+ (:Case)"), "quantified path"),
    "undeclared": (GOOD_BODY.replace("$on", "$when"), "$when is used but not declared"),
    "unused": (GOOD_BODY.replace("AND c.opened_on <= $on", ""), "'on' is declared but not used"),
    "role-literal": (
        GOOD_BODY.replace("c.opened_on <= $on", "c.case_type = 'domestic_abuse' AND $on IS NOT NULL"),
        "must be a parameter",
    ),
    "date-literal": (GOOD_BODY.replace("$on", "date('2023-01-01') AND $on IS NOT NULL"), "must be a parameter"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_queries_are_rejected(tmp_path: Path, name: str) -> None:
    body, message = BAD[name]
    write(tmp_path, name, GOOD.format(id=name, body=body))
    with pytest.raises(LibraryError, match=message.replace("$", r"\$").replace("(", r"\(")):
        load_library(tmp_path)


def test_header_problems(tmp_path: Path) -> None:
    text = GOOD.format(id="other", body=GOOD_BODY)
    header, body = parse(text.replace("// title: A query\n", "// colour: blue\n"))
    found = " | ".join(problems(header, body, tmp_path / "mine.cypher"))
    assert "no 'title'" in found and "unknown header field 'colour'" in found and "is not the file name" in found
    header, body = parse(text.replace("limit: int = 10", "limit: integer = 10"))
    assert "expected 'name:" in problems(header, body, tmp_path / "other.cypher")[0]


def test_generation_is_required(tmp_path: Path) -> None:
    text = "// id: nogen\n// title: t\n// description: d\n// parameters: limit: int = 5\nMATCH (c:Case) RETURN c LIMIT $limit"
    header, body = parse(text)
    assert any("current generation" in p for p in problems(header, body, tmp_path / "nogen.cypher"))


# --- against a real server -------------------------------------------------------------------


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cypher") / "force"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    extra = {
        "units": ["DAT,Domestic Abuse Team North,DAU,team,"],
        "postings": ["O3,DAT,2023-01-01,,Secondment,false,"],
        "cases": ["K8,conduct,2023-02-01,,,Second allegation"],
        "assignments": ["K8,O3,subject,,", "K8,O4,investigator,2023-02-05,", "K8,O1,supervisor,2023-02-05,"],
    }
    for table, rows in extra.items():
        with (folder / f"{table}.csv").open("a", encoding="utf-8") as handle:
            handle.writelines(r + "\n" for r in rows)
    return folder


@pytest.fixture(scope="module")
def neo4j(force: Path) -> Iterator[Any]:
    if not os.environ.get("NEO4J_URI"):
        pytest.skip("NEO4J_URI is not set: the Cypher library's server tests need a real Neo4j")
    from coi.graph.neo4j_store import Neo4jStore

    store = Neo4jStore.from_env()
    store.wipe()
    _load(store, force)
    yield store
    store.close()


def _load(store: Any, folder: Path) -> None:
    from coi.loaders.load import load_folder

    load_folder(folder, store)
    store.loaded_from, store.version = folder, store._meta().get("data_version")


def _ours(store: Any) -> bool:
    """Whether the server still holds what this module loaded (a shared server may be reloaded)."""
    return store._meta().get("data_version") == store.version


def stable(store: Any, read: Callable[[], T]) -> T:
    """``read()`` over this module's data, reloading it if someone else replaced it meanwhile."""
    for _ in range(3):
        if not _ours(store):
            _load(store, store.loaded_from)
        result = read()
        if _ours(store):
            return result
    pytest.fail("another process kept reloading the Neo4j database during this test; run it again alone")


def run(store: Any, query_id: str, explain: bool = False) -> list[dict[str, Any]]:
    """A library query's rows, run with its defaults on DAY."""
    q = next(q for q in load_library() if q.id == query_id)
    return stable(
        store, lambda: [dict(r) for r in store._query(("EXPLAIN " if explain else "") + q.cypher, **q.params(DAY))]
    )


@pytest.mark.neo4j
@pytest.mark.parametrize("query_id", sorted(q.id for q in load_library()))
def test_explain(neo4j: Any, query_id: str) -> None:
    assert run(neo4j, query_id, explain=True) == []


@pytest.mark.neo4j
def test_pattern_queries_agree_with_patterns_py(neo4j: Any) -> None:
    from coi.queries.analyses.patterns import patterns

    report = stable(neo4j, lambda: patterns(neo4j, DAY))
    subjects = {r["subject_id"]: [c["case_id"] for c in r["cases"]] for r in run(neo4j, "repeat-subjects")}
    assert subjects == {r.person_id: [v.case.case_id for v in r.cases] for r in report.repeat_subjects}
    assert subjects == {"O3": ["K2", "K8", "K1"]}
    [o3] = run(neo4j, "repeat-subjects")
    k8 = o3["cases"][1]
    assert k8["status"] == "open" and {(i["person_id"], i["role"]) for i in k8["investigators"]} == {
        ("O4", "investigator"),
        ("O1", "supervisor"),
    }

    sensitive = {
        (r["subject_id"], r["case_id"], r["unit_id"], r["tagged_unit_id"], tuple(r["tags"]))
        for r in run(neo4j, "subjects-in-sensitive-units")
    }
    assert sensitive == {
        (s.person_id, s.case.case_id, s.posting.unit_id, s.tagged_unit_id, s.tags) for s in report.sensitive_postings
    }
    assert sensitive == {("O3", "K1", "DAT", "DAU", ("domestic_abuse", "vawg", "safeguarding"))}

    pairs = {
        (r["investigator_id"], r["subject_id"]): [(c["case_id"], sorted(c["roles"])) for c in r["cases"]]
        for r in run(neo4j, "repeat-investigators")
    }
    assert pairs == {
        (r.investigator_id, r.subject_id): [(v.case.case_id, list(roles)) for v, roles in r.cases]
        for r in report.repeat_investigators
    }
    assert pairs == {("O4", "O3"): [("K8", ["investigator"]), ("K1", ["investigator"])]}


@pytest.mark.neo4j
def test_allocation_queries_agree_with_the_engine(neo4j: Any) -> None:
    from coi.queries.analyses.recheck import recheck
    from coi.queries.engine import Engine

    found = {
        (r.assignment.case_id, r.assignment.person_id, f.other_id, f.rule)
        for r in stable(neo4j, lambda: recheck(Engine(neo4j), DAY)).items
        for f in r.now.findings
    }

    def engine(rule: str) -> set[tuple[str, str, str]]:
        return {(c, p, o) for c, p, o, r in found if r == rule}

    shared = {
        (r["case_id"], r["investigator_id"], r["subject_id"]) for r in run(neo4j, "current-allocations-shared-unit")
    }
    assert shared == engine("SHARED_UNIT") == {("K1", "O4", "O3"), ("K6", "O4", "O2"), ("K8", "O4", "O3")}
    managers = run(neo4j, "managers-investigating-own-staff")
    assert {(r["case_id"], r["manager_id"], r["subject_id"]) for r in managers} == engine("MANAGES_SUBJECT")
    assert {(r["case_id"], r["manager_id"], r["subject_id"], r["how"]) for r in managers} == {
        ("K8", "O1", "O3", "line"),  # O3 -> O2 -> O1
        ("K8", "O1", "O3", "supervision"),  # O1 supervises NRD, which contains NRA
    }
    under = run(neo4j, "investigators-under-subjects-management")
    assert {(r["case_id"], r["investigator_id"], r["subject_id"]) for r in under} == engine("UNDER_MANAGEMENT")
    assert {(r["case_id"], r["investigator_id"], r["subject_id"], r["how"]) for r in under} == {
        ("K5", "O5", "O8", "line"),  # O5's PSI posting has line manager O8
        ("K5", "O5", "O8", "supervision"),  # O8 supervises PSD, which contains PSI
    }
