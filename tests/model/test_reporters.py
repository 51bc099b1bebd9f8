"""The reporter table (sim/model/reporters.py): names, wiring to the kernel's sums, values."""

import math

import numpy as np
import pytest

from sim.kernels import N_SUMS, SUM_INDEX, SUM_NAMES
from sim.model.model import MentoringModel
from sim.model.relationships import FORMAL, INFORMAL
from sim.model.reporters import (
    REPORTER_TABLE,
    REPORTERS,
    Reporter,
    reporters_from_sums,
    weekly_metrics,
)


def test_names_are_unique_and_every_sum_is_reported():
    assert len(set(REPORTERS)) == len(REPORTERS) == len(REPORTER_TABLE)
    assert all(r.description for r in REPORTER_TABLE)
    referred = {name for r in REPORTER_TABLE for name in (r.sum, r.per, r.less) if name}
    assert referred == set(SUM_NAMES)  # no sum computed for nothing


@pytest.mark.parametrize("fields, message", [
    ({"sum": "skil"}, "'skil' is not a weekly sum"),
    ({"sum": "skill", "per": "headcount"}, "'headcount' is not a weekly sum"),
    ({"sum": "skill", "read": len}, "either a sum or a read function"),
    ({}, "either a sum or a read function"),
    ({"sum": "skill", "less": "mentored"}, "less needs per"),
])
def test_a_reporter_naming_what_is_not_there_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        Reporter("x", "a reporter", **fields)


def test_reporters_from_sums_divide_as_the_table_says():
    sums = np.arange(1.0, N_SUMS + 1.0)
    sums[SUM_INDEX["active"]] = 1000.0  # more employees than any group of them
    got = reporters_from_sums(sums)
    assert list(got) == [r.name for r in REPORTER_TABLE if r.read is None]  # table order
    s = dict(zip(SUM_NAMES, sums.tolist(), strict=True))
    assert got["headcount"] == s["active"] and got["output_fte"] == s["job"]
    assert got["performance"] == s["performance_net"] / s["active"]
    assert got["mean_quality_formal"] == s["quality_formal"] / s["pairs_formal"]
    assert got["majority_access"] == s["majority_mentored"] / (s["active"] - s["under"])
    # a denominator that is not positive gives nan, not an error or a warning
    sums[SUM_INDEX["pairs_informal"]] = 0.0
    sums[SUM_INDEX["mentored"]] = sums[SUM_INDEX["active"]]  # everyone mentored
    got = reporters_from_sums(sums)
    assert math.isnan(got["mean_quality_informal"]) and math.isnan(got["gap_never_mentored"])
    assert got["pairs_informal"] == 0.0


def test_weekly_metrics_are_the_means_and_counts_of_the_workforce(small_scenario):
    model = MentoringModel(small_scenario, rng=3)
    for _ in range(12):
        model.step()
    metrics = weekly_metrics(model)
    assert list(metrics) == list(REPORTERS)
    np.testing.assert_array_equal(list(metrics.values()), list(model.metrics.values()))
    wf = model.workforce
    active = wf.active
    in_pair = wf.mentor >= 0
    mentored = active & wf.ever_mentored
    job = model.job_performance()[active]
    assert metrics["headcount"] == active.sum()
    assert metrics["pairs"] == in_pair.sum() > 0
    assert metrics["pairs_formal"] == (wf.pair_kind[in_pair] == FORMAL).sum()
    assert metrics["pairs_informal"] == (wf.pair_kind[in_pair] == INFORMAL).sum()
    assert metrics["mentors"] == (active & (wf.load > 0)).sum()
    assert metrics["mean_quality"] == pytest.approx(wf.quality[in_pair].mean(), rel=1e-12)
    assert metrics["skill_performance"] == pytest.approx(wf.performance[active].mean(),
                                                         rel=1e-12)
    assert metrics["skill_gap"] == pytest.approx(wf.gap[active].mean(), rel=1e-12)
    assert metrics["job_performance"] == pytest.approx(job.mean(), rel=1e-12)
    assert metrics["output_fte"] == pytest.approx(job.sum(), rel=1e-12)
    share = model.time_share()[active]
    assert metrics["performance"] == pytest.approx((job * (1 - share)).mean(), rel=1e-12)
    assert metrics["performance_mentored"] == pytest.approx(
        wf.performance[mentored].mean(), rel=1e-12)
    assert metrics["gap_never_mentored"] == pytest.approx(
        wf.gap[active & ~wf.ever_mentored].mean(), rel=1e-12)
    under = wf.underrepresented[wf.group] & active
    assert metrics["underrepresented_access"] == pytest.approx(
        wf.ever_mentored[under].mean(), rel=1e-12)
    assert metrics["promotions"] == model.outcomes.promotions_week
    assert metrics["hires"] == model.last_flows.hires.shape[0]
    assert metrics["required_mean"] == pytest.approx(model.environment.required.mean())
