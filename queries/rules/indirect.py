"""INDIRECT_LINK: no direct finding names a subject, but a third person is one step from
both the person and that subject (same unit, management or association) in the window.

It runs once for a whole pool, after the per-person rules: steps are symmetric, so the
intermediaries X of (I, S) are found from whichever side is smaller, N(I) & N(S) for a few
people, or {X in N(S) : I in N(X)} for a large pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.evidence import sentence
from coi.queries.neighbours import step_evidence, steps
from coi.queries.rules.base import Explaining, Rule
from coi.queries.rules.basis import IOPC_IMPARTIALITY
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.case_context import CaseContext
    from coi.queries.findings import Finding, Findings

#: intermediaries shown per finding
MAX_INTERMEDIARIES = 3


def find_pool(case: CaseContext, results: dict[str, Findings]) -> None:
    open_pairs = {me: sorted(case.subjects - {me} - found.named()) for me, found in results.items()}
    wanted = {me for me, subjects in open_pairs.items() if subjects}
    if not wanted:
        return
    near_s = steps(case.reader, case.subjects, case.window, case.up_s, case.down_s)
    middle = {x for s in case.subjects for x in near_s[s]}
    if len(wanted) <= len(middle):
        near_me = steps(case.reader, wanted, case.window)
        first = lambda me, x: near_me[me].get(x)  # noqa: E731
    else:
        near_x = steps(case.reader, middle, case.window)
        first = lambda me, x: near_x[x].get(me)  # noqa: E731
    for me in sorted(wanted):
        for s in open_pairs[me]:
            common = sorted(x for x in near_s[s] if x != me and first(me, x) is not None)
            items = [
                evidence.indirect(
                    x, [step_evidence(first(me, x), case.reader), step_evidence(near_s[s][x], case.reader)]
                )
                for x in common[:MAX_INTERMEDIARIES]
            ]
            if items:
                results[me].add("INDIRECT_LINK", s, *items)


def _sentence(f: Finding, x: Explaining) -> str:
    via = [e["via"] for e in f.evidence]
    linked = "; ".join(sentence(s, x.name) for s in f.evidence[0]["steps"])
    more = f" (and {len(via) - 1} more)" if len(via) > 1 else ""
    return f"{x.name(x.me)} and {x.name(f.other_id)} are both linked to {x.name(via[0])}{more}: {linked}."


RULES = (
    Rule(
        "INDIRECT_LINK",
        Severity.INFO,
        "Linked through a third person",
        "No direct link, but a third person is linked to both (same unit, management or association).",
        IOPC_IMPARTIALITY,
        _sentence,
    ),
)
