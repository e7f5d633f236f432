"""Invariants over random small forces (hypothesis): what must hold whatever the data."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from coi.queries.engine import Engine
from coi.queries.verdicts import verdict_for
from forces import assign, assoc, case, load_force, officer, posting, unit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PEOPLE = ["A", "B", "C", "D", "E"]
UNITS = [unit("F", kind="force"), unit("C1", "F", "command"), unit("T1", "C1"), unit("T2", "C1"), unit("Q", "F")]
BASE = date(2015, 1, 1)
RANKS = ["constable", "sergeant", "inspector", "assistant_chief_constable"]

days = st.integers(min_value=0, max_value=3000).map(lambda n: BASE + timedelta(days=n))


@st.composite
def forces(draw: st.DrawFn) -> dict:
    postings = []
    for who in PEOPLE:
        for _ in range(draw(st.integers(1, 2))):
            start = draw(days)
            end = draw(st.one_of(st.none(), st.integers(0, 1500).map(lambda n, s=start: s + timedelta(days=n))))
            postings.append(
                posting(
                    who,
                    draw(st.sampled_from([u["unit_id"] for u in UNITS])),
                    start.isoformat(),
                    end.isoformat() if end else "",
                    draw(st.booleans()),
                    draw(st.sampled_from(["", *[p for p in PEOPLE if p != who]])),
                )
            )
    seen, unique = set(), []
    for p in postings:  # one posting per (officer, unit, start)
        key = (p["officer_id"], p["unit_id"], p["start_date"])
        if key not in seen:
            seen.add(key)
            unique.append(p)
    opened = [draw(days) for _ in range(3)]
    cases = [
        case(
            f"K{i}",
            d.isoformat(),
            draw(st.sampled_from(["conduct", "domestic_abuse"])),
            counter="K0" if i == 2 and draw(st.booleans()) else "",
        )
        for i, d in enumerate(opened)
    ]
    assignments, keys = [], set()
    for i in range(3):
        for role in ("subject", "investigator", "complainant"):
            who = draw(st.sampled_from(PEOPLE))
            if (i, who, role) not in keys:
                keys.add((i, who, role))
                assignments.append(assign(f"K{i}", who, role))
    a, b = draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(PEOPLE))
    associations = [assoc(a, b, draw(st.sampled_from(["friend", "family"])), draw(days).isoformat())] if a != b else []
    officers = [officer(p, draw(st.sampled_from(RANKS))) for p in PEOPLE]
    return {
        "units": list(UNITS),
        "officers": officers,
        "postings": unique,
        "cases": cases,
        "assignments": assignments,
        "associations": associations,
    }


def all_checks(engine: Engine, on: date) -> dict[tuple[str, str], list[str]]:
    return {(k, p): engine.check(k, p, on).rules() for k in ("K0", "K1", "K2") for p in PEOPLE}


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(forces(), days)
def test_verdict_is_the_worst_severity_and_every_finding_has_evidence(force: dict, on: date) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(load_force(Path(tmp), **force))
        for k in ("K0", "K1", "K2"):
            for p in PEOPLE:
                result = engine.check(k, p, on)
                assert result.verdict == verdict_for([f.severity for f in result.findings])
                assert all(f.evidence and f.explanation for f in result.findings)


@SETTINGS
@given(forces())
def test_a_day_before_every_record_gives_no_findings(force: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(load_force(Path(tmp), **force))
        assert all(rules == [] for rules in all_checks(engine, BASE - timedelta(days=1)).values())


@SETTINGS
@given(forces(), days)
def test_an_unrelated_officer_changes_nothing(force: dict, on: date) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before = all_checks(Engine(load_force(Path(tmp) / "a", **force)), on)
        force = {
            **force,
            "units": [*force["units"], unit("G", kind="force")],
            "officers": [*force["officers"], officer("U", "chief_constable")],
            "postings": [*force["postings"], posting("U", "G", "2015-01-01", supervisor=True)],
        }
        after = all_checks(Engine(load_force(Path(tmp) / "b", **force)), on)
        assert before == after


@SETTINGS
@given(forces(), days)
def test_check_many_equals_one_by_one(force: dict, on: date) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = load_force(Path(tmp), **force)
        together = Engine(store).check_many("K1", PEOPLE, on)
        for p in PEOPLE:
            assert together[p].rules() == Engine(store).check("K1", p, on).rules()
