"""The analyst notebooks: committed without outputs, and each runs start to finish.

Each notebook runs in a fresh kernel of *this* interpreter (a kernelspec written to a
temp dir), with its working directory, temp files, IPython and matplotlib settings all
inside pytest's temp folder. Outputs are checked for civilians' names.
"""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = ("audit_a_force.ipynb", "explore_a_case.ipynb", "network_analysis.ipynb")
CELL_TIMEOUT = 120


@pytest.fixture(scope="session")
def jupyter_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir whose ``python3`` kernel is the interpreter running the tests."""
    root = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(root / "kernels" / "python3")
    return root


def _texts(nb: nbformat.NotebookNode) -> str:
    """Every text output of an executed notebook, joined."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts += [data.get(kind, "") for kind in ("text/plain", "text/html", "text/markdown")]
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def _civilian_names(root: Path) -> set[str]:
    """Names in every people.csv under ``root``, less any an officer also has (those may show)."""
    civilians, officers = set(), set()
    for people in root.rglob("people.csv"):
        with open(people, encoding="utf-8") as handle:
            civilians |= {row["name"] for row in csv.DictReader(handle) if row.get("name")}
        if (people.parent / "officers.csv").exists():
            with open(people.parent / "officers.csv", encoding="utf-8") as handle:
                officers |= {row["name"] for row in csv.DictReader(handle)}
    return civilians - officers


def test_all_notebooks_present() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert nb.cells[0].cell_type == "markdown"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: outputs not stripped"
            assert cell.execution_count is None, f"{name}: execution count not stripped"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs(name: str, tmp_path: Path, jupyter_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    temp = tmp_path / "tmp"
    for folder in (work, temp):
        folder.mkdir()
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    monkeypatch.setenv("TMPDIR", str(temp))  # the notebooks' own temp folders land here
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    monkeypatch.delenv("COI_EXAMPLE_DIR", raising=False)  # explore_a_case must find the example itself
    monkeypatch.delenv("NEO4J_URI", raising=False)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = _texts(nb)
    generated = _civilian_names(temp)
    assert generated or name == "explore_a_case.ipynb", "expected the synthetic force's people.csv under TMPDIR"
    for civilian in generated | _civilian_names(Path(__file__).parent / "fixtures" / "example"):
        assert civilian not in text, f"{name} shows a civilian's name"
    assert not list(work.iterdir()), f"{name} wrote into its working directory"
