"""numba kernels: arrays and scalars in, arrays out; nothing else of ours is imported.

Every kernel here has a slow, obvious twin in ``tests/naive.py`` and is tested against
it. Randomness is counter-based: a draw is a hash of (key, week, person id, stream), so
it does not depend on the order in which rows are visited. A parallel kernel therefore
gives the same numbers as a serial one, and a run with a programme and its control run
share the same draws for the same person in the same week (common random numbers).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Streams of the counter-based generator: one per kind of random event.
STREAM_LEARNING = 1
STREAM_QUIT = 2
STREAM_EARLY_ENDING = 3
STREAM_ROLLOUT = 4  # each person's place in a phased or randomised rollout
STREAM_INFORMAL = 5  # informal tie formation
STREAM_PROMOTION = 6

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WEEK_MUL = np.uint64(0xD6E8FEB86659FD93)
_STREAM_MUL = np.uint64(0xA0761D6478BD642F)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def _splitmix64(x: np.uint64) -> np.uint64:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _counter_uniform(key: np.uint64, week: np.int64, pid: np.int64, stream: np.int64) -> float:
    """One uniform in [0, 1) keyed by (key, week, person id, stream)."""
    h = _splitmix64(key ^ (np.uint64(week) * _WEEK_MUL) ^ (np.uint64(stream) * _STREAM_MUL))
    h = _splitmix64(h ^ np.uint64(pid))
    return np.float64(h >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def _counter_uniforms(
    key: np.uint64, week: np.int64, pids: np.ndarray, stream: np.int64
) -> np.ndarray:
    out = np.empty(pids.shape[0], dtype=np.float64)
    for i in range(pids.shape[0]):
        out[i] = _counter_uniform(key, week, pids[i], stream)
    return out


@njit(cache=True)
def _reciprocal_gains(
    skills: np.ndarray,
    mentor_slots: np.ndarray,
    mentee_start: np.ndarray,
    mentee_slots: np.ndarray,
    aptitude: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    reciprocal_rate: float,
) -> np.ndarray:
    """What each mentor learns from their mentees this week, from start-of-week skills.

    ``mentee_slots[mentee_start[j]:mentee_start[j + 1]]`` are the mentees of mentor
    ``mentor_slots[j]`` (compressed sparse rows). The gain on competency k is
    ``rate * aptitude_m * quality_e * hours_e * max(s_mentee - s_mentor, 0)`` summed over
    mentees (quality and contact hours are stored on the mentee's row): mentors learn
    where a mentee knows more (reciprocal / reverse mentoring).
    """
    n_mentors = mentor_slots.shape[0]
    n_k = skills.shape[1]
    gains = np.zeros((n_mentors, n_k), dtype=np.float64)
    for j in range(n_mentors):
        m = mentor_slots[j]
        base = reciprocal_rate * aptitude[m]
        for p in range(mentee_start[j], mentee_start[j + 1]):
            e = mentee_slots[p]
            c = base * quality[e] * contact_hours[e]
            for k in range(n_k):
                d = skills[e, k] - skills[m, k]
                if d > 0.0:
                    gains[j, k] += c * d
    return gains


@njit(cache=True)
def _learn_week(
    skills: np.ndarray,
    active: np.ndarray,
    pid: np.ndarray,
    aptitude: np.ndarray,
    tenure_weeks: np.ndarray,
    mentor: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    focus_competency: np.ndarray,
    mentor_row: np.ndarray,
    mentor_skills: np.ndarray,
    reciprocal: np.ndarray,
    usage: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    doing_rate: float,
    novice_boost: float,
    novice_weeks: float,
    mentoring_rate: float,
    forget_rate: float,
    targeted: bool,
    targeted_multiplier: float,
    noise_sd: float,
    key: np.uint64,
    week: np.int64,
    performance_out: np.ndarray,
    gap_out: np.ndarray,
) -> None:
    """One week of learning for every employee, in place, and their performance and gap.

    Per active employee i and competency k, with s the start-of-week skill:

    * learning by doing: ``doing_rate * n_i * a_i * e_i * u_k * (1 - s)`` (diminishing
      returns near mastery), where ``n_i = 1 + novice_boost * exp(-tenure_i / novice_weeks)``
      is the learning curve of a newcomer (fast at first, then settling);
    * mentoring, for a mentee of mentor m with quality q and weekly contact hours h:
      ``min(1, mentoring_rate * a_i * e_i * q * h * mult * f_ik) * max(s_mk - s, 0)``
      where ``f_ik`` aims the contact time: all of it (K) on ``focus_competency[i]`` when
      that is >= 0 (e.g. reverse mentoring on one new competency), else on the
      strategy-weighted gaps when targeted (mean 1 over k), else evenly (1); ``mult`` is
      the targeted multiplier when targeted, else 1;
    * reciprocal learning for a mentor: the row ``reciprocal[mentor_row[i]]``;
    * forgetting of the unused share: ``- forget_rate * (1 - u_k) * s``;

    then clipped to [0, 1]. ``e_i`` is a uniform weekly opportunity factor with mean 1 and
    sd ``noise_sd`` from the counter-based stream. Mentors' skills are read from
    ``mentor_skills`` (a start-of-week snapshot), so row order never matters.
    Performance is ``sum_k w_k min(s_k / r_k, 1)``; gap is ``sum_k w_k max(r_k - s_k, 0)``.
    """
    n, n_k = skills.shape
    half_width = noise_sd * np.sqrt(3.0)
    for i in range(n):
        if not active[i]:
            performance_out[i] = 0.0
            gap_out[i] = 0.0
            continue
        u = _counter_uniform(key, week, pid[i], STREAM_LEARNING)
        effort = 1.0 + half_width * (2.0 * u - 1.0)
        if effort < 0.0:
            effort = 0.0
        novice = 1.0 + novice_boost * np.exp(-tenure_weeks[i] / novice_weeks)
        doing = doing_rate * novice * aptitude[i] * effort
        m = mentor[i]
        coupling = 0.0
        gap_total = 0.0
        single = focus_competency[i]
        if m >= 0:
            coupling = mentoring_rate * aptitude[i] * effort * quality[i] * contact_hours[i]
            if targeted:
                coupling *= targeted_multiplier
            if targeted and single < 0:
                for k in range(n_k):
                    g = required[k] - skills[i, k]
                    if g > 0.0:
                        gap_total += weights[k] * g
        mrow = mentor_row[i]
        perf = 0.0
        gap = 0.0
        for k in range(n_k):
            s = skills[i, k]
            new = s + doing * usage[k] * (1.0 - s) - forget_rate * (1.0 - usage[k]) * s
            if m >= 0:
                focus = 1.0
                if single >= 0:
                    focus = n_k * 1.0 if k == single else 0.0
                elif targeted:
                    if gap_total > 0.0:
                        g = required[k] - s
                        focus = n_k * weights[k] * g / gap_total if g > 0.0 else 0.0
                c = coupling * focus
                if c > 1.0:
                    c = 1.0
                d = mentor_skills[mentor_row[m], k] - s
                if d > 0.0:
                    new += c * d
            if mrow >= 0:
                new += reciprocal[mrow, k]
            if new < 0.0:
                new = 0.0
            elif new > 1.0:
                new = 1.0
            skills[i, k] = new
            ratio = new / required[k]
            perf += weights[k] * (ratio if ratio < 1.0 else 1.0)
            if required[k] > new:
                gap += weights[k] * (required[k] - new)
        performance_out[i] = perf
        gap_out[i] = gap


@njit(cache=True)
def _match_gap_targeted(
    skills: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    mentees: np.ndarray,
    mentors: np.ndarray,
    capacity_left: np.ndarray,
    candidates: np.ndarray,
) -> np.ndarray:
    """Greedy gap-targeted matching under mentor capacity.

    Mentees are served in the given order (the caller puts the largest gaps first). For
    each, the candidate mentors ``mentors[candidates[i, :]]`` that still have capacity are
    scored by how much they can teach where it matters: ``sum_k w_k g_ik max(s_mk -
    s_ik, 0)`` with ``g_ik`` the mentee's gap; the best one wins (first on ties). If no
    candidate has capacity, the first mentor with capacity at or after the first
    candidate (cyclically) is taken. ``capacity_left`` is updated in place.

    Returns:
        For each mentee, the slot of its mentor, or -1 when no capacity is left.

    """
    n_e = mentees.shape[0]
    n_m = mentors.shape[0]
    n_k = skills.shape[1]
    out = np.full(n_e, -1, dtype=np.int32)
    remaining = 0
    for j in range(n_m):
        remaining += capacity_left[j]
    for i in range(n_e):
        if remaining <= 0:
            break
        e = mentees[i]
        best = -1
        best_score = -1.0
        for c in range(candidates.shape[1]):
            j = candidates[i, c]
            if capacity_left[j] <= 0:
                continue
            m = mentors[j]
            score = 0.0
            for k in range(n_k):
                g = required[k] - skills[e, k]
                d = skills[m, k] - skills[e, k]
                if g > 0.0 and d > 0.0:
                    score += weights[k] * g * d
            if score > best_score:
                best_score = score
                best = j
        if best < 0:
            start = candidates[i, 0] if candidates.shape[1] > 0 else 0
            for step in range(n_m):
                j = (start + step) % n_m
                if capacity_left[j] > 0:
                    best = j
                    break
        capacity_left[best] -= 1
        remaining -= 1
        out[i] = mentors[best]
    return out


@njit(cache=True)
def _match_by_scores(
    scores: np.ndarray, candidates: np.ndarray, capacity_left: np.ndarray
) -> np.ndarray:
    """Greedy matching on precomputed scores under capacity.

    Mentee i (in the given order) takes the candidate ``candidates[i, c]`` with the
    highest ``scores[i, c]`` among those with capacity left (first on ties); if none has
    any, the first index with capacity at or after ``candidates[i, 0]`` (cyclically).
    ``capacity_left`` is updated in place.

    Returns:
        For each mentee, the index (into the capacity array) it was matched to, or -1.

    """
    n_e = candidates.shape[0]
    n_m = capacity_left.shape[0]
    out = np.full(n_e, -1, dtype=np.int64)
    remaining = 0
    for j in range(n_m):
        remaining += capacity_left[j]
    for i in range(n_e):
        if remaining <= 0:
            break
        best = -1
        best_score = -np.inf
        for c in range(candidates.shape[1]):
            j = candidates[i, c]
            if capacity_left[j] > 0 and scores[i, c] > best_score:
                best_score = scores[i, c]
                best = j
        if best < 0:
            start = candidates[i, 0] if candidates.shape[1] > 0 else 0
            for step in range(n_m):
                j = (start + step) % n_m
                if capacity_left[j] > 0:
                    best = j
                    break
        capacity_left[best] -= 1
        remaining -= 1
        out[i] = best
    return out
