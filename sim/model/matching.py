"""Matching policies: who can mentor, and which mentor each mentee gets.

Every policy draws a fixed number of random candidate mentors per mentee and picks the
best one with free capacity by the policy's score, in a numba kernel (so a policy costs
O(mentees x candidates x K), never mentees x mentors):

- ``random``: shuffled free places, no scoring.
- ``gap_targeted``: who can teach most where the mentee's strategy-weighted gaps are.
- ``similarity``: assigned by deep-level similarity (better relationships).
- ``mentee_choice``: the mentee chooses, liking both similarity and what they can learn;
  input into matching raises quality (Kendall & Smith-Jentsch 2015).
- ``peer``: near-peers (some tenure, below senior) by gap-targeted score.
- ``reverse``: juniors strong in one new competency teach seniors short in it.
- informal self-selection (:func:`choose_informal`, used by :mod:`sim.model.informal`):
  the would-be mentee asks seniors they know (with ``homophily``, only their own group's),
  a senior of another group may turn them down (``mentor_homophily``), and they pick the
  willing one who looks best to them: similarity and the part of the pair's fit they see.
"""

from __future__ import annotations

import numpy as np

from sim.config import ProgrammeDesign
from sim.kernels import match_by_scores, match_gap_targeted
from sim.model.relationships import similarity
from sim.model.workforce import Workforce

CHUNK = 8192  # mentees scored at once (bounds the n x C x K scratch memory)


def senior_pool(workforce: Workforce, min_tenure: int, min_performance: float) -> np.ndarray:
    """Active employees, not mentees themselves, with the tenure and performance to mentor."""
    wf = workforce
    return np.flatnonzero(
        wf.active & (wf.mentor < 0) & (wf.tenure_weeks >= min_tenure)
        & (wf.performance >= min_performance)
    )


def mentor_pool(
    workforce: Workforce, design: ProgrammeDesign, threshold: float, reverse_k: int = -1
) -> np.ndarray:
    """Slots that may mentor under ``design`` (capacity not yet checked)."""
    wf = workforce
    if design.matching == "peer":
        return np.flatnonzero(
            wf.active & (wf.mentor < 0) & (wf.tenure_weeks >= design.peer_min_tenure_weeks)
            & (wf.tenure_weeks < design.mentor_min_tenure_weeks) & (wf.performance >= threshold)
        )
    if design.matching == "reverse":
        strong = wf.skills[:, reverse_k] >= np.quantile(
            wf.skills[wf.active, reverse_k], 0.8
        ) if wf.n_active else np.zeros(wf.size, dtype=bool)
        return np.flatnonzero(
            wf.active & (wf.mentor < 0) & (wf.tenure_weeks < design.mentor_min_tenure_weeks)
            & strong
        )
    return senior_pool(wf, design.mentor_min_tenure_weeks, design.mentor_min_performance)


def _not_among(slots: np.ndarray, others: np.ndarray, size: int) -> np.ndarray:
    """Which of ``slots`` are not in ``others`` (``~np.isin``, by a mask over the slots)."""
    among = np.zeros(size, dtype=np.bool_)
    among[others] = True
    return ~among[slots]


