"""Learning: the weekly skill update, mentoring deltas along pair links, the novice curve.

Kernels (private, arrays and scalars only) and beside them their validated public
wrappers: :func:`learn_week` (one week of learning for everyone), :func:`pair_index` and
:class:`LearningRates`. Slow references: ``tests/naive.py::learn_week``, ``pair_index``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit, prange

from sim.kernels.checks import require, require_vector
from sim.kernels.random import STREAM_LEARNING, _counter_uniform
from sim.kernels.threads import kernel_for, with_serial_twin


@njit(cache=True, inline="always")
def _effort(key: np.uint64, week: np.int64, pid: np.int64, half_width: float) -> float:
    """A person's learning-opportunity factor for the week: uniform, mean 1, >= 0."""
    u = _counter_uniform(key, week, pid, STREAM_LEARNING)
    return max(1.0 + half_width * (2.0 * u - 1.0), 0.0)


@njit(cache=True, inline="always")
def _clip01(x: float) -> float:
    """``x`` clipped to [0, 1], written as selects so the loops around it vectorise."""
    x = x if x > 0.0 else 0.0
    return x if x < 1.0 else 1.0


@njit(cache=True, fastmath={"reassoc"})
def _performance_and_gap(row, required, inv_required, weights):
    """``sum_k w_k min(s_k / r_k, 1)`` and ``sum_k w_k max(r_k - s_k, 0)`` of one row.

    The only code compiled with a fast-math flag, and only ``reassoc``: it lets LLVM sum
    in vector lanes (2.5x faster at K = 32, see benchmarks/README.md) and changes nothing
    but the order of the additions; every term is computed exactly as written.
    """
    p = 0.0
    g = 0.0
    for k in range(row.shape[0]):
        x = row[k] * inv_required[k]
        p += weights[k] * (x if x < 1.0 else 1.0)
        y = required[k] - row[k]
        g += weights[k] * (y if y > 0.0 else 0.0)
    return p, g


@with_serial_twin()
def _pair_deltas(
    skills, pid, aptitude, mentor, pair_kind, quality, contact_hours, focus_competency, rows,
    mentee_start, mentee_slots, required, weights, mentoring_rate, reciprocal_rate,
    targeted, noise_sd, key, week,
):
    """Skill change from mentoring for every row in a pair, from start-of-week skills.

    ``rows`` are the slots in a pair (mentees and mentors, ascending); row d's mentees are
    ``mentee_slots[mentee_start[d]:mentee_start[d + 1]]``. Returns ``delta`` (len(rows), K):

    * a mentee i of mentor m with quality q and contact hours h gains
      ``min(1, mentoring_rate * a_i * e_i * q * h * f_ik) * max(s_mk - s_ik, 0)``,
      where ``f_ik`` aims the contact time: all of it (K) on ``focus_competency[i]`` when
      that is >= 0 (e.g. reverse mentoring on one new competency), else on the
      strategy-weighted gaps when targeted (``K w_k g_ik / sum_j w_j g_ij``, mean 1 over
      k), else evenly (1): targeting moves the same hours to where the gaps are, so its
      advantage grows with how uneven they are; ``e_i`` is the weekly opportunity.
      Only formal pairs (``pair_kind == 1``) of a targeted programme are targeted:
      informal mentoring is non-specific;
    * a mentor m gains ``reciprocal_rate * a_m * q_e * h_e * max(s_ek - s_mk, 0)`` summed
      over its mentees e (reciprocal and reverse mentoring).
    """
    n_k = skills.shape[1]
    half_width = noise_sd * np.sqrt(3.0)
    inv_required = 1.0 / required
    delta = np.empty((rows.shape[0], n_k), dtype=np.float64)  # zeroed row by row below
    for d in prange(rows.shape[0]):
        i = rows[d]
        m = mentor[i]
        own = skills[i]
        out = delta[d]
        for k in range(n_k):  # in the thread that fills the row, while it is in cache
            out[k] = 0.0
        if m >= 0:
            theirs = skills[m]
            effort = _effort(key, week, pid[i], half_width)
            coupling = mentoring_rate * aptitude[i] * effort * quality[i] * contact_hours[i]
            single = focus_competency[i]
            aimed = targeted and pair_kind[i] == 1
            gap_total = 0.0
            if aimed and single < 0:
                gap_total = _performance_and_gap(own, required, inv_required, weights)[1]
            # one branch-free loop per way of aiming the contact time (rows, not skills,
            # take the branch): the skill loops compile to vector selects
            if single >= 0:
                diff = theirs[single] - own[single]
                out[single] += min(coupling * n_k, 1.0) * (diff if diff > 0.0 else 0.0)
            elif aimed and gap_total > 0.0:
                for k in range(n_k):
                    g = required[k] - own[k]
                    focus = n_k * weights[k] * (g if g > 0.0 else 0.0) / gap_total
                    c = coupling * focus
                    diff = theirs[k] - own[k]
                    out[k] += (c if c < 1.0 else 1.0) * (diff if diff > 0.0 else 0.0)
            else:
                c = min(coupling, 1.0)
                for k in range(n_k):
                    diff = theirs[k] - own[k]
                    out[k] += c * (diff if diff > 0.0 else 0.0)
        for p in range(mentee_start[d], mentee_start[d + 1]):
            e = mentee_slots[p]
            theirs = skills[e]
            c = reciprocal_rate * aptitude[i] * quality[e] * contact_hours[e]
            for k in range(n_k):
                diff = theirs[k] - own[k]
                out[k] += c * (diff if diff > 0.0 else 0.0)
    return delta


