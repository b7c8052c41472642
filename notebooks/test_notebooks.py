"""The committed notebooks: the six of issue 8, stripped of outputs, each opening with its
question, and talking to tepat only over HTTP through tepat_client."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NB_DIR = Path(__file__).resolve().parent
EXPECTED = [
    "01-quickstart.ipynb",
    "02-flood-exposure.ipynb",
    "03-targeting.ipynb",
    "04-where-to-build.ipynb",
    "05-hotspots.ipynb",
    "06-real-city.ipynb",
]
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))


def test_the_six_notebooks_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: strip them"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_its_question_and_uses_only_the_api(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name} must open with its question in markdown"
    assert "?" in first.source, f"{path.name}: the first cell asks no question"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "tepat_client" in code
    # HTTP only: no engine internals, no CLI runs, no reading the demo city's files.
    for banned in (r"tepat_engine", r"target/debug/tepat", r"\btepat (run|demo|compare)\b", r"subprocess"):
        assert not re.search(banned, code), f"{path.name} uses {banned}"
