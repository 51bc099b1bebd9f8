"""Cause analysis (sim.model.needs): per competency and group, exact, and it decides."""

from __future__ import annotations

import numpy as np
import pytest

from sim import MentoringModel
from sim.model.needs import (
    GILBERT,
    cause_analysis,
    cause_levels,
    cause_table,
    employee_causes,
    recommend,
    recommendation,
    slot_enablers,
)

SMALL = {"organisation__headcount": 300, "horizon_weeks": 30}
DIGITAL_UNDER = {"causes__deficits": [
    {"cause": "resources", "share": 0.6, "competency": "digital", "group": "underrepresented"}]}


def run(scenario="baseline", seed=2, **overrides):
    if scenario == "mentoring":
        overrides = {"programme__duration_weeks": 20, **overrides}
    return MentoringModel(scenario, rng=seed, **{**SMALL, **overrides}).run()


def naive_job(model) -> np.ndarray:
    """sum_k w_k min(s_k/r_k, 1) e_kg x motivation, employee by employee."""
    wf, env = model.workforce, model.environment
    enablers = model.interventions.levels.prod(axis=0)
    motivation_effect = model.scenario.attitudes.motivation_effect
    out = np.zeros(wf.size)
    for i in np.flatnonzero(wf.active):
        g = wf.group[i]
        through = sum(env.weights[k] * min(wf.skills[i, k] / env.required[k], 1.0)
                      * enablers[k, g] for k in range(env.required.shape[0]))
        out[i] = through * (1.0 + motivation_effect * wf.commitment[i])
    return out


def test_job_performance_is_the_sum_over_competencies_of_what_the_enablers_let_through():
    model = run("mentoring", causes__information=0.9, causes__deficits=[
        {"cause": "resources", "share": 0.6, "competency": "digital"},
        {"cause": "incentives", "share": 0.8, "group": "underrepresented"}])
    active = model.workforce.active
    np.testing.assert_allclose(model.job_performance()[active], naive_job(model)[active],
                               rtol=1e-12, atol=0)
    # and the weekly sums use the same per-slot enablers
    assert model.metrics["job_performance"] == pytest.approx(
        model.job_performance()[active].mean(), rel=1e-12)


def test_no_competency_specific_deficit_takes_the_fast_path_with_the_same_numbers():
    """A deficit on every competency alike is a gather by group; the general path agrees."""
    model = run(**DIGITAL_UNDER)
    wf, env = model.workforce, model.environment
    by_group = np.array([[1.0, 0.7]] * env.required.shape[0])  # same for every competency
    fast = slot_enablers(by_group, wf, env, np.empty(wf.size))
    np.testing.assert_array_equal(fast, np.where(wf.group == 1, 0.7, 1.0))
    nudged = by_group.copy()
    nudged[0, 0] = 1.0 - 1e-15  # forces the general path, nearly the same enablers
    general = slot_enablers(nudged, wf, env, np.empty(wf.size))
    np.testing.assert_allclose(general[wf.active], fast[wf.active], rtol=0, atol=1e-13)


def test_the_parts_add_up_to_the_gap_for_each_employee_and_for_the_organisation():
    model = run("mentoring", causes__information=0.9, **DIGITAL_UNDER)
    wf = model.workforce
    slots = np.flatnonzero(wf.active)
    parts = employee_causes(model)
    assert set(parts) == set(GILBERT)
    per_employee = sum(part.sum(axis=1) for part in parts.values())
    np.testing.assert_allclose(per_employee, 1.0 - model.job_performance()[slots],
                               rtol=0, atol=1e-12)
    causes = cause_analysis(model)
    assert sum(causes[name] for name in GILBERT) == pytest.approx(causes["gap_total"],
                                                                  abs=1e-12)
    assert causes["capacity"] > 0 and causes["skills"] > 0
    assert causes["motives"] < 0  # mentoring raised commitment: no loss, a gain
    table = cause_table(model)
    for (group, competency), scope in table.groupby(["group", "competency"]):
        assert scope["share"].sum() == pytest.approx(1.0), (group, competency)
    everyone = table[(table.group == "all") & (table.competency == "all")]
    assert dict(zip(everyone.cause, everyone.gap, strict=True)) == pytest.approx(
        {name: causes[name] for name in GILBERT}, abs=1e-12)
    by_competency = table[(table.group == "all") & (table.competency != "all")]
    assert by_competency.groupby("cause")["gap"].sum().to_dict() == pytest.approx(
        {name: causes[name] for name in GILBERT}, abs=1e-12)