@njit(cache=True)
def _novice_curve(novice_boost, novice_weeks):
    """``1 + novice_boost * exp(-t / novice_weeks)`` for weeks of tenure t < 40 x novice_weeks.

    Past 40 time constants the boost is below 1e-17 and 1 + boost rounds to 1, so the
    curve ends there (empty when there is no boost).
    """
    if novice_boost <= 0.0:
        return np.ones(0, dtype=np.float64)
    length = int(np.ceil(40.0 * novice_weeks))
    curve = np.empty(length, dtype=np.float64)
    for t in range(length):
        curve[t] = 1.0 + novice_boost * np.exp(-t / novice_weeks)
    return curve


@with_serial_twin()
def _learn_week(
    skills, active, pid, aptitude, tenure_weeks, contact_hours, delta_row, delta, usage,
    required, weights, doing_rate, inv_hours_per_week, novice_curve, forget_rate, noise_sd,
    key, week, performance_out, gap_out,
):
    """One week of learning for every employee, in place, and their performance and gap.

    Per active employee i and competency k, with s the start-of-week skill:
    ``s + doing_rate * n_i * a_i * e_i * u_k * (1 - s) - forget_rate * (1 - u_k) * s``
    plus, for rows in a pair, ``delta[delta_row[i], k]`` (mentoring, from
    :func:`_pair_deltas`), clipped to [0, 1]. Learning by doing has diminishing returns
    near mastery; ``n_i = novice_curve[tenure_i]`` (1 past its end) is a newcomer's
    learning curve, ``1 + novice_boost * exp(-t / novice_weeks)`` by week of tenure t
    (:func:`_novice_curve`: a table, not an exp per person per week); ``e_i`` is the
    weekly opportunity factor (counter-based, mean 1, sd ``noise_sd``); forgetting acts
    on the unused share ``1 - u_k``. A mentee's hours in meetings are hours not spent
    doing the work: their doing rate is scaled by ``1 - h_i / hours_per_week`` (``h_i``
    their weekly contact hours, 0 outside a pair), so a pair that teaches little costs
    more than it gives.

    Performance is ``sum_k w_k min(s_k / r_k, 1)`` and gap ``sum_k w_k max(r_k - s_k, 0)``
    (:func:`_performance_and_gap`, summed in the compiler's vector lanes). Each row is
    updated by one thread with the same code, so the serial twin and any number of threads
    give identical numbers. Rows are spread over numba's threads (``prange``).
    """
    n_k = skills.shape[1]
    forget_k = forget_rate * (1.0 - usage)
    inv_required = 1.0 / required
    half_width = noise_sd * np.sqrt(3.0)
    for i in prange(skills.shape[0]):
        if not active[i]:
            performance_out[i] = 0.0
            gap_out[i] = 0.0
            continue
        tenure = tenure_weeks[i]
        novice = novice_curve[tenure] if tenure < novice_curve.shape[0] else 1.0
        doing = doing_rate * novice * aptitude[i] * _effort(key, week, pid[i], half_width)
        busy = contact_hours[i] * inv_hours_per_week
        doing *= 1.0 - (busy if busy < 1.0 else 1.0)
        row = skills[i]
        dr = delta_row[i]
        if dr < 0:
            for k in range(n_k):
                s = row[k]
                row[k] = _clip01(s + doing * usage[k] * (1.0 - s) - forget_k[k] * s)
        else:
            for k in range(n_k):
                s = row[k]
                row[k] = _clip01(s + doing * usage[k] * (1.0 - s) - forget_k[k] * s
                                 + delta[dr, k])
        performance_out[i], gap_out[i] = _performance_and_gap(row, required, inv_required,
                                                              weights)


