"""The analysts' Cypher library: one ``queries/cypher/*.cypher`` file per query, validated.

Each file starts with a header of ``// field: value`` comment lines (a line starting
``//`` and two or more spaces continues the field above), then the Cypher::

    // id: repeat-subjects                      (the file's name without .cypher)
    // title: Repeat subjects
    // category: patterns                       (optional)
    // description: People who are subjects of ...
    // parameters: on: date = today; min_cases: int = 2; limit: int = 100

Parameter types are date (``today`` or YYYY-MM-DD), int, bool, string and list; defaults
are JSON. In Neo4j Browser, set them first, e.g.
``:params {on: date('2023-04-01'), min_cases: 2, subject_role: 'subject', limit: 100}``.

:func:`problems` enforces what makes a query safe to hand to analysts: read-only (no
CREATE, MERGE, SET, DELETE, REMOVE, DROP, FOREACH, LOAD CSV or procedure CALL), a final
``LIMIT $limit``, bounded variable-length and quantified paths (at most
:data:`MAX_DEPTH` hops), every ``$parameter`` declared and every declared one used, no
domain value (role, case type, tag, date) written into the text, and reads scoped to the
current load generation (``CoiMeta``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from coi.graph.model import ASSOCIATION_KINDS, CASE_TYPES, RANKS, ROLES, UNIT_KINDS

__all__ = [
    "CYPHER_DIR",
    "MAX_DEPTH",
    "CypherQuery",
    "LibraryError",
    "Parameter",
    "load_library",
    "parse",
    "problems",
]

CYPHER_DIR = Path(__file__).parent
MAX_DEPTH = 10
REQUIRED = ("id", "title", "description", "parameters")
FIELDS = (*REQUIRED, "category")
TYPES = {"date": str, "int": int, "bool": bool, "string": str, "list": list}
#: Values that must come in as parameters, never be written into a query's text.
DOMAIN_VALUES = frozenset(ROLES + CASE_TYPES + RANKS + UNIT_KINDS + ASSOCIATION_KINDS) | {
    "professional_standards",
    "vawg",
    "safeguarding",
}
WRITES = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV)\b|\bCALL\s+(?![({])", re.I)
STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
VAR_LENGTH = re.compile(r"\[[^\]]*?\*\s*(\d*)\s*(\.\.)?\s*(\d*)\s*\]")
QUANTIFIER = re.compile(r"\)(?:\s*\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}|([+*]))")
PARAM = re.compile(r"\$(\w+)")


class LibraryError(ValueError):
    """A query file that is not valid (the message lists every problem)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any = None

    def value(self, on: date | None = None) -> Any:
        """The default as the driver wants it (``today`` -> ``on`` or today's date).

        >>> Parameter("on", "date", "today").value(date(2024, 1, 2))
        datetime.date(2024, 1, 2)
        """
        if self.type == "date" and self.default is not None:
            return (on or date.today()) if self.default == "today" else date.fromisoformat(self.default)
        return self.default


@dataclass(frozen=True)
class CypherQuery:
    id: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    cypher: str
    path: Path
    category: str = ""

    def params(self, on: date | None = None, **overrides: Any) -> dict[str, Any]:
        """Every parameter's default (dates resolved against ``on``), then ``overrides``."""
        values = {p.name: p.value(on) for p in self.parameters}
        unknown = set(overrides) - set(values)
        if unknown:
            raise KeyError(f"{self.id} has no parameter {sorted(unknown)[0]!r}")
        return {**values, **overrides}


def _parameters(text: str) -> tuple[Parameter, ...]:
    """``name: type = default; ...`` -> parameters (ValueError on a malformed item)."""
    out = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        m = re.fullmatch(r"(\w+)\s*:\s*(\w+)\s*(?:=\s*(.+))?", item)
        if not m or m[2] not in TYPES:
            raise ValueError(f"parameter {item!r}: expected 'name: {'|'.join(TYPES)} = default'")
        name, kind, raw = m[1], m[2], m[3]
        default = None if raw is None else raw.strip() if kind == "date" else json.loads(raw)
        if kind == "date" and default not in (None, "today"):
            date.fromisoformat(default)
        if default is not None and not isinstance(default, TYPES[kind]):
            raise ValueError(f"parameter {name}: default {raw} is not a {kind}")
        out.append(Parameter(name, kind, default))
    return tuple(out)


