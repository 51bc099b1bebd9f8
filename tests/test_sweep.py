import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ResultsError, ScenarioError
from sim.experiment.designs import load_sweep, replication_seeds, run_id, sweep_from_dict
from sim.experiment.runner import run_sweep

ROOT = Path(__file__).absolute().parents[1]
TINY = {"organisation.headcount": 100, "horizon_weeks": 20, "programme.duration_weeks": 8,
        "programme.start_week": 0}


def tiny(design="grid", factors=None, **extra):
    data = {"base": str(ROOT / "scenarios/mentoring.toml"), "design": design,
            "replications": 2, "seed": 7, "set": dict(TINY),
            "factors": factors or {"programme.duration_weeks": [4, 8],
                                   "programme.mentees_per_mentor": [1, 2]}}
    data.update(extra)
    return sweep_from_dict(data, "<test>", ROOT)


def write_sweep(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- designs -----------------------------------------------------------------------------
def test_grid_size_and_common_seeds():
    sweep = tiny(factors={"programme.duration_weeks": [4, 8, 12],
                          "programme.mentees_per_mentor": [1, 2]}, replications=3)
    runs = sweep.runs()
    assert len(sweep.points()) == 6 and len(runs) == 18
    seeds_by_point = {}
    for run in runs:
        seeds_by_point.setdefault(run.point, []).append(run.seed)
    assert all(s == sweep.seeds() for s in seeds_by_point.values())
    assert len(set(sweep.seeds())) == 3


def test_lhs_within_bounds_and_integers_rounded():
    sweep = tiny("lhs", {"programme.meetings_per_month": [0.5, 4.0],
                         "programme.mentees_per_mentor": [1, 3]}, samples=20)
    points = sweep.points()
    assert len(points) == 20
    meet = np.array([p["programme.meetings_per_month"] for p in points])
    assert ((meet >= 0.5) & (meet <= 4.0)).all()
    mentees = [p["programme.mentees_per_mentor"] for p in points]
    assert all(isinstance(m, int) and 1 <= m <= 3 for m in mentees)


@pytest.mark.parametrize("second_order, per", [(True, 2 * 3 + 2), (False, 3 + 2)])
def test_saltelli_count(second_order, per):
    factors = {"programme.meetings_per_month": [0.5, 4.0], "programme.meeting_hours": [0.5, 2],
               "learning.mentoring_rate_per_hour": [0.005, 0.03]}
    sweep = tiny("sobol", factors, samples=8, second_order=second_order)
    assert len(sweep.points()) == 8 * per


def test_ids_are_stable_and_distinct():
    a, b = tiny().runs(), tiny().runs()
    assert [r.id for r in a] == [r.id for r in b]
    assert len({r.id for r in a}) == len(a)
    assert run_id({"x": 1, "y": 2.5}, 3) == run_id({"y": 2.5, "x": 1}, 3)
    assert run_id({"x": 1}, 3) != run_id({"x": 1}, 4)
    assert len(run_id({}, 0)) == 16


def test_replication_seeds_extend():
    assert replication_seeds(5, 5)[:3] == replication_seeds(5, 3)
    assert all(0 <= s < 2**63 for s in replication_seeds(5, 10))


# --- sweep file errors ---------------------------------------------------------------------
BASE = f'base = "{ROOT / "scenarios/mentoring.toml"}"\n'


@pytest.mark.parametrize("body, expected", [
    ('[factors]\n"programme.nonsense" = [1, 2]\n', "programme.nonsense"),
    ('[factors]\n"programme.duration_weeks" = [4, -3]\n', "-3"),
    ('design = "lhs"\nsamples = 4\n[factors]\n"programme.matching" = ["a", "b"]\n',
     "numeric"),
    ('design = "sobol"\nsamples = 6\n[factors]\n"programme.meeting_hours" = [0.5, 2]\n',
     "power of 2"),
    ('replications = 0\n', "replications"),
    ('colour = "red"\n', "colour"),
    ('[factors]\n"programme.duration_weeks" = 4\n', "non-empty list"),
])
def test_sweep_file_errors_name_file_field_value(tmp_path, body, expected):
    path = write_sweep(tmp_path, BASE + body)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and expected in message


def test_missing_base_and_cli_exit_code(tmp_path, capsys):
    path = write_sweep(tmp_path, 'base = "nowhere.toml"\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere.toml" in err and "no such file" in err
    assert not (tmp_path / "out").exists()


# --- running, resuming, failures ------------------------------------------------------------
def read_summary(directory):
    return pd.read_parquet(Path(directory) / "summary.parquet").sort_values("id").reset_index(
        drop=True)


def test_sweep_writes_store_and_resumes(tmp_path):
    sweep = tiny()
    out = tmp_path / "out"
    first = run_sweep(sweep, out, progress=False)
    assert (first.runs, first.done, first.failed) == (8, 8, 0)
    for name in ("manifest.json", "sweep.json", "design.parquet", "summary.parquet",
                 "failures.parquet"):
        assert (out / name).exists()
    runs = sorted((out / "runs").glob("*.parquet"))
    assert len(runs) == 8
    one = pd.read_parquet(runs[0])
    assert (one["id"] == runs[0].stem).all() and len(one) == 21
    reference = read_summary(out)
    assert {"performance", "programme.duration_weeks", "seed"} <= set(reference.columns)

    for path in runs[:3]:
        path.unlink()
    (out / "summary.parquet").unlink()
    again = run_sweep(sweep, out, progress=False)
    assert (again.skipped, again.ran, again.done) == (5, 3, 8)
    pd.testing.assert_frame_equal(read_summary(out), reference, check_exact=True)


def test_failing_run_is_recorded_and_others_finish(tmp_path, monkeypatch):
    import sim.experiment.runner as runner

    real = runner.run_scenario

    def flaky(scenario, seed=None, **kwargs):
        if scenario.programme.duration_weeks == 8 and scenario.programme.mentees_per_mentor == 2:
            raise RuntimeError("boom")
        return real(scenario, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run_scenario", flaky)
    outcome = run_sweep(tiny(), tmp_path / "out", progress=False)
    assert (outcome.done, outcome.failed) == (6, 2)
    failures = pd.read_parquet(tmp_path / "out/failures.parquet")
    assert len(failures) == 2 and set(failures["error_type"]) == {"RuntimeError"}
    assert failures["error_message"].str.contains("boom").all()
    assert set(failures["programme.mentees_per_mentor"]) == {2}
    assert (tmp_path / "out/manifest.json").exists()

    monkeypatch.setattr(runner, "run_scenario", real)  # a retry succeeds
    retry = run_sweep(tiny(), tmp_path / "out", progress=False)
    assert (retry.ran, retry.done, retry.failed) == (2, 8, 0)
    assert pd.read_parquet(tmp_path / "out/failures.parquet").empty


def test_refuses_directory_of_another_sweep(tmp_path):
    out = tmp_path / "out"
    run_sweep(tiny(), out, progress=False)
    other = tiny(factors={"programme.duration_weeks": [4, 6]})
    with pytest.raises(ResultsError, match="different sweep"):
        run_sweep(other, out, progress=False)
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign/notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not a sweep results directory"):
        run_sweep(tiny(), tmp_path / "foreign", progress=False)


@pytest.mark.slow
def test_serial_processes_and_dask_give_identical_results(tmp_path):
    pytest.importorskip("distributed")
    sweep = tiny("lhs", {"programme.meetings_per_month": [0.5, 4.0],
                         "programme.mentees_per_mentor": [1, 3]}, samples=6)
    run_sweep(sweep, tmp_path / "serial", progress=False)
    run_sweep(sweep, tmp_path / "processes", "processes", workers=2, progress=False)
    run_sweep(sweep, tmp_path / "dask", "dask", workers=2, progress=False)
    reference = read_summary(tmp_path / "serial")
    assert len(reference) == 12
    for kind in ("processes", "dask"):
        pd.testing.assert_frame_equal(read_summary(tmp_path / kind), reference,
                                      check_exact=True)


KILLABLE = """
import sys, time
import sim.experiment.runner as runner
real = runner.run_one
def slow(*args, **kwargs):
    time.sleep(0.15)
    return real(*args, **kwargs)
runner.run_one = slow
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_sigkill_then_resume_gives_every_run_once(tmp_path):
    sweep_file = write_sweep(tmp_path, f"""
        base = "{ROOT / 'scenarios/mentoring.toml'}"
        replications = 4
        seed = 11
        [set]
        "organisation.headcount" = 100
        horizon_weeks = 20
        "programme.duration_weeks" = 8
        [factors]
        "programme.mentees_per_mentor" = [1, 2, 3]
        "programme.meeting_hours" = [0.5, 1.0]
        """)
    out = tmp_path / "killed"
    script = tmp_path / "killable.py"
    script.write_text(KILLABLE)
    proc = subprocess.Popen(
        [sys.executable, str(script), "sweep", str(sweep_file), "--out", str(out), "--quiet",
         "--no-analysis"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "runs").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(list((out / "runs").glob("*.parquet")))
    assert 3 <= partial < 24 and not (out / "manifest.json").exists()

    sweep = load_sweep(sweep_file)
    resumed = run_sweep(sweep, out, progress=False)
    assert resumed.skipped == partial and resumed.done == 24
    fresh = run_sweep(sweep, tmp_path / "fresh", progress=False)
    assert fresh.ran == 24
    summary = read_summary(out)
    assert summary["id"].is_unique and len(summary) == 24
    assert len(list((out / "runs").iterdir())) == 24  # no stray temporary files
    pd.testing.assert_frame_equal(summary, read_summary(tmp_path / "fresh"), check_exact=True)


def test_cli_sweep_runs_and_analyses(tmp_path, capsys):
    sweep_file = write_sweep(tmp_path, f"""
        base = "{ROOT / 'scenarios/mentoring.toml'}"
        replications = 2
        [set]
        "organisation.headcount" = 100
        horizon_weeks = 20
        "programme.duration_weeks" = 8
        [factors.programme]
        mentees_per_mentor = [1, 2]
        """)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "4 of 4 runs done, 0 failed" in text
    assert (out / "analysis/points.csv").exists() and (out / "analysis/main_effects.png").exists()