@njit(cache=True)
def _pair_index(mentor):
    """Index the rows in a pair: (rows, delta_row, mentee_start, mentee_slots).

    ``rows``: ascending slots of every mentee and mentor; ``delta_row[i]``: position of
    slot i in ``rows`` or -1; the mentees of ``rows[d]`` are
    ``mentee_slots[mentee_start[d]:mentee_start[d + 1]]``, ascending (a counting sort).
    """
    n = mentor.shape[0]
    n_mentees = 0
    for i in range(n):
        if mentor[i] >= 0:
            n_mentees += 1
    # one pass over the slots marks who is in a pair and lists the mentees; the counting
    # sort then runs over the mentees only
    in_pair = np.zeros(n, dtype=np.bool_)
    mentees = np.empty(n_mentees, dtype=np.int64)
    j = 0
    for i in range(n):
        m = mentor[i]
        if m >= 0:
            in_pair[i] = True
            in_pair[m] = True
            mentees[j] = i
            j += 1
    delta_row = np.empty(n, dtype=np.int64)
    n_rows = 0
    for i in range(n):
        if in_pair[i]:
            delta_row[i] = n_rows
            n_rows += 1
        else:
            delta_row[i] = -1
    rows = np.empty(n_rows, dtype=np.int64)
    for i in range(n):
        if in_pair[i]:
            rows[delta_row[i]] = i
    counts = np.zeros(n_rows + 1, dtype=np.int64)
    for e in mentees:
        counts[delta_row[mentor[e]] + 1] += 1
    for d in range(n_rows):
        counts[d + 1] += counts[d]
    mentee_start = counts.copy()
    mentee_slots = np.empty(n_mentees, dtype=np.int64)
    for e in mentees:
        d = delta_row[mentor[e]]
        mentee_slots[counts[d]] = e
        counts[d] += 1
    return rows, delta_row, mentee_start, mentee_slots


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

    @cached_property
    def novice_curve(self) -> np.ndarray:
        """The newcomer's learning-by-doing multiple by week of tenure (see the kernel)."""
        return _novice_curve(float(self.novice_boost), float(self.novice_weeks))

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