def free_capacity(
    workforce: Workforce, pool: np.ndarray, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Members of ``pool`` with free places under the load cap, and how many each has."""
    free = cap - workforce.load[pool].astype(np.int64)
    keep = free > 0
    return pool[keep], free[keep]


def _teaching_scores(
    workforce: Workforce, mentees: np.ndarray, mentor_slots: np.ndarray,
    required: np.ndarray, weights: np.ndarray,
) -> np.ndarray:
    """sum_k w_k g_ek max(s_mk - s_ek, 0) for each (mentee, candidate) pair, chunked."""
    out = np.empty(mentor_slots.shape, dtype=np.float64)
    for start in range(0, mentees.shape[0], CHUNK):
        rows = slice(start, start + CHUNK)
        s_e = workforce.skills[mentees[rows]][:, None, :]
        s_m = workforce.skills[mentor_slots[rows]]
        gap = np.maximum(required - s_e, 0.0)
        out[rows] = (weights * gap * np.maximum(s_m - s_e, 0.0)).sum(axis=2)
    return out


def assign(
    policy: str,
    workforce: Workforce,
    mentees: np.ndarray,
    mentors: np.ndarray,
    capacity: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
    candidates_per_mentee: int,
    homophily: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Match ``mentees`` (in priority order) to ``mentors`` with free ``capacity``.

    Args:
        policy: A matching policy name (see the module docstring).
        workforce: The arrays.
        mentees: Slots to match, highest priority first.
        mentors: Slots with free capacity (any of this round's mentees among them are left
            out).
        capacity: Their free places (int64).
        required: Required levels (K,) (for reverse mentoring, already one-hot weighted).
        weights: Strategic weights (K,).
        rng: The caller's Generator (candidate draws, shuffles).
        candidates_per_mentee: How many random candidates each mentee considers.
        homophily: Unused (informal ties: :func:`choose_informal`).

    Returns:
        The matched mentees and their mentors (equal-length slot arrays).

    """
    # nobody is matched to themselves: this round's mentees are not its mentors
    not_mentee = _not_among(mentors, mentees, workforce.size)
    mentors, capacity = mentors[not_mentee], capacity[not_mentee]
    if mentees.shape[0] == 0 or mentors.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    if policy == "random":
        places = rng.permutation(np.repeat(mentors, capacity))
        n = min(places.shape[0], mentees.shape[0])
        return mentees[:n], places[:n]
    candidates = rng.integers(0, mentors.shape[0], size=(mentees.shape[0], candidates_per_mentee))
    if policy in ("gap_targeted", "peer", "reverse"):
        chosen = match_gap_targeted(
            workforce.skills, required, weights, mentees, mentors, capacity, candidates
        )
        keep = chosen >= 0
        return mentees[keep], chosen[keep].astype(np.int64)
    slots = mentors[candidates]
    sim = similarity(workforce, mentees[:, None], slots)
    if policy == "similarity":
        scores = sim
    elif policy == "mentee_choice":
        teach = _teaching_scores(workforce, mentees, slots, required, weights)
        scale = teach.max() if teach.size and teach.max() > 0 else 1.0
        scores = 0.5 * sim + 0.5 * teach / scale
    else:
        raise ValueError(f"unknown matching policy {policy!r}")
    chosen = match_by_scores(scores, candidates, capacity)
    keep = chosen >= 0
    return mentees[keep], mentors[chosen[keep]]


def choose_informal(
    workforce: Workforce,
    mentees: np.ndarray,
    mentors: np.ndarray,
    capacity: np.ndarray,
    rng: np.random.Generator,
    candidates_per_mentee: int,
    homophily: float,
    mentor_homophily: float,
    similarity_effect: float,
    seen_fit_sd: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Informal ties: each would-be mentee asks among a few seniors they know.

    Each mentee knows ``candidates_per_mentee`` random seniors with a free place (drawn
    from all of them: contact across the organisation). With chance ``homophily`` the
    mentee approaches only those of their own group (Thomas 1990; Ibarra 1992); a senior
    of another group turns a request down with chance ``mentor_homophily`` (mentors
    choose protégés like themselves). Among those approached, willing and with a place
    left, the mentee takes the one whose pair looks best in quality units:
    ``similarity_effect x similarity + seen_fit_sd x z``, ``z`` the standardised visible
    fit of that pair (a standard normal per candidate). A mentee with nobody left forms
    no tie this week. So a group's access follows from its share of the seniors with free
    places (a homophilous member of a group with share ``p`` of them knows none of its
    own with chance ``(1 - p)^C``), their places and the preferences on both sides; no
    parameter sets it.

    Args:
        workforce: The arrays.
        mentees: Slots seeking a mentor, in the order they are served.
        mentors: Seniors with free places.
        capacity: Free places of each of ``mentors`` (int64).
        rng: The caller's Generator.
        candidates_per_mentee: Seniors each mentee looks at.
        homophily: Chance a mentee looks only at their own group.
        mentor_homophily: Chance a senior turns down a mentee of another group.
        similarity_effect: Quality per unit of similarity (as in the quality model).
        seen_fit_sd: sd of the visible part of fit, in quality units.

    Returns:
        (matched mentees, their mentors, the chosen pairs' standardised visible fit).

    """
    not_mentee = _not_among(mentors, mentees, workforce.size)
    mentors, capacity = mentors[not_mentee], capacity[not_mentee]
    if mentees.shape[0] == 0 or mentors.shape[0] == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    n, c = mentees.shape[0], candidates_per_mentee
    candidates = rng.integers(0, mentors.shape[0], size=(n, c))
    slots = mentors[candidates]
    seen = rng.standard_normal(candidates.shape)
    scores = similarity_effect * similarity(workforce, mentees[:, None], slots)
    scores += seen_fit_sd * seen
    cross = workforce.group[slots] != workforce.group[mentees][:, None]
    own_group_only = rng.random(n) < homophily
    declined = cross & (rng.random(candidates.shape) < mentor_homophily)
    scores[declined | (cross & own_group_only[:, None])] = -np.inf
    chosen = match_by_scores(scores, candidates, capacity, strict=True)
    keep = np.flatnonzero(chosen >= 0)
    # the column of each mentee's chosen candidate: a mentor drawn twice among one
    # mentee's candidates is judged by the better-looking of the two draws
    is_chosen = candidates[keep] == chosen[keep][:, None]
    column = np.argmax(np.where(is_chosen, scores[keep], -np.inf), axis=1)
    return mentees[keep], mentors[chosen[keep]], seen[keep, column]
