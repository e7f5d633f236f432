"""The neighbourhood graph behind a case picture: nodes, edges, relevance and the cap.

Builds a networkx graph from a dispute and its checks' evidence: people, units and cases,
edges coloured by the severity of the finding they come from, hover text with roles,
units and dates. :mod:`coi.queries.present.picture` wraps it in a page; :mod:`coi.queries.present.pyvis_page` draws it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx
from coi.graph.model import Posting
from coi.queries import evidence
from coi.queries.dispute import PARTY_ROLES, Dispute
from coi.queries.engine import CheckResult
from coi.queries.names import Namer
from coi.queries.reader import Reader
from coi.queries.timeline import active
from coi.queries.verdicts import SEVERITIES, severity_rank

__all__ = ["MAX_NODES", "Builder", "add_structure", "choose_kept", "to_graph"]

MAX_NODES = 400
TOP_CANDIDATES = 3
#: Checking every serving officer to find candidates is skipped above this pool size.
CANDIDATE_POOL_LIMIT = 3000
SEVERITY_COLOURS = {"disqualifying": "#7a0010", "high": "#d62728", "medium": "#f28e00", "info": "#1f77b4"}
SEVERITY_WIDTHS = {"disqualifying": 6.0, "high": 4.5, "medium": 3.5, "info": 2.5}
CONTEXT_COLOUR, CONTEXT_WIDTH = "#a8b0b8", 1.2
VERDICT_COLOURS = {"clear": "#1a7f37", "declare": "#9a6700", "conflict": "#cf222e", "disqualified": "#7a0010"}
SHAPES = {"officer": "dot", "civilian": "triangle", "unit": "square", "case": "diamond"}
FILLS = {"officer": "#dde4ec", "civilian": "#dde4ec", "unit": "#c9d3c0", "case": "#f6bd60"}
CHECKED_FILL, PARTY_FILL, BORDER = "#2a9d8f", "#9b5de5", "#3d4650"
# Relevance tiers, most relevant first: the case and the people checked, the dispute's other
# cases and parties, then evidence by severity (disqualifying .. info), then context.
CHECKED_TIER, PARTY_TIER, CONTEXT_TIER = 0, 1, len(SEVERITIES) + 2


def tier_of(severity: str) -> int:
    return PARTY_TIER + len(SEVERITIES) - severity_rank(severity)


@dataclass
class Node:
    kind: str
    ref: str
    tier: int
    order: int
    lines: list[str] = field(default_factory=list)
    mark: str = ""  # "checked", "party" or ""
    kept: bool = False  # never left out: the case, the people checked, everyone behind a disqualifying finding


@dataclass
class Edge:
    a: str
    b: str
    lines: list[str] = field(default_factory=list)
    severity: str | None = None
    arrow: bool = False
    dashes: bool = False
    roles: list[str] = field(default_factory=list)  # a person's roles on the case at the other end


class Builder:
    """Collects nodes and edges; a node keeps its most relevant tier, an edge its worst severity."""

    def __init__(self, reader: Reader, namer: Namer) -> None:
        self.reader, self.namer = reader, namer
        self.nodes: dict[str, Node] = {}
        self.edges: dict[frozenset[str], Edge] = {}
        self.disqualifying = False  # adding a disqualifying finding's evidence: its nodes are kept

    def _node(self, key: str, kind: str, ref: str, tier: int, line: str | None) -> str:
        node = self.nodes.setdefault(key, Node(kind, ref, tier, len(self.nodes)))
        node.tier = min(node.tier, tier)
        node.kept = node.kept or tier == CHECKED_TIER or self.disqualifying
        if line and line not in node.lines:
            node.lines.append(line)
        return key

    def person(self, pid: str, tier: int, line: str | None = None) -> str:
        kind = "civilian" if self.namer.is_pseudonymised(pid) or not self._is_officer(pid) else "officer"
        return self._node(f"person:{pid}", kind, pid, tier, line)

    def unit(self, uid: str, tier: int) -> str:
        return self._node(f"unit:{uid}", "unit", uid, tier, None)

    def case(self, cid: str, tier: int, line: str | None = None) -> str:
        return self._node(f"case:{cid}", "case", cid, tier, line)

    def _is_officer(self, pid: str) -> bool:
        person = self.namer.people.get(pid)
        return bool(person and person.is_officer)

    def link(
        self,
        a: str,
        b: str,
        line: str,
        severity: str | None = None,
        arrow: bool = False,
        dashes: bool = False,
        role: str | None = None,
    ) -> None:
        edge = self.edges.get(key := frozenset((a, b)))
        if edge is None:
            edge = self.edges[key] = Edge(a, b, dashes=dashes)
        edge.dashes = edge.dashes and dashes
        if arrow and not edge.arrow:
            edge.a, edge.b, edge.arrow = a, b, True
        if line not in edge.lines:
            edge.lines.append(line)
        if role and role not in edge.roles:
            edge.roles.append(role)
        if severity and (edge.severity is None or severity_rank(severity) > severity_rank(edge.severity)):
            edge.severity = severity

    # --- evidence -----------------------------------------------------------------------------
    def evidence(self, item: dict[str, Any], severity: str, rule: str) -> None:
        """Nodes and coloured edges for one evidence item of a finding."""
        self.disqualifying = severity == "disqualifying"
        try:
            self._evidence(item, severity, rule)
        finally:
            self.disqualifying = False

    def _evidence(self, item: dict[str, Any], severity: str, rule: str) -> None:
        tier, tag = tier_of(severity), f"{rule} [{severity}]: "
        kind = item.get("type")
        if kind == "posting":
            self._posting(item, tier, tag + evidence.summary(item), severity)
        elif kind == "assignment":
            who, case = self.person(item["person_id"], tier), self.case(item["case_id"], tier)
            self.link(who, case, tag + evidence.summary(item), severity, role=item.get("role"))
        elif kind == "case":
            self._case_record(item, tier)
        elif kind == "association":
            a, b = self.person(item["person_a"], tier), self.person(item["person_b"], tier)
            self.link(a, b, tag + evidence.summary(item), severity)
        elif kind == "management":
            self._management(item, tier, tag, severity)
        elif kind == "shared_unit":
            for p in item["postings"]:
                self._posting(p, tier, tag + evidence.summary(item), severity)
        elif kind == "indirect":
            self.person(item["via"], tier, f"intermediary of an INDIRECT_LINK [{severity}]")
            for step in item["steps"]:
                self._evidence(step, severity, rule)

    def _posting(self, p: dict[str, Any], tier: int, line: str, severity: str | None) -> str:
        unit = self.unit(p["unit_id"], tier)
        self.link(self.person(p["officer_id"], tier), unit, line, severity)
        return unit

    def _case_record(self, item: dict[str, Any], tier: int) -> None:
        case = self.case(item["case_id"], tier)
        if item.get("counter_allegation_of"):
            other = self.case(item["counter_allegation_of"], tier)
            self.link(
                case, other, f"{item['case_id']} is a counter-allegation of {item['counter_allegation_of']}", arrow=True
            )

    def _management(self, item: dict[str, Any], tier: int, tag: str, severity: str) -> None:
        boss, them = self.person(item["manager_id"], tier), self.person(item["managed_id"], tier)
        self.link(boss, them, tag + evidence.summary(item), severity, arrow=True)
        postings = item["postings"]
        if item["how"] == "supervision" and len(postings) == 2:
            sup, theirs = (self._posting(p, tier, tag + evidence.summary(p), severity) for p in postings)
            if sup != theirs:
                self.link(theirs, sup, tag + "unit inside the supervised unit", severity, arrow=True, dashes=True)
            return
        for p in postings if len(postings) > 1 else ():  # a longer line chain: each posting names the next manager
            if p.get("line_manager_id"):
                lm = self.person(p["line_manager_id"], tier)
                self.link(
                    lm,
                    self.person(p["officer_id"], tier),
                    tag + "line manager on " + evidence.summary(p),
                    severity,
                    arrow=True,
                )

    # --- context ------------------------------------------------------------------------------
    def current_postings(self, people: list[str], on: date) -> None:
        """Grey edges to the units the (named) people are posted to on ``on``."""
        shown = [p for p in people if self.nodes[f"person:{p}"].kind == "officer"]
        for pid, postings in self.reader.postings(shown).items():
            for p in postings:
                if active(p.start_date, p.end_date, on):
                    unit = self.unit(p.unit_id, CONTEXT_TIER)
                    self.link(f"person:{pid}", unit, posting_line(p, self.reader))

    def containment(self) -> None:
        """Dashed grey edges from each unit to the nearest unit above it that is shown."""
        shown = {n.ref for n in self.nodes.values() if n.kind == "unit"}
        for uid in sorted(shown):
            above = next((u for u in self.reader.ancestors(uid)[1:] if u in shown), None)
            if above:
                self.link(f"unit:{uid}", f"unit:{above}", f"{uid} is part of {above}", arrow=True, dashes=True)


def posting_line(p: Posting, reader: Reader) -> str:
    unit = reader.units.get(p.unit_id)
    role = f" as {p.role}" if p.role else ""
    sup = " (supervisor)" if p.supervisor else ""
    lm = f", line manager {p.line_manager_id}" if p.line_manager_id else ""
    until = f" until {p.end_date}" if p.end_date else ""
    return f"posted to {unit.name if unit else p.unit_id} ({p.unit_id}){role}{sup} since {p.start_date}{until}{lm}"


def add_structure(b: Builder, dispute: Dispute, results: list[CheckResult], on: date, checked: bool) -> None:
    main = dispute.case
    b.case(main.case_id, CHECKED_TIER, "the case being allocated")
    for c in dispute.linked:
        b.case(c.case_id, PARTY_TIER, "linked by counter-allegation")
        src, dst = (c.case_id, main.case_id) if c.counter_allegation_of == main.case_id else (main.case_id, c.case_id)
        b.link(f"case:{src}", f"case:{dst}", f"{src} is a counter-allegation of {dst}", arrow=True)
    for a in dispute.assignments:
        line = f"{a.role.replace('_', ' ')} of {a.case_id} from {a.start_date}" + (
            f" to {a.end_date}" if a.end_date else ""
        )
        who = b.person(a.person_id, PARTY_TIER, line)
        b.nodes[who].mark = b.nodes[who].mark or ("party" if a.role in PARTY_ROLES else "")
        b.link(who, f"case:{a.case_id}", line, role=a.role)
    for i, r in enumerate(results, 1):
        what = f"{r.role.replace('_', ' ')} being checked" if checked else f"candidate #{i}"
        who = b.person(r.investigator_id, CHECKED_TIER, f"{what}: {r.verdict}")
        b.nodes[who].mark = "checked"
        for f in r.findings:
            for item in f.evidence:
                b.evidence(item, f.severity, f.rule)
            other = b.nodes.get(f"person:{f.other_id}") or b.nodes.get(f"case:{f.other_id}")
            if other is not None and f.severity == "disqualifying":
                other.kept = True
    core = sorted(n.ref for n in b.nodes.values() if n.tier <= PARTY_TIER and n.kind != "case")
    b.current_postings(core, on)
    b.containment()


def node_text(b: Builder, node: Node, on: date, postings: dict[str, list[Posting]]) -> tuple[str, str]:
    reader, namer = b.reader, b.namer
    if node.kind == "unit":
        unit = reader.units.get(node.ref)
        if unit is None:
            return node.ref, f"unit {node.ref} (not in the units table)"
        parent = reader.units.get(unit.parent_unit_id or "")
        lines = [f"{unit.name} ({unit.unit_id})", f"unit: {unit.kind}"]
        lines += [f"part of {parent.name} ({parent.unit_id})"] if parent else []
        lines += [f"tags: {', '.join(unit.tags)}"] if unit.tags else []
        return unit.name, "\n".join(lines)
    if node.kind == "case":
        case = reader.cases([node.ref]).get(node.ref)
        if case is None:
            return f"Case {node.ref}", f"case {node.ref}"
        lines = [f"Case {case.case_id}", f"{case.case_type.replace('_', ' ')}, opened {case.opened_on}"]
        lines += [f"closed {case.closed_on}" if case.closed_on else "open"]
        lines += [f"counter-allegation of {case.counter_allegation_of}"] if case.counter_allegation_of else []
        return f"Case {case.case_id}", "\n".join(lines + node.lines)
    label = namer(node.ref)
    if namer.is_pseudonymised(node.ref):
        return label, "\n".join([label, "shown by role and pseudonym", *node.lines])
    person = namer.people.get(node.ref)
    if person is None:
        return label, "\n".join([label, "person not in the people or officers tables", *node.lines])
    if not person.is_officer:
        return label, "\n".join([label, "not an officer", *node.lines])
    about = ", ".join(
        x
        for x in (
            "officer",
            (person.rank or "").replace("_", " "),
            person.collar_number and f"collar {person.collar_number}",
        )
        if x
    )
    now = [posting_line(p, reader) for p in postings.get(node.ref, []) if active(p.start_date, p.end_date, on)]
    return label, "\n".join([label, about, *node.lines, *(now or [f"no posting on {on}"])])


def choose_kept(b: Builder, max_nodes: int) -> tuple[set[str], Counter, str | None]:
    """The ``max_nodes`` most relevant nodes, counts of the rest by kind, and a note saying what went.

    The case, the people checked and every node of a disqualifying finding's evidence are
    kept even beyond ``max_nodes``; the rest fill what is left, most relevant first.
    """
    ranked = sorted(b.nodes, key=lambda k: (not b.nodes[k].kept, b.nodes[k].tier, b.nodes[k].order))
    must = sum(1 for n in b.nodes.values() if n.kept)
    room = max(max_nodes, must)
    keep, gone = set(ranked[:room]), [b.nodes[k] for k in ranked[room:]]
    dropped = Counter(n.kind for n in gone)
    if not gone:
        return keep, dropped, None
    what = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(dropped.items()))
    worst = min(n.tier for n in gone)
    if must > max_nodes:
        why = (
            f"the case, the people checked and everyone behind a disqualifying finding ({must}) are always "
            "shown, even beyond --max-nodes"
        )
    elif worst == CONTEXT_TIER:
        why = "only context (units people are posted to) went; every finding's links are shown"
    elif worst > PARTY_TIER:
        severity = SEVERITIES[PARTY_TIER + len(SEVERITIES) - worst]
        why = f"some links of {severity} findings went, and everything less relevant; the dispute and the people checked are all shown"
    else:
        why = "even parties of the dispute had to go; raise --max-nodes to see them all"
    note = f"Left out {len(gone)} of {len(ranked)} nodes to stay readable (at most {room}): {what}. {why[0].upper()}{why[1:]}."
    return keep, dropped, note


def to_graph(b: Builder, keep: set[str], on: date, main_case: str) -> nx.DiGraph:
    g = nx.DiGraph()
    officers = [n.ref for k, n in b.nodes.items() if k in keep and n.kind == "officer"]
    postings = b.reader.postings(officers)
    for key, node in sorted(b.nodes.items(), key=lambda kv: kv[1].order):
        if key not in keep:
            continue
        label, title = node_text(b, node, on, postings)
        fill = {"checked": CHECKED_FILL, "party": PARTY_FILL}.get(node.mark, FILLS[node.kind])
        big = node.mark or key == f"case:{main_case}"
        g.add_node(
            key,
            label=label,
            title=title,
            shape=SHAPES[node.kind],
            color={"background": fill, "border": BORDER},
            size=20 if big else 12,
            border=2 if big else 1,
            bold=bool(big),
        )
    for edge in b.edges.values():
        if edge.a in keep and edge.b in keep:
            sev = edge.severity
            g.add_edge(
                edge.a,
                edge.b,
                title="\n".join(edge.lines),
                color=SEVERITY_COLOURS[sev] if sev else CONTEXT_COLOUR,
                width=SEVERITY_WIDTHS[sev] if sev else CONTEXT_WIDTH,
                dashes=edge.dashes,
                arrow=edge.arrow,
                severity=sev,
                label=", ".join(r.replace("_", " ") for r in edge.roles),
            )
    return g
