"""``mentorsim plan``'s numbers: plan files, P(best), budget and objective flags, warnings."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.decision import (
    AT_RISK,
    OVER,
    WITHIN,
    budget_flags,
    objective_table,
    probability_best,
    wilson,
)
from sim.config import load_scenario
from sim.config.plan_file import REFERENCE, load_plan_file, plan_from_dict
from sim.config.schema import Objective
from sim.errors import ScenarioError
from sim.experiment.compare import PAIRED_ROI, differing_fields
from sim.experiment.plan import build_sweep, run_decision
from tests.plans import write_plan

BASE = {"organisation": "mentoring", "designs": {"a": {"programme": {"eligibility": "all"}}}}


@pytest.mark.parametrize("change, fragment", [
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"designs": {"a": {"workforce": {"annual_turnover": 0.2}}}},
     "a: workforce.annual_turnover: a design may override only programme.*"),
    ({"designs": {"a": {"evaluation": {"control": "none"}}}},
     "a: evaluation.control: a design may set only the evaluation's cost fields"),
    ({"designs": {REFERENCE: {"programme": {"eligibility": "all"}}}}, "is the reference"),
    ({"metrics": ["performance", "happiness"]}, "unknown metric 'happiness'"),
    ({"metrics": ["performance"] * 9}, "metrics"),
    ({"budget": -1}, "budget = -1"),
    ({"reps": 1}, "reps = 1"),
    ({"objectives": [{"name": "x", "metric": "nope", "target": 1, "by_week": 5}]},
     "objectives.0.metric = 'nope'"),
])
def test_plan_file_errors_are_one_line(change, fragment):
    with pytest.raises(ScenarioError) as info:
        plan_from_dict({**BASE, **change}, "plan.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("plan.toml: ") and fragment in message


def test_a_bad_design_value_names_the_file_design_and_field(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('organisation = "mentoring"\n[designs.x]\nprogramme.eligibility = "bogus"\n')
    with pytest.raises(ScenarioError) as info:
        build_sweep(load_plan_file(path), path, uncertainty=False)
    message = str(info.value)
    assert "\n" not in message
    assert f"{path}: designs.x" in message and "programme.eligibility = 'bogus'" in message


def test_dotted_and_nested_design_keys_are_the_same():
    nested = plan_from_dict(BASE)
    dotted = plan_from_dict({**BASE, "designs": {"a": {"programme.eligibility": "all"}}})
    assert nested.designs == dotted.designs == {"a": {"programme.eligibility": "all"}}


def test_hand_made_p_best_with_ties_and_undefined_values():
    runs = pd.DataFrame({
        "scenario": ["ref", "a", "b"] * 4,
        "seed": np.repeat([1, 2, 3, 4], 3),
        "score": [1, 2, 3, 1, 5, 4, 2, 2, 2, 1, 3, 3],      # b, a, 3-way tie, a/b tie
        "cost": [0, 1, 2] * 4,                              # lower better: ref always
        "roi": [np.nan, 1, 2, np.nan, 3, np.nan, np.nan, np.nan, np.nan, np.nan, 0, 1],
    })
    table = probability_best(runs, ["ref", "a", "b"],
                             [("score", "higher"), ("cost", "lower"), ("roi", "higher")])
    p = table.set_index(["metric", "design"])["p_best"]
    assert p["score"].to_dict() == pytest.approx({"ref": 1 / 12, "a": (1 + 1 / 3 + 0.5) / 4,
                                                  "b": (1 + 1 / 3 + 0.5) / 4})
    assert p["cost"].to_dict() == {"ref": 1.0, "a": 0.0, "b": 0.0}
    # roi: rep 1 b, rep 2 a (b undefined), rep 3 nobody (not counted), rep 4 b
    assert p["roi"].to_dict() == pytest.approx({"ref": 0, "a": 1 / 3, "b": 2 / 3})
    assert table.groupby("metric")["p_best"].sum().tolist() == pytest.approx([1.0] * 3)
    defined = table.set_index(["metric", "design"])["defined"]
    assert not defined[("roi", "ref")] and defined[("roi", "a")]
    assert table.set_index(["metric", "design"]).loc[("roi", "a"), "n"] == 3


def test_a_gap_is_best_nearest_zero_on_either_side():
    runs = pd.DataFrame({
        "scenario": ["ref", "a", "b"] * 2,
        "seed": np.repeat([1, 2], 3),
        "gap": [0.10, -0.02, 0.05, 0.08, -0.30, 0.01],  # a overshoots a little, then a lot
    })
    table = probability_best(runs, ["ref", "a", "b"], [("gap", "zero")])
    p = table.set_index("design")["p_best"].to_dict()
    assert p == {"ref": 0.0, "a": 0.5, "b": 0.5}  # "lower" would have given a both


def test_wilson_interval_matches_scipy_and_takes_fractions():
    from sim.analysis.comparison import wilson_interval

    assert wilson(3, 10) == pytest.approx(wilson_interval(3, 10), abs=1e-9)
    low, high = wilson(2.5, 4)
    assert 0 < low < 2.5 / 4 < high < 1
    assert all(math.isnan(v) for v in wilson(0, 0))


def _stats(costs):
    return pd.DataFrame([{"scenario": n, "metric": "programme_cost", "mean": m, "ci_low": lo,
                          "ci_high": hi} for n, (m, lo, hi) in costs.items()])


def test_budget_flags_fire_only_over_the_budget():
    stats = _stats({"ref": (0, 0, 0), "cheap": (50, 40, 60), "risky": (90, 70, 110),
                    "dear": (120, 101, 140), "mean_over": (105, 95, 115)})
    flags = budget_flags(stats, list(stats["scenario"]), 100).set_index("design")
    assert flags["status"].to_dict() == {"ref": WITHIN, "cheap": WITHIN, "risky": AT_RISK,
                                         "dear": OVER, "mean_over": OVER}
    assert flags["flagged"].to_dict() == {"ref": False, "cheap": False, "risky": False,
                                          "dear": True, "mean_over": True}
    assert not budget_flags(stats, ["dear"], None)["flagged"].any()


def test_objective_flags_fire_on_a_miss_and_not_otherwise():
    weeks = np.arange(0, 11)
    frames = []
    for name, level in (("good", 0.8), ("poor", 0.2)):
        for rep in (0, 1):
            frames.append(pd.DataFrame({"scenario": name, "replication": rep, "week": weeks,
                                        "proficient_share": level + 0.01 * rep}))
    timeseries = pd.concat(frames, ignore_index=True)
    objectives = [Objective(name="reach", metric="proficient_share", target=0.5, by_week=8),
                  Objective(name="cap", metric="proficient_share", target=0.5, by_week=8,
                            direction="at_most"),
                  Objective(name="later", metric="proficient_share", target=0.1, by_week=20)]
    table = objective_table(timeseries, ["good", "poor"], objectives)
    status = table.set_index(["objective", "design"])["status"].to_dict()
    assert status == {("reach", "good"): "met", ("reach", "poor"): "missed",
                      ("cap", "good"): "missed", ("cap", "poor"): "met",
                      ("later", "good"): "not reached", ("later", "poor"): "not reached"}
    flagged = table.set_index(["objective", "design"])["flagged"]
    assert not flagged[("reach", "good")] and flagged[("reach", "poor")]
    assert table.set_index(["objective", "design"]).loc[("reach", "good"), "p_met"] == 1.0


def test_differing_fields_lists_exactly_the_fields_outside_the_programme():
    a = load_scenario("mentoring")
    b = load_scenario("mentoring", {"workforce.annual_turnover": 0.2,
                                    "organisation.headcount": 300, "name": "other",
                                    "description": "x", "programme.duration_weeks": 26,
                                    "workforce.groups.1.share": 0.3,
                                    "workforce.groups.0.share": 0.7})
    assert differing_fields({"a": a, "b": b}) == [
        "organisation.headcount", "workforce.annual_turnover", "workforce.groups.0.share",
        "workforce.groups.1.share"]
    c = load_scenario("mentoring", {"programme.eligibility": "all", "name": "c"})
    assert differing_fields({"a": a, "c": c}) == []


@pytest.fixture(scope="module")
def decision(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plan")
    return run_decision(write_plan(directory, budget=1.0), out=directory / "out",
                        uncertainty=False, progress=False)


def test_every_design_gets_an_roi_with_an_interval(decision):
    result, outcome, sweep = decision
    assert result.names == [REFERENCE, "new_hires_first", "e_mentoring"]
    assert outcome.failed == 0 and len(sweep.seeds) == 2
    roi = result.comparison.stats.set_index(["metric", "scenario"]).loc[PAIRED_ROI]
    for name in result.names[1:]:
        assert np.isfinite(roi.loc[name, ["mean", "ci_low", "ci_high"]].astype(float)).all()
    assert math.isnan(roi.loc[REFERENCE, "mean"])
    sums = result.p_best.groupby("metric")["p_best"].sum()
    assert sums.tolist() == pytest.approx([1.0] * len(sums))


def test_a_tiny_budget_and_an_unreachable_objective_are_flagged(decision):
    result, _, _ = decision
    budget = result.budget.set_index("design")
    assert budget.loc[result.names[1:], "flagged"].all() and not budget.loc[REFERENCE,
                                                                           "flagged"]
    objectives = result.objectives.set_index(["objective", "design"])["flagged"]
    assert objectives["out of reach"].all() and not objectives["proficiency"].any()
    assert result.profile is not None and result.profile_design in result.names[1:]
    assert (decision[0].comparison.scenarios["new_hires_first"].evaluation.control
            == "no_programme")
