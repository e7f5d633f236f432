"""A store handed to another process reads the file it was opened on, or refuses: never another."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from coi.graph.sqlite_store import SqliteStore
from coi.graph.store import StoreChanged
from coi.loaders.load import load_folder

from tests.forces import officer, unit, write_force

EXAMPLE = Path(__file__).parent / "fixtures" / "example"


def swap_in_another_force(path: Path) -> None:
    """What a load does: build another force's store beside ``path`` and ``os.replace`` it in."""
    built = path.with_name("other.sqlite")
    load_folder(write_force(path.parent / "other", units=[unit("U1")], officers=[officer("X1")]), SqliteStore(built))
    os.replace(built, path)


def test_a_copy_of_an_open_store_refuses_the_file_a_load_swapped_in(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    opened = SqliteStore(path)
    assert "O4" in opened.people(["O4"])
    before_swap = pickle.loads(pickle.dumps(opened))
    assert before_swap.people(["O4"])["O4"].name == opened.people(["O4"])["O4"].name  # the same file: reads

    swap_in_another_force(path)
    after_swap = pickle.loads(pickle.dumps(opened))

    with pytest.raises(StoreChanged, match=f"the store {path} was replaced by a load after this command opened it"):
        after_swap.people(["X1"])
    assert opened.people(["X1"]) == {}  # the original connection still reads the file it opened
    assert SqliteStore(path).people(["X1"])["X1"].name == "Officer X1"  # a fresh store reads the new one


def test_a_store_not_yet_opened_is_not_pinned(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    load_folder(EXAMPLE, SqliteStore(path))
    copy = pickle.loads(pickle.dumps(SqliteStore(path)))
    swap_in_another_force(path)
    assert "X1" in copy.people(["X1"])
