"""Public, validated wrappers around the numba kernels in :mod:`sim.kernels`.

Each function checks shapes, dtypes and ranges with clear ``ValueError``s (O(1) or one
cheap vectorised check), then calls the kernel. The kernels themselves trust their input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import kernels


@dataclass(frozen=True)
class LearningRates:
    """Weekly learning parameters, derived from a scenario's ``[learning]`` section.

    Attributes:
        doing: learning-by-doing rate per week of an experienced employee.
        novice_boost: extra learning-by-doing rate of a newcomer, as a multiple.
        novice_weeks: time constant over which the newcomer's boost fades.
        mentoring: mentoring transfer rate per contact hour.
        reciprocal: mentors' reciprocal learning rate per contact hour.
        forgetting: weekly decay rate of unused skill (ln 2 / half-life in weeks).
        noise_sd: sd of the weekly learning-opportunity factor (mean 1).

    """

    doing: float
    novice_boost: float
    novice_weeks: float
    mentoring: float
    reciprocal: float
    forgetting: float
    noise_sd: float

    @classmethod
    def from_half_life(
        cls,
        doing: float,
        novice_boost: float,
        novice_weeks: float,
        mentoring: float,
        reciprocal: float,
        half_life_weeks: float,
        noise_sd: float,
    ) -> LearningRates:
        """Build rates with the forgetting rate given as a half-life in weeks."""
        if half_life_weeks <= 0 or novice_weeks <= 0:
            raise ValueError("half_life_weeks and novice_weeks must be > 0")
        forgetting = float(np.log(2.0) / half_life_weeks)
        return cls(doing, novice_boost, novice_weeks, mentoring, reciprocal, forgetting, noise_sd)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_vector(name: str, array: np.ndarray, length: int, dtype: type) -> None:
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{name} must be a numpy array")
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {array.shape}")
    if array.dtype != dtype:
        raise ValueError(f"{name} must be {np.dtype(dtype)}, got {array.dtype}")


def counter_uniforms(key: int, week: int, pids: np.ndarray, stream: int) -> np.ndarray:
    """Uniform draws in [0, 1), one per person id, keyed by (key, week, pid, stream).

    Args:
        key: 64-bit run key (drawn once from the model's Generator).
        week: Simulation week.
        pids: int64 person ids.
        stream: Which kind of event the draws are for (``kernels.STREAM_*``).

    Returns:
        float64 array of the same length as ``pids``.

    """
    _require(pids.ndim == 1 and pids.dtype == np.int64, "pids must be a 1-d int64 array")
    return kernels._counter_uniforms(np.uint64(key), np.int64(week), pids, np.int64(stream))


def reciprocal_gains(
    skills: np.ndarray,
    mentor_slots: np.ndarray,
    mentee_start: np.ndarray,
    mentee_slots: np.ndarray,
    aptitude: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    reciprocal_rate: float,
) -> np.ndarray:
    """What each mentor learns from their mentees this week (see the kernel's docstring).

    Returns:
        Array (len(mentor_slots), K) of skill gains.

    """
    n = skills.shape[0]
    _require(skills.ndim == 2 and skills.dtype == np.float64, "skills must be float64 (N, K)")
    _require(mentee_start.shape == (mentor_slots.shape[0] + 1,), "mentee_start must be M + 1")
    _require(int(mentee_start[-1]) == mentee_slots.shape[0], "mentee_start must end at len")
    _require_vector("aptitude", aptitude, n, np.float64)
    _require_vector("quality", quality, n, np.float64)
    _require_vector("contact_hours", contact_hours, n, np.float64)
    _require(reciprocal_rate >= 0, "reciprocal_rate must be >= 0")
    return kernels._reciprocal_gains(
        skills,
        mentor_slots.astype(np.int64, copy=False),
        mentee_start.astype(np.int64, copy=False),
        mentee_slots.astype(np.int64, copy=False),
        aptitude,
        quality,
        contact_hours,
        float(reciprocal_rate),
    )


def learn_week(
    skills: np.ndarray,
    active: np.ndarray,
    pid: np.ndarray,
    aptitude: np.ndarray,
    tenure_weeks: np.ndarray,
    mentor: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    focus_competency: np.ndarray,
    usage: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    rates: LearningRates,
    targeted: bool,
    targeted_multiplier: float,
    key: int,
    week: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Advance every employee's skills by one week, in place.

    Builds the mentor snapshot and the mentors' reciprocal gains from start-of-week
    skills, then runs the learning kernel over the whole skill matrix.

    Args:
        skills: float64 (N, K) in [0, 1], updated in place.
        active: bool (N,), who is employed.
        pid: int64 (N,), person ids (keys of the counter-based draws).
        aptitude: float64 (N,), individual learning rates (> 0).
        tenure_weeks: int32 (N,), weeks since hire.
        mentor: int32 (N,), slot of each employee's mentor or -1.
        quality: float64 (N,), relationship quality of each mentee's pair.
        contact_hours: float64 (N,), each mentee's contact hours with the mentor per week.
        focus_competency: int16 (N,), a single competency a mentee's pair works on, or -1.
        usage: float64 (K,) in [0, 1], how much the work uses each competency.
        required: float64 (K,) in (0, 1], required levels.
        weights: float64 (K,), strategic weights (sum 1).
        rates: Learning rates.
        targeted: Aim mentoring at strategy-weighted gaps.
        targeted_multiplier: Effect multiplier of targeted mentoring.
        key: 64-bit run key.
        week: Simulation week.

    Returns:
        (performance, gap), each float64 (N,): per-employee skill performance and
        strategy-weighted gap after the update (0 for inactive slots).

    """
    n, n_k = skills.shape
    _require(skills.dtype == np.float64 and skills.flags.c_contiguous, "skills: C float64")
    _require_vector("active", active, n, np.bool_)
    _require_vector("pid", pid, n, np.int64)
    _require_vector("aptitude", aptitude, n, np.float64)
    _require_vector("tenure_weeks", tenure_weeks, n, np.int32)
    _require_vector("mentor", mentor, n, np.int32)
    _require_vector("quality", quality, n, np.float64)
    _require_vector("contact_hours", contact_hours, n, np.float64)
    _require_vector("focus_competency", focus_competency, n, np.int16)
    for name, vec in (("usage", usage), ("required", required), ("weights", weights)):
        _require_vector(name, vec, n_k, np.float64)
    _require(bool(np.all(required > 0)), "required levels must be > 0")
    _require(bool(np.all((usage >= 0) & (usage <= 1))), "usage must be in [0, 1]")

    mentees = np.flatnonzero(mentor >= 0)
    mentor_of_mentee = mentor[mentees].astype(np.int64)
    order = np.argsort(mentor_of_mentee, kind="stable")
    mentor_slots, counts = np.unique(mentor_of_mentee, return_counts=True)
    mentee_start = np.zeros(mentor_slots.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=mentee_start[1:])
    mentee_sorted = mentees[order].astype(np.int64)
    mentor_row = np.full(n, -1, dtype=np.int64)
    mentor_row[mentor_slots] = np.arange(mentor_slots.shape[0])
    mentor_skills = skills[mentor_slots]
    gains = reciprocal_gains(
        skills, mentor_slots, mentee_start, mentee_sorted, aptitude, quality,
        contact_hours, rates.reciprocal,
    )
    performance = np.empty(n, dtype=np.float64)
    gap = np.empty(n, dtype=np.float64)
    kernels._learn_week(
        skills, active, pid, aptitude, tenure_weeks, mentor, quality, contact_hours,
        focus_competency, mentor_row, mentor_skills, gains, usage, required, weights,
        rates.doing, rates.novice_boost, rates.novice_weeks, rates.mentoring, rates.forgetting,
        bool(targeted), float(targeted_multiplier), rates.noise_sd,
        np.uint64(key), np.int64(week), performance, gap,
    )
    return performance, gap


def match_gap_targeted(
    skills: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    mentees: np.ndarray,
    mentors: np.ndarray,
    capacity_left: np.ndarray,
    candidates: np.ndarray,
) -> np.ndarray:
    """Greedy gap-targeted matching (see the kernel's docstring).

    Args:
        skills: float64 (N, K).
        required: float64 (K,).
        weights: float64 (K,).
        mentees: int64 slots of mentees, largest gaps first.
        mentors: int64 slots of available mentors.
        capacity_left: int64 (len(mentors),), free places per mentor; updated in place.
        candidates: int64 (len(mentees), C) indices into ``mentors``.

    Returns:
        int32 mentor slot per mentee, -1 where no capacity was left.

    """
    _require(capacity_left.shape == mentors.shape, "capacity_left must match mentors")
    _require(candidates.ndim == 2 and candidates.shape[0] == mentees.shape[0],
             "candidates must be (len(mentees), C)")
    if mentors.shape[0] == 0 or mentees.shape[0] == 0:
        return np.full(mentees.shape[0], -1, dtype=np.int32)
    _require(bool(np.all((candidates >= 0) & (candidates < mentors.shape[0]))),
             "candidates must index into mentors")
    return kernels._match_gap_targeted(
        skills, required, weights, mentees.astype(np.int64, copy=False),
        mentors.astype(np.int64, copy=False), capacity_left, candidates.astype(np.int64),
    )


def match_by_scores(
    scores: np.ndarray, candidates: np.ndarray, capacity_left: np.ndarray
) -> np.ndarray:
    """Greedy matching on precomputed candidate scores (see the kernel's docstring).

    Args:
        scores: float64 (n_mentees, C), how much mentee i prefers candidate c.
        candidates: int64 (n_mentees, C), indices into ``capacity_left``.
        capacity_left: int64 (n_mentors,), free places; updated in place.

    Returns:
        int64 index of the chosen mentor per mentee, -1 where no capacity was left.

    """
    _require(scores.shape == candidates.shape, "scores and candidates must have one shape")
    _require(candidates.ndim == 2, "candidates must be 2-d")
    if capacity_left.shape[0] == 0 or candidates.shape[0] == 0:
        return np.full(candidates.shape[0], -1, dtype=np.int64)
    _require(bool(np.all((candidates >= 0) & (candidates < capacity_left.shape[0]))),
             "candidates must index into capacity_left")
    return kernels._match_by_scores(
        np.ascontiguousarray(scores, dtype=np.float64),
        np.ascontiguousarray(candidates, dtype=np.int64),
        capacity_left,
    )
