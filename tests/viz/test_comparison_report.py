"""sim.viz.comparison_report: trajectory figures, tables, and the report written all or none."""

import numpy as np
import pandas as pd
import pytest

from sim.experiment.compare import compare_scenarios
from sim.viz import comparison_report, trajectories
from tests.experiment.sweeps import tiny_designs
from tests.viz.images import assert_png


@pytest.fixture(scope="module")
def comparison():
    return compare_scenarios(tiny_designs(), uncertainty=False, reps=3, seed=3, progress=False)


def test_trajectory_figures_are_the_house_bands(comparison, tmp_path):
    paths = comparison_report.write_trajectory_figures(comparison, tmp_path)
    assert [p.name for p in paths] == [f"trajectory_{m}.png"
                                       for m in comparison_report.TRAJECTORIES]
    for path in paths:
        assert_png(path, 5000)
    fig = trajectories.plot_trajectories(comparison.timeseries, "performance",
                                         design="scenario")
    table = trajectories.band_statistics(comparison.timeseries, "performance", "scenario")
    line = fig.axes[0].get_lines()[1]
    assert line.get_label() == "mentoring"
    assert np.allclose(line.get_ydata(), table[table["scenario"] == "mentoring"]["mean"])


def test_format_table_aligns_columns():
    text = comparison_report.format_table(["metric", "a"], [["performance", "1"], ["x", "22"]])
    assert text.splitlines() == ["metric       a ", "-----------  --",
                                 "performance  1 ", "x            22"]


def test_report_files_and_table(comparison, tmp_path):
    report = comparison_report.write_report(comparison, tmp_path / "cmp", width=0.005)
    assert report == tmp_path / "cmp"
    for name in ("report.md", "report.html", "summary.csv", "stats.csv", "stats.parquet",
                 "trajectory_performance.png", "trajectory_proficient_share.png"):
        assert (report / name).exists(), name
    md = (report / "report.md").read_text()
    assert "| performance |" in md and "mentoring − baseline" in md
    assert "![trajectory_performance](trajectory_performance.png)" in md
    assert "replications would narrow it" in md
    html = (report / "report.html").read_text()
    assert "data:image/png;base64," in html and "<td>performance</td>" in html
    summary = pd.read_csv(report / "summary.csv")
    assert len(summary) == 6 and "performance" in summary
    assert not list((tmp_path / "cmp").glob(".*partial"))


def test_a_report_that_fails_midway_leaves_the_previous_one(comparison, tmp_path,
                                                            monkeypatch):
    report = comparison_report.write_report(comparison, tmp_path / "cmp")
    before = {p.name: p.read_bytes() for p in report.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(comparison_report, "write_trajectory_figures", broken)
    with pytest.raises(RuntimeError):
        comparison_report.write_report(comparison, tmp_path / "cmp")
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before  # no staging left
