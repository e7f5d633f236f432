"""Every rule is whole: declared once, with a finder, an explanation, a docs row and a test.

A rule family is one module in ``queries/rules/``; the registry lists it. This is what keeps
"adding a rule is adding one module and its test" true.
"""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import coi.queries.rules as registry
import pytest
from coi.queries.rules import FAMILIES, PER_PERSON, PER_POOL, RULES
from coi.queries.verdicts import Severity, severity_rank

ROOT = Path(__file__).resolve().parent.parent
HELPERS = {"base", "basis", "link_sentence"}  # modules of the package that hold no rule


def test_every_family_module_is_registered() -> None:
    modules = {m.name for m in pkgutil.iter_modules(registry.__path__)} - HELPERS
    registered = {f.__name__.rsplit(".", 1)[1] for f in FAMILIES}
    assert modules == registered, "a module in queries/rules/ is not in FAMILIES (or the reverse)"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__.rsplit(".", 1)[1])
def test_each_family_has_rules_and_exactly_one_finder(family) -> None:
    assert family.RULES, "a family declares at least one rule"
    finders = [name for name in ("find", "find_pool") if callable(getattr(family, name, None))]
    assert len(finders) == 1, f"{family.__name__}: one of find (per person) or find_pool (whole pool)"
    assert (family in PER_PERSON) == (finders == ["find"]) and (family in PER_POOL) == (finders == ["find_pool"])


@pytest.mark.parametrize("rule", list(RULES.values()), ids=lambda r: r.id)
def test_each_rule_is_complete(rule) -> None:
    assert re.fullmatch(r"[A-Z][A-Z_]+", rule.id)
    assert isinstance(rule.severity, Severity)
    assert rule.title and rule.description and rule.basis
    assert callable(rule.explain)
    family = next(f for f in FAMILIES if rule in f.RULES)
    source = Path(family.__file__).read_text(encoding="utf-8")
    assert f'"{rule.id}"' in source.split("RULES = (")[0], f"{rule.id}: found in another module than it is declared"


DOCS = (ROOT / "docs" / "conflict-rules.md").read_text(encoding="utf-8")
TESTS = {p: p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py") if p.name != Path(__file__).name}


@pytest.mark.parametrize("rule_id", list(RULES))
def test_each_rule_has_a_docs_row_and_a_test(rule_id: str) -> None:
    assert re.search(rf"^\| {rule_id} \|", DOCS, re.M), f"docs/conflict-rules.md has no row for {rule_id}"
    named = re.compile(rf"[\"']{rule_id}[\"'(]")  # "RULE" or "RULE(other)", as the tests write them
    tested = [p.name for p, text in TESTS.items() if named.search(text)]
    assert tested, f"no test names {rule_id}"


def test_rules_are_listed_worst_first() -> None:
    ranks = [severity_rank(r.severity) for r in RULES.values()]
    assert ranks == sorted(ranks, reverse=True)


def test_an_unknown_rule_is_an_error_not_a_sentence() -> None:
    with pytest.raises(KeyError):
        RULES["NO_SUCH_RULE"]


def test_no_module_outside_the_registry_decides_a_rule() -> None:
    """Rule ids are added as findings only by their family (``found.add("RULE", ...)``)."""
    for path in (ROOT / "queries").rglob("*.py"):
        if "rules" in path.relative_to(ROOT / "queries").parts:
            continue
        text = path.read_text(encoding="utf-8")
        for rule_id in RULES:
            assert f'add("{rule_id}"' not in text, f"{path.name} decides {rule_id}"


def test_the_registry_loads_without_the_engine_or_a_store() -> None:
    """Rules depend on the case context's data, never on the engine or the stores."""
    code = "import sys, queries.rules; print(sorted(m for m in sys.modules if m.startswith(('coi.queries.engine', 'coi.graph.sqlite', 'coi.graph.neo4j'))))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
