"""Workforce flows and outcomes: a week of ageing, quits and retirements; commitment and promotions.

Kernels (private) and their validated public wrappers :func:`age_and_leave` and
:func:`update_outcomes`. Slow references: ``tests/naive.py::age_and_leave``,
``update_outcomes``.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from sim.kernels.checks import require, require_vectors
from sim.kernels.random import STREAM_PROMOTION, STREAM_QUIT, _counter_uniform
from sim.kernels.threads import kernel_for, with_serial_twin


@with_serial_twin()
def _age_and_leave(
    active, pid, age_years, tenure_weeks, commitment, group, group_quit_ratio, retirement_age,
    weekly_quit, first_year_multiplier, coef, key, week, quits_out, retire_out,
):
    """Age every employee a week; mark who retires (at ``retirement_age``) and who quits.

    An active employee below retirement age quits when their counter-based draw is below
    ``weekly_quit * group_quit_ratio[group] * exp(-coef * commitment)``, times
    ``first_year_multiplier`` in their first 52 weeks of tenure (capped at 1).
    ``quits_out`` and ``retire_out`` (bool, N) are overwritten.
    """
    step = 1.0 / 52.0
    for i in prange(active.shape[0]):
        quits_out[i] = False
        retire_out[i] = False
        if not active[i]:
            continue
        age_years[i] += step
        tenure_weeks[i] += 1
        if age_years[i] >= retirement_age:
            retire_out[i] = True
            continue
        u = _counter_uniform(key, week, pid[i], STREAM_QUIT)
        base = weekly_quit * group_quit_ratio[group[i]]
        if tenure_weeks[i] <= 52:
            base *= first_year_multiplier
        if u >= base and coef * commitment[i] >= 0.0:
            continue  # the hazard is at most base: no exp needed to know
        hazard = base
        if commitment[i] != 0.0:
            hazard *= np.exp(-coef * commitment[i])
        if u < hazard:
            quits_out[i] = True


@with_serial_twin()
def _update_outcomes(
    active, mentor, load, quality, commitment, tenure_weeks, performance, level,
    promotions, sponsored, psychosocial, pid, mentee_effect_per_quality, marginal_quality,
    mentor_target, rise, fade, threshold, min_tenure, max_level, promotion_chance,
    sponsorship_multiplier, key, week,
):
    """Commitment and promotions for one week, in place; returns how many were promoted.

    Commitment of someone in a pair moves a share ``rise`` of the way to its target: for a
    mentee ``mentee_effect_per_quality * (quality - marginal_quality)``, below zero for a
    dysfunctional pair, times the pair's ``psychosocial`` share (less for e-mentoring and
    for pairs across group lines), for a mentor at
    least ``mentor_target``; everyone else's commitment fades by the factor ``fade``.
    An active employee with ``min_tenure`` weeks, performance >= ``threshold`` and level
    below ``max_level`` is promoted when their counter-based draw is below
    ``promotion_chance`` (times ``sponsorship_multiplier`` with an active sponsor).
    """
    promoted = 0
    for i in prange(active.shape[0]):
        if not active[i]:
            continue
        is_mentee = mentor[i] >= 0
        is_mentor = load[i] > 0
        if is_mentee or is_mentor:
            target = 0.0
            if is_mentee:
                target = (mentee_effect_per_quality * (quality[i] - marginal_quality)
                          * psychosocial[i])
            if is_mentor and target < mentor_target:
                target = mentor_target
            commitment[i] += (target - commitment[i]) * rise
        else:
            commitment[i] *= fade
        if tenure_weeks[i] >= min_tenure and performance[i] >= threshold and level[i] < max_level:
            chance = promotion_chance * sponsorship_multiplier if sponsored[i] else (
                promotion_chance
            )
            if _counter_uniform(key, week, pid[i], STREAM_PROMOTION) < chance:
                level[i] += 1
                promotions[i] += 1
                promoted += 1
    return promoted


def age_and_leave(
    active: np.ndarray,
    pid: np.ndarray,
    age_years: np.ndarray,
    tenure_weeks: np.ndarray,
    commitment: np.ndarray,
    group: np.ndarray,
    group_quit_ratio: np.ndarray,
    retirement_age: float,
    weekly_quit: float,
    first_year_multiplier: float,
    coef: float,
    key: int,
    week: int,
    quits_out: np.ndarray,
    retire_out: np.ndarray,
    check: bool = True,
) -> None:
    """Age every active employee a week and mark who retires and who quits, in place.

    Args:
        active: bool (N,), who is employed.
        pid: int64 (N,), person ids (keys of the counter-based draws).
        age_years: float64 (N,), ages; active ones grow by a week.
        tenure_weeks: int32 (N,), weeks since hire; active ones grow by 1.
        commitment: float64 (N,), affective commitment (lowers the quit hazard).
        group: int8 (N,), each employee's group.
        group_quit_ratio: float64 (G,), each group's quit hazard relative to ``weekly_quit``.
        retirement_age: Age in years at which an employee retires.
        weekly_quit: Base weekly quit probability, in [0, 1].
        first_year_multiplier: Its multiple in the first 52 weeks of tenure (>= 1).
        coef: How strongly commitment lowers it: hazard ``weekly_quit * exp(-coef * c)``.
        key: 64-bit run key.
        week: Simulation week.
        quits_out: bool (N,), overwritten: who quits this week.
        retire_out: bool (N,), overwritten: who retires this week.
        check: Validate the arguments first.

    Raises:
        ValueError: If an array has the wrong shape or dtype, or ``weekly_quit`` is not a
            probability.

    """
    n = active.shape[0]
    if check:
        require_vectors(n, (
            ("active", active, np.bool_), ("pid", pid, np.int64),
            ("age_years", age_years, np.float64), ("tenure_weeks", tenure_weeks, np.int32),
            ("commitment", commitment, np.float64), ("quits_out", quits_out, np.bool_),
            ("retire_out", retire_out, np.bool_), ("group", group, np.int8),
        ))
        require(group_quit_ratio.dtype == np.float64 and group_quit_ratio.ndim == 1,
                "group_quit_ratio must be a float64 vector")
        require(n == 0 or int(group.max(initial=0)) < group_quit_ratio.shape[0],
                "group_quit_ratio must have an entry for every group")
        require(bool(np.all(group_quit_ratio > 0)), "group_quit_ratio must be > 0")
        require(0.0 <= weekly_quit <= 1.0, "weekly_quit must be in [0, 1]")
        require(first_year_multiplier >= 1.0, "first_year_multiplier must be >= 1")
    kernel_for(_age_and_leave, n, 48)(
        active, pid, age_years, tenure_weeks, commitment, group, group_quit_ratio,
        float(retirement_age),
        float(weekly_quit), float(first_year_multiplier), float(coef), np.uint64(key),
        np.int64(week), quits_out, retire_out,
    )


def update_outcomes(
    active: np.ndarray,
    mentor: np.ndarray,
    load: np.ndarray,
    quality: np.ndarray,
    commitment: np.ndarray,
    tenure_weeks: np.ndarray,
    performance: np.ndarray,
    level: np.ndarray,
    promotions: np.ndarray,
    sponsored: np.ndarray,
    psychosocial: np.ndarray,
    pid: np.ndarray,
    mentee_effect_per_quality: float,
    marginal_quality: float,
    mentor_target: float,
    rise: float,
    fade: float,
    threshold: float,
    min_tenure: int,
    max_level: int,
    promotion_chance: float,
    sponsorship_multiplier: float,
    key: int,
    week: int,
    check: bool = True,
) -> int:
    """Move commitment towards this week's targets and draw promotions, in place.

    The rules are the kernel's (:func:`_update_outcomes`).

    Args:
        active: bool (N,), who is employed.
        mentor: int32 (N,), each mentee's mentor slot or -1.
        load: int16 (N,), each mentor's number of mentees.
        quality: float64 (N,), relationship quality of each mentee's pair.
        commitment: float64 (N,), updated in place.
        tenure_weeks: int32 (N,), weeks since hire.
        performance: float64 (N,), skill performance this week.
        level: int8 (N,), career level; raised by one on promotion.
        promotions: int16 (N,), promotions so far; raised by one on promotion.
        sponsored: bool (N,), whether the employee has an active sponsor.
        psychosocial: float64 (N,), share of the commitment effect each mentee's pair
            delivers (e-mentoring and pairs across group lines deliver less).
        pid: int64 (N,), person ids.
        mentee_effect_per_quality: A mentee's commitment target per unit of quality above
            ``marginal_quality``.
        marginal_quality: Quality at which a pair moves commitment towards 0 (below it,
            below 0).
        mentor_target: A mentor's commitment target (at least).
        rise: Share of the way to the target covered each week, in [0, 1].
        fade: Weekly factor of the commitment of everyone not in a pair, in [0, 1].
        threshold: Performance needed for promotion.
        min_tenure: Weeks of tenure needed for promotion.
        max_level: Highest career level.
        promotion_chance: Weekly promotion probability of an eligible employee.
        sponsorship_multiplier: Its multiple with an active sponsor.
        key: 64-bit run key.
        week: Simulation week.
        check: Validate the arguments first.

    Returns:
        How many were promoted.

    Raises:
        ValueError: If an array has the wrong shape or dtype, or a rate is out of range.

    """
    n = active.shape[0]
    if check:
        require_vectors(n, (
            ("active", active, np.bool_), ("mentor", mentor, np.int32),
            ("load", load, np.int16), ("quality", quality, np.float64),
            ("commitment", commitment, np.float64),
            ("tenure_weeks", tenure_weeks, np.int32), ("performance", performance, np.float64),
            ("level", level, np.int8), ("promotions", promotions, np.int16),
            ("sponsored", sponsored, np.bool_), ("pid", pid, np.int64),
            ("psychosocial", psychosocial, np.float64),
        ))
        require(0.0 <= rise <= 1.0 and 0.0 <= fade <= 1.0, "rise and fade must be in [0, 1]")
        require(0.0 <= promotion_chance <= 1.0, "promotion_chance must be in [0, 1]")
    return int(kernel_for(_update_outcomes, n, 72)(
        active, mentor, load, quality, commitment, tenure_weeks, performance, level,
        promotions, sponsored, psychosocial, pid, float(mentee_effect_per_quality),
        float(marginal_quality), float(mentor_target), float(rise), float(fade), float(threshold),
        int(min_tenure), int(max_level), float(promotion_chance), float(sponsorship_multiplier),
        np.uint64(key), np.int64(week),
    ))
