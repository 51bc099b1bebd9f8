"""Evaluation against a control arm: CRN, Kirkpatrick levels, ROI arithmetic, equity."""

import numpy as np
import pandas as pd
import pytest

from sim import MentoringModel, load_scenario
from sim.analysis.effect_profile import run_in_lockstep
from sim.analysis.evaluation import control_scenario, evaluate
from sim.experiment.results import write_run_directory
from sim.experiment.run import run_scenario
from tests.paths import BASELINE, MENTORING


@pytest.fixture(scope="module")
def arms():
    scenario = load_scenario(MENTORING, {
        "organisation.headcount": 400, "horizon_weeks": 60, "programme.start_week": 0,
    })
    treated = MentoringModel(scenario=scenario, rng=11)
    control = MentoringModel(scenario=control_scenario(scenario), rng=11)
    profile = run_in_lockstep(treated, control)
    return scenario, treated, control, profile


def test_control_arm_is_the_baseline_run(arms):
    """The control arm is exactly the organisation without the programme, same seed."""
    scenario, _, control, _ = arms
    baseline = load_scenario(BASELINE, {
        "organisation.headcount": 400, "horizon_weeks": 60,
    })
    plain = MentoringModel(scenario=baseline, rng=11).run()
    pd.testing.assert_frame_equal(control.timeseries(), plain.timeseries())


def test_kirkpatrick_levels(arms):
    _, treated, control, profile = arms
    result = evaluate(treated, control, profile)
    assert result["sample"]["same_person_mentees"] > 20
    assert 0.3 < result["level1_reaction"]["mean_quality"] < 0.8
    assert result["level2_learning"]["skill_gain"] > 0
    assert result["level2_learning"]["share_better_off"] > 0.9
    d = result["level3_behaviour"]["effect_size_d"]
    assert 0.05 < d < 1.0  # small to moderate, as the meta-analyses say
    assert d == result["level3_behaviour"]["performance_d_12m"]
    assert np.isnan(result["level3_behaviour"]["performance_d_after_1y"])  # beyond 60 weeks
    assert result["level4_results"]["output_fte_weeks"] > 0
    assert result["level5_roi"]["costs"] > 0  # the ROI itself: tests/analysis/test_roi.py


def test_run_scenario_with_control_adds_flat_results():
    scenario = load_scenario(MENTORING, {
        "organisation.headcount": 200, "horizon_weeks": 40, "programme.duration_weeks": 26,
        "evaluation.control": "no_programme",
    })
    result = run_scenario(scenario, seed=3)
    assert np.isfinite(result.summary["roi_percent"])
    assert result.control_timeseries is not None
    assert len(result.control_timeseries) == len(result.timeseries)


def test_enablers_cap_what_mentoring_can_do():
    """Cause analysis: a resources deficit lowers performance and mentoring cannot fix it."""
    base = {"organisation.headcount": 300, "horizon_weeks": 30}
    ok = MentoringModel(BASELINE, rng=2, **{
        k.replace(".", "__"): v for k, v in base.items()}).run()
    poor = MentoringModel(BASELINE, rng=2, causes__resources=0.8, **{
        k.replace(".", "__"): v for k, v in base.items()}).run()
    from sim.model.needs import cause_analysis
    causes = cause_analysis(poor)
    assert causes["resources"] > 0.15
    assert causes["skills"] == pytest.approx(cause_analysis(ok)["skills"])
    assert poor.metrics["performance"] == pytest.approx(0.8 * ok.metrics["performance"], rel=1e-9)


def test_end_of_run_figures_keep_their_old_meaning(arms):
    """``performance_d_end``: end-of-run mentees over the SD of all control staff."""
    _, treated, control, profile = arms
    level3 = evaluate(treated, control, profile)["level3_behaviour"]
    t, c = treated.workforce, control.workforce
    same = (t.pid == c.pid) & t.active & c.active  # staff in post and hires alike
    assert np.count_nonzero(same & (t.pid > t.size)) > 0  # hires are paired too
    mentees = same & treated.workforce.ever_formal
    t_job, c_job = treated.job_performance(), control.job_performance()
    diff = (t_job[mentees] - c_job[mentees]).mean()
    sd = c_job[control.workforce.active].std(ddof=1)
    assert level3["performance_difference"] == pytest.approx(diff)
    assert level3["performance_d_end"] == pytest.approx(diff / sd)


def test_mentors_gain_and_breadth(arms):
    _, treated, control, profile = arms
    level2 = evaluate(treated, control, profile)["level2_learning"]
    t, c = treated.workforce, control.workforce
    mentors = (t.pid == c.pid) & t.active & c.active & t.trained
    weights = treated.environment.weights
    assert mentors.sum() > 5
    assert level2["mentor_skill_gain"] == pytest.approx(
        ((t.skills[mentors] - c.skills[mentors]) @ weights).mean())
    mentees = (t.pid == c.pid) & t.active & c.active & t.ever_formal
    breadth_t = (t.skills >= treated.environment.required).sum(axis=1)
    breadth_c = (c.skills >= control.environment.required).sum(axis=1)
    assert level2["breadth_gain"] == pytest.approx(
        (breadth_t[mentees] - breadth_c[mentees]).mean())


def test_run_scenario_stores_the_effect_profile(tmp_path):
    scenario = load_scenario(MENTORING, {
        "organisation.headcount": 200, "horizon_weeks": 40, "programme.duration_weeks": 26,
        "evaluation.control": "no_programme",
    })
    result = run_scenario(scenario, seed=3)
    profile = result.tables["effect_profile"]
    assert profile.index.name == "weeks_since_match" and profile.at[0, "n"] > 0
    level3 = result.evaluation["level3_behaviour"]
    assert np.isnan(level3["effect_size_d"])  # 12 months after a match: beyond 40 weeks
    assert np.isnan(result.summary["effect_size_d"])
    assert result.summary["level3_behaviour.performance_d_6m"] == level3["performance_d_6m"]
    assert np.isfinite(level3["performance_d_6m"])
    out = write_run_directory(tmp_path / "r", result, figures=None)
    stored = pd.read_csv(out / "effect_profile.csv", index_col="weeks_since_match")
    pd.testing.assert_frame_equal(stored, profile, check_index_type=False, rtol=1e-12)
    alone = run_scenario(load_scenario(MENTORING, {
        "organisation.headcount": 200, "horizon_weeks": 40, "programme.duration_weeks": 26,
    }), seed=3)
    assert "effect_profile" not in alone.tables
    pd.testing.assert_frame_equal(alone.timeseries, result.timeseries)
