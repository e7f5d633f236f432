"""The pattern report as flat rows for a spreadsheet: one row per hit and case.

``hit`` numbers the hits of each pattern (a repeat subject with three cases is one hit,
three rows). People are named as the report names them (civilians by pseudonym).
"""

from __future__ import annotations

from typing import Any

from coi.queries.analyses.patterns import CaseView, PatternReport

__all__ = ["CSV_HEADER", "csv_rows"]

CSV_HEADER = (
    "pattern",
    "hit",
    "person_id",
    "person",
    "other_ids",
    "others",
    "case_id",
    "case_type",
    "opened_on",
    "status",
    "roles",
    "unit_id",
    "unit",
    "tags",
    "tagged_unit_id",
    "since",
    "on",
)


def _case(view: CaseView) -> list[Any]:
    c = view.case
    return [c.case_id, c.case_type, c.opened_on.isoformat(), view.status]


def csv_rows(report: PatternReport) -> list[list[Any]]:
    """Every hit of every pattern (never limited), in the report's order."""
    name, on, units = report.namer, report.on.isoformat(), report.reader.units
    rows: list[list[Any]] = []
    for n, r in enumerate(report.repeat_subjects, 1):
        for view in r.cases:
            oversight = [a.person_id for a in view.oversight]
            others = [name(p) for p in oversight]
            row = ["repeat_subject", n, r.person_id, name(r.person_id), ";".join(oversight), "; ".join(others)]
            rows.append([*row, *_case(view), "subject", "", "", "", "", "", on])
    for n, s in enumerate(report.sensitive_postings, 1):
        unit = units.get(s.posting.unit_id)
        rows.append(
            [
                "subject_in_sensitive_unit",
                n,
                s.person_id,
                name(s.person_id),
                "",
                "",
                s.case.case_id,
                s.case.case_type,
                s.case.opened_on.isoformat(),
                "open",
                "subject",
                s.posting.unit_id,
                unit.name if unit else "",
                ";".join(s.tags),
                s.tagged_unit_id,
                s.posting.start_date.isoformat(),
                on,
            ]
        )
    for n, p in enumerate(report.repeat_investigators, 1):
        for view, roles in p.cases:
            row = ["repeat_investigator", n, p.investigator_id, name(p.investigator_id), p.subject_id]
            rows.append([*row, name(p.subject_id), *_case(view), ";".join(roles), "", "", "", "", "", on])
    return rows
