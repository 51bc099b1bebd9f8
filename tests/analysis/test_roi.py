"""ROI by Phillips' rules: loaded time on both sides, discounting, BCR, a range."""

import math

import numpy as np
import pandas as pd
import pytest

from sim import MentoringModel, load_scenario
from sim.analysis.evaluation import control_scenario, evaluate
from sim.analysis.roi import (
    HOURS_COLUMNS,
    PAIRS_COLUMN,
    RoiAssumptions,
    discount_factors,
    roi,
    weekly_roi,
)
from sim.errors import ScenarioError

# Round numbers: a loaded salary of 52,000 x 1.25 = 65,000 a year is 1,250 a week and
# 31.25 an hour (40 h); a discount rate of 25% a year gives factors 1, 0.8, 0.64 at
# weeks 0, 52 and 104.
MONEY = {
    "organisation.salary_per_year": 52_000.0,
    "organisation.hours_per_week": 40.0,
    "programme.enabled": True,
    "evaluation.employment_cost_loading": 0.25,
    "evaluation.output_value_multiplier": 2.0,
    "evaluation.output_value_range": [1.0, 3.0],
    "evaluation.replacement_cost_share": 0.25,  # 13,000 a leaver
    "evaluation.cost_per_pair": 100.0,
    "evaluation.fixed_cost": 500.0,
    "evaluation.discount_rate_per_year": 0.25,
}
WEEKS = 105


def _weekly(values: dict[int, float]) -> np.ndarray:
    out = np.zeros(WEEKS)
    for week, value in values.items():
        out[week] = value
    return out


def _example() -> dict[str, np.ndarray | dict[str, np.ndarray]]:
    return {
        "output_fte_difference": _weekly({52: 2.0, 104: 4.0}),
        "quits_avoided": _weekly({52: 1.0}),
        "hours": {
            "mentor": _weekly({0: 8.0, 52: 16.0}),
            "mentee": _weekly({52: 16.0}),
            "coordination": _weekly({0: 4.0}),
            "training": _weekly({0: 4.0}),
        },
        "pairs_started": _weekly({0: 2.0}),
    }


def _frames(example: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two arms' weekly series carrying the example (control output 10 FTE, 3 quits)."""
    control = pd.DataFrame({"output_fte": np.full(WEEKS, 10.0), "quits": np.full(WEEKS, 3.0)})
    treated = pd.DataFrame({
        "output_fte": 10.0 + example["output_fte_difference"],
        "quits": 3.0 - example["quits_avoided"],
        **{HOURS_COLUMNS[kind]: hours for kind, hours in example["hours"].items()},
        PAIRS_COLUMN: np.cumsum(example["pairs_started"]),
    })
    return treated, control


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None, MONEY)


def test_assumptions_are_the_loaded_employment_cost(scenario):
    a = RoiAssumptions.from_scenario(scenario)
    assert a.hourly_cost == pytest.approx(31.25)
    assert a.weekly_cost == pytest.approx(1250.0)
    assert a.replacement_cost == pytest.approx(13_000.0)  # share of salary, not loaded
    assert (a.cost_per_pair, a.fixed_cost) == (100.0, 500.0)
    assert a.output_value_range == (1.0, 3.0)
    off = load_scenario(None, {**MONEY, "programme.enabled": False})
    assert RoiAssumptions.from_scenario(off).fixed_cost == 0.0


def test_discount_factors():
    f = discount_factors(WEEKS, 0.25)
    assert f[[0, 52, 104]] == pytest.approx([1.0, 0.8, 0.64])
    assert f[1] == pytest.approx(1.25 ** (-1 / 52))
    assert np.all(np.diff(f) < 0)
    assert np.array_equal(discount_factors(10, 0.0), np.ones(10))


def test_hand_computed_example(scenario):
    got = weekly_roi(RoiAssumptions.from_scenario(scenario), **_example())
    # output: 1,250 x (2 x 0.8 + 4 x 0.64) = 5,200 per unit of the multiplier, x 2
    assert got["output_benefit"] == pytest.approx(10_400.0)
    assert got["retention_benefit"] == pytest.approx(13_000.0 * 0.8)
    assert got["benefits"] == pytest.approx(20_800.0)
    # time at 31.25 an hour: mentor 8 + 16 x 0.8 = 20.8 h, mentee 12.8 h, 4 h, 4 h
    assert got["cost_mentor_time"] == pytest.approx(650.0)
    assert got["cost_mentee_time"] == pytest.approx(400.0)
    assert got["cost_coordination_time"] == pytest.approx(125.0)
    assert got["cost_training_time"] == pytest.approx(125.0)
    assert got["cost_pairs"] == pytest.approx(200.0)
    assert got["cost_fixed"] == pytest.approx(500.0)
    assert got["costs"] == pytest.approx(2000.0)
    assert got["net_benefit"] == pytest.approx(18_800.0)
    assert got["benefit_cost_ratio"] == pytest.approx(10.4)
    assert got["roi_percent"] == pytest.approx(940.0)
    assert got["roi_percent_low"] == pytest.approx((5_200 + 10_400 - 2000) / 2000 * 100)  # 680
    assert got["roi_percent_high"] == pytest.approx((15_600 + 10_400 - 2000) / 2000 * 100)
    # undiscounted: benefits 1,250 x 6 x 2 + 13,000; costs 750 + 500 + 125 + 125 + 200 + 500
    assert got["benefits_undiscounted"] == pytest.approx(28_000.0)
    assert got["costs_undiscounted"] == pytest.approx(2200.0)
    assert got["roi_percent_undiscounted"] == pytest.approx(25_800 / 2200 * 100)
    assert got["output_value_multiplier"] == 2.0
    assert (got["output_value_low"], got["output_value_high"]) == (1.0, 3.0)


