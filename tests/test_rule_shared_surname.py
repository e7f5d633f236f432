"""SHARED_SURNAME (demonstration rule)."""

from datetime import date
from pathlib import Path

from forces import assign, case, load_force, officer, unit

from queries.engine import Engine


def test_shared_surname(tmp_path: Path) -> None:
    people = [{**officer("I"), "name": "Ann Smith"}, {**officer("S"), "name": "Bob Smith"}]
    store = load_force(
        tmp_path,
        units=[unit("F", kind="force")],
        officers=people,
        cases=[case("K", "2023-01-01")],
        assignments=[assign("K", "S", "subject")],
    )
    assert Engine(store).check("K", "I", date(2023, 6, 1)).rules() == ["SHARED_SURNAME(S)"]
