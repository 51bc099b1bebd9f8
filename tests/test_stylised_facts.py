"""The fast stylised facts (research-notes.md section 2) on small organisations.

The full check with confidence intervals is experiments/stylised_facts.py; these tests
reuse its measurements with a few seeds and fewer staff, so each pattern is checked in
CI with numbers that could come out wrong.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_PATH = Path(__file__).resolve().parents[1] / "experiments" / "stylised_facts.py"
_SPEC = importlib.util.spec_from_file_location("stylised_facts", _PATH)
sf = importlib.util.module_from_spec(_SPEC)
sys.modules["stylised_facts"] = sf  # dataclasses need the module registered
_SPEC.loader.exec_module(sf)

SEEDS = (11, 12)


def mean_of(measure, key: str, seeds=SEEDS, headcount: int = 600) -> float:
    return float(np.mean([measure(seed, headcount)[key] for seed in seeds]))


@pytest.fixture(scope="module")
def base():
    return [sf.measure_base(seed, 600) for seed in SEEDS]


@pytest.fixture(scope="module")
def informal():
    return [sf.measure_informal(seed, 600) for seed in SEEDS]


def avg(rows, key):
    return float(np.mean([row[key] for row in rows]))


def test_fact1_small_performance_effect_larger_attitude_effect(base):
    d = avg(base, "f1_performance_d")
    assert 0.05 <= d <= 0.4
    assert avg(base, "f1_commitment_d_mid") > d
    assert 0.6 < avg(base, "f1_model_hazard_ratio_mid") < 0.95
    quits_t = sum(row["f1_quits_mentored"] for row in base)
    quits_c = sum(row["f1_quits_same_control"] for row in base)
    assert quits_t <= quits_c


def test_fact2_informal_beats_formal_high_quality_formal_as_good(informal):
    assert avg(informal, "f2_informal_minus_formal") > 0.1
    assert avg(informal, "f2_informal_minus_top") < 0.1
    assert avg(informal, "f2_formal_top") > avg(informal, "f2_formal_bottom")
    assert avg(informal, "f2_early_share_formal") > avg(informal, "f2_early_share_informal")


def test_fact3_long_matches_best_early_ending_worse_than_none(base):
    assert avg(base, "f3_gain_52") > avg(base, "f3_gain_26") > avg(base, "f3_gain_13")
    assert avg(base, "f3_early_commitment_diff") < 0


def test_fact4_targeted_about_twice_non_specific(base):
    ratio = avg(base, "f4_gain_targeted") / avg(base, "f4_gain_nonspecific")
    assert 1.5 <= ratio <= 2.5


@pytest.mark.slow
def test_fact5_mentored_new_hires_retained_better_within_bound():
    diff = mean_of(sf.measure_hires, "f5_retention_difference_pp",
                   seeds=(11, 12, 13, 14, 15, 16), headcount=1000)
    assert 0 < diff <= 20


@pytest.mark.slow
def test_fact6_access_gap_and_sponsorship(informal):
    assert avg(informal, "f6_access_gap_informal") > 0.03
    under = sum(r["f6_sponsored_under"] for r in informal) / sum(
        r["f6_pairs_under"] for r in informal)
    majority = sum(r["f6_sponsored_majority"] for r in informal) / sum(
        r["f6_pairs_majority"] for r in informal)
    assert under / majority < 0.6
    assert avg(informal, "f6_gap_narrowed") > 0


def test_fact7_half_of_an_unused_gain_is_lost_within_a_year():
    left = mean_of(sf.measure_decay, "f7_share_left", headcount=400)
    assert 0.35 <= left <= 0.65


def test_fact8_ramp_in_range_and_mentoring_shortens_it():
    rows = [sf.measure_hires(seed, 600) for seed in SEEDS]
    assert 8 <= avg(rows, "f8_median_weeks_3y_c") <= 26
    assert avg(rows, "f8_difference_weeks_3y") < 0


def test_figure_table_intervals():
    """Per-seed figures get the t-interval of their mean; ratios pool the counts first."""
    from sim.analysis.stats import mean_ci

    rng = np.random.default_rng(0)
    derived = {"f3_gain_52_minus_26", "f3_gain_52_minus_13", "f5_share_of_observational",
               "f6_sponsor_rate_under", "f6_sponsor_rate_majority"}
    columns = {c for fig in sf.FIGURES for c in (fig.column, *(fig.ratio or ())) if c}
    columns = (columns - derived) | {"f3_gain_52", "f3_gain_26", "f3_gain_13",
                                     "f6_sponsored_under", "f6_pairs_under",
                                     "f6_sponsored_majority", "f6_pairs_majority"}
    runs = pd.DataFrame({c: rng.uniform(1, 2, 5) for c in sorted(columns)})
    table = sf.figure_table(runs).set_index("figure")
    d = table.loc["mentee performance effect d (end of run)"]
    ci = mean_ci(runs["f1_performance_d"])
    assert (d["mean"], d["ci_low"], d["ci_high"]) == pytest.approx((ci.estimate, ci.low,
                                                                    ci.high))
    ratio = table.loc["quit hazard ratio while mentored (vs same people)"]
    pooled = runs["f1_quits_mentored"].sum() / runs["f1_quits_same_control"].sum()
    assert ratio["mean"] == pytest.approx(pooled)
    assert ratio["ci_low"] < pooled < ratio["ci_high"]
    assert set(sf.fact_table(table.reset_index())["fact"]) == set(sf.PATTERNS)
