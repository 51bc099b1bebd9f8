"""Matching kernels: gap scores of candidate mentors and greedy matching under capacity.

Kernels (private) and their validated public wrappers :func:`match_gap_targeted` and
:func:`match_by_scores`. Slow references: ``tests/naive.py::gap_scores``,
``match_by_scores``, ``match_gap_targeted``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from sim.kernels.checks import require
from sim.kernels.threads import kernel_for, with_serial_twin


@with_serial_twin()
def _gap_scores(skills, required, weights, mentees, candidate_slots):
    """How much each candidate mentor can teach each mentee where it matters.

    ``score[i, c] = sum_k w_k g_ik max(s_mk - s_ik, 0)`` for mentee ``mentees[i]`` and
    candidate ``m = candidate_slots[i, c]``, with ``g_ik = max(r_k - s_ik, 0)`` the
    mentee's gap. Feeds :func:`_match_by_scores` (gap-targeted, peer, reverse matching).
    """
    n_e, n_c = candidate_slots.shape
    n_k = skills.shape[1]
    scores = np.zeros((n_e, n_c), dtype=np.float64)
    for i in prange(n_e):
        own = skills[mentees[i]]
        for c in range(n_c):
            theirs = skills[candidate_slots[i, c]]
            score = 0.0
            for k in range(n_k):
                # selects, not branches: a term that does not count adds exactly 0.0
                g = required[k] - own[k]
                d = theirs[k] - own[k]
                score += weights[k] * (g if g > 0.0 else 0.0) * (d if d > 0.0 else 0.0)
            scores[i, c] = score
    return scores


@njit(cache=True)
def _match_by_scores(
    scores: np.ndarray, candidates: np.ndarray, capacity_left: np.ndarray, strict: bool
) -> np.ndarray:
    """Greedy matching on precomputed scores under capacity.

    Mentee i (in the given order) takes the candidate ``candidates[i, c]`` with the
    highest ``scores[i, c]`` among those with capacity left (first on ties); if none has
    any, the first index with capacity at or after ``candidates[i, 0]`` (cyclically) —
    unless ``strict``, when the mentee stays unmatched and a candidate scored ``-inf``
    (one who turned the mentee down) is never taken. ``capacity_left`` is updated in
    place.

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
        if best < 0 and strict:
            continue
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



def match_gap_targeted(
    skills: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    mentees: np.ndarray,
    mentors: np.ndarray,
    capacity_left: np.ndarray,
    candidates: np.ndarray,
) -> np.ndarray:
    """Greedy gap-targeted matching under mentor capacity.

    Each mentee, in the given order, takes the candidate with free capacity who can
    teach most where its strategy-weighted gaps are (scores from ``_gap_scores``,
    choice by ``_match_by_scores``).

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
    require(capacity_left.shape == mentors.shape, "capacity_left must match mentors")
    require(candidates.ndim == 2 and candidates.shape[0] == mentees.shape[0],
             "candidates must be (len(mentees), C)")
    if mentors.shape[0] == 0 or mentees.shape[0] == 0:
        return np.full(mentees.shape[0], -1, dtype=np.int32)
    require(bool(np.all((candidates >= 0) & (candidates < mentors.shape[0]))),
             "candidates must index into mentors")
    mentees = mentees.astype(np.int64, copy=False)
    mentors = mentors.astype(np.int64, copy=False)
    scores = kernel_for(_gap_scores, mentees.shape[0] * candidates.shape[1],
                        8 * skills.shape[1])(
        skills, required, weights, mentees, mentors[candidates]
    )
    chosen = match_by_scores(scores, candidates, capacity_left)
    return np.where(chosen >= 0, mentors[np.maximum(chosen, 0)], -1).astype(np.int32)


def match_by_scores(
    scores: np.ndarray, candidates: np.ndarray, capacity_left: np.ndarray,
    strict: bool = False,
) -> np.ndarray:
    """Greedy matching on precomputed candidate scores (see the kernel's docstring).

    Args:
        scores: float64 (n_mentees, C), how much mentee i prefers candidate c.
        candidates: int64 (n_mentees, C), indices into ``capacity_left``.
        capacity_left: int64 (n_mentors,), free places; updated in place.
        strict: Only candidates count: a mentee none of whose candidates has a free
            place (or whose candidates all score ``-inf``) stays unmatched.

    Returns:
        int64 index of the chosen mentor per mentee, -1 where none was taken.

    """
    require(scores.shape == candidates.shape, "scores and candidates must have one shape")
    require(candidates.ndim == 2, "candidates must be 2-d")
    if capacity_left.shape[0] == 0 or candidates.shape[0] == 0:
        return np.full(candidates.shape[0], -1, dtype=np.int64)
    require(bool(np.all((candidates >= 0) & (candidates < capacity_left.shape[0]))),
             "candidates must index into capacity_left")
    return _match_by_scores(
        np.ascontiguousarray(scores, dtype=np.float64),
        np.ascontiguousarray(candidates, dtype=np.int64),
        capacity_left, bool(strict),
    )
