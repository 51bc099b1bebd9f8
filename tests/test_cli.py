"""The mentorsim command: run, validate, and one-line errors with exit code 2."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from sim import cli

SMALL = ["--set", "organisation.headcount=120", "--set", "horizon_weeks=20",
         "--set", "programme.duration_weeks=10"]


def test_run_writes_complete_results(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["run", "scenarios/mentoring.toml", "--out", str(out), "--seed", "5",
                     "--quiet", *SMALL])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"timeseries.parquet", "summary.json", "plot.png", "scenario.toml",
                     "manifest.json", "gaps_by_group.csv", "causes.csv", "gaps.png"}
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert len(frame) == 21 and frame["headcount"].iloc[0] == 120
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5
    assert manifest["scenario"]["organisation"]["headcount"] == 120
    assert manifest["versions"]["mesa"].startswith("3.3")
    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["performance"] <= 1
    printed = capsys.readouterr().out
    assert "performance" in printed and "wrote" in printed
    assert not list(tmp_path.glob(".*partial"))


def test_run_without_plots_writes_the_same_data(tmp_path):
    with_plots, without = tmp_path / "a", tmp_path / "b"
    for out, extra in ((with_plots, []), (without, ["--no-plots"])):
        assert cli.main(["run", "scenarios/mentoring.toml", "--out", str(out), "--quiet",
                         *SMALL, *extra]) == 0
    names = {p.name for p in without.iterdir()}
    assert names == {p.name for p in with_plots.iterdir()} - {"plot.png", "gaps.png"}
    pd.testing.assert_frame_equal(pd.read_parquet(with_plots / "timeseries.parquet"),
                                  pd.read_parquet(without / "timeseries.parquet"))


def test_run_with_control_arm_writes_evaluation(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["run", "scenarios/mentoring.toml", "--out", str(out), "--quiet", *SMALL,
                     "--set", "evaluation.control=no_programme"])
    assert code == 0
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert set(evaluation) >= {"level1_reaction", "level2_learning", "level3_behaviour",
                               "level4_results", "level5_roi", "equity"}
    assert (out / "programme_vs_control.png").stat().st_size > 10_000
    control = pd.read_parquet(out / "control_timeseries.parquet")
    assert control["pairs_formal"].eq(0).all()
    assert "roi_percent" in capsys.readouterr().out


def test_rerun_replaces_and_reproduces(tmp_path):
    out = tmp_path / "r"
    args = ["run", "scenarios/baseline.toml", "--out", str(out), "--quiet", *SMALL]
    assert cli.main(args) == 0
    first = pd.read_parquet(out / "timeseries.parquet")
    assert cli.main(args) == 0
    pd.testing.assert_frame_equal(first, pd.read_parquet(out / "timeseries.parquet"))


def test_refuses_to_overwrite_a_foreign_directory(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert cli.main(["run", "scenarios/baseline.toml", "--out", str(out), "--quiet"]) == 2
    assert "not a mentorsim results directory" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"


def test_failure_mid_write_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    import sim.viz.report

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sim.viz.report, "plot_run", broken)
    out = tmp_path / "r"
    with pytest.raises(RuntimeError):
        cli.main(["run", "scenarios/baseline.toml", "--out", str(out), "--quiet", *SMALL])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["validate", "nope.toml"], "nope.toml: no such file"),
        (["run", "nope.toml"], "nope.toml: no such file"),
        (["validate", "scenarios/baseline.toml", "--set", "programme.duraton=3"],
         "unknown key 'programme.duraton'"),
        (["validate", "scenarios/baseline.toml", "--set", "workforce.annual_turnover=2"],
         "workforce.annual_turnover = 2"),
        (["run", "scenarios/baseline.toml", "--set", "oops"], "expected dotted.key=value"),
    ],
)
def test_user_errors_are_one_line_exit_2(args, fragment, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_validate_ok(capsys):
    assert cli.main(["validate", "scenarios/mentoring.toml"]) == 0
    assert "ok" in capsys.readouterr().out


def test_console_script_end_to_end(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisation]\nheadcount = -5\n")
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"mentorsim: error: {bad}: organisation.headcount = -5: "
        "Input should be greater than or equal to 2"
    )


@pytest.mark.parametrize("args, fragment", [
    (["validate", "scenarios/baseline.toml", "--set", "-:"], "--set: expected one argument"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["run"], "required: scenario"),
])
def test_usage_errors_are_one_line_exit_2(args, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mentorsim: error: ") and fragment in err
