"""The synthetic generator: deterministic, contract-valid, planted conflicts really hold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from coi.graph.model import ASSOCIATION_KINDS, ASSOCIATION_SOURCES, CASE_TYPES, RANKS, ROLES, UNIT_KINDS
from coi.loaders.synthetic import HEADERS, PLANTED_KINDS, SCALES, ForceSpec, generate, main

SPEC = ForceSpec(officers=300, forces=2, cases_per_officer=1.0, conflict_share=0.3, seed=7)
TABLES = tuple(HEADERS)


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False) for t in TABLES}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("synthetic")
    counts = generate(out, SPEC)
    frames = _read(out)
    assert counts == {t: len(frames[t]) for t in TABLES}
    return frames


def _day(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.replace("", None), format="%Y-%m-%d")


def _covers(start: pd.Series, end: pd.Series, on: pd.Series) -> pd.Series:
    return (_day(start) <= on) & (_day(end).isna() | (_day(end) >= on))


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    spec = ForceSpec(officers=150, seed=3)
    for name, s in (("a", spec), ("b", spec), ("c", replace(spec, seed=4))):
        generate(tmp_path / name, s)
    for t in TABLES:
        assert (tmp_path / "a" / f"{t}.csv").read_bytes() == (tmp_path / "b" / f"{t}.csv").read_bytes()
    assert (tmp_path / "a" / "postings.csv").read_bytes() != (tmp_path / "c" / "postings.csv").read_bytes()


def test_headers_and_iso_dates(data: dict[str, pd.DataFrame]) -> None:
    for t, header in HEADERS.items():
        assert tuple(data[t].columns) == header
        for col in (c for c in header if c.endswith(("_on", "_date")) or c == "on"):
            filled = data[t][col][data[t][col] != ""]
            assert filled.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), (t, col)
            pd.to_datetime(filled, format="%Y-%m-%d")  # real calendar days


def test_ids_unique_and_one_person_namespace(data: dict[str, pd.DataFrame]) -> None:
    for t, key in (("units", "unit_id"), ("officers", "officer_id"), ("people", "person_id"), ("cases", "case_id")):
        assert data[t][key].is_unique and (data[t][key] != "").all(), t
    assert not set(data["officers"].officer_id) & set(data["people"].person_id)
    for t, cols in (
        ("postings", ["officer_id", "unit_id", "start_date"]),
        ("assignments", ["case_id", "person_id", "role", "start_date"]),
    ):
        assert not data[t].duplicated(cols).any(), t
    a = data["associations"]
    pair = pd.DataFrame(
        {
            "x": a[["person_a", "person_b"]].min(axis=1),
            "y": a[["person_a", "person_b"]].max(axis=1),
            "kind": a.kind,
            "start": a.start_date,
        }
    )
    assert not pair.duplicated().any()
    assert (a.person_a != a.person_b).all()


def test_references_resolve(data: dict[str, pd.DataFrame]) -> None:
    units, officers = set(data["units"].unit_id), set(data["officers"].officer_id)
    persons, cases = officers | set(data["people"].person_id), set(data["cases"].case_id)
    parents = data["units"].parent_unit_id
    assert parents[parents != ""].isin(units).all()
    p = data["postings"]
    assert p.officer_id.isin(officers).all() and p.unit_id.isin(units).all()
    assert p.line_manager_id[p.line_manager_id != ""].isin(persons).all()
    c = data["cases"].counter_allegation_of
    assert c[c != ""].isin(cases).all() and (c != "").any()
    assert data["assignments"].case_id.isin(cases).all() and data["assignments"].person_id.isin(persons).all()
    a = data["associations"]
    assert a.person_a.isin(persons).all() and a.person_b.isin(persons).all()
    assert set(data["people"].person_id) <= set(data["assignments"].person_id) | set(a.person_a) | set(a.person_b)


def test_enumerations(data: dict[str, pd.DataFrame]) -> None:
    assert set(data["units"].kind) <= set(UNIT_KINDS)
    assert set(data["officers"]["rank"]) <= set(RANKS)
    assert set(data["cases"].case_type) == set(CASE_TYPES)  # every type present
    assert set(data["assignments"].role) == set(ROLES)
    assert set(data["associations"].kind) <= set(ASSOCIATION_KINDS)
    assert set(data["associations"].source) <= set(ASSOCIATION_SOURCES)
    assert set(data["postings"].supervisor) == {"true", "false"}
    assert set(data["planted"].kind) <= set(PLANTED_KINDS)


def test_intervals_ordered_and_within_history(data: dict[str, pd.DataFrame]) -> None:
    for t, s, e in (
        ("officers", "joined_on", "left_on"),
        ("postings", "start_date", "end_date"),
        ("cases", "opened_on", "closed_on"),
        ("assignments", "start_date", "end_date"),
        ("associations", "start_date", "end_date"),
    ):
        start, end = _day(data[t][s]), _day(data[t][e])
        assert not (end < start).any(), t
        assert not (start > pd.Timestamp(SPEC.end)).any() and not (end > pd.Timestamp(SPEC.end)).any(), t
    asg = data["assignments"].merge(data["cases"], on="case_id")
    start = _day(asg.start_date)
    assert not (start < _day(asg.opened_on)).any() and not (start > _day(asg.closed_on)).any()


def test_postings_fit_careers(data: dict[str, pd.DataFrame]) -> None:
    p = data["postings"].merge(data["officers"], on="officer_id")
    assert not (_day(p.start_date) < _day(p.joined_on)).any()
    assert not (_day(p.end_date) > _day(p.left_on)).any()
    serving = p[p.left_on == ""]
    assert (serving.groupby("officer_id").end_date.apply(lambda s: (s == "").sum()) == 1).all()
    p = p.sort_values(["officer_id", "start_date"])
    nxt = p.groupby("officer_id").start_date.shift(-1)
    assert not (_day(nxt) <= _day(p.end_date)).any()  # no overlapping postings of one officer
    assert (p.groupby("officer_id").size() >= 1).all()


def test_units_form_a_forest_per_force(data: dict[str, pd.DataFrame]) -> None:
    u = data["units"]
    parent = dict(zip(u.unit_id, u.parent_unit_id, strict=True))
    roots = u[u.parent_unit_id == ""]
    assert len(roots) == SPEC.forces and set(roots.kind) == {"force"}
    for unit in parent:
        seen, cur = set(), unit
        while parent[cur]:
            assert cur not in seen
            seen.add(cur)
            cur = parent[cur]
        assert unit.split("-")[0] == cur
    assert (u.tags.str.contains("professional_standards")).any()
    assert (u.tags == "domestic_abuse;vawg;safeguarding").sum() >= SPEC.forces


def test_force_shape(data: dict[str, pd.DataFrame]) -> None:
    o = data["officers"]
    ranks = o["rank"].value_counts()
    assert ranks["constable"] > ranks["sergeant"] > ranks["inspector"] > 0
    assert ranks["staff"] > 0 and ranks["chief_constable"] >= SPEC.forces
    assert (o.left_on != "").any() and (o.left_on == "").any()
    serving = o[o.left_on == ""]
    assert (serving["rank"] == "chief_constable").sum() == SPEC.forces
    assert data["assignments"].query("role == 'subject'").person_id.value_counts().max() > 1  # repeat subjects
    names = set(o.name)
    assert {"Jo Müller", "Dana O'Neil", "Robin <b>Bold</b> Hood", "Sam & Alex Carter-Smith"} <= names
    assert data["people"].name.str.fullmatch(r"\w+ \d+ \(pseudonym\)").all()
    heads = data["postings"].query("supervisor == 'true'").merge(data["units"], on="unit_id")
    assert {"force", "command", "department", "station", "team"} <= set(heads.kind)


def test_planted_conflicts_hold(data: dict[str, pd.DataFrame]) -> None:
    pl, asg, post = data["planted"], data["assignments"], data["postings"]
    inv = asg[asg.role == "investigator"].merge(data["cases"], on="case_id")
    inv["on"] = inv.start_date.where(inv.start_date != "", inv.opened_on)
    assert len(
        pl.merge(inv, left_on=["case_id", "investigator_id", "on"], right_on=["case_id", "person_id", "on"])
    ) == len(pl)
    assert 0.15 < len(pl) / len(inv) < 0.35
    assert set(pl.kind) == set(PLANTED_KINDS)
    subj = asg[asg.role == "subject"][["case_id", "person_id"]].rename(columns={"person_id": "subject"})
    x = pl.merge(subj, on="case_id")
    x["d"] = _day(x.on)
    sp = x.merge(post, left_on="subject", right_on="officer_id")
    sp = sp[_covers(sp.start_date, sp.end_date, sp.d)]  # subject's postings on the day
    parent = dict(zip(data["units"].unit_id, data["units"].parent_unit_id, strict=True))

    def key(rows: pd.DataFrame) -> set[str]:
        return set(rows.case_id + "|" + rows.investigator_id)

    lm = sp[sp.line_manager_id == sp.investigator_id]
    ip = x.merge(post, left_on="investigator_id", right_on="officer_id")
    sup = ip[(ip.supervisor == "true") & _covers(ip.start_date, ip.end_date, ip.d)]
    sup = sup.merge(
        sp[["case_id", "investigator_id", "unit_id"]].rename(columns={"unit_id": "s_unit"}),
        on=["case_id", "investigator_id"],
    )

    def contains(row: pd.Series) -> bool:
        cur = row.s_unit
        while cur and cur != row.unit_id:
            cur = parent[cur]
        return cur == row.unit_id

    sup = sup[sup.apply(contains, axis=1)] if len(sup) else sup
    both = x.merge(post, left_on="subject", right_on="officer_id").merge(
        post, left_on=["investigator_id", "unit_id"], right_on=["officer_id", "unit_id"], suffixes=("_s", "_i")
    )
    lo = pd.concat([_day(both.start_date_s), _day(both.start_date_i)], axis=1).max(axis=1)
    hi = pd.concat([_day(both.end_date_s).fillna(both.d), _day(both.end_date_i).fillna(both.d), both.d], axis=1).min(
        axis=1
    )
    same = both[lo <= hi]
    a = data["associations"].query("kind == 'friend'")
    fr = pd.concat([a, a.rename(columns={"person_a": "person_b", "person_b": "person_a"})])
    fr = x.merge(fr, left_on=["subject", "investigator_id"], right_on=["person_a", "person_b"])
    fr = fr[_day(fr.start_date).isna() | (_day(fr.start_date) <= fr.d)]
    found = {"line_manager": key(lm), "supervisor_of_unit": key(sup), "same_unit": key(same), "friend": key(fr)}
    for kind, rows in pl.groupby("kind"):
        missing = key(rows) - found[kind]
        assert not missing, (kind, sorted(missing)[:5])


def test_counts_scale_with_spec(tmp_path: Path) -> None:
    small = generate(tmp_path / "s", ForceSpec(officers=300, seed=2))
    big = generate(tmp_path / "b", ForceSpec(officers=1200, seed=2))
    two = generate(tmp_path / "t", ForceSpec(officers=300, forces=2, seed=2))
    for t in ("officers", "postings", "cases", "assignments"):
        assert 2.5 < big[t] / small[t] < 6, t
        assert 1.5 < two[t] / small[t] < 2.5, t
    assert 200 < small["officers"] < 450 and 800 < big["officers"] < 1600
    assert set(SCALES) == {"small", "force", "national", "dense"} and SCALES["national"].forces == 43


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([str(tmp_path), "--scale", "small", "--seed", "5", "--officers", "120"])
    assert (tmp_path / "units.csv").exists() and "postings" in capsys.readouterr().out
