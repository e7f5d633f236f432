"""The rule registry: every conflict rule of conflict-rules.md, one module per family.

Each family module declares its rules (id, default severity, title, meaning, legal basis,
and how a finding is explained) next to the code that finds them. The engine runs
:data:`PER_PERSON` finders for each person checked, then :data:`PER_POOL` finders once for
the whole pool. Adding a rule is adding (or extending) one module here and listing it below.

:data:`RULES` lists the rules by default severity, worst first (the order of reports).
"""

from __future__ import annotations

from coi.queries.rules import (
    association,
    case_history,
    counter_allegation,
    indirect,
    management,
    party,
    senior_officer,
    shared_unit,
)
from coi.queries.rules.base import Explaining, Rule
from coi.queries.verdicts import severity_rank

__all__ = ["FAMILIES", "PER_PERSON", "PER_POOL", "RULES", "Explaining", "Rule"]

#: every family, in catalogue order (within a severity, rules are listed in this order)
FAMILIES = (
    party,
    management,
    senior_officer,
    association,
    shared_unit,
    case_history,
    counter_allegation,
    indirect,
)
PER_PERSON = tuple(f for f in FAMILIES if hasattr(f, "find"))
PER_POOL = tuple(f for f in FAMILIES if hasattr(f, "find_pool"))

_ALL = [rule for family in FAMILIES for rule in family.RULES]
RULES: dict[str, Rule] = {r.id: r for r in sorted(_ALL, key=lambda r: -severity_rank(r.severity))}
assert len(RULES) == len(_ALL), "two rules share an id"
