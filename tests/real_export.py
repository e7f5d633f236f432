"""A realistic export of the example force, as an HR system and a case-management tool give it.

Nothing in it is in the contract's shape: officers are a workbook sheet "Staff List"
under a title line, with numeric warrant numbers, rank codes (PC, DS, ...) and
``20-MAR-18`` dates; postings are a semicolon CSV in cp1252 with ``3.0`` ids, day-first
dates, ``31/12/2099`` for "still open" and Y/N flags; cases come from a workbook with
their own type names, a withdrawn case and a blank row; assignments come in three files
(accused, investigators, others). ``MAPPING`` turns it back into the example force.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

EXAMPLE = Path(__file__).parent / "fixtures" / "example"
RANKS = {
    "constable": "PC",
    "sergeant": "DS",
    "inspector": "Insp",
    "chief_inspector": "CI",
    "superintendent": "Supt",
    "assistant_chief_constable": "ACC",
}
CASE_TYPES = {
    "domestic_abuse": "Domestic Abuse",
    "conduct": "Misconduct",
    "criminal": "Criminal Allegation",
    "complaint": "Public Complaint",
    "sexual_misconduct": "Sexual Misconduct",
}
ROLE_WITH_ACCENT = "Équipe A sergeant"  # cp1252 text in the postings file

MAPPING = """
[files]
units = "units.csv"

[[sources.officers]]
file = "HR.xlsx#Staff List"
header_row = 2
columns = { officer_id = "Warrant No", name = "Full Name", rank = "Rank", collar_number = "Collar", joined_on = "Joined", left_on = "Left" }
ids = { officer_id = "O{warrant}" }
dates = { joined_on = "%d-%b-%y", left_on = { format = "%d-%b-%y", open = ["9999-12-31"] } }
[sources.officers.values.rank]
PC = "constable"
DS = "sergeant"
Insp = "inspector"
CI = "chief_inspector"
Supt = "superintendent"
ACC = "assistant_chief_constable"

[[sources.postings]]
file = "postings_export.csv"
delimiter = ";"
encoding = "cp1252"
columns = { officer_id = "Warrant No", unit_id = "Unit", start_date = "From", end_date = "To", role = "Post", supervisor = "Supervises", line_manager_id = "Manager" }
ids = { officer_id = "O{}", line_manager_id = "O{}" }
dates = { start_date = "%d/%m/%Y", end_date = { format = "%d/%m/%Y", open = ["31/12/2099"] } }
values.supervisor = { Y = "true", N = "false" }

[[sources.cases]]
file = "Case Extract.xlsx#Cases"
columns = { case_id = "Case Ref", case_type = "Type", opened_on = "Opened", closed_on = "Closed", counter_allegation_of = "Counter To", summary = "Summary" }
values.case_type = { "Domestic Abuse" = "domestic_abuse", Misconduct = "conduct", "Criminal Allegation" = "criminal", "Public Complaint" = "complaint", "Sexual Misconduct" = "sexual_misconduct" }
filter = { drop_when = { Status = ["Withdrawn"] }, drop_blank = ["Case Ref"] }

[[sources.assignments]]
file = "accused.csv"
columns = { case_id = "Case Ref", person_id = "Warrant No" }
constants = { role = "subject" }

[[sources.assignments]]
file = "investigators.csv"
columns = { case_id = "Case Ref", person_id = "IO Warrant", start_date = "Allocated", end_date = "Ended" }
constants = { role = "investigator" }
ids = { person_id = "O{}" }

