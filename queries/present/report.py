"""The audit as one self-contained HTML page an inspectorate can read, print and file.

No scripts, fonts, stylesheets or images are fetched: the charts are inline SVG drawn
here, the CSS is inline, and a Content-Security-Policy forbids everything else. Every
value that comes from the data is escaped. People are shown as the engine named them
(complainants and civilians by pseudonym); this module never reads names itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from coi.graph.files import write_text_atomic
from coi.queries.analyses.audit import AuditReport, units_most_conflicted
from coi.queries.engine import CheckResult
from coi.queries.evidence import summary
from coi.queries.present.palette import VERDICT_COLOURS, verdict_css
from coi.queries.present.report_charts import hbar_chart, stacked_bar_chart
from coi.queries.reader import Reader
from coi.queries.rules import RULES
from coi.queries.rules.basis import REG_15_3_B, REG_15_3_C, REG_15_3_D
from coi.queries.verdicts import VERDICT_ORDER

__all__ = ["render_audit_html", "write_audit_html"]

NO_POSTING = "(no posting)"
TOP_RULES = 10
TOP_UNITS = 15

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1b1b1b;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; } h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } caption { text-align: left; font-weight: 600; }
th, td { border: 1px solid #bbb; padding: .2rem .5rem; vertical-align: top; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #eee; } dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
.verdict { display: inline-block; padding: 0 .4rem; border-radius: .2rem; font-weight: 600; }
.allocation { border: 1px solid #999; border-left: 6px solid #999; padding: .6rem .8rem; margin: 1rem 0; }
.finding { margin: .5rem 0 .5rem .5rem; }
.evidence { font-family: ui-monospace, Consolas, monospace; font-size: 12px; margin: .2rem 0 0 1rem; }
.basis, .muted { color: #555; font-size: 12px; } .charts svg { display: block; margin: .5rem 0 1.2rem; }
.notice { background: #f4f4f4; border-left: 4px solid #3b5b92; padding: .5rem .8rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; } nav { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .allocation, table, svg { break-inside: avoid; } h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
CSS += verdict_css()
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute (None shows as blank).

    >>> e('<script>"&')
    '&lt;script&gt;&quot;&amp;'
    """
    return "" if value is None else escape(str(value), quote=True)


def write_audit_html(report: AuditReport, path: Path | str, reader: Reader) -> None:
    """Write the audit ``report`` as one self-contained UTF-8 HTML page, atomically, part by part
    (a national audit's conflicted allocations are never all in one string)."""
    write_text_atomic(Path(path), audit_html_parts(report, reader))


def render_audit_html(report: AuditReport, reader: Reader, generated: datetime | None = None) -> str:
    """The whole page as text (``generated`` defaults to now, UTC)."""
    return "".join(audit_html_parts(report, reader, generated))


def audit_html_parts(report: AuditReport, reader: Reader, generated: datetime | None = None) -> Iterator[str]:
    """The page in pieces, in order."""
    totals = report.totals()
    units = _unit_names(reader)
    ctx = {"report": report, "reader": reader, "units": units}
    title = f"Audit of investigator allocations: {_force_name(units)}"
    yield (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )
    sections = [
        _header(ctx, generated or datetime.now(UTC)),
        _how_to_read(),
        _summary(totals),
        _not_allocatable(report, totals),
        _charts(totals, units),
        _rules_table(totals),
        _years_table(totals),
        _units_table(totals, units),
    ]
    yield "\n".join(sections) + "\n"
    yield from _conflicted(report, units)
    yield "\n</body>\n</html>\n"


# --- context ------------------------------------------------------------------------------


def _unit_names(reader: Reader) -> dict[str, tuple[str, str | None]]:
    try:
        return {uid: (u.name, u.parent_unit_id) for uid, u in reader.units.items()}
    except Exception:  # a report must still be written if the unit table cannot be read
        return {}


def _force_name(units: Mapping[str, tuple[str, str | None]]) -> str:
    roots = sorted(name for name, parent in units.values() if not parent)
    return ", ".join(roots) if roots else "all forces in the store"


def _store_info(reader: Reader) -> tuple[str, str]:
    """(data version, loaded at), blank when the store cannot say."""
    try:
        info = reader.store.info()
    except Exception:
        return "", ""
    return str(getattr(info, "data_version", "") or ""), str(getattr(info, "loaded_at", "") or "")


