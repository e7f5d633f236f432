"""Each rule's edges, on tiny hand-built forces (conflict-rules.md, rule by rule)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from coi.queries.dispute import NotFound
from coi.queries.engine import Engine
from coi.queries.policy import Policy
from forces import assign, assoc, case, load_force, officer, posting, unit

D = date(2023, 6, 1)
UNITS = [unit("F", kind="force"), unit("C", "F", "command"), unit("T1", "C"), unit("T2", "C"), unit("X", "F")]


def rules_for(
    tmp_path: Path, *, on: date = D, person: str = "I", case_id: str = "K", policy: Policy | None = None, **tables
) -> set[str]:
    people = {p["officer_id"]: p for p in tables.pop("officers", [])}
    for pid in ("I", "S", "M", "X", "Y", "Z"):
        people.setdefault(pid, officer(pid))
    tables.setdefault("cases", [case("K", "2023-01-01")])
    tables.setdefault("assignments", [assign("K", "S", "subject")])
    store = load_force(tmp_path, units=UNITS, officers=list(people.values()), **tables)
    engine = Engine(store, policy) if policy else Engine(store)
    return set(engine.check(case_id, person, on).rules())


# --- SHARED_UNIT: inclusive intervals, clipping, lookback -----------------------------------
@pytest.mark.parametrize(
    ("i_end", "s_start", "expected"),
    [("2020-01-31", "2020-01-31", True), ("2020-01-31", "2020-02-01", False)],
    ids=["touching-day-overlaps", "adjacent-days-do-not"],
)
def test_shared_unit_touching_and_adjacent(tmp_path: Path, i_end: str, s_start: str, expected: bool) -> None:
    postings = [posting("I", "T1", "2019-01-01", i_end), posting("S", "T1", s_start, "2021-01-01")]
    assert ("SHARED_UNIT(S)" in rules_for(tmp_path, postings=postings)) is expected


@pytest.mark.parametrize(("end", "expected"), [("2013-06-01", True), ("2013-05-31", False)])
def test_shared_unit_lookback_boundary(tmp_path: Path, end: str, expected: bool) -> None:
    postings = [posting("I", "T1", "2010-01-01", end), posting("S", "T1", "2010-01-01", "2014-01-01")]
    assert ("SHARED_UNIT(S)" in rules_for(tmp_path, postings=postings)) is expected


def test_shared_unit_ignores_postings_starting_after_d(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2023-06-02"), posting("S", "T1", "2020-01-01")]
    assert rules_for(tmp_path, postings=postings) == set()


def test_shared_unit_needs_the_same_unit_not_a_sibling(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "T2", "2020-01-01")]
    assert "SHARED_UNIT(S)" not in rules_for(tmp_path, postings=postings)


def test_lookback_is_a_policy_setting(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2010-01-01", "2015-01-01"), posting("S", "T1", "2010-01-01", "2015-01-01")]
    assert "SHARED_UNIT(S)" not in rules_for(tmp_path, postings=postings, policy=Policy(lookback_years=5))


# --- management: chains, nested units, past and present ------------------------------------
def chain_postings(middle_end: str = "") -> list[dict]:
    return [
        posting("I", "T1", "2020-01-01", manager="Y"),
        posting("Y", "T1", "2020-01-01", middle_end, manager="Z"),
        posting("Z", "C", "2020-01-01", manager="S"),
        posting("S", "F", "2020-01-01"),
    ]


def test_under_management_follows_a_line_manager_chain(tmp_path: Path) -> None:
    assert "UNDER_MANAGEMENT(S)" in rules_for(tmp_path, postings=chain_postings())


def test_chain_breaks_when_a_middle_posting_is_not_active_on_d(tmp_path: Path) -> None:
    found = rules_for(tmp_path, postings=chain_postings(middle_end="2023-05-31"))
    assert "UNDER_MANAGEMENT(S)" not in found
    assert "PAST_MANAGEMENT(S)" in found  # the chain held on earlier days within the lookback


def test_supervisor_of_an_ancestor_unit_manages_everyone_below(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "C", "2020-01-01", supervisor=True)]
    assert "UNDER_MANAGEMENT(S)" in rules_for(tmp_path, postings=postings)


def test_supervisor_of_a_sibling_unit_does_not(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "T2", "2020-01-01", supervisor=True)]
    assert rules_for(tmp_path, postings=postings) == set()


def test_manages_subject_is_the_reverse_direction(tmp_path: Path) -> None:
    postings = [posting("S", "T1", "2020-01-01", manager="I"), posting("I", "X", "2020-01-01")]
    assert rules_for(tmp_path, postings=postings) == {"MANAGES_SUBJECT(S)"}


def test_past_management_within_lookback_but_not_when_current(tmp_path: Path) -> None:
    past = [posting("I", "T1", "2018-01-01", "2019-12-31", manager="S"), posting("S", "X", "2015-01-01")]
    assert rules_for(tmp_path, postings=past) == {"PAST_MANAGEMENT(S)"}
    current = [*past, posting("S", "T2", "2020-01-01", manager="I")]
    assert "PAST_MANAGEMENT(S)" not in rules_for(tmp_path / "b", postings=current)


def test_past_management_before_the_lookback_is_ignored(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2005-01-01", "2012-12-31", manager="S"), posting("S", "X", "2005-01-01")]
    assert rules_for(tmp_path, postings=postings) == set()


# --- senior officers and forces --------------------------------------------------------------
@pytest.mark.parametrize(
    ("rank", "expected"),
    [("assistant_chief_constable", True), ("chief_constable", True), ("chief_superintendent", False)],
)
def test_senior_same_force_by_rank(tmp_path: Path, rank: str, expected: bool) -> None:
    postings = [posting("S", "F", "2020-01-01"), posting("I", "X", "2020-01-01")]
    found = rules_for(tmp_path, officers=[officer("S", rank)], postings=postings)
    assert ("SENIOR_SAME_FORCE(S)" in found) is expected


def test_senior_in_another_force_is_no_bar(tmp_path: Path) -> None:
    units = [*UNITS, unit("G", kind="force"), unit("GT", "G")]
    postings = [posting("S", "F", "2020-01-01"), posting("I", "GT", "2020-01-01")]
    store = load_force(
        tmp_path,
        units=units,
        officers=[officer("S", "deputy_chief_constable"), officer("I")],
        postings=postings,
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    assert Engine(store).check("K", "I", D).rules() == []


# --- associations -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "start", "end", "expected"),
    [
        ("former_partner", "2010-01-01", "2015-01-01", "CLOSE_ASSOCIATION(S)"),
        ("family", "", "", "CLOSE_ASSOCIATION(S)"),
        ("business", "2020-01-01", "", "ASSOCIATION(S)"),
        ("friend", "2023-06-02", "", None),
    ],
    ids=["ended-still-counts", "blank-start-counts", "business-is-high", "begun-after-d-ignored"],
)
def test_associations(tmp_path: Path, kind: str, start: str, end: str, expected: str | None) -> None:
    found = rules_for(tmp_path, associations=[assoc("S", "I", kind, start, end)])
    assert found == ({expected} if expected else set())


def test_association_with_a_complainant(tmp_path: Path) -> None:
    assignments = [assign("K", "S", "subject"), assign("K", "X", "complainant")]
    found = rules_for(tmp_path, assignments=assignments, associations=[assoc("I", "X", "partner", "2020-01-01")])
    assert found == {"CLOSE_ASSOCIATION(X)"}


# --- disputes: counter-allegations both ways, several subjects, self-involvement ----------------
def test_counter_allegation_named_by_the_case_checked(tmp_path: Path) -> None:
    cases = [case("K", "2023-01-01"), case("R", "2023-02-01", counter="K")]
    assignments = [assign("K", "S", "subject"), assign("R", "X", "subject"), assign("K", "I", "investigator")]
    found = rules_for(
        tmp_path,
        case_id="R",
        cases=cases,
        assignments=assignments,
        postings=[posting("I", "T1", "2020-01-01"), posting("S", "T1", "2020-01-01")],
    )
    assert found == {"COUNTER_ALLEGATION(K)", "SHARED_UNIT(S)", "PRIOR_INVESTIGATION(S)"}


def test_counter_allegation_opened_after_d_is_not_yet_linked(tmp_path: Path) -> None:
    cases = [case("K", "2023-01-01"), case("R", "2023-07-01", counter="K")]
    assignments = [assign("K", "S", "subject"), assign("R", "I", "investigator")]
    assert rules_for(tmp_path, cases=cases, assignments=assignments) == set()


def test_several_subjects_each_get_findings(tmp_path: Path) -> None:
    assignments = [assign("K", "S", "subject"), assign("K", "Y", "subject")]
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "T1", "2021-01-01"), posting("Y", "T1", "2022-01-01")]
    assert rules_for(tmp_path, assignments=assignments, postings=postings) == {"SHARED_UNIT(S)", "SHARED_UNIT(Y)"}


@pytest.mark.parametrize("role", ["subject", "complainant", "witness"])
def test_self_involved(tmp_path: Path, role: str) -> None:
    found = rules_for(tmp_path, assignments=[assign("K", "S", "subject"), assign("K", "I", role)])
    assert "SELF_INVOLVED(I)" in found


# --- case history ---------------------------------------------------------------------------------
def history(tmp_path: Path, mine: str, theirs: str, opened: str = "2020-01-01", extra: list | None = None) -> set[str]:
    cases = [case("K", "2023-01-01"), case("E", opened)]
    assignments = [assign("K", "S", "subject"), assign("E", "I", mine), assign("E", "S", theirs), *(extra or [])]
    return rules_for(tmp_path, cases=cases, assignments=assignments)


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ("subject", "investigator", "INVESTIGATED_BY_SUBJECT(S)"),
        ("investigator", "subject", "PRIOR_INVESTIGATION(S)"),
        ("supervisor", "investigator", "CO_WORKED(S)"),
        ("subject", "subject", "CO_WORKED(S)"),
    ],
)
def test_case_history_rules(tmp_path: Path, mine: str, theirs: str, expected: str) -> None:
    assert history(tmp_path, mine, theirs) == {expected}


def test_case_history_ignores_cases_opened_after_d(tmp_path: Path) -> None:
    assert history(tmp_path, "investigator", "subject", opened="2023-06-02") == set()


def test_complainant_link(tmp_path: Path) -> None:
    cases = [case("K", "2023-01-01"), case("E", "2020-01-01")]
    assignments = [
        assign("K", "S", "subject"),
        assign("K", "X", "complainant"),
        assign("E", "I", "subject"),
        assign("E", "X", "complainant"),
    ]
    assert rules_for(tmp_path, cases=cases, assignments=assignments) == {"COMPLAINANT_LINK(X)"}


# --- INDIRECT_LINK and policy -------------------------------------------------------------------
def test_indirect_link_is_info_and_yields_to_direct_findings(tmp_path: Path) -> None:
    postings = [
        posting("I", "T1", "2020-01-01"),
        posting("M", "T1", "2020-01-01"),
        posting("M", "T2", "2019-01-01", "2019-12-31"),
        posting("S", "T2", "2019-01-01"),
    ]
    store = load_force(
        tmp_path,
        units=UNITS,
        officers=[officer(p) for p in "ISM"],
        postings=postings,
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    result = Engine(store).check("K", "I", D)
    assert result.rules() == ["INDIRECT_LINK(S)"] and result.verdict == "clear"
    assert result.findings[0].evidence[0]["via"] == "M"


def test_policy_raises_severity_per_case_type(tmp_path: Path) -> None:
    policy = Policy(name="ppda", case_types={"domestic_abuse": {"severity": {"SHARED_UNIT": "high"}}})
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "T1", "2020-01-01")]
    store = load_force(
        tmp_path,
        units=UNITS,
        officers=[officer("I"), officer("S")],
        postings=postings,
        cases=[case("K", "2023-01-01", "domestic_abuse"), case("L", "2023-01-01")],
        assignments=[assign("K", "S", "subject"), assign("L", "S", "subject")],
    )
    assert Engine(store, policy).check("K", "I", D).verdict == "conflict"
    assert Engine(store, policy).check("L", "I", D).verdict == "declare"
    assert Engine(store).check("K", "I", D).verdict == "declare"


def test_oversight_roles_use_the_same_rules(tmp_path: Path) -> None:
    postings = [posting("I", "T1", "2020-01-01"), posting("S", "T1", "2020-01-01")]
    store = load_force(
        tmp_path,
        units=UNITS,
        officers=[officer("I"), officer("S")],
        postings=postings,
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    for role in ("investigator", "supervisor", "appropriate_authority"):
        assert Engine(store).check("K", "I", D, role=role).rules() == ["SHARED_UNIT(S)"]


def test_unknown_ids_are_not_found(tmp_path: Path) -> None:
    store = load_force(
        tmp_path,
        units=UNITS,
        officers=[officer("I"), officer("S")],
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    with pytest.raises(NotFound, match="unknown case"):
        Engine(store).check("NOPE", "I", D)
    with pytest.raises(NotFound, match="unknown person"):
        Engine(store).check("K", "NOPE", D)


# --- management: a cycle in line management (bad data real exports have) -------------------
def _findings(tmp_path: Path, postings: list[dict]) -> dict[str, list[dict]]:
    people = [officer(p) for p in ("I", "S", "Y", "Z")]
    store = load_force(
        tmp_path,
        units=UNITS,
        officers=people,
        postings=postings,
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    return {f.rule: f.evidence for f in Engine(store).check("K", "I", D).findings}


def test_a_line_management_cycle_through_both_ends_links_them_both_ways(tmp_path: Path) -> None:
    """I is managed by Y, Y by S, S by I: each manages the other, and each chain goes once round."""
    cycle = [
        posting("I", "T1", "2020-01-01", manager="Y"),
        posting("Y", "T1", "2020-01-01", manager="S"),
        posting("S", "C", "2020-01-01", manager="I"),
    ]
    found = _findings(tmp_path, cycle)
    assert {"UNDER_MANAGEMENT", "MANAGES_SUBJECT"} <= set(found)
    under = [e for e in found["UNDER_MANAGEMENT"] if e["how"] == "line"]
    assert [[p["officer_id"] for p in e["postings"]] for e in under] == [["I", "Y"]]
    assert (under[0]["manager_id"], under[0]["managed_id"]) == ("S", "I")
    manages = [e for e in found["MANAGES_SUBJECT"] if e["how"] == "line"]
    assert [[p["officer_id"] for p in e["postings"]] for e in manages] == [["S"]]


def test_a_line_management_cycle_on_the_way_up_still_reaches_the_top(tmp_path: Path) -> None:
    """Y and Z manage each other (two postings of Z); the chain from I goes through both to S."""
    cycle = [
        posting("I", "T1", "2020-01-01", manager="Y"),
        posting("Y", "T1", "2020-01-01", manager="Z"),
        posting("Z", "T2", "2020-01-01", manager="Y"),
        posting("Z", "C", "2021-01-01", manager="S"),
    ]
    found = _findings(tmp_path, cycle)
    assert set(found) == {"UNDER_MANAGEMENT"}
    [chain] = [e for e in found["UNDER_MANAGEMENT"] if e["how"] == "line"]
    assert [p["officer_id"] for p in chain["postings"]] == ["I", "Y", "Z"]
    assert chain["to"] == D.isoformat()
