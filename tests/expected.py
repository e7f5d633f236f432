"""Parse the example's EXPECTED.md into rows: (case, investigator, on, verdict, findings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROW = re.compile(r"^\| (\S+) \| (\S+) \| (\d{4}-\d\d-\d\d) \| (\w+) \| (.*?) \|$", re.M)


@dataclass(frozen=True)
class Expected:
    case: str
    investigator: str
    on: date
    verdict: str
    findings: frozenset[str]
    section: str

    def __str__(self) -> str:
        return f"{self.section}:{self.case}/{self.investigator}@{self.on}"


def expected_rows(path: Path) -> list[Expected]:
    text = path.read_text(encoding="utf-8")
    audit_at = text.find("## Audit")
    rows = []
    for m in ROW.finditer(text):
        case, person, on, verdict, findings = m.groups()
        if case == "case":
            continue
        found = frozenset() if findings.strip() == "-" else frozenset(x.strip() for x in findings.split(","))
        section = "audit" if audit_at != -1 and m.start() > audit_at else "check"
        rows.append(Expected(case, person, date.fromisoformat(on), verdict, found, section))
    return rows