[[sources.assignments]]
file = "others.csv"
columns = { case_id = "Case Ref", person_id = "Person", role = "Role" }
"""


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)


def _number(officer: str) -> str:
    return officer[1:] if officer.startswith("O") else officer


def _oracle(day: str) -> str:
    return date.fromisoformat(day).strftime("%d-%b-%y").upper() if day else "9999-12-31"


def _officers(folder: Path) -> None:
    o = _csv("officers")
    staff = pd.DataFrame(
        {
            "Warrant No": [int(_number(i)) for i in o["officer_id"]],  # numbers, as HR systems hold them
            "Full Name": o["name"],
            "Rank": [RANKS[r] for r in o["rank"]],
            "Collar": o["collar_number"],
            "Joined": [_oracle(d) for d in o["joined_on"]],
            "Left": [_oracle(d) for d in o["left_on"]],
        }
    )
    with pd.ExcelWriter(folder / "HR.xlsx") as writer:
        pd.DataFrame([["Staff export, Example Constabulary"]]).to_excel(
            writer, sheet_name="Staff List", header=False, index=False
        )
        staff.to_excel(writer, sheet_name="Staff List", startrow=1, index=False)


def _postings(folder: Path) -> None:
    p = _csv("postings")
    day = lambda d: date.fromisoformat(d).strftime("%d/%m/%Y") if d else "31/12/2099"  # noqa: E731
    export = pd.DataFrame(
        {
            "Warrant No": [f"{_number(i)}.0" for i in p["officer_id"]],  # a spreadsheet's numbers
            "Unit": p["unit_id"],
            "From": [day(d) for d in p["start_date"]],
            "To": [day(d) for d in p["end_date"]],
            "Post": [ROLE_WITH_ACCENT if r == "Team A sergeant" else r for r in p["role"]],
            "Supervises": ["Y" if s == "true" else "N" for s in p["supervisor"]],
            "Manager": [f"{_number(m)}.0" if m else "" for m in p["line_manager_id"]],
        }
    )
    export.to_csv(folder / "postings_export.csv", sep=";", index=False, encoding="cp1252")


def _cases(folder: Path) -> None:
    c = _csv("cases")
    export = pd.DataFrame(
        {
            "Case Ref": c["case_id"],
            "Type": [CASE_TYPES[t] for t in c["case_type"]],
            "Opened": c["opened_on"],
            "Closed": c["closed_on"],
            "Counter To": c["counter_allegation_of"],
            "Summary": c["summary"],
            "Status": "Open",
        }
    )
    extra = pd.DataFrame(
        [
            {"Case Ref": "K99", "Type": "Unknown type", "Opened": "2024-01-01", "Status": "Withdrawn"},
            {"Case Ref": "", "Type": "Misconduct", "Opened": "2024-01-02", "Status": "Open"},
        ]
    )
    with pd.ExcelWriter(folder / "Case Extract.xlsx") as writer:
        pd.concat([export, extra]).fillna("").to_excel(writer, sheet_name="Cases", index=False)


def _assignments(folder: Path) -> None:
    a = _csv("assignments")
    subjects, investigators = a[a["role"] == "subject"], a[a["role"] == "investigator"]
    others = a[~a["role"].isin(["subject", "investigator"])]
    pd.DataFrame({"Case Ref": subjects["case_id"], "Warrant No": subjects["person_id"]}).to_csv(
        folder / "accused.csv", index=False
    )
    pd.DataFrame(
        {
            "Case Ref": investigators["case_id"],
            "IO Warrant": [_number(i) for i in investigators["person_id"]],
            "Allocated": investigators["start_date"],
            "Ended": investigators["end_date"],
        }
    ).to_csv(folder / "investigators.csv", index=False)
    pd.DataFrame({"Case Ref": others["case_id"], "Person": others["person_id"], "Role": others["role"]}).to_csv(
        folder / "others.csv", index=False
    )


def write_real_export(folder: Path) -> Path:
    """Write the export into ``folder`` and its mapping beside it; return the mapping's path."""
    folder.mkdir(parents=True)
    for name in ("units", "people", "associations"):
        (folder / f"{name}.csv").write_bytes((EXAMPLE / f"{name}.csv").read_bytes())
    _officers(folder)
    _postings(folder)
    _cases(folder)
    _assignments(folder)
    mapping = folder.parent / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping
