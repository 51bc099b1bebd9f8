"""The wheel, installed into a virtual environment outside the checkout, runs a bundled scenario.

The wheel is built from a copy of the files it is made of (so a build never writes into
the checkout) and installed without its dependencies, which the environment gets from the
one running the tests; CI (``.ci/run``) does the same with every dependency installed
afresh.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.paths import ROOT

# What the wheel is built from: pyproject.toml and the files it names.
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "sim", "scenarios"]


def _run(args, cwd, timeout=300):
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment outside the checkout with the wheel installed; its bin dir."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work / "dist",
          "."], cwd=source)
    (wheel,) = (work / "dist").glob("mentorsim-*.whl")
    env = work / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel],
         cwd=work)
    # Dependencies from the test environment, appended after the venv's own site-packages
    # (a plain path in a .pth file: the editable install's own .pth there is not run).
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=work).strip())
    (site / "_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    shutil.rmtree(source)
    return env / "bin"


@pytest.mark.slow
def test_the_wheel_holds_every_bundled_scenario_and_no_checkout_path(installed, tmp_path):
    code = ("import sim, sim.config.bundled as b; print(sim.__file__); "
            "print(','.join(b.names()))")
    where, names = _run([installed / "python", "-c", code], cwd=tmp_path).split()
    assert Path(where).is_relative_to(installed.parent), "sim imported from outside the venv"
    assert not Path(where).is_relative_to(ROOT)
    assert names.split(",") == sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    listing = _run([installed / "mentorsim", "scenarios"], cwd=tmp_path)
    assert "mentoring" in listing and "Baseline: a 1,000-person" in listing
    priors = _run([installed / "python", "-c", "from sim.config import prior_set; "
                   "print(len(prior_set('literature')))"], cwd=tmp_path)
    assert int(priors) >= 10  # the bundled prior sets ship in the wheel too


@pytest.mark.slow
def test_the_installed_command_runs_a_bundled_scenario(installed, tmp_path):
    _run([installed / "mentorsim", "run", "mentoring", "--quiet", "--no-plots",
          "--set", "organisation.headcount=150", "--set", "horizon_weeks=30",
          "--set", "programme.duration_weeks=20"], cwd=tmp_path)
    out = tmp_path / "results" / "mentoring"
    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["performance"] <= 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["organisation"]["headcount"] == 150


@pytest.mark.slow
def test_the_installed_command_runs_the_bundled_roster_scenario(installed, tmp_path):
    _run([installed / "mentorsim", "run", "example_organisation", "--quiet", "--no-plots",
          "--set", "horizon_weeks=20", "--set", "programme.duration_weeks=10"], cwd=tmp_path)
    manifest = json.loads((tmp_path / "results" / "example_organisation" / "manifest.json")
                          .read_text())
    roster = Path(manifest["roster"]["path"])
    assert roster.is_relative_to(installed.parent) and roster.name == "example_roster.csv"
    assert manifest["scenario"]["organisation"]["headcount"] == manifest["roster"]["rows"]
