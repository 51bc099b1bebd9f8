"""The teaching notebooks: jupytext pairs in sync, committed without outputs, run from anywhere.

Each notebook is a percent-format script ``notebooks/NN_name.py`` (the file to edit and
review, linted by ruff) paired with ``notebooks/NN_name.ipynb`` (committed without outputs).
After editing either, ``jupytext --sync notebooks/NN_name.py`` brings the other up to date.
"""

import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from tests.paths import ROOT

NOTEBOOKS = ROOT / "notebooks"
STEMS = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
FORMATS = "ipynb,py:percent"
CELL_TIMEOUT = 300
# Slow ones (still run in CI); the first finishes in well under half a minute.
SLOW = {"02_compare_programmes", "03_what_matters", "04_changing_environment",
        "05_march_1991", "06_which_assumptions_matter", "07_plan_a_programme"}


def cells(notebook) -> list[tuple[str, str]]:
    """The (type, source) of every cell: what a pair must agree on."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def differences(script: Path, paired: Path) -> list[str]:
    """Where a percent script and its notebook disagree, one line each (none when in sync)."""
    text, notebook = cells(jupytext.read(script)), cells(nbformat.read(paired, as_version=4))
    found = [f"cell {i + 1}: {a[0]} {a[1][:40]!r} in {script.name} but {b[0]} {b[1][:40]!r} "
             f"in {paired.name}"
             for i, (a, b) in enumerate(zip(text, notebook, strict=False)) if a != b]
    if len(text) != len(notebook):
        found.append(f"{len(text)} cells in {script.name}, {len(notebook)} in {paired.name}")
    return found


def test_the_seven_notebooks_are_there_in_pairs():
    assert STEMS == ["01_first_simulation", "02_compare_programmes", "03_what_matters",
                     "04_changing_environment", "05_march_1991", "06_which_assumptions_matter",
                     "07_plan_a_programme"]
    scripts = sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
    assert scripts == STEMS, "every notebook is a .py script paired with its .ipynb"


@pytest.mark.parametrize("stem", STEMS)
def test_pair_is_in_sync(stem):
    script, paired = NOTEBOOKS / f"{stem}.py", NOTEBOOKS / f"{stem}.ipynb"
    found = differences(script, paired)
    assert not found, (f"{stem}: the .py and .ipynb differ; run jupytext --sync {script}: "
                       + "; ".join(found))


@pytest.mark.parametrize("stem", STEMS)
def test_pairing_metadata(stem):
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    assert notebook.metadata["jupytext"]["formats"] == FORMATS
    assert jupytext.read(NOTEBOOKS / f"{stem}.py").metadata["jupytext"]["formats"] == FORMATS
    header = (NOTEBOOKS / f"{stem}.py").read_text(encoding="utf-8").split("# ---")[1]
    assert "format_name: percent" in header


def test_an_edit_on_one_side_only_is_caught(tmp_path):
    source = NOTEBOOKS / "01_first_simulation.py"
    script, paired = tmp_path / source.name, tmp_path / "01_first_simulation.ipynb"
    paired.write_bytes((NOTEBOOKS / paired.name).read_bytes())
    text = source.read_text(encoding="utf-8")
    script.write_text(text, encoding="utf-8")
    assert differences(script, paired) == []
    script.write_text(text.replace("rng=1,", "rng=2,"), encoding="utf-8")
    (found,) = differences(script, paired)
    assert found.startswith("cell 4: code") and found.endswith("in 01_first_simulation.ipynb")
    script.write_text(text + "\n# %%\nprint('one more')\n", encoding="utf-8")
    assert differences(script, paired) == [
        f"{len(cells(jupytext.read(source))) + 1} cells in {script.name}, "
        f"{len(cells(jupytext.read(source)))} in {paired.name}"]


@pytest.mark.parametrize("stem", STEMS)
def test_committed_without_outputs(stem):
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{stem}.ipynb: clear the outputs before committing"
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 3  # prose between cells


@pytest.mark.parametrize("stem", STEMS)
def test_no_paths_into_the_checkout(stem):
    code = "\n".join(src for kind, src in cells(jupytext.read(NOTEBOOKS / f"{stem}.py"))
                     if kind == "code")
    for word in ("chdir", "scenarios/", ".toml", "pyproject"):
        assert word not in code, f"{stem}: {word!r}: use bundled scenario names, not paths"


def _params():
    for stem in STEMS:
        marks = [pytest.mark.slow] if stem in SLOW else []
        yield pytest.param(stem, marks=marks, id=stem)


@pytest.mark.parametrize("stem", list(_params()))
def test_notebook_runs_from_a_directory_outside_the_checkout(stem, tmp_path):
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.monotonic()
    client.execute()  # raises CellExecutionError naming the failing cell
    elapsed = time.monotonic() - start
    images = sum(1 for cell in notebook.cells if cell.cell_type == "code"
                 for output in cell.get("outputs", []) if "image/png" in output.get("data", {}))
    assert images >= 2, f"{stem}: expected plots among the outputs"
    assert elapsed < 120, f"{stem} took {elapsed:.0f} s; keep notebooks quick"
    assert list(tmp_path.iterdir()) == [], f"{stem} wrote into the directory it ran from"
