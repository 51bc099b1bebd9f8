"""The numba kernels against their slow references in tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import compiled as kernels
from sim.kernels.api import (
    LearningRates,
    counter_uniforms,
    learn_week,
    match_by_scores,
    match_gap_targeted,
)
from tests import naive


def random_state(seed: int, n: int = 12, k: int = 5):
    rng = np.random.default_rng(seed)
    skills = rng.random((n, k))
    active = rng.random(n) > 0.15
    pid = rng.integers(1, 10_000, n).astype(np.int64)
    aptitude = np.exp(rng.normal(0, 0.3, n))
    tenure = rng.integers(0, 300, n).astype(np.int32)
    mentor = np.full(n, -1, dtype=np.int32)
    quality = np.zeros(n)
    hours = np.zeros(n)
    focus = np.full(n, -1, dtype=np.int16)
    # random pairs, including mentors with several mentees and mentors who are mentees
    for e in rng.choice(n, size=n // 2, replace=False):
        m = int(rng.integers(n))
        if m != e and active[e] and active[m]:
            mentor[e] = m
            quality[e] = rng.uniform(0.1, 1.0)
            hours[e] = rng.uniform(0.1, 2.0)
            if rng.random() < 0.3:
                focus[e] = rng.integers(k)
    usage = rng.uniform(0.2, 1.0, k)
    required = rng.uniform(0.3, 0.95, k)
    weights = rng.random(k)
    weights /= weights.sum()
    kind = np.where(mentor >= 0, rng.integers(1, 3, n), 0).astype(np.int8)
    return skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights


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
        2.0, rates.noise_sd, key, week, kernels.STREAM_LEARNING,
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


def test_mentoring_raises_mentee_towards_mentor_only():
    skills = np.array([[0.9, 0.9], [0.2, 0.95]])
    args = dict(
        active=np.ones(2, bool), pid=np.array([1, 2], np.int64), aptitude=np.ones(2),
        tenure_weeks=np.full(2, 500, np.int32), usage=np.array([1.0, 1.0]),
        required=np.array([0.8, 0.8]), weights=np.array([0.5, 0.5]),
        contact_hours=np.ones(2), focus_competency=np.full(2, -1, np.int16),
        targeted=False, targeted_multiplier=1.0, key=1, week=1,
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


@pytest.mark.parametrize("stream", [1, 2, 3])
def test_counter_uniforms_match_naive_and_are_uniform(stream):
    pids = np.arange(1, 20_001, dtype=np.int64)
    draws = counter_uniforms(987654321, 12, pids, stream)
    expected = [naive.counter_uniform(987654321, 12, int(p), stream) for p in pids[:200]]
    np.testing.assert_array_equal(draws[:200], expected)
    assert np.all((draws >= 0) & (draws < 1))
    assert abs(draws.mean() - 0.5) < 0.01
    assert abs(draws.std() - np.sqrt(1 / 12)) < 0.005
    # a different week or stream gives unrelated draws
    other = counter_uniforms(987654321, 13, pids, stream)
    assert abs(np.corrcoef(draws, other)[0, 1]) < 0.03


@pytest.mark.parametrize("seed", range(30))
def test_match_gap_targeted_matches_naive(seed):
    rng = np.random.default_rng(seed)
    n, k = 30, 4
    skills = rng.random((n, k))
    required = rng.uniform(0.4, 0.9, k)
    weights = rng.random(k)
    weights /= weights.sum()
    order = rng.permutation(n)
    mentees = order[:12].astype(np.int64)
    mentors = order[12:20].astype(np.int64)
    capacity = rng.integers(0, 3, mentors.shape[0]).astype(np.int64)
    candidates = rng.integers(0, mentors.shape[0], (mentees.shape[0], 3)).astype(np.int64)
    expected, exp_capacity = naive.match_gap_targeted(
        skills.tolist(), required.tolist(), weights.tolist(), mentees.tolist(),
        mentors.tolist(), capacity.tolist(), candidates.tolist(),
    )
    cap = capacity.copy()
    got = match_gap_targeted(skills, required, weights, mentees, mentors, cap, candidates)
    assert got.tolist() == expected
    assert cap.tolist() == exp_capacity
    assert np.all(cap >= 0)
    assigned = got[got >= 0]
    # no mentor exceeds capacity
    for slot, count in zip(*np.unique(assigned, return_counts=True), strict=True):
        assert count <= capacity[np.flatnonzero(mentors == slot)[0]]
    assert (got >= 0).sum() == min(mentees.shape[0], capacity.sum())


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


@pytest.mark.parametrize("seed", range(30))
def test_match_by_scores_matches_naive(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m, c = 15, 6, 4
    scores = rng.integers(0, 5, (n_e, c)).astype(np.float64)  # ties on purpose
    candidates = rng.integers(0, n_m, (n_e, c)).astype(np.int64)
    capacity = rng.integers(0, 3, n_m).astype(np.int64)
    expected, exp_capacity = naive.match_by_scores(
        scores.tolist(), candidates.tolist(), capacity.tolist()
    )
    cap = capacity.copy()
    got = match_by_scores(scores, candidates, cap)
    assert got.tolist() == expected and cap.tolist() == exp_capacity
    assert (got >= 0).sum() == min(n_e, capacity.sum())


def bookkeeping_state(seed, n=40):
    rng = np.random.default_rng(seed)
    state = random_state(seed, n=n)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, *_ = state
    load = np.bincount(mentor[mentor >= 0], minlength=n).astype(np.int16)
    return dict(
        active=active, pid=pid, mentor=mentor, quality=quality, contact_hours=hours,
        load=load, pair_kind=np.where(mentor >= 0, rng.integers(1, 3, n), 0).astype(np.int8),
        commitment=rng.normal(0, 0.3, n) * (rng.random(n) < 0.7),
        tenure=tenure, performance=rng.uniform(0.6, 1.0, n), gap=rng.uniform(0, 0.2, n),
        level=rng.integers(0, 11, n).astype(np.int8), promotions=np.zeros(n, np.int16),
        sponsored=rng.random(n) < 0.3, age=rng.uniform(20, 66, n),
        ever_mentored=rng.random(n) < 0.4, ever_formal=rng.random(n) < 0.2,
        under=rng.random(n) < 0.3,
    )


@pytest.mark.parametrize("seed", range(20))
def test_age_and_leave_matches_naive(seed):
    s = bookkeeping_state(seed)
    age, tenure = s["age"].copy(), s["tenure"].copy()
    quits, retire = np.zeros(40, bool), np.zeros(40, bool)
    weekly = 0.2  # high, so that some quit
    kernels._age_and_leave(s["active"], s["pid"], age, tenure, s["commitment"], 65.0, weekly,
                           0.6, np.uint64(99 + seed), np.int64(seed), quits, retire)
    exp_age, exp_tenure, exp_quits, exp_retire = naive.age_and_leave(
        s["active"], s["pid"], s["age"], s["tenure"], s["commitment"], 65.0, weekly, 0.6,
        99 + seed, seed)
    np.testing.assert_allclose(age, exp_age, rtol=0, atol=1e-12)
    assert tenure.tolist() == exp_tenure
    assert quits.tolist() == exp_quits and retire.tolist() == exp_retire
    assert not np.any(quits & retire)


@pytest.mark.parametrize("seed", range(20))
def test_update_outcomes_matches_naive(seed):
    s = bookkeeping_state(seed)
    args = (0.7, 1, 0.5, 0.16, 1 / 13, 0.5 ** (1 / 52), 0.8, 100, 10, 0.3, 2.0)
    expected = naive.update_outcomes(s, *args, 5 + seed, seed)
    commitment, level, promotions = s["commitment"].copy(), s["level"].copy(), \
        s["promotions"].copy()
    promoted = kernels._update_outcomes(
        s["active"], s["mentor"], s["load"], s["quality"], s["pair_kind"], commitment,
        s["tenure"], s["performance"], level, promotions, s["sponsored"], s["pid"], *args,
        np.uint64(5 + seed), np.int64(seed))
    np.testing.assert_allclose(commitment, expected[0], rtol=0, atol=1e-12)
    assert level.tolist() == expected[1] and promotions.tolist() == expected[2]
    assert promoted == expected[3]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("group_format", [False, True])
def test_weekly_sums_match_naive(seed, group_format):
    s = bookkeeping_state(seed)
    share = np.empty(40)
    sums = kernels._weekly_sums(
        s["active"], s["performance"], s["gap"], s["commitment"], s["mentor"], s["pair_kind"],
        s["quality"], s["contact_hours"], s["load"], s["ever_mentored"], s["ever_formal"],
        s["under"], 0.23, group_format, 40.0, 0.9, 0.02, 0.85, share)
    expected, exp_share = naive.weekly_sums(s, 0.23, group_format, 40.0, 0.9, 0.02, 0.85)
    np.testing.assert_allclose(share, exp_share, rtol=0, atol=1e-12)
    names = ["active", "net", "job", "skill", "gap", "proficient", "pairs", "pairs_formal",
             "pairs_informal", "mentors", "quality", "quality_formal", "quality_informal",
             "mentored", "skill_mentored", "gap_mentored", "skill_never", "gap_never",
             "time_share", "commitment", "under", "under_mentored", "under_formal",
             "majority_mentored", "majority_formal"]
    np.testing.assert_allclose(sums, [expected[name] for name in names], rtol=0, atol=1e-12)


def test_thread_count_does_not_change_results():
    """Counter-based draws and start-of-week inputs: any thread count, same numbers.

    1 and 2 threads of the parallel kernels, and their serial twins.
    """
    from sim.kernels.api import set_threads

    state = random_state(3, n=20_000, k=8)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = state
    rates = LearningRates(0.05, 2.0, 16.0, 0.4, 0.1, 0.02, 0.3)
    from sim.kernels import api as learning

    results = []
    learning.PARALLEL_MIN_BYTES, saved = 0, learning.PARALLEL_MIN_BYTES  # parallel kernels
    try:
        for threads in (1, 2):
            set_threads(threads)
            work = skills.copy()
            perf, gap = learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality,
                                   hours,
                                   focus, usage, required, weights, rates, True, 2.0, 5, 9)
            results.append((work, perf, gap))
    finally:
        set_threads(None)
        learning.PARALLEL_MIN_BYTES = saved

    learning.PARALLEL_MIN_BYTES, saved = 2**62, learning.PARALLEL_MIN_BYTES  # serial twins
    try:
        work = skills.copy()
        perf, gap = learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality, hours,
                               focus, usage, required, weights, rates, True, 2.0, 5, 9)
        results.append((work, perf, gap))
    finally:
        learning.PARALLEL_MIN_BYTES = saved
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(20))
def test_pair_index_matches_naive(seed):
    from sim.kernels.api import pair_index

    mentor = random_state(seed, n=60)[5]  # the mentor column
    got = pair_index(mentor)
    expected = naive.pair_index(mentor.tolist())
    for a, b in zip(got, expected, strict=True):
        assert a.tolist() == list(b)


def test_weekly_sums_same_on_any_thread_count():
    from sim.kernels.api import set_threads

    s = bookkeeping_state(4, n=30_000)
    args = (s["active"], s["performance"], s["gap"], s["commitment"], s["mentor"],
            s["pair_kind"], s["quality"], s["contact_hours"], s["load"], s["ever_mentored"],
            s["ever_formal"], s["under"], 0.23, False, 40.0, 0.9, 0.02, 0.85)
    results = [kernels.SERIAL[kernels._weekly_sums](*args, np.empty(30_000))]
    try:
        for threads in (1, 2):
            set_threads(threads)
            results.append(kernels._weekly_sums(*args, np.empty(30_000)))
    finally:
        set_threads(None)
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


@pytest.mark.parametrize("seed", range(10))
def test_gap_scores_match_naive(seed):
    rng = np.random.default_rng(seed)
    skills = rng.random((25, 5))
    required, weights = rng.uniform(0.3, 0.9, 5), rng.dirichlet(np.ones(5))
    mentees = rng.choice(25, 8, replace=False).astype(np.int64)
    slots = rng.integers(0, 25, (8, 4)).astype(np.int64)
    got = kernels._gap_scores(skills, required, weights, mentees, slots)
    expected = naive.gap_scores(skills.tolist(), required.tolist(), weights.tolist(),
                                mentees.tolist(), slots.tolist())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        kernels.SERIAL[kernels._gap_scores](skills, required, weights, mentees, slots), got)


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
        rates.noise_sd, 99, 5, kernels.STREAM_LEARNING,
    )
    work = skills.copy()
    learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus,
               usage, required, weights, rates, True, 2.0, 99, 5)
    np.testing.assert_allclose(work, np.array(expected), rtol=0, atol=1e-12)


def test_prefetch_distance_never_changes_the_pair_deltas():
    from sim.kernels.api import pair_index

    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = random_state(11, n=400, k=9)
    rows, _, starts, slots = pair_index(mentor)
    results = [
        kernels._pair_deltas(skills, pid, aptitude, mentor, kind, quality, hours, focus, rows,
                             starts, slots, required, weights, 0.4, 0.1, True, 2.0, 0.3,
                             np.uint64(5), np.int64(2), distance)
        for distance in (0, 1, 12, 10_000)
    ]
    assert rows.shape[0] > 50
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)