def _unit_label(uid: str, units: Mapping[str, tuple[str, str | None]]) -> str:
    if uid in units:
        return f"{units[uid][0]} ({uid})"
    return uid


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _verdict(v: str) -> str:
    return f'<span class="verdict v-{e(v)}">{e(v)}</span>'


def _table(caption: str, head: Iterable[tuple[str, bool]], rows: Iterable[Iterable[str]]) -> str:
    """A table; ``head`` is (label, numeric); cells are already-escaped HTML."""
    head = list(head)
    out = [f"<table><caption>{e(caption)}</caption><thead><tr>"]
    out += [f'<th{" class=n" if num else ""} scope="col">{e(label)}</th>' for label, num in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = [f"<td{' class=n' if num else ''}>{cell}</td>" for cell, (_, num) in zip(row, head, strict=True)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# --- sections -----------------------------------------------------------------------------


def _header(ctx: dict[str, Any], generated: datetime) -> str:
    report: AuditReport = ctx["report"]
    version, loaded_at = _store_info(ctx["reader"])
    policies = report.policies()
    lookbacks = report.lookbacks()
    days = report.period()
    period = f"{days[0].isoformat()} to {days[1].isoformat()}" if days else "-"
    meta = [
        ("Force", _force_name(ctx["units"])),
        ("Generated", generated.strftime("%Y-%m-%d %H:%M UTC")),
        ("Data version", version or "not available"),
        ("Data loaded", loaded_at or "not available"),
        ("Policy", ", ".join(policies)),
        ("Lookback", ", ".join(f"{n} years" for n in lookbacks) or "-"),
        ("Allocations audited", str(len(report.allocations))),
        ("Allocation dates", period),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in meta)
    nav = (
        '<nav><p class="muted">Contents: <a href="#summary">Summary</a> · <a href="#charts">Charts</a> · '
        '<a href="#not-allocatable">Not allocatable</a> · <a href="#rules">Findings per rule</a> · <a href="#years">Per year</a> · <a href="#units">Per unit</a> · '
        '<a href="#conflicted">Conflicted allocations</a></p></nav>'
    )
    return (
        f"<header><h1>Conflict-of-interest audit of investigator allocations</h1>"
        f'<p class="muted">{e(_force_name(ctx["units"]))}</p>'
        f'<dl class="meta">{items}</dl></header>{nav}'
    )


def _how_to_read() -> str:
    return (
        '<section id="how"><h2>How to read this report</h2><div class="notice">'
        "<p>Every investigator assignment in the data was checked as of its own allocation date (the "
        "assignment's start date, or the case's opening date when blank), using only what was known on that "
        "day. Each check applies the conflict rules: a finding names the rule, its severity, the other party "
        "and the records (postings, cases, associations) that make it true, so it can be verified by hand.</p>"
        "<p>The verdict is the worst severity found: <b>disqualified</b> (the appointment is barred), "
        "<b>conflict</b> (a serious link: the allocation needed a recorded justification), <b>declare</b> "
        "(a link to be declared) or <b>clear</b> (information-only findings do not change it). "
        "Conflicted and disqualified allocations are listed in full at the end.</p>"
        "<p>Legal basis: the Police (Conduct) Regulations 2020, regulation 15(3), bar from investigating "
        "anyone who is an interested party (b), anyone who works, directly or indirectly, under the management "
        "of the officer concerned (c), and, where that officer is a senior officer, any member of the same force "
        "(d). The Police (Complaints and Misconduct) Regulations 2020 carry a parallel bar; the 2022 response to "
        "the police-perpetrated domestic abuse super-complaint asks for investigators with no previous dealings "
        "with the suspect.</p>"
        f'<p class="basis">{e(REG_15_3_B)}<br>{e(REG_15_3_C)}<br>{e(REG_15_3_D)}</p>'
        '<p class="basis">Complainants and civilians are shown by role and pseudonym ("Complainant 1"). '
        "Units are the investigator's unit on the allocation date.</p></div></section>"
    )


def _summary(totals: dict[str, Any]) -> str:
    n, verdicts = totals["allocations"], totals["verdicts"]
    bad = verdicts["conflict"] + verdicts["disqualified"]
    rows = [[_verdict(v), e(verdicts[v]), e(_pct(verdicts[v], n))] for v in VERDICT_ORDER]
    rows.append(["<b>total</b>", f"<b>{e(n)}</b>", e(_pct(n, n))])
    lead = (
        f"<p><b>{e(bad)}</b> of <b>{e(n)}</b> allocations ({e(_pct(bad, n))}) were conflicted or disqualified; "
        f"of these, <b>{e(verdicts['disqualified'])}</b> disqualified outright.</p>"
    )
    return (
        f'<section id="summary"><h2>Summary</h2>{lead}'
        + _table("Allocations per verdict", [("verdict", False), ("allocations", True), ("share", True)], rows)
        + "</section>"
    )


def _not_allocatable(report: AuditReport, totals: dict[str, Any]) -> str:
    """Allocations that were not possible at all on their own date, per reason, then each one."""
    barred = totals["not_allocatable"]
    rows = [[f"<code>{e(reason)}</code>", e(n)] for reason, n in barred["per_reason"].items()]
    items = "".join(
        f"<li>{e(r.case_id)}: {e(r.investigator_name or r.investigator_id)} on {e(r.on.isoformat())} "
        f"({_verdict(r.verdict)}): {e('; '.join(b.message for b in r.bars))}</li>"
        for r in report.not_allocatable()
    )
    return (
        '<section id="not-allocatable"><h2>Not allocatable on their own date</h2>'
        f"<p><b>{e(barred['allocations'])}</b> of <b>{e(totals['allocations'])}</b> allocations were not possible "
        "at all on their allocation date (a person who is not an officer, who had not joined or had left, "
        "or a case already closed), whatever their verdict.</p>"
        + _table("Not allocatable, per reason", [("reason", False), ("allocations", True)], rows)
        + (f"<ul>{items}</ul>" if items else "")
        + "</section>"
    )


def _conflicted_share(counts: Mapping[str, int]) -> tuple[int, int]:
    return counts["conflict"] + counts["disqualified"], sum(counts.values())


def _charts(totals: dict[str, Any], units: Mapping[str, tuple[str, str | None]]) -> str:
    known = totals["per_year"]
    years = [str(y) for y in range(int(min(known)), int(max(known)) + 1)] if known else []  # gaps shown as 0
    per_year = stacked_bar_chart(
        "Allocations per year, stacked by verdict",
        years,
        {v: [known.get(y, {}).get(v, 0) for y in years] for v in VERDICT_ORDER},
    )
    rules = sorted(((r, n) for r, n in totals["rules"].items() if n), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]
    per_rule = hbar_chart("Findings per rule (most frequent)", [(r, n, str(n)) for r, n in rules])
    ranked = units_most_conflicted(totals)[:TOP_UNITS]
    shares = []
    for uid, counts in ranked:
        bad, n = _conflicted_share(counts)
        shares.append((units[uid][0] if uid in units else uid, bad / n if n else 0, f"{_pct(bad, n)} of {n}"))
    per_unit = hbar_chart(
        "Share of allocations conflicted or disqualified, per unit",
        shares,
        maximum=1.0,
        colour=VERDICT_COLOURS["conflict"],
    )
    return (
        '<section id="charts" class="charts"><h2>Charts</h2>'
        f"<h3>Allocations per year, by verdict</h3>{per_year}"
        f"<h3>Findings per rule (top {TOP_RULES})</h3>{per_rule}"
        f"<h3>Conflicted or disqualified share per unit (the {TOP_UNITS} units with most)</h3>{per_unit}</section>"
    )


def _rules_table(totals: dict[str, Any]) -> str:
    rows = [
        [
            f"<code>{e(rule)}</code>",
            e(RULES[rule].title),
            e(RULES[rule].severity),
            e(n),
            f'<span class="basis">{e(RULES[rule].basis)}</span>',
        ]
        for rule, n in totals["rules"].items()
    ]
    head = [("rule", False), ("meaning", False), ("default severity", False), ("findings", True), ("basis", False)]
    return f'<section id="rules"><h2>Findings per rule</h2>{_table("Findings per rule, all allocations", head, rows)}</section>'


def _years_table(totals: dict[str, Any]) -> str:
    rows = []
    for year, counts in totals["per_year"].items():
        bad, n = _conflicted_share(counts)
        rows.append([e(year), *(e(counts[v]) for v in VERDICT_ORDER), e(n), e(_pct(bad, n))])
    head = [("year", False), *((v, True) for v in VERDICT_ORDER), ("total", True), ("conflicted share", True)]
    return f'<section id="years"><h2>Per year</h2>{_table("Allocations per year and verdict", head, rows)}</section>'


def _units_table(totals: dict[str, Any], units: Mapping[str, tuple[str, str | None]]) -> str:
    ranked = units_most_conflicted(totals)
    rows = []
    for uid, counts in ranked:
        bad, n = _conflicted_share(counts)
        name = units[uid][0] if uid in units else ("no posting on the day" if uid == NO_POSTING else "")
        rows.append([f"<code>{e(uid)}</code>", e(name), *(e(counts[v]) for v in VERDICT_ORDER), e(n), e(_pct(bad, n))])
    head = [
        ("unit", False),
        ("name", False),
        *((v, True) for v in VERDICT_ORDER),
        ("total", True),
        ("conflicted share", True),
    ]
    return (
        '<section id="units"><h2>Per unit</h2><p class="muted">The investigator\'s unit on the allocation date; '
        "most conflicted first.</p>" + _table("Allocations per unit and verdict", head, rows) + "</section>"
    )


def _conflicted(report: AuditReport, units: Mapping[str, tuple[str, str | None]]) -> Iterator[str]:
    results = report.conflicted()
    if not results:
        yield '<section id="conflicted"><h2>Conflicted allocations</h2><p>None: no allocation was conflicted or disqualified.</p></section>'
        return
    index_rows = (
        [
            f'<a href="#a{i}">{e(r.case_id)}</a>',
            e(r.investigator_name or r.investigator_id),
            e(r.on.isoformat()),
            _verdict(r.verdict),
            e(", ".join(dict.fromkeys(f.rule for f in r.findings))),
        ]
        for i, r in enumerate(results, 1)
    )
    head = [("case", False), ("investigator", False), ("allocated", False), ("verdict", False), ("rules", False)]
    yield '<section id="conflicted"><h2>Conflicted allocations</h2>'
    yield f"<p>{e(len(results))} allocation(s) with verdict conflict or disqualified, oldest first.</p>"
    yield _table("Index", head, index_rows)
    for i, (r, unit) in enumerate(results.rows(), 1):
        yield _allocation(i, r, unit, units)
    yield "</section>"


def _allocation(
    i: int,
    r: CheckResult,
    unit: str | None,
    units: Mapping[str, tuple[str, str | None]],
) -> str:
    case_type = r.case_type  # the case's type as the check read it
    facts = [
        f"allocated {e(r.on.isoformat())} as {e(r.role)}",
        f"case type {e(case_type)}" if case_type else "",
        f"unit on the day: {e(_unit_label(unit, units))}" if unit else "no posting on the day",
        f"policy {e(r.policy)}, lookback {e(r.lookback_years)} years",
        f"<b>not allocatable</b>: {e('; '.join(b.message for b in r.bars))}" if r.bars else "",
    ]
    out = [
        f'<article class="allocation {e(r.verdict)}" id="a{i}">',
        f"<h3>Case {e(r.case_id)}: {e(r.investigator_name or r.investigator_id)} {_verdict(r.verdict)}</h3>",
        f'<p class="muted">{" · ".join(f for f in facts if f)}</p>',
    ]
    out += [f'<p class="muted">Note: {e(note)}</p>' for note in r.notes]
    for f in r.findings:
        rule = RULES.get(f.rule)
        evidence = "".join(f"<li>{e(summary(item))}</li>" for item in f.evidence)
        out.append(
            '<div class="finding">'
            f"<p><code>{e(f.rule)}</code> ({e(f.severity)}, other party <code>{e(f.other_id)}</code>)"
            f"{': ' + e(rule.title) if rule else ''}<br>{e(f.explanation)}</p>"
            f'<ul class="evidence">{evidence}</ul>'
            + (f'<p class="basis">{e(rule.basis)}</p>' if rule else "")
            + "</div>"
        )
    out.append("</article>")
    return "".join(out)
