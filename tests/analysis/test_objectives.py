"""Plan objectives after the run: met, missed or not reached, in the run and its control."""

import math

import pandas as pd
import pytest

from sim.analysis.objectives import evaluate_objectives, objective_value
from sim.config import load_scenario
from sim.config.schema import OBJECTIVE_METRICS
from sim.errors import ScenarioError
from sim.model.reporters import REPORTERS


def _plan(*objectives, horizon=20):
    overrides = {"horizon_weeks": horizon, "programme.duration_weeks": 10,
                 "plan.objectives": [dict(o) for o in objectives]}
    return load_scenario("mentoring", overrides)


def _series(values):
    frame = pd.DataFrame({"proficient_share": values, "commitment": values})
    frame.index.name = "week"
    return frame


def test_every_objective_metric_is_a_model_reporter():
    assert set(OBJECTIVE_METRICS) <= set(REPORTERS)


def test_the_value_is_the_mean_of_the_four_weeks_up_to_by_week():
    series = _series([0.0] * 6 + [1.0, 2.0, 3.0, 4.0, 100.0])
    assert objective_value(series, "proficient_share", 9) == 2.5  # weeks 6..9
    assert math.isnan(objective_value(series, "proficient_share", 11))


def test_met_missed_and_not_reached_by_hand():
    scenario = _plan(
        {"name": "up", "metric": "proficient_share", "target": 2.5, "by_week": 9},
        {"name": "too high", "metric": "proficient_share", "target": 2.6, "by_week": 9},
        {"name": "down", "metric": "commitment", "target": 1.0, "by_week": 5,
         "direction": "at_most"},
        {"name": "late", "metric": "commitment", "target": 0.0, "by_week": 15},
    )
    run = _series([0.0] * 6 + [1.0, 2.0, 3.0, 4.0, 100.0])  # weeks 0..10
    control = _series([5.0] * 16)  # weeks 0..15
    table = evaluate_objectives(scenario, run, control).set_index("objective")
    assert table.loc["up", "status"] == "met" and table.loc["up", "value"] == 2.5
    assert table.loc["too high", "status"] == "missed"
    assert table.loc["down", "status"] == "met"  # weeks 2..5 are 0
    assert table.loc["late", "status"] == "not reached"
    assert table.loc["up", "control_status"] == "met"
    assert table.loc["down", "control_status"] == "missed"
    assert table.loc["late", "control_status"] == "met"
    assert table.loc["late", "control_value"] == 5.0


def test_without_a_control_arm_its_columns_are_empty():
    scenario = _plan({"name": "up", "metric": "proficient_share", "target": 0.0,
                      "by_week": 3})
    table = evaluate_objectives(scenario, _series([1.0] * 5))
    assert table["status"].tolist() == ["met"]
    assert table["control_status"].tolist() == [""]
    assert math.isnan(table["control_value"].iloc[0])


def test_an_objective_beyond_the_horizon_is_one_line_naming_the_field():
    with pytest.raises(ScenarioError) as error:
        _plan({"name": "x", "metric": "headcount", "target": 1, "by_week": 21})
    message = str(error.value)
    assert "\n" not in message
    assert "plan.objectives.0.by_week = 21 is beyond horizon_weeks = 20" in message