def pair_index(mentor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Index the rows in a pair for :func:`_pair_deltas`.

    Args:
        mentor: int32 (N,), each row's mentor slot or -1.

    Returns:
        ``rows`` (ascending slots of every mentee and mentor), ``delta_row`` (N,: the
        position of a slot in ``rows`` or -1), and the mentees of each row in compressed
        form: ``mentee_start`` (len(rows) + 1) and ``mentee_slots``.

    """
    require(mentor.ndim == 1 and mentor.dtype == np.int32, "mentor must be 1-d int32")
    return _pair_index(mentor)


def _check_learn_week(skills, active, pid, aptitude, tenure_weeks, mentor, pair_kind,
                      quality, contact_hours, focus_competency, usage, required, weights):
    """Shapes, dtypes and ranges of :func:`learn_week`'s arguments (ValueError if wrong)."""
    n, n_k = skills.shape
    require(skills.dtype == np.float64 and skills.flags.c_contiguous, "skills: C float64")
    require_vector("active", active, n, np.bool_)
    require_vector("pid", pid, n, np.int64)
    require_vector("aptitude", aptitude, n, np.float64)
    require_vector("tenure_weeks", tenure_weeks, n, np.int32)
    require_vector("mentor", mentor, n, np.int32)
    require_vector("pair_kind", pair_kind, n, np.int8)
    require_vector("quality", quality, n, np.float64)
    require_vector("contact_hours", contact_hours, n, np.float64)
    require_vector("focus_competency", focus_competency, n, np.int16)
    for name, vec in (("usage", usage), ("required", required), ("weights", weights)):
        require_vector(name, vec, n_k, np.float64)
    require(bool(np.all(required > 0)), "required levels must be > 0")
    require(bool(np.all((usage >= 0) & (usage <= 1))), "usage must be in [0, 1]")
    require(n == 0 or int(tenure_weeks.min()) >= 0, "tenure_weeks must be >= 0")


def learn_week(
    skills: np.ndarray,
    active: np.ndarray,
    pid: np.ndarray,
    aptitude: np.ndarray,
    tenure_weeks: np.ndarray,
    mentor: np.ndarray,
    pair_kind: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    focus_competency: np.ndarray,
    usage: np.ndarray,
    required: np.ndarray,
    weights: np.ndarray,
    rates: LearningRates,
    targeted: bool,
    hours_per_week: float,
    key: int,
    week: int,
    check: bool = True,
    busy_hours: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Advance every employee's skills by one week, in place.

    First the mentoring deltas of every row in a pair (from start-of-week skills), then
    one pass of the learning kernel over the whole skill matrix.

    Args:
        skills: float64 (N, K) in [0, 1], updated in place.
        active: bool (N,), who is employed.
        pid: int64 (N,), person ids (keys of the counter-based draws).
        aptitude: float64 (N,), individual learning rates (> 0).
        tenure_weeks: int32 (N,), weeks since hire.
        mentor: int32 (N,), slot of each employee's mentor or -1.
        pair_kind: int8 (N,), 1 for a formal pair (targeted if ``targeted``), 2 informal.
        quality: float64 (N,), relationship quality of each mentee's pair.
        contact_hours: float64 (N,), each mentee's contact hours with the mentor per week.
        focus_competency: int16 (N,), a single competency a mentee's pair works on, or -1.
        usage: float64 (K,) in [0, 1], how much the work uses each competency.
        required: float64 (K,) in (0, 1], required levels.
        weights: float64 (K,), strategic weights (sum 1).
        rates: Learning rates.
        targeted: Aim formal pairs' mentoring at strategy-weighted gaps.
        hours_per_week: Working hours a week (meeting hours are taken from doing).
        key: 64-bit run key.
        week: Simulation week.
        check: Validate every argument first (a caller whose arrays are known good, like
            the model after its first week, may skip the ~20 us this costs).
        busy_hours: float64 (N,), hours a week each employee spends away from the work
            itself (own meetings as a mentee, mentoring, service), taken from learning by
            doing; None = each mentee's ``contact_hours``.

    Returns:
        (performance, gap), each float64 (N,): per-employee skill performance and
        strategy-weighted gap after the update (0 for inactive slots).

    """
    n, n_k = skills.shape
    if check:
        _check_learn_week(skills, active, pid, aptitude, tenure_weeks, mentor, pair_kind,
                          quality, contact_hours, focus_competency, usage, required, weights)
        require(hours_per_week > 0, "hours_per_week must be > 0")
        if busy_hours is not None:
            require_vector("busy_hours", busy_hours, n, np.float64)
    if busy_hours is None:
        busy_hours = contact_hours
    rows, delta_row, mentee_start, mentee_slots = pair_index(mentor)
    delta = kernel_for(_pair_deltas, rows.shape[0], 24 * n_k)(  # own, partner, delta
        skills, pid, aptitude, mentor, pair_kind, quality, contact_hours, focus_competency, rows,
        mentee_start, mentee_slots, required, weights, rates.mentoring, rates.reciprocal,
        bool(targeted), rates.noise_sd, np.uint64(key), np.int64(week),
    )
    performance = np.empty(n, dtype=np.float64)
    gap = np.empty(n, dtype=np.float64)
    kernel_for(_learn_week, n, 8 * n_k + 48)(
        skills, active, pid, aptitude, tenure_weeks, busy_hours, delta_row, delta, usage,
        required, weights, rates.doing, 1.0 / float(hours_per_week), rates.novice_curve,
        rates.forgetting, rates.noise_sd, np.uint64(key), np.int64(week), performance, gap,
    )
    return performance, gap
