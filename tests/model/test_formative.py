"""Formative evaluation: checks at intervals whose rules adapt the programme while it runs.

Every test compares runs of the same small scenario and seed with and without a rule
(the checks draw no random numbers, so the runs agree until the first adaptation).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import MentoringModel, load_scenario
from sim.analysis.evaluation import control_scenario
from sim.errors import ScenarioError
from sim.experiment.results import write_run_directory
from sim.experiment.run import run_scenario
from sim.model.formative import ADAPTATION_COLUMNS, objective_status
from sim.model.relationships import FORMAL
from tests.paths import SCENARIOS

START, INTERVAL = 2, 12
CHECKS = (14, 26, 38, 50)  # start_week + k x interval_weeks before the horizon
SMALL = {"organisation.headcount": 300, "horizon_weeks": 60, "programme.duration_weeks": 30,
         "programme.start_week": START, "formative.interval_weeks": INTERVAL}
SEED = 7


def scenario_with(rules: list[dict], **extra):
    return load_scenario("mentoring", {**SMALL, "formative.rules": rules, **extra})


def run_to(rules: list[dict], weeks: int | None = None, **extra) -> MentoringModel:
    """A small model with ``rules``, stepped ``weeks`` weeks (to the horizon if None)."""
    model = MentoringModel(scenario=scenario_with(rules, **extra), rng=SEED)
    if weeks is None:
        return model.run()
    for _ in range(weeks):
        model.step()
    return model


def weeks_fired(model: MentoringModel) -> list[int]:
    return [entry["week"] for entry in model.adaptations]


def formal_quality(model: MentoringModel) -> float:
    wf = model.workforce
    return float(wf.quality[wf.pair_kind == FORMAL].mean())


# --- when a check happens and what it measures ---------------------------------------------
def test_checks_come_every_interval_from_the_programme_start():
    model = run_to([{"when": "quality_below", "threshold": 0.0, "action": "stop"}])
    assert [c["week"] for c in model.formative.checks] == list(CHECKS)
    assert model.adaptations == []


def test_without_rules_or_programme_there_is_no_check():
    assert run_to([]).formative.checks == []
    scenario = scenario_with([{"when": "quality_below", "threshold": 1.0, "action": "stop"}])
    control = MentoringModel(scenario=control_scenario(scenario), rng=SEED).run()
    assert control.formative.checks == [] and control.adaptations == []


def test_the_figures_are_those_of_the_interval():
    model = run_to([{"when": "quality_below", "threshold": 0.0, "action": "stop"}])
    checks = model.formative.checks
    started = sum(c["pairs_started"] for c in checks)
    early = sum(c["pairs_ended_early"] for c in checks)
    # the intervals cover weeks START..CHECKS[-1]-1 once each: within the run's totals
    assert 0 < started <= model.relationships.count(FORMAL, "started")
    assert 0 < early <= model.relationships.count(FORMAL, "ended_early")
    assert all(0 <= c["early_endings"] <= 1 and 0 < c["quality"] <= 1 for c in checks)
    assert all(math.isnan(c["budget_spent"]) for c in checks)  # no plan.budget


@pytest.mark.parametrize("value, direction, week, status", [
    (0.8, "at_least", 10, "met"), (0.7, "at_least", 10, "pending"),
    (0.7, "at_least", 20, "missed"), (0.7, "at_least", 26, "missed"),
    (0.7, "at_most", 30, "met"), (0.8, "at_most", 20, "missed"),
    (float("nan"), "at_least", 30, "missed"), (float("nan"), "at_most", 10, "pending"),
])
def test_objective_status(value, direction, week, status):
    assert objective_status(value, 0.75, direction, week, by_week=20) == status


# --- each rule fires when its condition holds, and not otherwise --------------------------
def test_quality_rule_fires_exactly_at_the_checks_below_its_threshold():
    qualities = [c["quality"] for c in run_to([{
        "when": "quality_below", "threshold": 0.0, "action": "stop"}]).formative.checks]
    threshold = float(np.median(qualities))
    rule = {"when": "quality_below", "threshold": threshold, "action": "narrow_eligibility",
            "amount": 0.01}
    model = run_to([rule])
    below = [c["week"] for c in model.formative.checks if c["quality"] < threshold]
    assert below and weeks_fired(model) == below
    assert len(below) < len(CHECKS)  # and it did not fire at the others
    assert all(e["measured"] < threshold for e in model.adaptations)


def test_early_endings_rule_rematches_the_failing_pairs():
    rule = {"when": "early_endings_above", "threshold": 0.0, "action": "rematch"}
    extra = {"programme.rematch_below_quality": 0.45}
    model = run_to([rule], CHECKS[0] + 1, **extra)
    without = run_to([], CHECKS[0] + 1, **extra)
    assert weeks_fired(model) == [CHECKS[0]]
    ended = model.relationships.count(FORMAL, "rematched")
    assert ended > 0 and without.relationships.count(FORMAL, "rematched") == 0
    assert ended == model.adaptations[0]["before"] - model.adaptations[0]["after"]
    wf = model.workforce
    assert not ((wf.pair_kind == FORMAL) & (wf.quality < 0.45) & (wf.pair_age_weeks > 1)).any()
    never = run_to([{**rule, "threshold": 1.0}], CHECKS[0] + 1, **extra)
    assert never.adaptations == []


def test_train_raises_the_formal_pairs_quality_after_the_check():
    rule = {"when": "quality_below", "threshold": 1.0, "action": "train", "amount": 8}
    base = {"programme.mentor_training_hours": 0}
    with_rule = run_to([rule], CHECKS[0] + 1, **base)
    without = run_to([], CHECKS[0] + 1, **base)
    before = with_rule.timeseries()["mean_quality_formal"].iloc[:CHECKS[0]]
    assert before.equals(without.timeseries()["mean_quality_formal"].iloc[:CHECKS[0]])
    assert weeks_fired(with_rule) == [CHECKS[0]]
    assert formal_quality(with_rule) > formal_quality(without) + 0.03
    assert with_rule.programme.base_quality > without.programme.base_quality
    hours = "programme_hours_training"
    assert with_rule.timeseries()[hours].iloc[CHECKS[0]] > \
        without.timeseries()[hours].iloc[CHECKS[0]]  # row w: the end of week w


def test_widen_raises_and_narrow_lowers_the_number_of_formal_pairs():
    weeks = CHECKS[0] + 11  # three matching rounds after the check, not the next check
    widen = {"when": "quality_below", "threshold": 1.0, "action": "widen_eligibility",
             "amount": 0.1}
    narrow = {**widen, "action": "narrow_eligibility"}
    wider = run_to([widen], weeks)
    same = run_to([], weeks)
    narrower = run_to([narrow], weeks)
    assert weeks_fired(wider)[0] == CHECKS[0]
    assert wider.programme.max_mentee_share == pytest.approx(0.2)
    assert narrower.programme.max_mentee_share == pytest.approx(0.0)
    pairs = [m.relationships.pairs(FORMAL) for m in (wider, same, narrower)]
    assert pairs[0] > pairs[1] > pairs[2], pairs


def test_widening_stops_at_half_the_staff():
    rule = {"when": "quality_below", "threshold": 1.0, "action": "widen_eligibility",
            "amount": 0.3}
    model = run_to([rule])
    assert [e["after"] for e in model.adaptations] == [0.4, 0.5]  # then nothing to change
    assert model.programme.max_mentee_share == 0.5


def test_stop_ends_new_matching_after_the_week_logged():
    rule = {"when": "budget_spent", "action": "stop"}
    model = run_to([rule], **{"plan.budget": 1.0})
    assert weeks_fired(model) == [CHECKS[0]]  # a stop fires once
    started = model.timeseries()["formal_pairs_started"]  # row w: the end of week w
    assert started.iloc[CHECKS[0]] > started.iloc[CHECKS[0] - 1] > 0  # week 14 matched
    assert (started.iloc[CHECKS[0]:] == started.iloc[CHECKS[0]]).all()
    assert model.timeseries()["pairs_formal"].iloc[CHECKS[0] + 4] > 0  # ongoing pairs go on
    without = run_to([])
    assert without.timeseries()["formal_pairs_started"].iloc[-1] > started.iloc[-1]
    rich = run_to([rule], **{"plan.budget": 1e12})
    assert rich.adaptations == [] and not rich.programme.stopped


def test_objective_rules_fire_once_when_met_or_missed():
    objectives = [{"name": "staff", "metric": "headcount", "target": 1, "by_week": 30},
                  {"name": "everyone", "metric": "proficient_share", "target": 1.0,
                   "by_week": 30}]
    met = {"when": "objective_met", "objective": "staff", "action": "narrow_eligibility",
           "amount": 0.01}
    missed = {"when": "objective_missed", "objective": "everyone",
              "action": "widen_eligibility", "amount": 0.05}
    model = run_to([met, missed], **{"plan.objectives": objectives})
    assert [(e["week"], e["rule"]) for e in model.adaptations] == [(14, 0), (38, 1)]
    statuses = [c["objectives"]["everyone"]["status"] for c in model.formative.checks]
    assert statuses == ["pending", "pending", "missed", "missed"]
    assert model.adaptations[1]["objective"] == "everyone"
    assert model.adaptations[1]["threshold"] == 1.0


# --- the log ---------------------------------------------------------------------------------
def test_the_log_has_week_and_reason_and_is_the_same_twice():
    rules = [{"when": "quality_below", "threshold": 1.0, "action": "train", "amount": 4},
             {"when": "early_endings_above", "threshold": 0.0, "action": "rematch"}]
    extra = {"programme.rematch_below_quality": 0.4}
    first = run_to(rules, **extra).adaptations
    assert {e["rule"] for e in first} == {0, 1}
    for entry in first:
        assert list(entry) == list(ADAPTATION_COLUMNS)
        assert entry["week"] in CHECKS
        assert entry["reason"].startswith(f"week {entry['week']}: ")
        assert entry["reason"].endswith(f"(rule {entry['rule']}).")
    assert run_to(rules, **extra).adaptations == first


def test_run_directory_has_adaptations_csv(tmp_path):
    none = run_scenario(scenario_with([]), seed=SEED)
    out = write_run_directory(tmp_path / "none", none)
    frame = pd.read_csv(out / "adaptations.csv")
    assert list(frame.columns) == list(ADAPTATION_COLUMNS) and frame.empty
    assert none.summary["adaptations"] == 0
    rule = {"when": "quality_below", "threshold": 1.0, "action": "train", "amount": 4}
    some = run_scenario(scenario_with([rule]), seed=SEED)
    frame = pd.read_csv(write_run_directory(tmp_path / "some", some) / "adaptations.csv")
    assert list(frame["week"]) == list(CHECKS) and some.summary["adaptations"] == 4


def test_the_bundled_scenario_declares_every_kind_of_rule():
    scenario = load_scenario(SCENARIOS / "adaptive_programme.toml")
    kinds = {(r.when, r.action) for r in scenario.formative.rules}
    assert {"train", "rematch", "widen_eligibility", "stop"} == {a for _, a in kinds}
    assert scenario.programme.mentor_training_hours == 0
    assert scenario.programme.monitoring_weeks == 0


# --- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("rule, extra, fragment", [
    ({"when": "objective_missed", "objective": "nope", "action": "stop"}, {},
     "formative.rules.0.objective = 'nope' is not one of the plan objectives []"),
    ({"when": "objective_met", "action": "stop"}, {},
     "formative.rules.0: when = 'objective_met' needs objective"),
    ({"when": "quality_below", "action": "train", "amount": 4}, {},
     "formative.rules.0: when = 'quality_below' needs threshold"),
    ({"when": "early_endings_above", "threshold": 1.5, "action": "rematch"}, {},
     "threshold = 1.5 must be in [0, 1]"),
    ({"when": "budget_spent", "action": "stop"}, {},
     "formative.rules.0.when = 'budget_spent' needs plan.budget"),
    ({"when": "quality_below", "threshold": 0.4, "action": "train"}, {},
     "amount = 0.0: action = 'train' needs an amount above 0"),
    ({"when": "quality_below", "threshold": 0.4, "objective": "x", "action": "stop"}, {},
     "objective = 'x' is only used with when = 'objective_met' or 'objective_missed'"),
    ({"when": "sometimes", "action": "stop"}, {}, "formative.rules.0.when = 'sometimes'"),
])
def test_validation_errors_are_one_line(rule, extra, fragment):
    with pytest.raises(ScenarioError) as error:
        scenario_with([rule], **extra)
    message = str(error.value)
    assert "\n" not in message and fragment in message, message
