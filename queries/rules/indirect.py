"""INDIRECT_LINK: no direct finding names a subject, but a third person is one step from
both the person and that subject (same unit, management or association) in the window.

It runs once for a whole pool, after the per-person rules, on sets of ids: N(S), and for
each person I the ids one step from I, where shared units come from each unit's interval
index and management from whichever side is smaller (I's own links for a few people, the
links of N(S) turned round for a large pool: steps are symmetric). Only the first
intermediaries X of each finding get their steps built, the ones :func:`steps` would give
from I's side (or from X's, for a large pool) and from S's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from coi.queries import evidence
from coi.queries.evidence import sentence
from coi.queries.management import managed_by, managers_of
from coi.queries.neighbours import Step, linked_ids, shared_ids, step_between, step_evidence
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
    reader, window = case.reader, case.window
    shared = shared_ids(reader, wanted | case.subjects, window)
    near_s = {s: shared[s] | linked_ids(reader, s, window, case.up_s[s], case.down_s[s]) for s in case.subjects}
    middle = {x for s in case.subjects for x in near_s[s]}
    near_me, first = _near_pool(case, wanted, middle, shared)
    for me in sorted(wanted):
        for s in open_pairs[me]:
            common = sorted(x for x in near_s[s] & near_me[me] if x != me)
            items = [
                evidence.indirect(
                    x,
                    [
                        step_evidence(first(me, x), reader),
                        step_evidence(_step(case, s, x), reader),
                    ],
                )
                for x in common[:MAX_INTERMEDIARIES]
            ]
            if items:
                results[me].add("INDIRECT_LINK", s, *items)


def _step(case: CaseContext, s: str, x: str) -> Step:
    step = step_between(case.reader, s, x, case.window, case.up_s[s], case.down_s[s])
    assert step is not None, f"{x} is one step from {s}"
    return step


def _near_pool(
    case: CaseContext, wanted: set[str], middle: set[str], shared: dict[str, set[str]]
) -> tuple[dict[str, set[str]], Callable[[str, str], Step]]:
    """Each person's ids one step away (as far as N(S) needs), and the step from I to X.

    Management is read from the smaller side: the pool's own links, or, for a pool larger
    than N(S), the links of N(S) turned round (the step then shown is the one from X's side).
    """
    reader, window = case.reader, case.window
    if len(wanted) <= len(middle):
        up, down = managers_of(reader, wanted, window), managed_by(reader, wanted, window)
        near = {me: shared[me] | linked_ids(reader, me, window, up[me], down[me]) for me in wanted}

        def first(me: str, x: str) -> Step:
            step = step_between(reader, me, x, window, up[me], down[me])
            assert step is not None, f"{x} is one step from {me}"
            return step

        return near, first
    up, down = managers_of(reader, middle, window), managed_by(reader, middle, window)
    turned: dict[str, set[str]] = {}
    for x in middle:
        for other in linked_ids(reader, x, window, up[x], down[x]):
            turned.setdefault(other, set()).add(x)
    near = {me: shared[me] | turned.get(me, set()) for me in wanted}

    def first_from_x(me: str, x: str) -> Step:
        step = step_between(reader, x, me, window, up[x], down[x])
        assert step is not None, f"{me} is one step from {x}"
        return step

    return near, first_from_x


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