def parse(text: str) -> tuple[dict[str, str], str]:
    """Split a file into its header fields and its Cypher body.

    >>> parse("// id: q\\n// title: Q\\n//   more\\nRETURN 1")
    ({'id': 'q', 'title': 'Q more'}, 'RETURN 1')
    """
    lines = text.splitlines()
    header: dict[str, str] = {}
    last = None
    start = len(lines)
    for n, line in enumerate(lines):
        if not line.startswith("//"):
            start = n
            break
        if m := re.match(r"// (\w+):\s*(.*)$", line):
            last = m[1]
            header[last] = (header.get(last, "") + " " + m[2]).strip()
        elif last and re.match(r"//\s{2,}\S", line):
            header[last] += " " + line[2:].strip()
        elif line.strip() != "//":
            header.setdefault("(a header line that is not 'field: value')", line)
    return header, "\n".join(lines[start:]).strip()


def problems(header: dict[str, str], body: str, path: Path) -> list[str]:
    """Everything wrong with one query file (an empty list when it is fine)."""
    where = path.name
    found = [f"{where}: header has no {f!r}" for f in REQUIRED if not header.get(f)]
    found += [f"{where}: unknown header field {k!r}" for k in header if k not in FIELDS]
    if header.get("id") and header["id"] != path.stem:
        found.append(f"{where}: id {header['id']!r} is not the file name {path.stem!r}")
    try:
        declared = {p.name for p in _parameters(header.get("parameters", ""))}
    except (ValueError, json.JSONDecodeError) as exc:
        return [*found, f"{where}: {exc}"]
    literals = STRING.findall(COMMENT.sub("", body))
    code = COMMENT.sub("", STRING.sub("''", body))
    if not code:
        found.append(f"{where}: no Cypher after the header")
    if m := WRITES.search(code):
        found.append(f"{where}: not read-only ({m[0].strip()})")
    if not re.search(r"\bLIMIT\s+\$limit\s*;?\s*$", code):
        found.append(f"{where}: must end with LIMIT $limit")
    for m in VAR_LENGTH.finditer(code):
        low, dots, high = m.groups()
        if (dots and not high) or (not dots and not low) or int(high or low) > MAX_DEPTH:
            found.append(f"{where}: variable-length path {m[0]!r} must have an upper bound of at most {MAX_DEPTH}")
    for m in QUANTIFIER.finditer(code):
        low, comma, high, short = m.groups()
        if short or (comma and not high) or ((high or low) and int(high or low) > MAX_DEPTH):
            found.append(f"{where}: quantified path {m[0]!r} must have an upper bound of at most {MAX_DEPTH}")
    used = set(PARAM.findall(code))
    found += [f"{where}: ${p} is used but not declared in parameters" for p in sorted(used - declared)]
    found += [f"{where}: parameter {p!r} is declared but not used" for p in sorted(declared - used)]
    for literal in literals:
        if literal[1:-1] in DOMAIN_VALUES or re.fullmatch(r"\d{4}-\d\d-\d\d", literal[1:-1]):
            found.append(f"{where}: the value {literal} must be a parameter")
    if "CoiMeta" not in code or not re.search(r"\.gen\b", code):
        found.append(f"{where}: must read the current generation (MATCH (meta:CoiMeta {{key: 'current'}}), .gen)")
    return found


def load_library(folder: Path = CYPHER_DIR) -> list[CypherQuery]:
    """Every query in ``folder``, sorted by id; LibraryError listing every problem found."""
    queries, errors, seen = [], [], {}
    for path in sorted(folder.glob("*.cypher")):
        header, body = parse(path.read_text(encoding="utf-8"))
        found = problems(header, body, path)
        if header.get("id") in seen:
            found.append(f"{path.name}: id {header['id']!r} is also used by {seen[header['id']]}")
        seen.setdefault(header.get("id"), path.name)
        if found:
            errors += found
            continue
        params = _parameters(header["parameters"])
        queries.append(
            CypherQuery(
                header["id"], header["title"], header["description"], params, body, path, header.get("category", "")
            )
        )
    if errors:
        raise LibraryError("; ".join(errors))
    return sorted(queries, key=lambda q: q.id)
