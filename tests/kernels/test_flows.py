"""Ageing, quits, commitment and promotions (sim/kernels/flows.py) against tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import age_and_leave, update_outcomes
from tests import naive
from tests.kernels.states import bookkeeping_state

RATIO = np.array([1.0, 1.0, 1.0])  # groups' quit hazard ratios (equal)


@pytest.mark.parametrize("seed", range(20))
def test_age_and_leave_matches_naive(seed):
    s = bookkeeping_state(seed)
    age, tenure = s["age"].copy(), s["tenure"].copy()
    quits, retire = np.zeros(40, bool), np.zeros(40, bool)
    weekly = 0.2  # high, so that some quit
    first_year = 1.0 + seed % 3  # 1, 2, 3: the first-year multiple of the hazard
    ratio = np.array([1.0, 0.5, 2.5])  # each group's quit hazard relative to the base
    age_and_leave(s["active"], s["pid"], age, tenure, s["commitment"], s["group"], ratio, 65.0,
                  weekly, first_year, 0.6, 99 + seed, seed, quits, retire)
    exp_age, exp_tenure, exp_quits, exp_retire = naive.age_and_leave(
        s["active"], s["pid"], s["age"], s["tenure"], s["commitment"], 65.0, weekly,
        first_year, 0.6, 99 + seed, seed, s["group"], ratio)
    np.testing.assert_allclose(age, exp_age, rtol=0, atol=1e-12)
    assert tenure.tolist() == exp_tenure
    assert quits.tolist() == exp_quits and retire.tolist() == exp_retire
    assert not np.any(quits & retire)


@pytest.mark.parametrize("seed", range(20))
def test_update_outcomes_matches_naive(seed):
    s = bookkeeping_state(seed)
    args = (0.7, 0.1 * (seed % 4), 0.16, 1 / 13, 0.5 ** (1 / 52), 0.8, 100, 10, 0.3, 2.0)
    expected = naive.update_outcomes(s, *args, 5 + seed, seed)
    commitment, level, promotions = s["commitment"].copy(), s["level"].copy(), \
        s["promotions"].copy()
    promoted = update_outcomes(
        s["active"], s["mentor"], s["load"], s["quality"], commitment,
        s["tenure"], s["performance"], level, promotions, s["sponsored"], s["psychosocial"],
        s["pid"], *args, 5 + seed, seed)
    np.testing.assert_allclose(commitment, expected[0], rtol=0, atol=1e-12)
    assert level.tolist() == expected[1] and promotions.tolist() == expected[2]
    assert promoted == expected[3]


def test_flows_reject_bad_input():
    s = bookkeeping_state(0)
    quits, retire = np.zeros(40, bool), np.zeros(40, bool)
    with pytest.raises(ValueError, match="tenure_weeks must be int32"):
        age_and_leave(s["active"], s["pid"], s["age"].copy(), s["tenure"].astype(np.int64),
                      s["commitment"], s["group"], RATIO, 65.0, 0.01, 1.0, 0.6, 1, 1, quits, retire)
    with pytest.raises(ValueError, match="weekly_quit"):
        age_and_leave(s["active"], s["pid"], s["age"].copy(), s["tenure"].copy(),
                      s["commitment"], s["group"], RATIO, 65.0, 1.5, 1.0, 0.6, 1, 1, quits, retire)
    with pytest.raises(ValueError, match=r"retire_out must have shape \(40,\)"):
        age_and_leave(s["active"], s["pid"], s["age"].copy(), s["tenure"].copy(),
                      s["commitment"], s["group"], RATIO, 65.0, 0.01, 1.0, 0.6, 1, 1, quits,
                      retire[:-1])
    args = (0.7, 0.3, 0.16, 1 / 13, 0.5 ** (1 / 52), 0.8, 100, 10, 0.3, 2.0, 1, 1)
    with pytest.raises(ValueError, match="load must be int16"):
        update_outcomes(s["active"], s["mentor"], s["load"].astype(np.int64), s["quality"],
                        s["commitment"].copy(), s["tenure"], s["performance"],
                        s["level"].copy(), s["promotions"].copy(), s["sponsored"],
                        s["psychosocial"], s["pid"], *args)
    bad_rise = (0.7, 0.3, 0.16, 1.5, *args[4:])
    with pytest.raises(ValueError, match="rise and fade"):
        update_outcomes(s["active"], s["mentor"], s["load"], s["quality"],
                        s["commitment"].copy(), s["tenure"], s["performance"],
                        s["level"].copy(), s["promotions"].copy(), s["sponsored"],
                        s["psychosocial"], s["pid"], *bad_rise)


def test_retirement_and_quits_follow_their_rules():
    """Everyone at retirement age retires; with a certain quit hazard, everyone else quits."""
    n = 6
    active = np.array([True, True, True, True, False, True])
    age = np.array([64.99, 30.0, 65.0, 40.0, 70.0, 50.0])
    tenure = np.zeros(n, np.int32)
    quits, retire = np.ones(n, bool), np.ones(n, bool)  # overwritten
    age_and_leave(active, np.arange(1, n + 1, dtype=np.int64), age, tenure, np.zeros(n),
                  np.zeros(n, np.int8), np.ones(1), 65.0, 1.0, 1.0, 0.6, 3, 4, quits, retire)
    assert retire.tolist() == [True, False, True, False, False, False]  # 64.99 + 1/52 >= 65
    assert quits.tolist() == [False, True, False, True, False, True]
    assert tenure.tolist() == [1, 1, 1, 1, 0, 1]
    assert age[4] == 70.0 and age[1] == pytest.approx(30.0 + 1 / 52, abs=1e-15)
