"""What a rule is: its catalogue entry, how its findings are collected, how it is explained.

A rule family is one module under ``queries/rules/`` that declares ``RULES`` (its
:class:`Rule` entries, each with the function that writes its sentence) and one finder:
``find(case, found, me)`` for rules about one person, or ``find_pool(case, results)`` for
rules that look at a whole pool at once (after every per-person rule has run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from coi.graph.model import Unit
from coi.queries.verdicts import Severity

if TYPE_CHECKING:
    from coi.queries.findings import Finding

__all__ = ["Explaining", "Family", "Rule"]

Namer = Callable[[str | None], str]


@dataclass(frozen=True)
class Explaining:
    """What a rule's sentence may use: who is checked, the day, names, units, ranks."""

    me: str
    on: date
    name: Namer
    units: Mapping[str, Unit]
    ranks: Mapping[str, str]
    root: Callable[[str], str]  # the force a unit belongs to


@dataclass(frozen=True)
class Rule:
    """A rule's catalogue entry (conflict-rules.md) and the function that explains its findings."""

    id: str
    severity: Severity  # the specification's default; a policy may change it per case type
    title: str
    description: str
    basis: str
    explain: Callable[[Finding, Explaining], str]


class Family(Protocol):
    """A rule module: its rules, and a ``find`` (per person) or ``find_pool`` (whole pool)."""

    RULES: tuple[Rule, ...]
