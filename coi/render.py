"""Human output: verdict first, then each finding's sentence and its evidence."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from coi.queries.analyses.audit import AuditReport
from coi.queries.analyses.candidates import CandidateReport
from coi.queries.engine import CheckResult
from coi.queries.evidence import summary

__all__ = ["VERDICT_STYLE", "audit_tables", "candidates_table", "check_text", "not_allocatable_text"]

VERDICT_STYLE = {
    "clear": "bold green",
    "declare": "bold yellow",
    "conflict": "bold red",
    "disqualified": "bold white on red",
}
NOT_ALLOCATABLE_STYLE = "bold white on magenta"
SEVERITY_STYLE = {"disqualifying": "red", "high": "red", "medium": "yellow", "info": "cyan"}


def not_allocatable_text(result: CheckResult) -> Text:
    """The lines that lead a check whose allocation is not possible at all (empty when it is)."""
    text = Text()
    if result.allocatable:
        return text
    text.append(" NOT ALLOCATABLE ", style=NOT_ALLOCATABLE_STYLE)
    text.append(
        f"  {result.investigator_name} may not be {result.role.replace('_', ' ')} of case {result.case_id} on {result.on}:\n"
    )
    for bar in result.bars:
        text.append(f"  - {bar.message} [{bar.reason}]\n", style="bold")
    text.append("  The rules were still applied; their verdict and findings follow, for information.\n")
    return text


def check_text(result: CheckResult, evidence: bool = True) -> Text:
    text = not_allocatable_text(result)
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


def candidates_table(report: CandidateReport) -> Table:
    """The ranked candidates with rank and unit on the day; the title names the pool and the policy."""
    table = Table(
        title=f"Candidates for case {report.case_id} on {report.on}, least conflicted first (policy {report.policy})",
        caption=f"{len(report.ranked)} shown of {report.pool_size - report.disqualified} not disqualified; "
        f"pool: {report.pool_size} {report.pool_text()}; {report.disqualified} disqualified, never proposed",
        title_justify="left",
        caption_justify="left",
    )
    for column in ("#", "person", "rank", "unit on the day", "verdict", "findings"):
        table.add_column(column, overflow="fold")
    for i, r in enumerate(report.ranked, 1):
        findings = ", ".join(r.rules()) or "-"
        unit = report.units.get(r.investigator_id)
        where = f"{report.unit_names.get(unit, unit)} ({unit})" if unit else "no posting"
        rank = (report.ranks.get(r.investigator_id) or "-").replace("_", " ")
        verdict = Text(r.verdict, style=VERDICT_STYLE[r.verdict])
        table.add_row(str(i), r.investigator_name, rank, where, verdict, findings)
    return table


MAX_UNITS_SHOWN = 15


def audit_tables(report: AuditReport, unit_names: dict[str, str] | None = None) -> list[Table]:
    """Verdicts (with the policy), allocations not allocatable per reason, rules, years, units."""
    totals = report.totals()
    names = unit_names or {}
    verdicts = Table(
        title=f"Audit: {totals['allocations']:,} investigator allocations (policy {totals['policy']})",
        title_justify="left",
    )
    verdicts.add_column("verdict")
    verdicts.add_column("allocations", justify="right")
    for verdict, count in totals["verdicts"].items():
        verdicts.add_row(Text(verdict, style=VERDICT_STYLE[verdict]), str(count))
    barred = totals["not_allocatable"]
    reasons = Table(
        title=f"Not allocatable on their own date: {barred['allocations']:,} allocation(s), whatever the verdict",
        title_justify="left",
    )
    reasons.add_column("reason")
    reasons.add_column("allocations", justify="right")
    for reason, count in barred["per_reason"].items():
        reasons.add_row(reason, str(count))
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
    ranked = sorted(totals["per_unit"].items(), key=lambda kv: (-(kv[1]["conflict"] + kv[1]["disqualified"]), kv[0]))
    left_out = len(ranked) - MAX_UNITS_SHOWN
    units = Table(
        title="Per unit (investigator's unit on the day), most conflicted first",
        title_justify="left",
        caption=f"{left_out:,} more unit(s) not shown (all are in --json, --csv and --html)" if left_out > 0 else None,
        caption_justify="left",
    )
    for column in ("unit", "name", "allocations", "conflict+disqualified"):
        units.add_column(column, justify="left" if column in ("unit", "name") else "right")
    for unit, counts in ranked[:MAX_UNITS_SHOWN]:
        name = names.get(unit, "no posting on the day" if unit == "(no posting)" else "")
        units.add_row(unit, name, str(sum(counts.values())), str(counts["conflict"] + counts["disqualified"]))
    return [verdicts, reasons, rules, years, units]
