"""The Neo4j store: the same batched reads as the embedded store, over a Neo4j 5.26+ server.

Loads write a complete new *generation* of nodes (every node carries ``gen``) beside the
current one, check it, then flip ``(:CoiMeta {key: 'current'}).gen`` in one small
transaction and delete the old generation in batches. Every read finds the current
generation inside its own query, so a failed or killed load is never visible: its nodes
belong to a generation nobody reads, and the next load deletes them. See docs/neo4j.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import fields
from datetime import date
from operator import attrgetter
from typing import Any

from coi.graph import neo4j_schema as schema
from coi.graph.model import TABLES, Assignment, Association, Case, Person, Posting, Unit
from coi.graph.neo4j_load import BATCH_SIZE, SCHEMA_VERSION, Neo4jLoads
from coi.graph.neo4j_reads import CURRENT, neighbourhood_cypher, seek
from coi.graph.store import (
    Neighbourhood,
    StoreChanged,
    StoreError,
    StoreInfo,
    StoreMissing,
    chunks,
    group_records,
)
from neo4j import READ_ACCESS, Driver, GraphDatabase, RoutingControl, Transaction
from neo4j.exceptions import AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

__all__ = ["BATCH_SIZE", "Neo4jStore"]


class Neo4jStore(Neo4jLoads):
    """A :class:`coi.graph.store.GraphStore` over a Neo4j database (loads: :class:`Neo4jLoads`)."""

    def __init__(
        self,
        uri: str,
        username: str = "neo4j",
        password: str | None = None,
        database: str = "neo4j",
        pinned: str | None = None,
    ):
        self.uri = re.sub(r"//[^@/]*@", "//", uri)  # never keep credentials embedded in a URI
        self.database = database
        self._target, self._username, self._password = uri, username, password
        self._driver: Driver | None = None
        self._checked = False
        self._units: dict[str, Unit] | None = None
        self._tx: Transaction | None = None  # the open read transaction of ``reading()``, if any
        self._pinned = pinned  # the generation a long piece of work reads (``pin``)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Pickles as its connection settings and pin: another process opens its own driver."""
        return (Neo4jStore, (self._target, self._username, self._password, self.database, self._pinned))

    @classmethod
    def from_env(cls, uri: str | None = None) -> Neo4jStore:
        """``uri`` or NEO4J_URI, with NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE (default neo4j)."""
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            raise StoreError("no Neo4j URI: set NEO4J_URI or pass --neo4j URI")
        env = os.environ.get
        return cls(uri, env("NEO4J_USERNAME") or "neo4j", env("NEO4J_PASSWORD"), env("NEO4J_DATABASE") or "neo4j")

    # --- connection and errors -----------------------------------------------------------
    def _message(self, exc: BaseException) -> str:
        text = " ".join(str(getattr(exc, "message", None) or exc).split())[:300]
        if self._password:
            text = text.replace(self._password, "***")
        if isinstance(exc, AuthError):
            return (
                f"Neo4j at {self.uri} refused user {self._username!r}: {text} (check NEO4J_USERNAME / NEO4J_PASSWORD)"
            )
        if isinstance(exc, ServiceUnavailable | SessionExpired | OSError):
            return f"cannot reach Neo4j at {self.uri}: {text} (check NEO4J_URI / credentials)"
        return f"Neo4j error at {self.uri} (database {self.database}): {text}"

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (Neo4jError, DriverError, OSError, ValueError) as exc:
            raise StoreError(self._message(exc)) from None

    @property
    def driver(self) -> Driver:
        if self._driver is None:
            auth = (self._username, self._password) if self._password is not None else None
            with self._guard():
                driver = GraphDatabase.driver(
                    self._target, auth=auth, notifications_min_severity="OFF", connection_timeout=15
                )
                try:
                    driver.verify_connectivity()  # fail fast: queries would retry for 30 s
                except BaseException:
                    driver.close()
                    raise
            self._driver = driver
        return self._driver

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        self._units = None
        self._checked = False

    def _query(self, query: str, **params: Any) -> list[Any]:
        driver = self.driver
        with self._guard():
            if self._tx is not None:
                return list(self._tx.run(query, params))
            return driver.execute_query(query, params, routing_=RoutingControl.READ, database_=self.database).records

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Run the reads inside in one read transaction (re-entrant).

        A check's ~27 queries then cost one round trip each instead of a transaction each
        (docs/neo4j.md), and they share one session.
        """
        if self._tx is not None:
            yield
            return
        driver = self.driver
        with self._guard():
            session = driver.session(
                database=self.database,
                default_access_mode=READ_ACCESS,
                bookmark_manager=driver.execute_query_bookmark_manager,
            )
            try:
                self._tx = session.begin_transaction()
            except BaseException:
                session.close()
                raise
        try:
            yield
        finally:
            tx, self._tx = self._tx, None
            with suppress(Exception):  # a read transaction: closing it rolls back nothing of value
                tx.close()
            with suppress(Exception):
                session.close()

    def _write(self, fn: Callable[..., Any], *args: Any) -> Any:
        driver = self.driver
        with (
            self._guard(),
            driver.session(database=self.database, bookmark_manager=driver.execute_query_bookmark_manager) as session,
        ):
            return session.execute_write(fn, *args)

    def _meta(self) -> dict[str, Any]:
        records = self._query(f"MATCH (m:{schema.META} {{key: 'current'}}) RETURN m {{.*}} AS m")
        return dict(records[0]["m"]) if records else {}

    def _ready(self) -> None:
        """Once per instance: the server answers and holds a generation this version reads."""
        if not self._checked:
            meta = self._meta()
            if not meta.get("gen"):
                raise StoreMissing(
                    f"no coi data in Neo4j at {self.uri} (database {self.database}): run `coi load DIR` first"
                )
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise StoreError(
                    f"the coi data in Neo4j at {self.uri} (database {self.database}) was written by another "
                    f"version of coi (schema version {meta.get('schema_version') or 'none'}; this version reads "
                    f"{SCHEMA_VERSION}): reload it with `coi load DIR`"
                )
            self._checked = True

    def pin(self) -> None:
        """Take the current generation as the one to read: reads still name the current one in
        their own query, and :meth:`check_pinned` says whether it has stayed the same."""
        self._ready()
        self._pinned = self._meta().get("gen")

    def check_pinned(self) -> None:
        """A flip is one-way and the old generation is deleted only after it: while the pinned
        generation is still current, every read since :meth:`pin` was of it, complete."""
        if self._pinned is not None and self._meta().get("gen") != self._pinned:
            raise StoreChanged(
                f"the coi data in Neo4j at {self.uri} (database {self.database}) was replaced by a load "
                "while this command read it"
            )

    # --- reads ---------------------------------------------------------------------------
    def _fetch(
        self,
        cls: type,
        match: str,
        ids: Iterable[str] | None = None,
        order: Callable | None = None,
        packed: bool | None = None,
        **params: Any,
    ) -> list[Any]:
        """Records matched by ``match`` (``n`` in generation ``g``), one round trip per id batch.

        Each batch is sorted like the embedded store's index order (lookup column, then id),
        so the engine, which keeps the first evidence it meets, explains things identically.

        ``packed`` (the default for id batches): the server sends one record holding every
        row as a list. The driver's cost is per record (a message each, decoded in Python),
        so this made a check's reads several times cheaper; but the server builds that list
        in memory, so whole-table reads stream a record per row instead.
        """
        self._ready()
        packed = ids is not None if packed is None else packed
        projection = schema.PROJECTIONS[cls]
        query = f"{CURRENT}{match}\nRETURN " + (f"collect({projection}) AS rs" if packed else f"{projection} AS r")
        key = order or attrgetter(fields(cls)[0].name)
        out: list[Any] = []
        for batch in [None] if ids is None else chunks(ids):
            records = self._query(query, ids=batch, **params)
            rows = records[0]["rs"] if packed else [rec["r"] for rec in records]
            out.extend(sorted(schema.records(cls, rows), key=key))
        return out

    def _by(
        self,
        cls: type,
        label: str,
        prop: str,
        ids: Iterable[str],
        where: str = "",
        order: Callable | None = None,
        index: str | None = None,
        packed: bool | None = None,
        **params: Any,
    ) -> list[Any]:
        """Records whose ``prop`` is one of ``ids``, through that property's index (pinned by a hint)."""
        match = seek(label, prop, "$ids", where=where, index=index)
        return self._fetch(cls, match, ids, order or attrgetter(prop, fields(cls)[0].name), packed, **params)

    def info(self) -> StoreInfo:
        self._ready()
        meta = self._meta()
        counts = self._query(schema.count_cypher(), gen=meta["gen"])[0]
        location = f"{self.uri} (database {self.database})"
        return StoreInfo(location, meta.get("data_version", ""), meta.get("loaded_at", ""), dict(counts))

    def units(self) -> Mapping[str, Unit]:
        if self._units is None:
            self._units = {u.unit_id: u for u in self._fetch(Unit, "MATCH (n:Unit) WHERE n.gen = g")}
        return self._units

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        people = self._by(Person, "Person", "person_id", ids, order=lambda p: (not p.is_officer, p.person_id))
        return {p.person_id: p for p in people}

    def serving_officers(self, on: date) -> list[Person]:
        match = (
            "MATCH (n:Officer) WHERE n.gen = g AND (n.joined_on IS NULL OR n.joined_on <= $on) "
            "AND (n.left_on IS NULL OR n.left_on >= $on)"
        )
        return self._fetch(Person, match, on=on)

    def cases(self, ids: Iterable[str]) -> dict[str, Case]:
        return {c.case_id: c for c in self._by(Case, "Case", "case_id", ids)}

    def all_cases(self) -> list[Case]:
        return self._fetch(Case, "MATCH (n:Case) WHERE n.gen = g")

    def cases_linked_to(self, case_ids: Iterable[str]) -> list[Case]:
        match = (
            "CALL (g) { MATCH (n:Case) USING INDEX SEEK n:Case(counter_allegation_of) "
            "WHERE n.counter_allegation_of IN $ids AND n.gen = g RETURN n UNION "
            "MATCH (c:Case) USING INDEX SEEK c:Case(case_id, gen) WHERE c.case_id IN $ids AND c.gen = g "
            "MATCH (n:Case {case_id: c.counter_allegation_of, gen: g}) USING INDEX SEEK n:Case(case_id, gen) RETURN n }"
        )
        return list({c.case_id: c for c in self._fetch(Case, match, case_ids)}.values())

    def assignments_for_cases(self, case_ids: Iterable[str]) -> list[Assignment]:
        return self._by(Assignment, "Assignment", "case_id", case_ids)

    def assignments_for_people(self, person_ids: Iterable[str]) -> list[Assignment]:
        return self._by(Assignment, "Assignment", "person_id", person_ids)

    def assignments_with_roles(
        self, roles: Sequence[str], since: date | None = None, until: date | None = None
    ) -> list[Assignment]:
        where = " AND n.effective_start >= $low AND n.effective_start <= $high"
        low, high = since or date.min, until or date.max
        order = attrgetter("role", "start_date", "assignment_id")
        index = "role, effective_start"
        # a few roles, but every allocation of them: streamed
        return self._by(Assignment, "Assignment", "role", roles, where, order, index, False, low=low, high=high)

    def postings_for_people(self, person_ids: Iterable[str]) -> list[Posting]:
        return self._by(Posting, "Posting", "officer_id", person_ids)

    def postings_line_managed_by(self, manager_ids: Iterable[str]) -> list[Posting]:
        return self._by(Posting, "Posting", "line_manager_id", manager_ids)

    def postings_in_units(self, unit_ids: Iterable[str], start: date, end: date) -> list[Posting]:
        where = " AND n.start_date <= $end AND (n.end_date IS NULL OR n.end_date >= $start)"
        # whole histories (bulk mode) of a batch of units can be a large part of the graph: streamed
        packed = start > date.min
        return self._by(Posting, "Posting", "unit_id", unit_ids, where, packed=packed, start=start, end=end)

    def associations_for_people(self, person_ids: Iterable[str]) -> list[Association]:
        match = (
            "CALL (g) { MATCH (n:Association) USING INDEX SEEK n:Association(person_a) "
            "WHERE n.person_a IN $ids AND n.gen = g RETURN n UNION "
            "MATCH (n:Association) USING INDEX SEEK n:Association(person_b) WHERE n.person_b IN $ids AND n.gen = g RETURN n }"
        )
        return list({a.association_id: a for a in self._fetch(Association, match, person_ids)}.values())

    def neighbourhood(
        self, case_id: str, person_ids: Sequence[str], roles: Sequence[str], start: date, end: date, levels: int
    ) -> Neighbourhood:
        """:func:`coi.graph.store.read_neighbourhood`'s answer in one query (one round trip, not ~25)."""
        self._ready()
        people = list(dict.fromkeys(person_ids))
        found = self._query(
            neighbourhood_cypher(levels), case=case_id, people=people, roles=list(roles), start=start, end=end
        )
        r = found[0]
        linked = schema.records(Case, r["linked"])
        dispute = list(dict.fromkeys([case_id, *(c.case_id for c in linked)]))
        on_dispute = schema.records(Assignment, r["on_dispute"])
        around = list(dict.fromkeys([*people, *(a.person_id for a in on_dispute)]))
        own = schema.records(Assignment, r["own"])
        history = list(dict.fromkeys(a.case_id for a in own))
        cases = {c.case_id: c for c in schema.records(Case, r["cases"])}
        persons = {p.person_id: p for p in schema.records(Person, r["people"])}
        above, below = list(dict.fromkeys([*around, *r["above"]])), list(dict.fromkeys(r["below"]))
        return Neighbourhood(
            people={i: persons.get(i) for i in around},
            cases={i: cases.get(i) for i in [case_id, *history]},
            linked={case_id: list({c.case_id: c for c in linked}.values())},
            postings=group_records(schema.records(Posting, r["postings"]), above, lambda p: (p.officer_id,)),
            reports=group_records(schema.records(Posting, r["reports"]), below, lambda p: (p.line_manager_id,)),
            assignments=group_records(own, people, lambda a: (a.person_id,)),
            case_assignments=group_records(
                [*on_dispute, *schema.records(Assignment, r["on_history"])],
                dict.fromkeys([*dispute, *history]),
                lambda a: (a.case_id,),
            ),
            associations=group_records(
                schema.records(Association, r["associations"]), around, lambda a: (a.person_a, a.person_b)
            ),
        )

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of one input table as stored, in the embedded store's text form."""
        self._ready()
        spec = TABLES[table]
        pattern, predicate = schema.table_match(spec)
        where = f" AND {predicate}" if predicate else ""
        records = self._query(f"{CURRENT}MATCH ({pattern}) WHERE n.gen = g{where}\nRETURN n {{.*}} AS n")
        out = []
        for rec in records:
            props = rec["n"]
            row = {c: schema.cell(props.get(c)) for c in spec.columns}
            row[spec.key] = props[schema.node_key(spec)]
            for f in spec.fields:
                if f.kind == "tags":
                    row[f.name] = ";".join(props.get(f.name) or ())
            if "effective_start" in props:
                row["effective_start"] = schema.cell(props["effective_start"])
            out.append({**row, "extra": props.get("extra_json"), "row_hash": props["row_hash"]})
        return out