def test_a_deficit_for_one_group_and_competency_shows_there_only():
    plain = run()
    model = run(**DIGITAL_UNDER)
    levels = cause_levels(model.scenario)
    assert levels[1, 1, 1] == 0.6 and np.count_nonzero(levels != 1.0) == 1
    # enablers do not act on skills: the same organisation, lower job performance only
    np.testing.assert_array_equal(model.workforce.skills, plain.workforce.skills)
    under = model.workforce.group == 1
    active = model.workforce.active
    job, job_plain = model.job_performance(), plain.job_performance()
    np.testing.assert_array_equal(job[active & ~under], job_plain[active & ~under])
    assert (job[active & under] < job_plain[active & under]).all()
    table = cause_table(model).set_index(["group", "competency", "cause"])["gap"]
    resources = table.xs("resources", level="cause")
    shown = resources[resources > 0].index.tolist()
    assert sorted(shown) == sorted([("underrepresented", "digital"), ("underrepresented", "all"),
                                    ("all", "digital"), ("all", "all")])
    assert resources[("underrepresented", "digital")] > 0.03  # 40% of the digital weight
    assert cause_analysis(plain)["resources"] == 0.0


def test_the_verdict_fires_when_resources_explain_most_of_the_gap_only():
    for name in ("baseline", "mentoring"):
        advice = recommend(run(name))
        assert advice.verdict is None, name
        assert advice.mentoring_share > 0.5
    poor = recommend(run(causes__resources=0.8))
    assert poor.mentoring_share < 0.5
    assert poor.verdict.startswith("mentoring is the wrong answer here: ")
    assert "of the gap is resources (tools and time)" in poor.verdict
    first = poor.table.iloc[0]
    assert first.cause == "resources" and not first.mentoring and first.share > 0.5
    assert "tools" in first.intervention
    assert poor.table["share"].sum() == pytest.approx(1.0)
    assert set(poor.table.loc[poor.table.mentoring, "cause"]) == {"skills", "motives"}


def test_the_verdict_threshold_is_the_scenarios():
    parts = dict.fromkeys(GILBERT, 0.0) | {"skills": 0.4, "incentives": 0.6}
    assert recommendation(parts, 0.5).verdict.startswith(
        "mentoring is the wrong answer here: 60% of the gap is incentives")
    assert recommendation(parts, 0.3).verdict is None
    capacity = dict.fromkeys(GILBERT, 0.0) | {"skills": 0.1, "capacity": 0.9}
    assert "selection or job redesign" in recommendation(capacity, 0.5).verdict
    assert recommendation(dict.fromkeys(GILBERT, 0.0), 0.5).verdict is None  # no gap


def test_the_run_writes_the_causes_and_recommendations(tmp_path):
    from sim.config import load_scenario
    from sim.experiment.results import write_run_directory
    from sim.experiment.run import run_scenario

    scenario = load_scenario("baseline", {"organisation.headcount": 200, "horizon_weeks": 10,
                                          "causes.resources": 0.8})
    result = run_scenario(scenario, seed=1)
    assert result.verdict.startswith("mentoring is the wrong answer here")
    out = write_run_directory(tmp_path / "r", result)
    import pandas as pd

    causes = pd.read_csv(out / "causes.csv")
    assert {"group", "competency", "cause", "gap", "share", "intervention"} <= set(causes)
    recommendations = pd.read_csv(out / "recommendations.csv")
    assert recommendations.cause.iloc[0] == "resources"
