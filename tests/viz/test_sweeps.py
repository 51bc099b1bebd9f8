"""sim.viz.sweeps: heat-maps over two factors, main effects, tornado charts."""

import numpy as np
import pandas as pd
import pytest

from sim.model import MentoringModel
from sim.viz import sweeps
from tests.paths import MENTORING
from tests.viz.conftest import SMALL
from tests.viz.images import assert_png


def test_plot_sweep_heatmap_of_runs(tmp_path):
    frames = []
    for weeks in (13, 26):
        for share in (0.05, 0.1):
            for r in range(2):
                m = MentoringModel(MENTORING, rng=r, **{
                    **SMALL, "programme__duration_weeks": weeks,
                    "programme__max_mentee_share": share})
                frames.append({"duration_weeks": weeks, "max_mentee_share": share,
                               "replication": r, "skill_gap": m.run().metrics["skill_gap"]})
    frame = pd.DataFrame(frames)
    fig = sweeps.plot_sweep_heatmap(frame, "duration_weeks", "max_mentee_share", "skill_gap",
                                    tmp_path / "s.png")
    assert_png(tmp_path / "s.png", 5000)
    cells = fig.axes[0].get_images()[0].get_array()
    expected = frame.groupby(["max_mentee_share", "duration_weeks"])["skill_gap"].mean()
    assert cells[0, 1] == pytest.approx(expected[(0.05, 26)])
    assert "n=2" in fig.axes[0].texts[0].get_text()


def test_continuous_factors_are_binned_and_outcomes_get_panels():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.uniform(0, 1, 300), "b": rng.uniform(0, 1, 300)})
    frame["y"] = frame["a"] + 0.0 * frame["b"]
    frame["z"] = -frame["b"]
    fig = sweeps.plot_sweep_heatmap(frame, "a", "b", ["y", "z"])
    images = [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]
    assert len(images) == 2 and images[0].shape == (sweeps.BINS, sweeps.BINS)
    assert (np.diff(images[0].mean(axis=0)) > 0).all()  # y grows with a (columns)
    assert (np.diff(images[1].mean(axis=1)) < 0).all()  # z falls with b (rows)
    levels = sweeps.factor_levels(frame["a"])
    assert levels.nunique() == sweeps.BINS
    assert sweeps.factor_levels(pd.Series([1, 2, 3])).tolist() == [1, 2, 3]


def test_plot_main_effects(tmp_path):
    points = pd.DataFrame({"point": [0, 1, 2, 3] * 2, "f": [1, 1, 2, 2] * 2,
                           "g": ["x", "y", "x", "y"] * 2,
                           "outcome": ["perf"] * 4 + ["gap"] * 4,
                           "mean": [0.1, 0.3, 0.5, 0.7, 1.0, 1.0, 2.0, 2.0]})
    fig = sweeps.plot_main_effects(points, ["f", "g"], ["perf", "gap"], tmp_path / "m.png")
    assert_png(tmp_path / "m.png", 5000)
    line = fig.axes[0].get_lines()[0]  # perf against f: level means 0.2 and 0.6
    assert np.allclose(line.get_ydata(), [0.2, 0.6])


def test_plot_tornado(tmp_path):
    indices = pd.DataFrame({
        "outcome": ["performance"] * 3 + ["skill_gap"] * 3,
        "factor": ["duration", "load", "training"] * 2,
        "S1": [0.5, 0.1, 0.02, 0.3, 0.3, 0.1], "S1_conf": [0.05] * 6,
        "ST": [0.6, 0.15, 0.05, 0.4, 0.35, 0.1], "ST_conf": [0.06] * 6,
    })
    fig = sweeps.plot_tornado(indices, path=tmp_path / "t.png")
    assert_png(tmp_path / "t.png", 5000)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1] == "duration"  # the largest index on top
    oat = pd.DataFrame({"factor": ["a", "b"], "effect": [-0.01, 0.02],
                        "effect_conf": [0.004, 0.01]})
    sweeps.plot_tornado(oat, "effect", "effect_conf", None, None, path=tmp_path / "o.png",
                        xlabel="change in performance (0-1)")
    assert_png(tmp_path / "o.png", 4000)


def test_tornado_wraps_many_outcomes():
    indices = pd.DataFrame({"outcome": [f"o{i}" for i in range(4) for _ in range(2)],
                            "factor": ["a", "b"] * 4, "ST": 0.5, "ST_conf": 0.1,
                            "S1": 0.4, "S1_conf": 0.1})
    fig = sweeps.plot_tornado(indices, columns=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 4
