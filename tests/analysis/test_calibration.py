"""Calibration: targets files, the statistics, ABC-SMC with pyabc, synthetic recovery."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.calibration import (
    MISSING_PENALTY,
    STATISTICS,
    Targets,
    check_targets,
    distance,
    load_targets,
    observe,
    statistics,
)
from sim.config import load_scenario
from sim.errors import ResultsError, ScenarioError
from sim.experiment.calibrate import field_values, posterior_draws, pyabc_prior
from sim.model.relationships import FORMAL
from sim.model.reporters import run_summary

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "experiments" / "calibration" / "example_targets.toml"
_SPEC = importlib.util.spec_from_file_location(
    "recovery", ROOT / "experiments" / "calibration" / "recovery.py")


def _write(tmp_path, text):
    path = tmp_path / "targets.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("[annual_quit_rate]\nvalue = 0.1\nsd = -1\nweek = 52\n",
     "annual_quit_rate.sd = -1: Input should be greater than 0"),
    ("[quit_rate]\nvalue = 0.1\nsd = 0.1\nweek = 52\n", "unknown key 'quit_rate'"),
    ("[annual_quit_rate]\nsd = 0.1\nweek = 52\n",
     "annual_quit_rate.value: required field is missing"),
    ("[early_ending_share]\nvalue = 0.2\nsd = 0.1\nweek = 20\n",
     "early_ending_share.week = 20: must be at least 27"),
    ('description = "nothing"\n', "no targets"),
    ("[annual_quit_rate\n", "malformed TOML"),
])
def test_targets_errors_are_one_line_naming_file_field_value(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_targets(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_the_example_targets_load_and_fit_the_example_scenario():
    targets = load_targets(EXAMPLE)
    assert set(targets.items()) == {"annual_quit_rate", "median_weeks_to_proficiency",
                                    "proficient_share", "early_ending_share"}
    scenario = load_scenario(ROOT / "experiments" / "calibration" / "example_scenario.toml")
    check_targets(targets, scenario, str(EXAMPLE))


def test_targets_past_the_horizon_are_refused():
    scenario = load_scenario("mentoring", {"horizon_weeks": 60})
    targets = Targets.model_validate({"proficient_share": {"value": 0.5, "sd": 0.1,
                                                           "week": 80}})
    with pytest.raises(ScenarioError, match="proficient_share.week = 80: after"):
        check_targets(targets, scenario, "t.toml")


@pytest.fixture(scope="module")
def small_run():
    scenario = load_scenario("mentoring", {"organisation.headcount": 200, "horizon_weeks": 70,
                                           "programme.duration_weeks": 26})
    targets = Targets.model_validate({name: {"value": 0.0, "sd": 1.0, "week": 70}
                                      for name in STATISTICS if name != "effect_size_d"})
    obs = observe(scenario, 5, targets)
    return obs, targets


def test_statistics_agree_with_the_run_on_a_small_run(small_run):
    obs, targets = small_run
    stats = statistics(obs, targets)
    model = obs.model
    frame = model.timeseries()
    assert model.steps == 70
    window = frame.loc[70 - 51:70]
    assert stats["annual_quit_rate"] == pytest.approx(
        window["quits"].sum() / window["headcount"].mean())
    # at the horizon, the median over every hire who got there, as the run summary says
    assert stats["median_weeks_to_proficiency"] == run_summary(model)["time_to_proficiency_weeks"]
    assert stats["proficient_share"] == frame.at[70, "proficient_share"]
    # pairs last 26 weeks, so every early ending is within 26 weeks of the start
    started = frame.at[70 - 26, "formal_pairs_started"]
    by_start = model.relationships.formal_early_by_start
    early = sum(n for s, n in by_start.items() if s < 70 - 26)
    assert started > 0
    assert stats["early_ending_share"] == pytest.approx(early / started)
    assert 0 < stats["early_ending_share"] < 1
    assert model.relationships.count(FORMAL, "ended_early") >= early


def test_statistics_at_an_earlier_week_read_that_week(small_run):
    obs, _ = small_run
    targets = Targets.model_validate({"proficient_share": {"value": 0, "sd": 1, "week": 30},
                                      "median_weeks_to_proficiency": {"value": 0, "sd": 1,
                                                                      "week": 30}})
    stats = statistics(obs, targets)
    assert stats["proficient_share"] == obs.model.timeseries().at[30, "proficient_share"]
    early = obs.model.proficiency_weeks[:obs.proficient_by_week[30]]
    assert len(early) <= len(obs.model.proficiency_weeks)
    assert stats["median_weeks_to_proficiency"] == (np.median(early) if early else np.nan) \
        or np.isnan(stats["median_weeks_to_proficiency"])


def test_effect_size_d_needs_and_uses_a_control_arm():
    scenario = load_scenario("mentoring", {"organisation.headcount": 300, "horizon_weeks": 60,
                                           "programme.duration_weeks": 26})
    targets = Targets.model_validate({"effect_size_d": {"value": 0.2, "sd": 0.1, "week": 60}})
    assert targets.needs_control
    obs = observe(scenario, 3, targets)
    assert obs.control is not None and obs.control.steps == 60
    assert np.isfinite(statistics(obs, targets)["effect_size_d"])


def test_distance_is_the_sum_of_squared_standardised_differences():
    targets = Targets.model_validate({
        "annual_quit_rate": {"value": 0.1, "sd": 0.02, "week": 52},
        "proficient_share": {"value": 0.8, "sd": 0.05, "week": 52}})
    assert distance({"annual_quit_rate": 0.14, "proficient_share": 0.7}, targets) == \
        pytest.approx(4.0 + 4.0)
    assert distance({"annual_quit_rate": float("nan"), "proficient_share": 0.8},
                    targets) == MISSING_PENALTY


def test_field_values_clip_into_range_and_round_ints():
    values = field_values({"workforce.annual_turnover": 1.5,
                           "programme.duration_weeks": 25.6})
    assert values["workforce.annual_turnover"] <= 1.0
    assert values["programme.duration_weeks"] == 26


def _fake_calibration(tmp_path):
    out = tmp_path / "cal"
    out.mkdir()
    pd.DataFrame({"workforce.annual_turnover": [0.1, 0.2, 0.3],
                  "weight": [0.0, 1.0, 0.0]}).to_parquet(out / "posterior.parquet")
    (out / "calibration.json").write_text("{}")
    return out


def test_posterior_draws_resample_by_weight_reproducibly(tmp_path):
    out = _fake_calibration(tmp_path)
    draws = posterior_draws(out, 5, seed=1)
    assert draws == [{"workforce.annual_turnover": 0.2}] * 5
    assert posterior_draws(out, 5, seed=1) == draws


def test_posterior_draws_refuse_an_incomplete_directory(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(ResultsError, match="not a calibration directory"):
        posterior_draws(tmp_path / "half", 2, 0)


# --- with pyabc ------------------------------------------------------------------------------
def _tiny(tmp_path, workers=1, name="cal"):
    from sim.experiment.calibrate import run_calibration

    scenario = load_scenario("mentoring", {"organisation.headcount": 150, "horizon_weeks": 40,
                                           "programme.duration_weeks": 26})
    targets = Targets.model_validate({
        "annual_quit_rate": {"value": 0.14, "sd": 0.03, "week": 40},
        "proficient_share": {"value": 0.75, "sd": 0.05, "week": 40}})
    return run_calibration(
        scenario, targets, tmp_path / name, population=15, generations=2, workers=workers,
        seed=7, parameters=["workforce.annual_turnover", "learning.skill_half_life_months"],
        predictive_runs=8, progress=False)


def test_priors_become_pyabc_rvs_with_the_same_distribution():
    pytest.importorskip("pyabc")
    from sim.config.uncertainty import prior_set

    priors = prior_set("literature")
    dist = pyabc_prior(priors)
    for name, prior in priors.items():
        x = prior.frozen().ppf(0.3)
        assert dist[name].pdf(x) == pytest.approx(prior.frozen().pdf(x))


def test_a_tiny_calibration_is_reproducible_whatever_the_workers(tmp_path):
    pytest.importorskip("pyabc")
    one = _tiny(tmp_path, workers=1, name="one")
    two = _tiny(tmp_path, workers=2, name="two")
    pd.testing.assert_frame_equal(one.posterior, two.posterior)
    pd.testing.assert_frame_equal(one.predictive, two.predictive)
    assert list(one.generations["t"]) == [0, 1]
    assert {p.name for p in (tmp_path / "one").iterdir()} == {
        "posterior.parquet", "predictive.parquet", "abc.db", "calibration.json"}
    assert one.posterior["weight"].sum() == pytest.approx(1.0)


def test_synthetic_recovery_covers_the_known_values():
    pytest.importorskip("pyabc")
    recovery = importlib.util.module_from_spec(_SPEC)
    _SPEC.loader.exec_module(recovery)
    rep = recovery.recover(seed=0, population=30, generations=3, headcount=150, weeks=40)
    for name in recovery.PARAMETERS:
        lo, hi = rep["interval"][name]
        assert lo <= rep["truth"][name] <= hi, (name, rep)
