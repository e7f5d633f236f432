"""Cypher text for the Neo4j store's reads: the current generation, index-pinned seeks, and
the one query that returns a check's whole neighbourhood (``Neo4jStore.neighbourhood``)."""

from __future__ import annotations

from functools import cache

from coi.graph import neo4j_schema as schema
from coi.graph.model import Assignment, Association, Case, Person, Posting

__all__ = ["CURRENT", "neighbourhood_cypher", "seek"]

CURRENT = f"MATCH (m:{schema.META} {{key: 'current'}}) WITH m.gen AS g\n"


def seek(label: str, prop: str, ids: str, var: str = "n", where: str = "", index: str | None = None) -> str:
    """MATCH the current generation's ``label`` nodes whose ``prop`` is in ``ids``, through its
    index (``index``: another one, pinned by the hint instead)."""
    index = index or (f"{prop}, gen" if schema.NODE_KEYS.get(label) == prop else prop)
    return f"MATCH ({var}:{label}) USING INDEX SEEK {var}:{label}({index}) WHERE {var}.{prop} IN {ids} AND {var}.gen = g{where}"


def _union(first: str, second: str, scope: str = "g") -> str:
    """Nodes ``n`` matched by either part, without duplicates (a CALL of their own)."""
    return f"CALL ({scope}) {{ {first} RETURN n UNION {second} RETURN n }}"


def _closure(start: str, follow: str, to: str, levels: int) -> str:
    """``start`` and everyone up to ``levels`` steps from it, as ``seen`` (in a CALL of its own).

    A step from person x over days [s, e] goes through a posting with ``follow`` = x that
    overlaps [s, e], to its ``to``, over the days they share (the frontier holds [id, s, e]).
    """
    text = f"WITH g, [x IN {start} | [x, $start, $end]] AS f, {start} AS seen, [] AS done\n"
    for _ in range(levels):
        text += (
            "CALL (g, f, done) { UNWIND f AS item "
            f"MATCH (q:Posting) USING INDEX SEEK q:Posting({follow}) WHERE q.{follow} = item[0] AND q.gen = g "
            f"AND q.start_date <= item[2] AND (q.end_date IS NULL OR q.end_date >= item[1]) AND q.{to} IS NOT NULL "
            f"WITH DISTINCT [q.{to}, CASE WHEN q.start_date > item[1] THEN q.start_date ELSE item[1] END, "
            "CASE WHEN q.end_date IS NULL OR q.end_date > item[2] THEN item[2] ELSE q.end_date END] AS next "
            "WHERE NOT next IN done RETURN collect(next) AS x }\n"
            "WITH g, x AS f, seen + [i IN x | i[0]] AS seen, done + x AS done\n"
        )
    return text


@cache
def neighbourhood_cypher(levels: int) -> str:
    """One query for ``Neo4jStore.neighbourhood``: every part a collected list, one record in all."""
    p = schema.PROJECTIONS
    linked = _union(
        seek("Case", "counter_allegation_of", "[$case]"),
        f"{seek('Case', 'case_id', '[$case]', 'c')} "
        "MATCH (n:Case {case_id: c.counter_allegation_of, gen: g}) USING INDEX SEEK n:Case(case_id, gen)",
    )
    associations = _union(
        seek("Association", "person_a", "around"), seek("Association", "person_b", "around"), "g, around"
    )
    return f"""{CURRENT}CALL (g) {{ {linked} RETURN collect({p[Case]}) AS linked }}
WITH g, linked, [$case] + [r IN linked | r[0]] AS dispute
CALL (g, dispute) {{ {seek("Assignment", "case_id", "dispute")} RETURN collect({p[Assignment]}) AS on_dispute }}
WITH g, linked, dispute, on_dispute, $people + [r IN on_dispute | r[2]] AS around,
  $people + [r IN on_dispute WHERE r[3] IN $roles | r[2]] AS chains
CALL (g) {{ {seek("Assignment", "person_id", "$people")} RETURN collect({p[Assignment]}) AS own }}
WITH g, linked, dispute, on_dispute, around, chains, own, [r IN own | r[1]] AS history
CALL (g, history) {{ {seek("Case", "case_id", "[$case] + history")} RETURN collect({p[Case]}) AS cases }}
CALL (g, history, dispute) {{
  {seek("Assignment", "case_id", "history", where=" AND NOT n.case_id IN dispute")} RETURN collect({p[Assignment]}) AS on_history
}}
CALL (g, around) {{ {seek("Person", "person_id", "around")} RETURN collect({p[Person]}) AS people }}
CALL (g, around) {{ {associations} RETURN collect({p[Association]}) AS associations }}
CALL (g, around, chains) {{
{_closure("chains", "officer_id", "line_manager_id", levels)}  CALL (g, around, seen) {{ {seek("Posting", "officer_id", "around + seen")} RETURN collect({p[Posting]}) AS postings }}
  RETURN postings, seen AS above
}}
CALL (g, chains) {{
{_closure("chains", "line_manager_id", "officer_id", levels)}  CALL (g, seen) {{ {seek("Posting", "line_manager_id", "seen")} RETURN collect({p[Posting]}) AS reports }}
  RETURN reports, seen AS below
}}
RETURN linked, on_dispute, own, cases, on_history, people, associations, postings, above, reports, below"""
