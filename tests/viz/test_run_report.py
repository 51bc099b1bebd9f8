"""sim.viz.run_report: a run's figures (the run directory's figure hook) and printed tables."""

import math

import numpy as np
import pytest

from sim.config import load_scenario
from sim.experiment.run import run_scenario
from sim.viz import run_report
from tests.paths import MENTORING
from tests.viz.images import assert_png

SMALL = {"organisation.headcount": 120, "horizon_weeks": 20, "programme.duration_weeks": 10}


@pytest.fixture(scope="module")
def with_control():
    scenario = load_scenario(MENTORING, {**SMALL, "evaluation.control": "no_programme"})
    return run_scenario(scenario, seed=5)


def test_figures_of_a_run_with_a_control_arm(with_control, tmp_path):
    written = run_report.write_run_figures(with_control, tmp_path)
    assert [p.name for p in written] == ["plot.png", "gaps.png", "programme_vs_control.png",
                                         "effect_profile.png", "equity.png"]
    for path in written:
        assert_png(path, 5000)


def test_figures_of_a_run_without_a_control_arm(tmp_path):
    result = run_scenario(load_scenario(MENTORING, SMALL), seed=5)
    written = run_report.write_run_figures(result, tmp_path)
    assert [p.name for p in written] == ["plot.png", "gaps.png", "equity.png"]


def test_arms_frame(with_control):
    frame = run_report.arms_frame(with_control.timeseries, with_control.control_timeseries)
    assert len(frame) == 2 * len(with_control.timeseries)
    assert set(frame["design"]) == {"programme", "control"} and (frame["replication"] == 0).all()
    control = frame[frame["design"] == "control"].set_index("week")["pairs_formal"]
    assert np.array_equal(control, with_control.control_timeseries["pairs_formal"])


def test_format_summary_and_evaluation():
    text = run_report.format_summary({"performance": 0.91234, "headcount": 120.0,
                                      "roi": math.nan}, "title:")
    assert text.splitlines() == ["title:", "  performance      0.9123",
                                 "  headcount           120", "  roi                   -"]
    block = run_report.format_evaluation({"level5_roi": {"roi_percent": 12.5,
                                                         "benefits": math.nan}})
    assert "  level5_roi" in block and block.splitlines()[2].split() == ["roi_percent", "12.5"]
    assert block.splitlines()[3].split() == ["benefits", "-"]
