"""The design search (sim.experiment.optimise, mentorsim optimise)."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("optuna")

from sim.cli import main  # noqa: E402
from sim.config import load_scenario, read_toml, with_overrides  # noqa: E402
from sim.experiment.optimise import (  # noqa: E402
    OBJECTIVES,
    optimise,
    pareto_mask,
    top_designs_toml,
)

SMALL = {"organisation.headcount": 150, "horizon_weeks": 40, "programme.duration_weeks": 26}


def test_pareto_mask_keeps_exactly_the_undominated_rows():
    values = np.array([
        [3.0, 0.1, 10.0],   # best effect
        [2.0, 0.1, 5.0],    # cheaper
        [2.0, 0.2, 6.0],    # dominated by the row above
        [1.0, 0.0, 20.0],   # best equity
        [np.nan, 0.0, 1.0],  # never on the front
    ])
    mask = pareto_mask(values, [d for _, _, d in OBJECTIVES])
    assert mask.tolist() == [True, True, False, True, False]


@pytest.fixture(scope="module")
def searched():
    scenario = load_scenario("mentoring", SMALL)
    return scenario, optimise(scenario, budget=40_000, trials=4, reps=1, confirm_reps=2,
                              seed=7)


def test_the_front_keeps_to_the_budget_and_is_undominated(searched):
    _, result = searched
    assert len(result.trials) == 4
    assert not result.front.empty
    assert (result.front["cost"] <= 40_000).all()
    names = [n for n, _, _ in OBJECTIVES]
    assert pareto_mask(result.front[names].to_numpy(), [d for _, _, d in OBJECTIVES]).all()
    assert (result.front["effect_low"] <= result.front["effect"]).all()
    assert (result.front["effect"] <= result.front["effect_high"]).all()
    assert result.front["effect"].is_monotonic_decreasing


def test_the_same_seed_gives_the_same_search(searched):
    scenario, result = searched
    again = optimise(scenario, budget=40_000, trials=4, reps=1, confirm_reps=2, seed=7)
    pd.testing.assert_frame_equal(result.trials, again.trials)


def test_top_designs_are_ready_to_run_overrides(searched, tmp_path):
    scenario, result = searched
    path = tmp_path / "top.toml"
    path.write_text(top_designs_toml(result.front), encoding="utf-8")
    designs = read_toml(path)["designs"]
    assert len(designs) == len(result.front)
    first = with_overrides(scenario, designs["front_1"], str(path))
    assert first.programme.enabled
    assert first.programme.eligibility == result.front.loc[0, "eligibility"]


def test_cli_writes_the_directory_and_refuses_bad_options_in_one_line(tmp_path, capsys):
    out = tmp_path / "opt"
    args = ["optimise", "mentoring", "--set", "organisation.headcount=150", "--set",
            "horizon_weeks=40", "--set", "programme.duration_weeks=26", "--trials", "3",
            "--reps", "1", "--confirm-reps", "2", "--budget", "40000", "--out", str(out),
            "--quiet"]
    assert main(args) == 0
    assert {p.name for p in out.iterdir()} == {"trials.csv", "front.csv", "front.png",
                                               "top_designs.toml", "manifest.json"}
    capsys.readouterr()
    assert main([*args[:-3], "--confirm-reps", "1", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--confirm-reps" in err
    assert main(["optimise", "mentoring", "--budget", "-5"]) == 2
    assert "--budget = -5" in capsys.readouterr().err


def test_a_plan_file_gives_the_organisation_and_the_budget(tmp_path, capsys):
    import json

    from tests.plans import write_plan

    plan = write_plan(tmp_path, budget=30_000)
    out = tmp_path / "opt"
    assert main(["optimise", str(plan), "--trials", "2", "--reps", "1", "--confirm-reps",
                 "2", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["budget"] == 30_000
    assert manifest["scenario"]["organisation"]["headcount"] == 150
    front = pd.read_csv(out / "front.csv")
    assert front.empty or (front["cost"] <= 30_000).all()
