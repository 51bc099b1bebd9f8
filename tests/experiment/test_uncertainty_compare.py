"""Parameter uncertainty in comparisons and sweeps: paired draws, records, statistics."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.comparison import probability_better, variance_split, wilson_interval
from sim.config import prior_set, scenario_from_dict
from sim.errors import ScenarioError
from sim.experiment.compare import ComparisonSweep, compare_scenarios
from sim.experiment.runner import run_sweep
from tests.experiment.sweeps import tiny, tiny_designs


@pytest.fixture(scope="module")
def uncertain():
    return compare_scenarios(tiny_designs(), reps=3, seed=3, progress=False)


def frames_equal(a, b):
    for name in ("runs", "timeseries", "stats", "differences", "variance", "better",
                 "parameters"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_same_draw_in_every_design_and_different_draws_across_replications():
    plan = ComparisonSweep.build(tiny_designs(), reps=3, seed=3)
    assert plan.seeds_per_draw == 2 and len(plan.draws) == 3 and len(plan.seeds) == 6
    assert set(plan.priors) == set(prior_set("literature"))
    specs = plan.runs()
    by_design = {}
    for spec in specs:
        assert spec.draw == spec.replication // 2
        assert plan.job(spec)[1] == plan.draws[spec.draw]
        by_design.setdefault(spec.parameters["scenario"], []).append((spec.seed, spec.drawn))
    assert by_design["baseline"] == by_design["mentoring"]  # common seeds and parameters
    draws = [json.dumps(d, sort_keys=True) for d in plan.draws]
    assert len(set(draws)) == 3
    again = ComparisonSweep.build(tiny_designs(), reps=3, seed=3)
    assert again.draws == plan.draws  # from the comparison's seed
    assert ComparisonSweep.build(tiny_designs(), reps=3, seed=4).draws != plan.draws


def test_no_uncertainty_is_the_fixed_parameter_comparison():
    plan = ComparisonSweep.build(tiny_designs(), reps=3, seed=3, uncertainty=False)
    assert not plan.priors and not plan.draws and plan.seeds_per_draw == 1
    old = ComparisonSweep(dict(tiny_designs()), plan.seeds, 3, dict(plan.sources))
    assert [s.id for s in plan.runs()] == [s.id for s in old.runs()]  # run ids of before
    assert plan.fingerprint() == old.fingerprint()
    assert all(s.draw is None and not s.drawn for s in plan.runs())


def test_a_field_the_designs_differ_on_is_not_drawn():
    designs = tiny_designs()
    designs["mentoring"] = designs["mentoring"].model_copy(
        update={"workforce": designs["mentoring"].workforce.model_copy(
            update={"annual_turnover": 0.2})})
    plan = ComparisonSweep.build(designs, reps=2, seed=3)
    assert "workforce.annual_turnover" in plan.not_drawn
    assert "workforce.annual_turnover" not in plan.priors


def test_runs_record_their_draws(tmp_path, uncertain):
    out = tmp_path / "cmp"
    again = compare_scenarios(tiny_designs(), reps=3, seed=3, progress=False, out=out)
    frames_equal(again, uncertain)
    parameters = pd.read_parquet(out / "parameters.parquet")
    assert len(parameters) == 12 and set(parameters["draw"]) == {0, 1, 2}
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["uncertainty"]["draws"]) == 3
    assert manifest["uncertainty"]["label"] == "literature set"
    from sim.experiment.results import read_run_file, read_stored_run
    first = parameters.iloc[0]
    meta = read_run_file(out / "runs" / f"{first['id']}.parquet")[1]
    assert meta["draw"]["index"] == first["draw"]
    stored = read_stored_run(out, first["id"])
    for name, value in meta["draw"]["values"].items():
        section, field = name.split(".")
        assert getattr(getattr(stored.scenario, section), field) == value


def test_uncertainty_widens_the_spread(uncertain):
    fixed = compare_scenarios(tiny_designs(), reps=3, seed=3, progress=False,
                              uncertainty=False, seeds_per_draw=2)
    sd = {c.uncertainty is None: c.stats.set_index(["scenario", "metric"]).loc[
        ("mentoring", "performance"), "sd"] for c in (uncertain, fixed)}
    assert sd[False] > sd[True]
    split = uncertain.variance.set_index(["of", "metric"])
    assert 0 <= split.loc[("mentoring", "performance"), "parameter_share"] <= 1


@pytest.mark.slow
def test_serial_and_process_pool_give_identical_uncertain_comparisons(uncertain):
    pooled = compare_scenarios(tiny_designs(), reps=3, seed=3, executor="processes",
                               workers=2, progress=False)
    frames_equal(pooled, uncertain)
    pytest.importorskip("distributed")
    on_dask = compare_scenarios(tiny_designs(), reps=3, seed=3, executor="dask", workers=2,
                                progress=False)
    frames_equal(on_dask, uncertain)


# --- the statistics on hand-made numbers ------------------------------------------------
def synthetic(draws=400, seeds=4, sd_theta=2.0, sd_chance=1.0, seed=0):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, sd_theta, draws)
    rows = []
    for d in range(draws):
        for j in range(seeds):
            rows.append({"scenario": "a", "draw": d, "seed": d * seeds + j,
                         "y": theta[d] + rng.normal(0, sd_chance)})
    return pd.DataFrame(rows)


def test_variance_split_recovers_known_components():
    runs = synthetic()
    row = variance_split(runs, ["a"], ["y"]).iloc[0]
    assert row["draws"] == 400 and row["seeds_per_draw"] == 4
    assert row["var_parameters"] == pytest.approx(4.0, rel=0.15)
    assert row["var_chance"] == pytest.approx(1.0, rel=0.1)
    assert row["parameter_share"] == pytest.approx(0.8, abs=0.04)


def test_variance_split_exact_anova_and_no_split_with_one_seed():
    runs = pd.DataFrame({"scenario": "a", "draw": [0, 0, 1, 1], "seed": [0, 1, 2, 3],
                         "y": [1.0, 3.0, 5.0, 7.0]})
    row = variance_split(runs, ["a"], ["y"]).iloc[0]
    # MSW = (1 + 1 + 1 + 1) / 2 = 2; MSB = 2 * ((2 - 4)² + (6 - 4)²) / 1 = 16; σ²_b = 7
    assert (row["var_chance"], row["var_parameters"]) == (2.0, 7.0)
    assert row["parameter_share"] == pytest.approx(7 / 9)
    single = runs.assign(draw=[0, 1, 2, 3])
    assert math.isnan(variance_split(single, ["a"], ["y"]).iloc[0]["parameter_share"])


def test_probability_better_on_hand_made_numbers():
    a = [1.0, 2.0, 3.0, 4.0, 5.0]
    b = [2.0, 1.0, 4.0, 5.0, 5.0]  # above in draws 0, 2, 3; below in 1; tied in 4
    runs = pd.DataFrame({"scenario": ["a"] * 5 + ["b"] * 5, "draw": list(range(5)) * 2,
                         "seed": list(range(5)) * 2, "y": a + b})
    row = probability_better(runs, ["a", "b"], ["y"]).iloc[0]
    assert (row["n"], row["b_above"], row["p_b_above"]) == (5, 3, 0.6)
    low, high = wilson_interval(3, 5)
    assert (row["low"], row["high"]) == (low, high)
    # Wilson: (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z = 1.959963984540054
    centre = (0.6 + z * z / 10) / (1 + z * z / 5)
    half = z * math.sqrt(0.6 * 0.4 / 5 + z * z / 100) / (1 + z * z / 5)
    assert (low, high) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_probability_better_averages_the_seeds_of_a_draw():
    runs = pd.DataFrame({"scenario": ["a"] * 4 + ["b"] * 4, "draw": [0, 0, 1, 1] * 2,
                         "seed": [0, 1, 2, 3] * 2,
                         "y": [0.0, 0.0, 0.0, 0.0, 3.0, -1.0, -3.0, 1.0]})
    row = probability_better(runs, ["a", "b"], ["y"]).iloc[0]
    assert (row["n"], row["b_above"]) == (2, 1)  # draw means 1 and -1


# --- sweeps -------------------------------------------------------------------------------
def test_a_sweep_with_uncertainty_draws_once_per_replication(tmp_path):
    sweep = tiny(uncertainty=True, factors={"programme.mentees_per_mentor": [1, 2]})
    assert set(sweep.priors) == set(prior_set("literature"))
    specs = sweep.runs()
    assert [s.drawn for s in specs if s.point == 0] == [s.drawn for s in specs if s.point == 1]
    assert specs[0].drawn != specs[1].drawn
    assert sweep.fingerprint() != tiny(
        factors={"programme.mentees_per_mentor": [1, 2]}).fingerprint()
    outcome = run_sweep(sweep, tmp_path / "s", progress=False)
    assert outcome.done == 4
    parameters = pd.read_parquet(tmp_path / "s" / "parameters.parquet")
    assert len(parameters) == 4 and set(parameters["replication"]) == {0, 1}


def test_a_sweep_without_uncertainty_is_unchanged():
    sweep = tiny()
    assert not sweep.priors and all(s.draw is None for s in sweep.runs())


def test_a_prior_on_a_swept_field_is_refused_in_one_line():
    with pytest.raises(ScenarioError) as info:
        tiny(uncertainty=True, factors={"workforce.annual_turnover": [0.1, 0.2]})
    message = str(info.value)
    assert "\n" not in message
    assert "a prior on 'workforce.annual_turnover', which the sweep varies" in message


def test_designs_with_conflicting_priors_are_refused():
    designs = tiny_designs()
    data = designs["mentoring"].model_dump(mode="json")
    data["uncertainty"] = {"priors": {"workforce.annual_turnover": {
        "dist": "uniform", "loc": 0.1, "scale": 0.05}}}
    other = scenario_from_dict(dict(data, uncertainty={"priors": {
        "workforce.annual_turnover": {"dist": "uniform", "loc": 0.12, "scale": 0.05}}}),
        "<b>")
    with pytest.raises(ScenarioError, match="differs from another design's"):
        ComparisonSweep.build({"a": scenario_from_dict(data, "<a>"), "b": other}, reps=2)


def test_cli_report_says_what_the_intervals_include(tmp_path, capsys):
    from sim.cli import main
    from tests.experiment.sweeps import TINY
    from tests.paths import BASELINE, MENTORING

    sets = [arg for key, value in TINY.items() for arg in ("--set", f"{key}={value}")]
    out = tmp_path / "c"
    assert main(["compare", str(BASELINE), str(MENTORING), "--reps", "2", "--quiet",
                 "--out", str(out), *sets]) == 0
    text = capsys.readouterr().out
    assert "intervals include parameter uncertainty over 11 priors (literature set)" \
        in text.lower() and "P(mentoring > baseline)" in text
    report = (out / "report.md").read_text()
    assert "Intervals include parameter uncertainty over 11 priors (literature set)" in report
    assert "## Variance: parameters vs chance" in report
    assert "## Probability that one design beats another" in report
    assert (out / "parameters.parquet").exists() and (out / "variance.csv").exists()
    fixed = tmp_path / "f"
    assert main(["compare", str(BASELINE), str(MENTORING), "--reps", "2", "--quiet",
                 "--out", str(fixed), "--no-uncertainty", *sets]) == 0
    assert "parameters fixed at their defaults (--no-uncertainty)" in \
        (fixed / "report.md").read_text().lower()
    assert not (fixed / "parameters.parquet").exists()
