"""Human output: verdict first, then each finding's sentence and its evidence."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from queries.audit import AuditReport
from queries.engine import CheckResult
from queries.evidence import summary

__all__ = ["VERDICT_STYLE", "audit_tables", "candidates_table", "check_text"]

VERDICT_STYLE = {
    "clear": "bold green",
    "declare": "bold yellow",
    "conflict": "bold red",
    "disqualified": "bold white on red",
}
SEVERITY_STYLE = {"disqualifying": "red", "high": "red", "medium": "yellow", "info": "cyan"}


def check_text(result: CheckResult, evidence: bool = True) -> Text:
    text = Text()
    text.append(f" {result.verdict.upper()} ", style=VERDICT_STYLE[result.verdict])
    text.append(
        f"  case {result.case_id}: {result.investigator_name} as {result.role.replace('_', ' ')} on {result.on}"
        f"  (policy {result.policy}, lookback {result.lookback_years} years)\n"
    )
    for note in result.notes:
        text.append(f"  note: {note}\n", style="italic")
    if not result.findings:
        text.append("  No findings: nothing links this person to the parties.\n")
    for i, f in enumerate(result.findings, 1):
        text.append(f"  {i}. ")
        text.append(f"[{f.severity}] {f.rule}", style=SEVERITY_STYLE[f.severity])
        text.append(f" ({f.other_id}): {f.explanation}\n")
        if evidence:
            for item in f.evidence:
                text.append(f"       evidence: {summary(item)}\n", style="dim")
    return text


def candidates_table(results: list[CheckResult]) -> Table:
    table = Table(title="Candidates, least conflicted first", title_justify="left")
    for column in ("#", "person", "verdict", "findings"):
        table.add_column(column)
    for i, r in enumerate(results, 1):
        findings = ", ".join(r.rules()) or "-"
        table.add_row(str(i), r.investigator_name, Text(r.verdict, style=VERDICT_STYLE[r.verdict]), findings)
    return table


def audit_tables(report: AuditReport) -> list[Table]:
    totals = report.totals()
    verdicts = Table(title=f"Audit: {totals['allocations']:,} investigator allocations", title_justify="left")
    verdicts.add_column("verdict")
    verdicts.add_column("allocations", justify="right")
    for verdict, count in totals["verdicts"].items():
        verdicts.add_row(Text(verdict, style=VERDICT_STYLE[verdict]), str(count))
    rules = Table(title="Findings per rule", title_justify="left")
    rules.add_column("rule")
    rules.add_column("findings", justify="right")
    for rule, count in sorted(totals["rules"].items(), key=lambda kv: -kv[1]):
        if count:
            rules.add_row(rule, str(count))
    years = Table(title="Per year", title_justify="left")
    for column in ("year", "clear", "declare", "conflict", "disqualified"):
        years.add_column(column, justify="right")
    for year, counts in totals["per_year"].items():
        years.add_row(year, *(str(counts[v]) for v in ("clear", "declare", "conflict", "disqualified")))
    units = Table(title="Per unit (investigator's unit on the day), most conflicted first", title_justify="left")
    for column in ("unit", "allocations", "conflict+disqualified"):
        units.add_column(column, justify="right" if column != "unit" else "left")
    ranked = sorted(totals["per_unit"].items(), key=lambda kv: -(kv[1]["conflict"] + kv[1]["disqualified"]))
    for unit, counts in ranked[:15]:
        units.add_row(unit, str(sum(counts.values())), str(counts["conflict"] + counts["disqualified"]))
    return [verdicts, rules, years, units]
