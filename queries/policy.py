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

from graph.model import CASE_TYPES
from queries.rules import RULES, SEVERITIES

__all__ = ["DEFAULT_POLICY", "Policy", "PolicyError", "load_policy"]


class PolicyError(ValueError):
    """A policy file that cannot be used (one-line message)."""


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


def _check_severities(where: str, table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: expected a table of RULE = severity")
    for rule, severity in table.items():
        if rule not in RULES:
            raise PolicyError(f"{where}: unknown rule {rule!r}")
        if severity not in SEVERITIES:
            raise PolicyError(f"{where}.{rule}: severity must be one of {', '.join(SEVERITIES)}")
    return dict(table)


def _check_lookback(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise PolicyError(f"{where}: lookback_years must be a whole number from 0 to 100")
    return value


def load_policy(path: Path | None) -> Policy:
    """Read a TOML or YAML policy file; None gives the default policy."""
    if path is None:
        return DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path.name}: cannot read policy ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path.name}: a policy is a table with name, lookback_years, severity, case_types")
    unknown = set(data) - {"name", "lookback_years", "severity", "case_types"}
    if unknown:
        raise PolicyError(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}")
    severity = _check_severities(f"{path.name} severity", data.get("severity", {}))
    case_types: dict[str, dict[str, Any]] = {}
    for case_type, table in (data.get("case_types") or {}).items():
        where = f"{path.name} case_types.{case_type}"
        if case_type not in CASE_TYPES or not isinstance(table, dict):
            raise PolicyError(f"{where}: unknown case type (one of {', '.join(CASE_TYPES)})")
        if set(table) - {"severity", "lookback_years"}:
            raise PolicyError(f"{where}: only severity and lookback_years may be set per case type")
        entry: dict[str, Any] = {"severity": _check_severities(where, table.get("severity", {}))}
        if "lookback_years" in table:
            entry["lookback_years"] = _check_lookback(where, table["lookback_years"])
        case_types[case_type] = entry
    lookback = _check_lookback(path.name, data.get("lookback_years", 10))
    return Policy(str(data.get("name", path.stem)), lookback, severity, case_types)
