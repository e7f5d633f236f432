"""Policies: severities per rule (optionally per case type) and the lookback, from a file.

Example (TOML)::

    name = "PPDA: no previous dealings"
    lookback_years = 10

    [case_types.domestic_abuse.severity]
    SHARED_UNIT = "high"
    PRIOR_INVESTIGATION = "high"

The default policy (no file) gives exactly the specification's severities.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from coi.graph.model import CASE_TYPES
from coi.queries.rules import RULES
from coi.queries.verdicts import SEVERITIES

__all__ = ["DEFAULT_POLICY", "Policy", "PolicyError", "load_policy"]


class PolicyError(ValueError):
    """A policy file that cannot be used: every problem found, each one line."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Policy:
    name: str = "default"
    lookback_years: int = 10
    severity: dict[str, str] = field(default_factory=dict)
    case_types: dict[str, dict[str, Any]] = field(default_factory=dict)

    def severity_of(self, rule: str, case_type: str | None) -> str:
        override = self.case_types.get(case_type or "", {}).get("severity", {})
        return override.get(rule) or self.severity.get(rule) or RULES[rule].severity

    def lookback_for(self, case_type: str | None) -> int:
        return int(self.case_types.get(case_type or "", {}).get("lookback_years", self.lookback_years))


DEFAULT_POLICY = Policy()


def _severities(where: str, table: Any, problems: list[str]) -> dict[str, str]:
    """The valid RULE = severity entries of ``table``; every bad one is added to ``problems``."""
    if not isinstance(table, dict):
        problems.append(f"{where}: expected a table of RULE = severity")
        return {}
    good = {}
    for rule, severity in table.items():
        if rule not in RULES:
            problems.append(f"{where}: unknown rule {rule!r} (one of {', '.join(RULES)})")
        elif severity not in SEVERITIES:
            problems.append(f"{where}.{rule}: severity {severity!r} must be one of {', '.join(SEVERITIES)}")
        else:
            good[rule] = severity
    return good


def _lookback(where: str, value: Any, problems: list[str]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        problems.append(f"{where}: lookback_years {value!r} must be a whole number from 0 to 100")
        return 10
    return value


def load_policy(path: Path | None) -> Policy:
    """Read a TOML or YAML policy file; None gives the default policy.

    A bad file raises :class:`PolicyError` listing every problem in it, not only the first.
    """
    if path is None:
        return DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: cannot read policy ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path.name}: a policy is a table with name, lookback_years, severity, case_types")
    problems: list[str] = []
    unknown = set(data) - {"name", "lookback_years", "severity", "case_types"}
    if unknown:
        problems.append(f"{path.name}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    severity = _severities(f"{path.name} severity", data.get("severity", {}), problems)
    case_types: dict[str, dict[str, Any]] = {}
    tables = data.get("case_types") or {}
    if not isinstance(tables, dict):
        problems.append(f"{path.name} case_types: expected a table per case type")
        tables = {}
    for case_type, table in tables.items():
        where = f"{path.name} case_types.{case_type}"
        if case_type not in CASE_TYPES or not isinstance(table, dict):
            problems.append(f"{where}: unknown case type (one of {', '.join(CASE_TYPES)})")
            continue
        if set(table) - {"severity", "lookback_years"}:
            problems.append(f"{where}: only severity and lookback_years may be set per case type")
        entry: dict[str, Any] = {"severity": _severities(where, table.get("severity", {}), problems)}
        if "lookback_years" in table:
            entry["lookback_years"] = _lookback(where, table["lookback_years"], problems)
        case_types[case_type] = entry
    lookback = _lookback(path.name, data.get("lookback_years", 10), problems)
    if problems:
        raise PolicyError(problems)
    return Policy(str(data.get("name", path.stem)), lookback, severity, case_types)
