"""Statistics of a comparison: paired differences under common random numbers."""

import math

import pytest
from scipy import stats

from sim.experiment.compare import compare_scenarios
from tests.experiment.sweeps import tiny_designs


@pytest.fixture(scope="module")
def comparison():
    return compare_scenarios(tiny_designs(), reps=6, seed=3, progress=False)


def test_paired_interval_narrower_than_unpaired(comparison):
    diffs = comparison.differences.set_index("metric")
    for metric in ("performance", "skill_gap"):
        row = diffs.loc[metric]
        paired = row["ci_high"] - row["ci_low"]
        unpaired = row["unpaired_high"] - row["unpaired_low"]
        assert 0 < paired < unpaired


def test_paired_difference_matches_per_seed_differences(comparison):
    runs = comparison.runs
    a = runs[runs["scenario"] == "baseline"].set_index("seed")["performance"]
    b = runs[runs["scenario"] == "mentoring"].set_index("seed")["performance"]
    d = (b - a.loc[b.index]).to_numpy()
    row = comparison.differences.set_index("metric").loc["performance"]
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert row["mean"] == pytest.approx(d.mean(), abs=1e-15)
    assert row["ci_high"] - row["mean"] == pytest.approx(half, rel=1e-12)
