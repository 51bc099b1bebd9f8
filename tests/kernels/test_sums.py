"""The weekly sums (sim/kernels/sums.py): the table, the kernel against tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import (
    N_SUMS,
    SERIAL,
    SUM_INDEX,
    SUM_NAMES,
    SUMS,
    Sum,
    set_threads,
    weekly_sums,
)
from sim.kernels import sums as kernels
from tests import naive
from tests.kernels.states import bookkeeping_state


def slot_enablers(n, seed=0):
    """Each slot's enabler share: uneven, as with deficits for some groups/competencies."""
    return np.random.default_rng(1000 + seed).uniform(0.5, 1.0, n)


def sums_args(s, group_format=False, seed=0):
    n = s["active"].shape[0]
    return (s["active"], s["performance"], s["gap"], s["commitment"], s["mentor"],
            s["pair_kind"], s["quality"], s["contact_hours"], s["load"], s["ever_mentored"],
            s["ever_formal"], s["under"], 0.23, group_format, 40.0, slot_enablers(n, seed),
            0.02, 0.85)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("group_format", [False, True])
def test_weekly_sums_match_naive(seed, group_format):
    s = bookkeeping_state(seed)
    share = np.empty(40)
    sums = weekly_sums(*sums_args(s, group_format, seed), share)
    expected, exp_share = naive.weekly_sums(s, 0.23, group_format, 40.0,
                                            slot_enablers(40, seed).tolist(), 0.02, 0.85)
    np.testing.assert_allclose(share, exp_share, rtol=0, atol=1e-12)
    # the naive reference lists its sums by hand: the table must name the same, in order
    assert tuple(expected) == SUM_NAMES
    assert sums.shape == (N_SUMS,)
    np.testing.assert_allclose(sums, list(expected.values()), rtol=0, atol=1e-12)


def test_the_table_makes_the_kernels_positions():
    assert len(set(SUM_NAMES)) == N_SUMS == len(Sum) == len(SUMS)
    assert all(description for _, description in SUMS)
    for position, name in enumerate(SUM_NAMES):
        assert SUM_INDEX[name] == position == Sum[name.upper()]
    # one pass over a known organisation: every sum lands at its name's position
    n = 4
    share = np.empty(n)
    sums = weekly_sums(
        np.array([True, True, True, False]), np.array([0.5, 1.0, 0.95, 0.7]),
        np.array([0.2, 0.0, 0.1, 0.3]), np.zeros(n), np.array([-1, 0, -1, -1], np.int32),
        np.array([0, 1, 0, 0], np.int8), np.array([0.0, 0.8, 0.0, 0.0]),
        np.array([0.0, 2.0, 0.0, 0.0]), np.array([1, 0, 0, 0], np.int16),
        np.array([False, True, False, False]), np.array([False, True, False, False]),
        np.array([True, True, False, False]), 0.0, False, 40.0, np.ones(n), 0.0, 0.9, share)
    by_name = dict(zip(SUM_NAMES, sums.tolist(), strict=True))
    assert by_name["active"] == 3
    assert by_name["skill"] == pytest.approx(2.45) and by_name["gap"] == pytest.approx(0.3)
    assert by_name["pairs"] == by_name["pairs_formal"] == 1 and by_name["pairs_informal"] == 0
    assert by_name["quality"] == by_name["quality_formal"] == 0.8
    assert by_name["mentors"] == 1 and by_name["mentored"] == 1 and by_name["proficient"] == 2
    assert by_name["skill_mentored"] == 1.0 and by_name["skill_never"] == pytest.approx(1.45)
    assert by_name["under"] == 2 and by_name["under_mentored"] == 1
    assert by_name["majority_mentored"] == 0
    assert share.tolist() == [0.05, 0.05, 0.0, 0.0]  # 2 contact hours of 40, both sides
    assert by_name["time_share"] == pytest.approx(0.1, abs=1e-15)


def test_weekly_sums_rejects_bad_input():
    s = bookkeeping_state(0)
    args = list(sums_args(s))
    args[8] = s["load"].astype(np.int32)
    with pytest.raises(ValueError, match="load must be int16"):
        weekly_sums(*args, np.empty(40))
    with pytest.raises(ValueError, match="time_share_out"):
        weekly_sums(*sums_args(s), np.empty(39))
    args = list(sums_args(s))
    args[14] = 0.0
    with pytest.raises(ValueError, match="hours_per_week"):
        weekly_sums(*args, np.empty(40))
    args = list(sums_args(s))
    args[15] = np.ones(39)  # one enabler share per slot
    with pytest.raises(ValueError, match="enablers"):
        weekly_sums(*args, np.empty(40))


def test_each_slot_gets_its_own_enablers():
    """On-the-job performance uses the slot's enabler share, not one for everyone."""
    s = bookkeeping_state(2)
    args = list(sums_args(s))
    args[15] = np.ones(40)
    full = weekly_sums(*args, np.empty(40))
    args[15] = np.where(np.arange(40) < 20, 0.5, 1.0)
    half = weekly_sums(*args, np.empty(40))
    active = s["active"]
    motivation = 1 + 0.02 * s["commitment"]
    job = s["performance"] * motivation
    lost = (0.5 * job[:20][active[:20]]).sum()
    assert full[Sum.JOB] - half[Sum.JOB] == pytest.approx(lost, rel=1e-12)
    assert half[Sum.SKILL] == full[Sum.SKILL]


def test_weekly_sums_same_on_any_thread_count():
    s = bookkeeping_state(4, n=30_000)
    args = sums_args(s)
    results = [SERIAL[kernels._weekly_sums](*args, np.empty(30_000))]
    try:
        for threads in (1, 2):
            set_threads(threads)
            results.append(kernels._weekly_sums(*args, np.empty(30_000)))
    finally:
        set_threads(None)
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


def _group_state(n, seed):
    rng = np.random.default_rng(seed)
    mentor = np.where(rng.random(n) < 0.3, rng.integers(0, n, n), -1).astype(np.int32)
    return (rng.random(n) < 0.9, rng.random(n) < 0.25, mentor, rng.random(n) < 0.1,
            rng.random(n), rng.uniform(0.5, 1.0, n), rng.integers(0, 600, n).astype(np.int32),
            260, rng.uniform(0.0, 3.0, n), rng.integers(0, 5, n).astype(np.int8))


@pytest.mark.parametrize("seed", range(10))
def test_group_sums_match_naive(seed):
    from sim.kernels import GROUP_SUM_NAMES, N_GROUP_SUMS, group_sums

    state = _group_state(50 + 37 * seed, seed)
    sums = group_sums(*state)
    expected = naive.group_sums(*(x.tolist() if isinstance(x, np.ndarray) else x
                                  for x in state))
    assert tuple(expected) == GROUP_SUM_NAMES and sums.shape == (N_GROUP_SUMS,)
    np.testing.assert_allclose(sums, list(expected.values()), rtol=0, atol=1e-12)


def test_group_sums_are_the_same_on_one_and_two_threads():
    from sim.kernels import group_sums

    state = _group_state(30_000, 3)
    serial = SERIAL[kernels._group_sums](*state)
    set_threads(2)
    try:
        parallel = kernels._group_sums(*state)
    finally:
        set_threads(None)
    np.testing.assert_array_equal(serial, parallel)
    np.testing.assert_array_equal(group_sums(*state), serial)
    with pytest.raises(ValueError, match="level"):
        group_sums(*state[:-1], state[-1].astype(np.int64))
