"""sim.viz.trajectories: band numbers, paired differences, and the figures drawn from them."""

import numpy as np
import pandas as pd
import pytest

from sim.viz import style, trajectories
from tests.viz.images import assert_png

T_975_2 = 4.302652729749464  # two-sided 95% t, 2 degrees of freedom (three replications)


def test_band_statistics_are_t_intervals_of_the_weekly_mean(runs):
    table = trajectories.band_statistics(runs, "performance")
    expected = runs.groupby(["design", "week"])["performance"]
    for (design, week), values in expected:
        row = table[(table["design"] == design) & (table["week"] == week)].iloc[0]
        assert row["n"] == 3
        assert row["mean"] == pytest.approx(values.mean(), abs=1e-15)
        half = T_975_2 * values.std(ddof=1) / np.sqrt(3)
        assert row["upper"] - row["mean"] == pytest.approx(half, rel=1e-9, abs=1e-15)
        assert row["mean"] - row["lower"] == pytest.approx(half, rel=1e-9, abs=1e-15)
    assert list(dict.fromkeys(table["design"])) == ["programme", "control"]


def test_one_replication_has_no_band_and_nans_are_dropped():
    frame = pd.DataFrame({"design": ["a", "a", "a", "b", "b"], "week": [0, 0, 0, 0, 0],
                          "replication": [0, 1, 2, 0, 1], "x": [1.0, 3.0, np.nan, 2.0, np.nan]})
    table = trajectories.band_statistics(frame, "x").set_index("design")
    assert table.loc["a", "n"] == 2 and table.loc["a", "mean"] == 2.0
    # sd of (1, 3) is sqrt(2), so the standard error is 1 and the half-width t(0.975, 1)
    assert table.loc["a", "upper"] - 2.0 == pytest.approx(12.706204736174707)
    assert table.loc["b", "n"] == 1 and np.isnan(table.loc["b", "lower"])


def test_range_band_is_the_quantiles(runs):
    table = trajectories.band_statistics(runs, "skill_gap", band="range", level=0.9)
    week = runs[(runs["design"] == "control") & (runs["week"] == 10)]["skill_gap"]
    row = table[(table["design"] == "control") & (table["week"] == 10)].iloc[0]
    assert row["lower"] == pytest.approx(week.quantile(0.05))
    assert row["upper"] == pytest.approx(week.quantile(0.95))


def test_band_statistics_rejects_bad_input(runs):
    with pytest.raises(ValueError, match="band"):
        trajectories.band_statistics(runs, "performance", band="sd")
    with pytest.raises(ValueError, match="column"):
        trajectories.band_statistics(runs, "no_such_metric")


def test_paired_differences_are_by_replication(runs):
    diff = trajectories.paired_differences(runs, "performance", "programme", "control")
    p = runs[runs["design"] == "programme"].set_index(["week", "replication"])["performance"]
    c = runs[runs["design"] == "control"].set_index(["week", "replication"])["performance"]
    got = diff.set_index(["week", "replication"])["performance"]
    assert np.allclose(got.sort_index(), (p - c).sort_index())
    assert (diff.loc[diff["week"] == 0, "performance"] == 0).all()  # common random numbers
    with pytest.raises(ValueError, match="designs"):
        trajectories.paired_differences(runs, "performance", "programme", "nobody")


def test_plot_trajectories(runs, tmp_path):
    fig = trajectories.plot_trajectories(runs, ["performance", "skill_gap", "proficient_share"],
                                         tmp_path / "t.png")
    assert_png(tmp_path / "t.png")
    ax = fig.axes[0]
    assert ax.get_ylabel() == style.label_for("performance") and ax.get_xlabel() == "week"
    assert not fig.axes[3].get_visible()  # three panels on a 2 x 2 grid
    line = ax.get_lines()[0]
    table = trajectories.band_statistics(runs, "performance")
    assert np.allclose(line.get_ydata(), table[table["design"] == "programme"]["mean"])
    assert line.get_color() == style.COLOURS[0] and ax.get_lines()[1].get_linestyle() == "--"
    assert "n = 3" in ax.get_legend().get_title().get_text()


def test_plot_programme_vs_control(runs, tmp_path):
    fig = trajectories.plot_programme_vs_control(runs, ["performance", "skill_gap"],
                                                 path=tmp_path / "p.png")
    assert_png(tmp_path / "p.png")
    difference = fig.axes[1 * 2].get_lines()  # bottom-left panel: zero line, then difference
    diff = trajectories.paired_differences(runs, "performance", "programme", "control")
    assert np.allclose(difference[1].get_ydata(), diff.groupby("week")["performance"].mean())


def test_programme_vs_control_of_one_run_says_there_is_no_interval(runs):
    one = runs[runs["replication"] == 0]
    fig = trajectories.plot_programme_vs_control(one, "performance")
    assert fig.axes[0].get_legend().get_title().get_text() == "one replication: no interval"
