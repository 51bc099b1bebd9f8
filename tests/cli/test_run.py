"""``mentorsim run``: a complete run directory, or nothing."""

import json

import pandas as pd
import pytest

from sim import cli
from tests.paths import BASELINE, MENTORING

SMALL = ["--set", "organisation.headcount=120", "--set", "horizon_weeks=20",
         "--set", "programme.duration_weeks=10"]


def test_run_writes_complete_results(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["run", str(MENTORING), "--out", str(out), "--seed", "5", "--quiet",
                     *SMALL])
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"timeseries.parquet", "summary.json", "plot.png", "scenario.toml",
                     "manifest.json", "gaps_by_group.csv", "causes.csv", "recommendations.csv",
                     "adaptations.csv", "forecast.json", "equity_profile.csv",
                     "gaps.png", "equity.png"}
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert len(frame) == 21 and frame["headcount"].iloc[0] == 120
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5
    assert manifest["scenario"]["organisation"]["headcount"] == 120
    assert manifest["versions"]["mesa"].startswith("3.3")
    assert manifest["provenance"]["cpu"]["name"] and manifest["provenance"]["cpu"]["features"]
    summary = json.loads((out / "summary.json").read_text())
    assert 0 < summary["performance"] <= 1
    printed = capsys.readouterr().out
    assert "performance" in printed and "wrote" in printed
    assert not list(tmp_path.glob(".*partial"))


def test_run_without_plots_writes_the_same_data(tmp_path):
    with_plots, without = tmp_path / "a", tmp_path / "b"
    for out, extra in ((with_plots, []), (without, ["--no-plots"])):
        assert cli.main(["run", str(MENTORING), "--out", str(out), "--quiet",
                         *SMALL, *extra]) == 0
    names = {p.name for p in without.iterdir()}
    assert names == {p.name for p in with_plots.iterdir()} - {"plot.png", "gaps.png",
                                                               "equity.png"}
    pd.testing.assert_frame_equal(pd.read_parquet(with_plots / "timeseries.parquet"),
                                  pd.read_parquet(without / "timeseries.parquet"))


def test_run_with_control_arm_writes_evaluation(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["run", str(MENTORING), "--out", str(out), "--quiet", *SMALL,
                     "--set", "evaluation.control=no_programme"])
    assert code == 0
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert set(evaluation) >= {"level1_reaction", "level2_learning", "level3_behaviour",
                               "level4_results", "level5_roi", "equity"}
    assert (out / "programme_vs_control.png").stat().st_size > 10_000
    control = pd.read_parquet(out / "control_timeseries.parquet")
    assert control["pairs_formal"].eq(0).all()
    assert "roi_percent" in capsys.readouterr().out


def test_a_second_run_replaces_the_first(tmp_path):
    out = tmp_path / "r"
    args = ["run", str(BASELINE), "--out", str(out), "--quiet", *SMALL]
    assert cli.main(args) == 0
    first = pd.read_parquet(out / "timeseries.parquet")
    assert cli.main(args) == 0
    pd.testing.assert_frame_equal(first, pd.read_parquet(out / "timeseries.parquet"))
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_refuses_to_overwrite_a_foreign_directory(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert cli.main(["run", str(BASELINE), "--out", str(out), "--quiet"]) == 2
    assert "not a mentorsim results directory" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"


def test_failure_while_drawing_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    import sim.viz.run_report

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sim.viz.run_report, "draw_run_figures", broken)  # in the child too
    out = tmp_path / "r"
    with pytest.raises(RuntimeError):
        cli.main(["run", str(BASELINE), "--out", str(out), "--quiet", *SMALL])
    assert list(tmp_path.iterdir()) == []


def test_crash_mid_write_of_a_run_directory(tmp_path, monkeypatch):
    import sim.experiment.results

    real = sim.experiment.results.write_parquet

    def crash(path, frame):
        real(path, frame)
        raise OSError("I/O error")

    monkeypatch.setattr(sim.experiment.results, "write_parquet", crash)
    with pytest.raises(OSError):
        cli.main(["run", str(MENTORING), "--out", str(tmp_path / "r"), "--quiet", *SMALL])
    assert list(tmp_path.iterdir()) == []


def test_interrupted_run_leaves_nothing(tmp_path, monkeypatch, capsys):
    import sim.experiment.run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.experiment.run, "run_scenario", interrupted)
    assert cli.main(["run", str(BASELINE), "--out", str(tmp_path / "r"), "--quiet"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
