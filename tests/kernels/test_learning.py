"""The learning kernels (sim/kernels/learning.py) against their references in tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import STREAM_LEARNING, LearningRates, learn_week, pair_index
from sim.kernels import learning as kernels
from tests import naive
from tests.kernels.states import random_state


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("targeted", [True, False])
def test_learn_week_matches_naive(seed, targeted):
    state = random_state(seed)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = state
    rates = LearningRates(
        doing=0.05, novice_boost=2.0, novice_weeks=16.0, mentoring=0.4, reciprocal=0.1,
        forgetting=0.02, noise_sd=0.3,
    )
    key, week = 123456789 + seed, 7 + seed
    expected, exp_perf, exp_gap = naive.learn_week(
        skills.tolist(), active.tolist(), pid.tolist(), aptitude.tolist(), tenure.tolist(),
        mentor.tolist(), kind.tolist(), quality.tolist(), hours.tolist(), focus.tolist(),
        usage.tolist(),
        required.tolist(), weights.tolist(), rates.doing, rates.novice_boost,
        rates.novice_weeks, rates.mentoring, rates.reciprocal, rates.forgetting, targeted,
        2.0, rates.noise_sd, key, week, STREAM_LEARNING,
    )
    work = skills.copy()
    perf, gap = learn_week(
        work, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, required,
        weights, rates, targeted, 2.0, key, week,
    )
    np.testing.assert_allclose(work, np.array(expected), rtol=0, atol=1e-12)
    np.testing.assert_allclose(perf, np.array(exp_perf), rtol=0, atol=1e-12)
    np.testing.assert_allclose(gap, np.array(exp_gap), rtol=0, atol=1e-12)
    assert np.all((work >= 0) & (work <= 1))
    # inactive rows are untouched
    np.testing.assert_array_equal(work[~active], skills[~active])


@pytest.mark.parametrize("seed", range(10))
def test_busy_hours_match_naive_and_take_time_from_doing(seed):
    """Hours away from the work (mentoring, service) slow learning by doing, and only that."""
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = random_state(seed)
    rates = LearningRates(doing=0.05, novice_boost=2.0, novice_weeks=16.0, mentoring=0.4,
                          reciprocal=0.1, forgetting=0.02, noise_sd=0.3)
    busy = np.random.default_rng(seed).uniform(0.0, 3.0, skills.shape[0])
    expected, _, _ = naive.learn_week(
        skills.tolist(), active.tolist(), pid.tolist(), aptitude.tolist(), tenure.tolist(),
        mentor.tolist(), kind.tolist(), quality.tolist(), hours.tolist(), focus.tolist(),
        usage.tolist(), required.tolist(), weights.tolist(), rates.doing, rates.novice_boost,
        rates.novice_weeks, rates.mentoring, rates.reciprocal, rates.forgetting, True, 4.0,
        rates.noise_sd, 3, 9, STREAM_LEARNING, busy.tolist(),
    )
    work = skills.copy()
    learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage,
               required, weights, rates, True, 4.0, 3, 9, busy_hours=busy)
    np.testing.assert_allclose(work, np.array(expected), rtol=0, atol=1e-12)
    idle = skills.copy()
    learn_week(idle, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage,
               required, weights, rates, True, 4.0, 3, 9, busy_hours=np.zeros_like(busy))
    gained = (work - skills)[active].sum()
    assert gained < (idle - skills)[active].sum()  # busier people learn less by doing


def test_mentoring_raises_mentee_towards_mentor_only():
    skills = np.array([[0.9, 0.9], [0.2, 0.95]])
    args = dict(
        active=np.ones(2, bool), pid=np.array([1, 2], np.int64), aptitude=np.ones(2),
        tenure_weeks=np.full(2, 500, np.int32), usage=np.array([1.0, 1.0]),
        required=np.array([0.8, 0.8]), weights=np.array([0.5, 0.5]),
        contact_hours=np.ones(2), focus_competency=np.full(2, -1, np.int16),
        targeted=False, hours_per_week=40.0, key=1, week=1,
    )
    rates = LearningRates(0.0, 0.0, 1.0, 0.5, 0.0, 0.0, 0.0)
    without = skills.copy()
    learn_week(without, mentor=np.array([-1, -1], np.int32), quality=np.zeros(2),
               pair_kind=np.zeros(2, np.int8),
               rates=rates, **args)
    np.testing.assert_array_equal(without, skills)  # no doing, no forgetting, no mentor
    mentored = skills.copy()
    learn_week(mentored, mentor=np.array([-1, 0], np.int32), quality=np.array([0, 0.8]),
               pair_kind=np.array([0, 1], np.int8),
               rates=rates, **args)
    # competency 0: mentee gains 0.5*0.8*1*(0.9-0.2) = 0.28; competency 1: mentee above mentor
    assert mentored[1, 0] == pytest.approx(0.2 + 0.28, abs=1e-12)
    assert mentored[1, 1] == skills[1, 1]
    assert mentored[0, 0] == skills[0, 0]  # the mentor knows more: nothing to learn there


def test_forgetting_half_life():
    half_life = 47.0
    rates = LearningRates.from_half_life(0.0, 0.0, 1.0, 0.0, 0.0, half_life, 0.0)
    skills = np.full((1, 1), 0.8)
    for week in range(47):
        learn_week(skills, np.ones(1, bool), np.ones(1, np.int64), np.ones(1),
                   np.zeros(1, np.int32), np.full(1, -1, np.int32), np.zeros(1, np.int8),
                   np.zeros(1), np.zeros(1),
                   np.full(1, -1, np.int16), np.zeros(1), np.ones(1), np.ones(1), rates,
                   False, 1.0, 3, week)
    # unused skill decays by (1 - ln2/47)^47 ~ 0.4963 of its value in one half-life
    assert skills[0, 0] == pytest.approx(0.8 * (1 - np.log(2) / half_life) ** 47, rel=1e-12)
    assert 0.39 < skills[0, 0] < 0.41


def test_learn_week_rejects_bad_input():
    state = random_state(0)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = state
    rates = LearningRates(0.05, 1.0, 16.0, 0.1, 0.01, 0.01, 0.1)
    with pytest.raises(ValueError, match="aptitude"):
        learn_week(skills, active, pid, aptitude[:-1], tenure, mentor, kind, quality, hours, focus,
                   usage, required, weights, rates, True, 2.0, 1, 1)
    with pytest.raises(ValueError, match="mentor must be int32"):
        learn_week(skills, active, pid, aptitude, tenure, mentor.astype(np.int64), kind, quality,
                   hours, focus, usage, required, weights, rates, True, 2.0, 1, 1)
    with pytest.raises(ValueError, match="focus_competency"):
        learn_week(skills, active, pid, aptitude, tenure, mentor, kind, quality, hours,
                   focus.astype(np.int64), usage, required, weights, rates, True, 2.0, 1, 1)
    with pytest.raises(ValueError, match="required"):
        learn_week(skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus,
                   usage, np.zeros_like(required), weights, rates, True, 2.0, 1, 1)


@pytest.mark.parametrize("seed", range(20))
def test_pair_index_matches_naive(seed):
    mentor = random_state(seed, n=60)[5]  # the mentor column
    got = pair_index(mentor)
    expected = naive.pair_index(mentor.tolist())
    for a, b in zip(got, expected, strict=True):
        assert a.tolist() == list(b)


@pytest.mark.parametrize("boost, weeks", [(2.0, 16.0), (0.5, 3.3), (0.0, 16.0)])
def test_novice_curve_is_the_formula_until_the_boost_vanishes(boost, weeks):
    curve = kernels._novice_curve(boost, weeks)
    if boost == 0.0:
        assert curve.shape == (0,)
        return
    assert curve.shape == (int(np.ceil(40 * weeks)),)
    for t in (0, 1, 7, curve.shape[0] - 1):
        assert curve[t] == 1.0 + boost * np.exp(-t / weeks)
    # past the end 1 + boost rounds to 1, which is what the kernel uses there
    assert 1.0 + boost * np.exp(-curve.shape[0] / weeks) == 1.0


def test_learn_week_matches_naive_across_the_end_of_the_novice_curve():
    state = list(random_state(3, n=12, k=4))
    state[4] = np.array([0, 1, 639, 640, 641, 5000] * 2, dtype=np.int32)  # tenure
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = state
    rates = LearningRates(0.05, 2.0, 16.0, 0.4, 0.1, 0.02, 0.3)
    expected, _, _ = naive.learn_week(
        skills.tolist(), active.tolist(), pid.tolist(), aptitude.tolist(), tenure.tolist(),
        mentor.tolist(), kind.tolist(), quality.tolist(), hours.tolist(), focus.tolist(),
        usage.tolist(), required.tolist(), weights.tolist(), rates.doing, rates.novice_boost,
        rates.novice_weeks, rates.mentoring, rates.reciprocal, rates.forgetting, True, 2.0,
        rates.noise_sd, 99, 5, STREAM_LEARNING,
    )
    work = skills.copy()
    learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus,
               usage, required, weights, rates, True, 2.0, 99, 5)
    np.testing.assert_allclose(work, np.array(expected), rtol=0, atol=1e-12)
