"""A calibrated posterior in place of the priors in a comparison (--posterior DIR)."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.config import load_scenario, prior_set
from sim.errors import ResultsError
from sim.experiment.compare import ComparisonSweep

TURNOVER = "workforce.annual_turnover"


def fake_calibration(directory, values, weights):
    """A calibration directory with a two-point posterior on annual turnover."""
    directory.mkdir()
    prior = prior_set("literature")[TURNOVER].model_dump(mode="json")
    (directory / "calibration.json").write_text(json.dumps({"priors": {TURNOVER: prior}}))
    pd.DataFrame({TURNOVER: values, "weight": weights}).to_parquet(directory / "posterior.parquet")
    return directory


def designs():
    return {"baseline": load_scenario("baseline"), "mentoring": load_scenario("mentoring")}


def test_the_posterior_replaces_the_prior_of_the_calibrated_field_only(tmp_path):
    cal = fake_calibration(tmp_path / "cal", [0.07, 0.2], [0.75, 0.25])
    plan = ComparisonSweep.build(designs(), reps=40, seed=5, posterior=cal)
    turnover = np.array([d[TURNOVER] for d in plan.draws])
    assert set(turnover.tolist()) <= {0.07, 0.2}
    assert 0.55 < np.mean(turnover == 0.07) < 0.95  # resampled by weight (0.75)
    prior_plan = ComparisonSweep.build(designs(), reps=40, seed=5)
    rate = "learning.mentoring_rate_per_hour"
    assert len({d[rate] for d in plan.draws}) == 40  # the other priors are still drawn
    assert set(plan.draws[0]) == set(prior_plan.draws[0])
    assert "posterior of" in plan.prior_label
    again = ComparisonSweep.build(designs(), reps=40, seed=5, posterior=cal)
    assert again.draws == plan.draws  # reproducible


def test_a_posterior_needs_uncertainty_and_a_calibration_directory(tmp_path):
    with pytest.raises(ResultsError, match="--no-uncertainty"):
        ComparisonSweep.build(designs(), reps=4, seed=5, uncertainty=False,
                              posterior=fake_calibration(tmp_path / "c", [0.1], [1.0]))
    with pytest.raises(ResultsError, match="not a calibration directory"):
        ComparisonSweep.build(designs(), reps=4, seed=5, posterior=tmp_path)


def test_compare_refuses_a_directory_that_is_no_calibration_in_one_line(tmp_path, capsys):
    code = main(["compare", "baseline", "mentoring", "--reps", "2", "--posterior",
                 str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "not a calibration directory" in err
