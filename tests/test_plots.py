"""sim.viz.plots: every plot writes a non-trivial PNG from small real model output; band numbers."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.model import MentoringModel
from sim.viz import plots

SMALL = {"organisation__headcount": 150, "horizon_weeks": 30, "programme__duration_weeks": 20,
         "programme__start_week": 0, "informal__enabled": True}


@pytest.fixture(scope="module")
def runs():
    """Programme and control, three replications each (same seeds), as a long frame."""
    frames = []
    for design, extra in (("programme", {}), ("control", {"programme__enabled": False})):
        for r in range(3):
            model = MentoringModel("scenarios/mentoring.toml", rng=100 + r, **SMALL, **extra)
            frame = model.run().timeseries().reset_index()
            frames.append(frame.assign(design=design, replication=r))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def model():
    return MentoringModel("scenarios/mentoring.toml", rng=7, **SMALL).run()


def assert_png(path, min_bytes=8000):
    from PIL import Image

    assert path.exists() and path.stat().st_size > min_bytes
    pixels = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 5  # not blank


def test_band_statistics_match_pandas(runs):
    table = plots.band_statistics(runs, "performance")
    expected = runs.groupby(["design", "week"])["performance"]
    for (design, week), values in expected:
        row = table[(table["design"] == design) & (table["week"] == week)].iloc[0]
        assert row["n"] == 3
        assert row["mean"] == pytest.approx(values.mean(), abs=1e-15)
        half = stats.t.ppf(0.975, 2) * values.std(ddof=1) / np.sqrt(3)
        assert row["upper"] - row["mean"] == pytest.approx(half, rel=1e-9, abs=1e-15)
        assert row["mean"] - row["lower"] == pytest.approx(half, rel=1e-9, abs=1e-15)
    assert list(dict.fromkeys(table["design"])) == ["programme", "control"]


def test_range_band_is_the_quantiles(runs):
    table = plots.band_statistics(runs, "skill_gap", band="range", level=0.9)
    week = runs[(runs["design"] == "control") & (runs["week"] == 10)]["skill_gap"]
    row = table[(table["design"] == "control") & (table["week"] == 10)].iloc[0]
    assert row["lower"] == pytest.approx(week.quantile(0.05))
    assert row["upper"] == pytest.approx(week.quantile(0.95))


def test_band_statistics_rejects_bad_input(runs):
    with pytest.raises(ValueError, match="band"):
        plots.band_statistics(runs, "performance", band="sd")
    with pytest.raises(ValueError, match="column"):
        plots.band_statistics(runs, "no_such_metric")


def test_paired_differences_are_by_replication(runs):
    diff = plots.paired_differences(runs, "performance", "programme", "control")
    p = runs[runs["design"] == "programme"].set_index(["week", "replication"])["performance"]
    c = runs[runs["design"] == "control"].set_index(["week", "replication"])["performance"]
    got = diff.set_index(["week", "replication"])["performance"]
    assert np.allclose(got.sort_index(), (p - c).sort_index())
    assert (diff.loc[diff["week"] == 0, "performance"] == 0).all()  # common random numbers


def test_plot_trajectories(runs, tmp_path):
    fig = plots.plot_trajectories(runs, ["performance", "skill_gap", "proficient_share"],
                                  tmp_path / "t.png")
    assert_png(tmp_path / "t.png")
    ax = fig.axes[0]
    assert ax.get_ylabel() == plots.label_for("performance") and ax.get_xlabel() == "week"
    line = ax.get_lines()[0]
    table = plots.band_statistics(runs, "performance")
    assert np.allclose(line.get_ydata(), table[table["design"] == "programme"]["mean"])


def test_plot_programme_vs_control(runs, tmp_path):
    plots.plot_programme_vs_control(runs, ["performance", "skill_gap"], path=tmp_path / "p.png")
    assert_png(tmp_path / "p.png")


def test_plot_gap_heatmap(model, tmp_path):
    fig = plots.plot_gap_heatmap(model, tmp_path / "g.png")
    assert_png(tmp_path / "g.png", 5000)
    image = fig.axes[0].get_images()[0].get_array()
    from sim.model.needs import gap_table

    table = gap_table(model)
    assert np.allclose(image, table[list(model.environment.competencies)].to_numpy())


def test_mentoring_edges_and_network(model, tmp_path):
    edges = plots.mentoring_edges(model)
    wf = model.workforce
    assert len(edges) == int(np.count_nonzero(wf.mentor >= 0))
    assert (wf.mentor[edges["mentee_slot"]] == edges["mentor_slot"]).all()
    assert set(edges["kind"]) <= {"formal", "informal"}
    for layout in ("career", "circle"):
        plots.plot_network(model, tmp_path / f"n_{layout}.png", layout=layout)
        assert_png(tmp_path / f"n_{layout}.png")
    with pytest.raises(ValueError, match="layout"):
        plots.network_layout(model, "spring")


def test_plot_sweep_heatmap(tmp_path):
    frames = []
    for weeks in (13, 26):
        for share in (0.05, 0.1):
            for r in range(2):
                m = MentoringModel("scenarios/mentoring.toml", rng=r, **{
                    **SMALL, "programme__duration_weeks": weeks,
                    "programme__max_mentee_share": share})
                frames.append({"duration_weeks": weeks, "max_mentee_share": share,
                               "replication": r, "skill_gap": m.run().metrics["skill_gap"]})
    frame = pd.DataFrame(frames)
    fig = plots.plot_sweep_heatmap(frame, "duration_weeks", "max_mentee_share", "skill_gap",
                                   tmp_path / "s.png")
    assert_png(tmp_path / "s.png", 5000)
    cells = fig.axes[0].get_images()[0].get_array()
    expected = frame.groupby(["max_mentee_share", "duration_weeks"])["skill_gap"].mean()
    assert cells[0, 1] == pytest.approx(expected[(0.05, 26)])


def test_plot_tornado(tmp_path):
    indices = pd.DataFrame({
        "outcome": ["performance"] * 3 + ["skill_gap"] * 3,
        "factor": ["duration", "load", "training"] * 2,
        "S1": [0.5, 0.1, 0.02, 0.3, 0.3, 0.1], "S1_conf": [0.05] * 6,
        "ST": [0.6, 0.15, 0.05, 0.4, 0.35, 0.1], "ST_conf": [0.06] * 6,
    })
    fig = plots.plot_tornado(indices, path=tmp_path / "t.png")
    assert_png(tmp_path / "t.png", 5000)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "duration"  # the largest index on top
    oat = pd.DataFrame({"factor": ["a", "b"], "effect": [-0.01, 0.02],
                        "effect_conf": [0.004, 0.01]})
    plots.plot_tornado(oat, "effect", "effect_conf", None, None, path=tmp_path / "o.png",
                       xlabel="change in performance (0-1)")
    assert_png(tmp_path / "o.png", 4000)