def test_roi_from_the_two_arms_series(scenario):
    """The frames' route (cumulative pairs, differences of the arms) gives the same."""
    example = _example()
    treated, control = _frames(example)
    want = weekly_roi(RoiAssumptions.from_scenario(scenario), **example)
    assert roi(scenario, treated, control) == pytest.approx(want)
    with pytest.raises(ValueError, match="differ in length"):
        roi(scenario, treated, control.iloc[:-1])


def test_zero_discount_rate_gives_the_plain_sums(scenario):
    plain = load_scenario(None, {**MONEY, "evaluation.discount_rate_per_year": 0.0})
    got = weekly_roi(RoiAssumptions.from_scenario(plain), **_example())
    assert got["benefits"] == pytest.approx(28_000.0) == got["benefits_undiscounted"]
    assert got["costs"] == pytest.approx(2200.0) == got["costs_undiscounted"]
    assert got["roi_percent"] == pytest.approx(got["roi_percent_undiscounted"])
    discounted = weekly_roi(RoiAssumptions.from_scenario(scenario), **_example())
    assert got["costs_undiscounted"] == pytest.approx(discounted["costs_undiscounted"])


def test_roi_rises_with_the_output_value_multiplier(scenario):
    rois = []
    for multiplier in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0):
        s = load_scenario(None, {**MONEY, "evaluation.output_value_multiplier": multiplier})
        rois.append(weekly_roi(RoiAssumptions.from_scenario(s), **_example())["roi_percent"])
    assert np.all(np.diff(rois) > 0)
    # and the range brackets the central value when the multiplier lies inside it
    got = weekly_roi(RoiAssumptions.from_scenario(scenario), **_example())
    assert got["roi_percent_low"] < got["roi_percent"] < got["roi_percent_high"]
    # an output loss makes a higher multiplier worse
    loss = {**_example(), "output_fte_difference": -_example()["output_fte_difference"]}
    worse = weekly_roi(RoiAssumptions.from_scenario(scenario), **loss)
    assert worse["roi_percent_high"] < worse["roi_percent"] < worse["roi_percent_low"]


def test_no_cost_gives_nan_not_a_crash():
    free = load_scenario(None, {**MONEY, "evaluation.fixed_cost": 0.0})
    example = {**_example(), "hours": {}, "pairs_started": np.zeros(WEEKS)}
    got = weekly_roi(RoiAssumptions.from_scenario(free), **example)
    assert got["costs"] == 0.0 and got["benefits"] > 0
    for key in ("roi_percent", "benefit_cost_ratio", "roi_percent_low", "roi_percent_high",
                "roi_percent_undiscounted"):
        assert math.isnan(got[key]), key
    assert got["net_benefit"] == pytest.approx(got["benefits"])


def test_weekly_arrays_must_agree():
    a = RoiAssumptions.from_scenario(load_scenario(None, MONEY))
    example = _example()
    with pytest.raises(ValueError, match="differ in length"):
        weekly_roi(a, **{**example, "quits_avoided": np.zeros(WEEKS - 1)})
    with pytest.raises(ValueError, match="unknown kinds of hours"):
        weekly_roi(a, **{**example, "hours": {"lunch": np.zeros(WEEKS)}})


def test_old_key_names_the_new_one():
    with pytest.raises(ScenarioError, match="output_value_multiplier") as info:
        load_scenario(None, {"evaluation.output_value_per_salary": 1.5})
    assert "\n" not in str(info.value)
    with pytest.raises(ScenarioError, match="low <= high"):
        load_scenario(None, {"evaluation.output_value_range": [3.0, 1.0]})


def test_running_cost_matches_the_evaluation():
    """The weekly programme_cost is the evaluation's fully loaded, undiscounted cost."""
    scenario = load_scenario(None, {
        "organisation.headcount": 200, "horizon_weeks": 40, "programme.enabled": True,
        "programme.start_week": 0, "programme.duration_weeks": 26,
        "evaluation.cost_per_pair": 250.0, "evaluation.fixed_cost": 1000.0,
    })
    treated = MentoringModel(scenario=scenario, rng=4).run()
    control = MentoringModel(scenario=control_scenario(scenario), rng=4).run()
    got = evaluate(treated, control)["level5_roi"]
    frame = treated.timeseries()
    assert frame["formal_pairs_started"].iloc[-1] > 0
    assert got["costs_undiscounted"] == pytest.approx(frame["programme_cost"].iloc[-1])
    assert got["costs"] < got["costs_undiscounted"]  # discounted
    parts = [got[f"cost_{k}_time"] for k in HOURS_COLUMNS] + [got["cost_pairs"],
                                                             got["cost_fixed"]]
    assert sum(parts) == pytest.approx(got["costs"])
    hours = sum(frame[c].to_numpy() for c in HOURS_COLUMNS.values())
    assert hours == pytest.approx(frame["programme_hours"].to_numpy())
