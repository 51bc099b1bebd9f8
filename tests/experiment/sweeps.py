"""Small sweeps and comparisons the experiment and CLI tests share."""

import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim.config import load_scenario
from sim.experiment.designs import sweep_from_dict
from tests.paths import BASELINE, MENTORING, ROOT

TINY = {"organisation.headcount": 100, "horizon_weeks": 20, "programme.duration_weeks": 8,
        "programme.start_week": 0}
SMALL = ["--set", "organisation.headcount=100", "--set", "horizon_weeks=20",
         "--set", "programme.duration_weeks=8"]


def tiny(design="grid", factors=None, **extra):
    """A sweep of 100 people over 20 weeks (2 x 2 grid, 2 replications by default)."""
    data = {"base": str(MENTORING), "design": design, "replications": 2, "seed": 7,
            "set": dict(TINY),
            "factors": factors or {"programme.duration_weeks": [4, 8],
                                   "programme.mentees_per_mentor": [1, 2]}}
    data.update(extra)
    return sweep_from_dict(data, "<test>", ROOT)


def write_sweep(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def sweep_file(tmp_path, levels=(1, 2, 3), replications=4, name="s.toml", headcount=100,
               weeks=20):
    """A sweep file over mentees per mentor (``levels``) with ``replications`` seeds."""
    return write_sweep(tmp_path, f"""
        base = "{MENTORING}"
        replications = {replications}
        seed = 11
        [set]
        "organisation.headcount" = {headcount}
        horizon_weeks = {weeks}
        "programme.duration_weeks" = 8
        [factors]
        "programme.mentees_per_mentor" = {list(levels)}
        """, name)


def tiny_designs():
    """The two designs of a small comparison: baseline and mentoring, 100 people."""
    return {"baseline": load_scenario(BASELINE, TINY),
            "mentoring": load_scenario(MENTORING, TINY)}


def read_summary(directory):
    return pd.read_parquet(Path(directory) / "summary.parquet").sort_values("id") \
        .reset_index(drop=True)


def assert_store_sound(out, n_runs):
    """Every run exactly once, every Parquet file readable, no temporary files."""
    runs = sorted((out / "runs").iterdir())
    assert len(runs) == n_runs and all(p.suffix == ".parquet" for p in runs)
    for path in [*runs, out / "summary.parquet", out / "design.parquet",
                 out / "failures.parquet"]:
        pq.read_table(path)
    summary = read_summary(out)
    assert summary["id"].is_unique and len(summary) == n_runs
    assert (out / "manifest.json").exists()
    assert not list(out.rglob(".*.tmp"))


SLOWED = """
import sys, time
import sim.experiment.runner as runner
real = runner.run_one
def slow(*args, **kwargs):
    time.sleep({delay})
    return real(*args, **kwargs)
runner.run_one = slow
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def slowed_cli(tmp_path, delay=0.1):
    """A script running the ``mentorsim`` command with every run slowed by ``delay`` s."""
    script = tmp_path / "slowed.py"
    script.write_text(SLOWED.format(delay=delay))
    return script
