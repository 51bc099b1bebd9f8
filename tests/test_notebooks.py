"""The teaching notebooks run top to bottom and are committed without outputs."""

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
CELL_TIMEOUT = 300
# Slow ones (still run in CI); the others finish in well under half a minute.
SLOW = {"02_compare_programmes.ipynb", "03_what_matters.ipynb",
        "04_changing_environment.ipynb", "05_march_1991.ipynb"}
# Where each runs from: most from the repository root (as CI does); some from notebooks/,
# to check they find the repository root themselves.
FROM_NOTEBOOKS_DIR = {"01_first_simulation.ipynb", "05_march_1991.ipynb"}


def test_the_five_notebooks_are_there():
    assert NAMES == ["01_first_simulation.ipynb", "02_compare_programmes.ipynb",
                     "03_what_matters.ipynb", "04_changing_environment.ipynb",
                     "05_march_1991.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{name}: clear the outputs before committing"
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 3  # prose between cells


def _params():
    for name in NAMES:
        marks = [pytest.mark.slow] if name in SLOW else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_params()))
def test_notebook_runs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    cwd = NOTEBOOKS if name in FROM_NOTEBOOKS_DIR else ROOT
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    start = time.monotonic()
    client.execute()  # raises CellExecutionError naming the failing cell
    elapsed = time.monotonic() - start
    images = sum(1 for cell in notebook.cells if cell.cell_type == "code"
                 for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))
    assert images >= 2, f"{name}: expected plots among the outputs"
    assert elapsed < 120, f"{name} took {elapsed:.0f} s; keep notebooks quick"
