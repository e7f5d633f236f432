"""The sentence of a rule whose evidence is a link between two people (management, shared
unit, association): the first link in words, and how many more there are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coi.queries.evidence import sentence
from coi.queries.rules.base import Explaining

if TYPE_CHECKING:
    from coi.queries.findings import Finding


def first_link(f: Finding, x: Explaining) -> str:
    extra = f" (+{len(f.evidence) - 1} more)" if len(f.evidence) > 1 else ""
    return sentence(f.evidence[0], x.name) + extra + "."
