"""Interval-indexed overlaps give exactly the pairwise answers, in a force with crowded units.

INDIRECT_LINK now works on id sets from each unit's interval index and builds steps only
for the intermediaries it shows; these tests hold it to the pairwise definition: the same
neighbours, the same step (evidence) per pair, and the same findings as the finder that
built every neighbourhood, for a single allocation and for a whole candidate pool.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date, timedelta

import pytest
from coi.graph.model import Posting
from coi.graph.sqlite_store import SqliteStore
from coi.loaders.load import load_folder
from coi.loaders.synthetic import SCALES, generate
from coi.queries import evidence
from coi.queries.case_context import CaseContext
from coi.queries.dispute import dispute_of
from coi.queries.findings import Findings
from coi.queries.intervals import UnitPostings
from coi.queries.management import _span, managed_by, managers_of
from coi.queries.neighbours import linked_ids, shared_ids, step_between, step_evidence, steps
from coi.queries.policy import DEFAULT_POLICY
from coi.queries.reader import Reader
from coi.queries.rules import PER_PERSON, indirect
from coi.queries.timeline import clip, overlap
from hypothesis import given, settings
from hypothesis import strategies as st

DAY0 = date(2000, 1, 1)


@st.composite
def _postings(draw: st.DrawFn) -> list[Posting]:
    out = []
    for i in range(draw(st.integers(0, 80))):  # both sides of FEW: the Python scan and the arrays
        start = DAY0 + timedelta(days=draw(st.integers(0, 400)))
        end = draw(st.none() | st.integers(0, 200).map(lambda n, s=start: s + timedelta(days=n)))
        out.append(Posting(f"P{i:03d}", f"O{i % 7}", "U", start, end))
    return out


@settings(max_examples=200, deadline=None)
@given(_postings(), st.integers(-20, 420), st.integers(0, 300))
def test_overlap_query_is_the_pairwise_test(postings: list[Posting], first: int, length: int) -> None:
    lo, hi = DAY0 + timedelta(days=first), DAY0 + timedelta(days=first + length)
    expected = [p for p in postings if p.start_date <= hi and (p.end_date is None or p.end_date >= lo)]
    index = UnitPostings(postings)
    assert index.postings_overlapping(lo, hi) == expected
    assert index.officers_overlapping(lo, hi) == [p.officer_id for p in expected]
    assert index.supervisors is not None and index.supervisors.postings == [p for p in postings if p.supervisor]


@settings(max_examples=300, deadline=None)
@given(_postings(), st.integers(-20, 420), st.integers(0, 300))
def test_inlined_span_is_overlap_of_the_clipped_posting(postings: list[Posting], first: int, length: int) -> None:
    window = (DAY0 + timedelta(days=first), DAY0 + timedelta(days=first + length))
    for p in postings:
        assert _span(p, window) == overlap(window, clip(p.start_date, p.end_date, window[1]))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    """The dense preset at a small size: ~1,500 officers in units of 50-250 at once."""
    folder = tmp_path_factory.mktemp("dense")
    generate(folder / "data", replace(SCALES["dense"], officers=1500, years=12, cases_per_officer=0.3, seed=3))
    loaded = SqliteStore(folder / "s.sqlite")
    load_folder(folder / "data", loaded)
    return loaded


def _readers(store: SqliteStore) -> list[Reader]:
    bulk = Reader(store)
    bulk.keep_unit_histories()
    return [Reader(store), bulk]


def _allocations(store: SqliteStore, n: int) -> list:
    found = store.assignments_with_roles(["investigator"])
    return found[:: max(1, len(found) // n)][:n]


def test_neighbour_ids_and_steps_are_those_of_the_pairwise_search(store: SqliteStore) -> None:
    checked = 0
    for reader in _readers(store):
        for a in _allocations(store, 12):
            window = (a.start_date - timedelta(days=3650), a.start_date)
            people = [a.person_id, *(x.person_id for x in reader.case_assignments([a.case_id])[a.case_id])]
            full = steps(reader, people, window)
            shared = shared_ids(reader, people, window)
            up, down = managers_of(reader, people, window), managed_by(reader, people, window)
            for person in dict.fromkeys(people):
                assert set(full[person]) == shared[person] | linked_ids(
                    reader, person, window, up[person], down[person]
                )
                for other, step in full[person].items():
                    assert step_between(reader, person, other, window, up[person], down[person]) == step
                    checked += 1
    assert checked > 10_000, "crowded units give large neighbourhoods"


def _old_find_pool(case: CaseContext, results: dict[str, Findings]) -> None:
    """INDIRECT_LINK as it was: every neighbourhood built in full (the reference)."""
    open_pairs = {me: sorted(case.subjects - {me} - found.named()) for me, found in results.items()}
    wanted = {me for me, subjects in open_pairs.items() if subjects}
    if not wanted:
        return
    near_s = steps(case.reader, case.subjects, case.window, case.up_s, case.down_s)
    middle = {x for s in case.subjects for x in near_s[s]}
    if len(wanted) <= len(middle):
        near_me = steps(case.reader, wanted, case.window)
        first = lambda me, x: near_me[me].get(x)  # noqa: E731
    else:
        near_x = steps(case.reader, middle, case.window)
        first = lambda me, x: near_x[x].get(me)  # noqa: E731
    for me in sorted(wanted):
        for s in open_pairs[me]:
            common = sorted(x for x in near_s[s] if x != me and first(me, x) is not None)
            items = [
                evidence.indirect(
                    x, [step_evidence(first(me, x), case.reader), step_evidence(near_s[s][x], case.reader)]
                )
                for x in common[: indirect.MAX_INTERMEDIARIES]
            ]
            if items:
                results[me].add("INDIRECT_LINK", s, *items)


def _both(reader: Reader, case_id: str, on: date, pool: list[str]) -> tuple[dict, dict]:
    case = CaseContext(reader, DEFAULT_POLICY, dispute_of(reader, case_id, on), on, pool)
    found = {me: Findings(DEFAULT_POLICY, case.case_type) for me in pool}
    for me in pool:
        for family in PER_PERSON:
            family.find(case, found[me], me)
    old = copy.deepcopy(found)
    indirect.find_pool(case, found)
    _old_find_pool(case, old)
    as_dicts = lambda fs: {me: [f.to_dict() for f in f.sorted()] for me, f in fs.items()}  # noqa: E731
    return as_dicts(found), as_dicts(old)


def test_indirect_links_are_those_of_the_full_search_for_one_and_for_a_pool(store: SqliteStore) -> None:
    seen = 0
    for reader in _readers(store):
        allocations = _allocations(store, 40)
        for a in allocations:  # a few people: from their side
            new, old = _both(reader, a.case_id, a.start_date, [a.person_id])
            assert new == old
            seen += sum(f["rule"] == "INDIRECT_LINK" for fs in new.values() for f in fs)
        a = allocations[len(allocations) // 2]
        pool = sorted(o.person_id for o in store.serving_officers(a.start_date))
        assert len(pool) > 500
        new, old = _both(reader, a.case_id, a.start_date, pool)  # a pool larger than N(S): from N(S)'s side
        assert new == old
        seen += sum(f["rule"] == "INDIRECT_LINK" for fs in new.values() for f in fs)
    assert seen > 100, "the crowded force has indirect links to compare"
