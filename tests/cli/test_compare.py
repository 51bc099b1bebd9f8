"""``mentorsim compare``: resumable, failures named on one line, the report beside the runs."""

import json
import sys

import numpy as np
import pandas as pd

import sim.experiment.runner as runner
from sim.cli import main
from tests.experiment.sweeps import TINY
from tests.paths import BASELINE, MENTORING


def command(out, *extra):
    args = ["compare", str(BASELINE), str(MENTORING), "--reps", "3", "--quiet",
            "--out", str(out), "--no-uncertainty", *extra]  # parameters fixed
    for key, value in TINY.items():
        args += ["--set", f"{key}={value}"]
    return args


def test_cli_compare_prints_table_and_resumes(tmp_path, capsys):
    out = tmp_path / "c"
    assert main(command(out)) == 0
    text = capsys.readouterr().out
    assert "performance" in text and "paired by seed" in text and "replications" in text
    assert "6 runs, 0 resumed from disk; ran 6" in text
    assert np.isfinite(pd.read_parquet(out / "summary.parquet")["performance"]).all()
    for name in ("report.md", "report.html", "summary.csv", "stats.parquet",
                 "trajectory_performance.png", "manifest.json", "sweep.json"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sources"] == {"baseline": str(BASELINE), "mentoring": str(MENTORING)}
    table = pd.read_csv(out / "summary.csv")
    assert list(table.columns[:4]) == ["scenario", "replication", "seed", "id"]
    assert all((out / "runs" / f"{run_id}.parquet").exists() for run_id in table["id"])
    assert table.groupby("replication")["seed"].nunique().eq(1).all()  # common seeds
    report = (out / "report.md").read_text()
    assert main(command(out)) == 0  # the same command again: nothing to run
    assert "6 runs, 6 resumed from disk; ran 0" in capsys.readouterr().out
    assert (out / "report.md").read_text() == report


def test_cli_compare_failed_run_is_one_line(tmp_path, capsys, monkeypatch):
    real = runner.run_scenario

    def flaky(scenario, seed=None, **kwargs):
        if scenario.programme.enabled:
            raise ValueError("no mentors left")
        return real(scenario, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run_scenario", flaky)
    out = tmp_path / "c"
    assert main(command(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"mentorsim: error: {out}: 3 of 6 runs failed, e.g. mentoring "
                          "replication 0")
    assert "ValueError: no mentors left" in err
    assert not (out / "manifest.json").exists() and not (out / "report.md").exists()
    monkeypatch.undo()
    assert main(command(out)) == 0
    assert "6 runs, 3 resumed from disk; ran 3" in capsys.readouterr().out


def test_cli_compare_interrupted_keeps_finished_runs(tmp_path, capsys, monkeypatch):
    real = runner.run_one
    made = []

    def interrupted(*args):
        if len(made) == 2:
            raise KeyboardInterrupt
        made.append(1)
        return real(*args)

    monkeypatch.setattr(runner, "run_one", interrupted)
    out = tmp_path / "c"
    assert main(command(out)) == 130
    assert "finished runs are kept" in capsys.readouterr().err
    assert not (out / "manifest.json").exists() and len(list((out / "runs").iterdir())) == 2


def test_cli_compare_missing_file_is_one_line(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nope.toml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.toml" in err


def test_cli_compare_refuses_a_sweep_directory_without_force_new(tmp_path, capsys):
    out = tmp_path / "c"
    out.mkdir()
    (out / "sweep.json").write_text(json.dumps({"kind": "sweep"}))
    assert main(command(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force-new" in err
    assert main(command(out, "--force-new")) == 0


def test_module_runs_compare(tmp_path):
    import subprocess

    from tests.paths import ROOT

    done = subprocess.run([sys.executable, "-m", "sim.cli", *command(tmp_path / "c")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c/manifest.json").exists()
