"""sim.analysis.comparison: means, paired and Welch differences, advice and tables."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import comparison as tables
from sim.analysis.comparison import Comparison, comparison_statistics
from sim.experiment.compare import compare_scenarios
from tests.experiment.sweeps import tiny_designs

T_975_3 = 3.182446305284263  # two-sided 95% t, 3 degrees of freedom


def hand_runs():
    """Two designs, four seeds; b - a is 2, 1, 2, 1 seed by seed."""
    return pd.DataFrame({
        "scenario": ["a"] * 4 + ["b"] * 4, "replication": [0, 1, 2, 3] * 2,
        "seed": [10, 11, 12, 13] * 2,
        "performance": [1.0, 4.0, 2.0, 5.0, 3.0, 5.0, 4.0, 6.0],
    })


def hand_comparison():
    runs = hand_runs()
    stats, differences = comparison_statistics(runs, ["a", "b"], ["performance"])
    return Comparison(["a", "b"], [10, 11, 12, 13], runs, pd.DataFrame(), stats, differences)


def test_means_and_paired_difference_by_hand():
    stats, differences = comparison_statistics(hand_runs(), ["a", "b"], ["performance"])
    a = stats.set_index("scenario").loc["a"]
    assert (a["n"], a["mean"]) == (4, 3.0)
    assert a["sd"] == pytest.approx(math.sqrt(10 / 3))
    assert a["ci_high"] - 3.0 == pytest.approx(T_975_3 * math.sqrt(10 / 3) / 2)
    (row,) = differences.to_dict("records")
    assert (row["scenario"], row["reference"], row["metric"]) == ("b", "a", "performance")
    assert row["mean"] == 1.5 and row["sd"] == pytest.approx(math.sqrt(1 / 3))
    assert row["ci_high"] - 1.5 == pytest.approx(T_975_3 * math.sqrt(1 / 3) / 2)  # 0.9187
    # Welch on the same numbers, ignoring the pairing: variances 10/3 and 5/3
    va, vb = (10 / 3) / 4, (5 / 3) / 4
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 3)
    from scipy.stats import t

    half = t.ppf(0.975, df) * math.sqrt(va + vb)
    assert (row["unpaired_low"], row["unpaired_high"]) == pytest.approx((1.5 - half,
                                                                         1.5 + half))
    assert half > 3 * (row["ci_high"] - 1.5)  # pairing by seed removes most of the noise


def test_differences_pair_by_seed_not_by_row_order():
    runs = hand_runs()
    shuffled = pd.concat([runs.iloc[:4], runs.iloc[4:].iloc[::-1]], ignore_index=True)
    _, differences = comparison_statistics(shuffled, ["a", "b"], ["performance"])
    assert differences["mean"].item() == 1.5 and differences["sd"].item() == pytest.approx(
        math.sqrt(1 / 3))


def test_a_failed_run_drops_its_pair():
    runs = hand_runs()
    runs.loc[(runs["scenario"] == "b") & (runs["seed"] == 13), "performance"] = np.nan
    stats, differences = comparison_statistics(runs, ["a", "b"], ["performance"])
    assert stats.set_index("scenario").loc["b", "n"] == 3
    assert differences["n"].item() == 3 and differences["mean"].item() == pytest.approx(5 / 3)


def test_tables_and_advice():
    comparison = hand_comparison()
    header, rows = tables.result_table(comparison, ["performance"])
    assert header == ["metric", "a", "b"]
    assert rows[0][0] == "performance" and rows[0][1].startswith("3 [")
    header, rows = tables.difference_table(comparison, ["performance"])
    assert header == ["metric", "b − a"]
    assert rows[0][1].startswith("1.5 [0.5813, 2.419] (unpaired ±")
    advice = tables.replication_advice(comparison, width=0.1)
    # sd sqrt(1/3): about 4 * 1.96^2 * (1/3) / 0.01 = 512, t pushes it a little higher
    assert "b - a, width 1.84 with n = 4 (sd 0.577)" in advice
    assert "About 515 replications would narrow it to width 0.1" in advice
    assert "No interval of skill_gap" in tables.replication_advice(comparison, 0.1, "skill_gap")


@pytest.fixture(scope="module")
def comparison():
    return compare_scenarios(tiny_designs(), uncertainty=False, reps=6, seed=3, progress=False)


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
    half = 2.570581835636314 * d.std(ddof=1) / math.sqrt(len(d))  # t(0.975, 5)
    assert row["mean"] == pytest.approx(d.mean(), abs=1e-15)
    assert row["ci_high"] - row["mean"] == pytest.approx(half, rel=1e-12)
    assert comparison.headline[0] == "performance" and "performance" in comparison.metrics
