"""Public, validated wrappers around the numba kernels in :mod:`sim.kernels.compiled`.

Each function checks shapes, dtypes and ranges with clear ``ValueError``s (O(1) or one
cheap vectorised check), then calls the kernel. The kernels themselves trust their input.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numba
import numpy as np

from sim.kernels import compiled as kernels


def last_level_cache_bytes(default: int = 32 * 2**20) -> int:
    """Size of the largest CPU cache this machine reports (Linux sysfs), else ``default``."""
    sizes = []
    for entry in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        try:
            text = entry.read_text().strip().upper()
            sizes.append(int(text[:-1]) * {"K": 2**10, "M": 2**20}[text[-1]]
                         if text[-1] in "KM" else int(text))
        except (OSError, ValueError, KeyError, IndexError):
            continue
    return max(sizes) if sizes else default


# A kernel runs on one thread while the data it touches is small: the rest of the week
# runs on the main thread, and waking a second thread and moving cache-resident data to
# it costs more than it saves. Measured whole weeks, one thread against two (OpenMP,
# passive wait): N = 1e4, K = 32: 1.2 against 1.7 ms; N = 3e4, K = 16: 2.5 against 2.6 ms;
# N = 1e5, K = 32: 9.4 against 8.4 ms; N = 1e6, K = 16: 97 against 71 ms. The crossover,
# near 8 MB of touched data, is a quarter of this machine's last-level cache. Tests set it
# to 0 (always parallel) or a huge value (always serial).
PARALLEL_MIN_BYTES = last_level_cache_bytes() // 4
_thread_limit: int | None = None


def threads_for(n_bytes: int) -> int:
    """How many threads a kernel that touches ``n_bytes`` of data should use."""
    limit = numba.config.NUMBA_NUM_THREADS if _thread_limit is None else _thread_limit
    return 1 if n_bytes < PARALLEL_MIN_BYTES else limit


def kernel_for(kernel, n_rows: int, bytes_per_row: int):
    """The parallel ``kernel`` or, where one thread serves the work best, its serial twin.

    Args:
        kernel: A parallel kernel of :mod:`sim.kernels.compiled` (a key of ``kernels.SERIAL``).
        n_rows: Rows the call visits.
        bytes_per_row: Bytes of data it touches per row (its footprint, not its traffic).

    """
    return kernels.SERIAL[kernel] if threads_for(n_rows * bytes_per_row) == 1 else kernel


def set_threads(threads: int | None) -> int:
    """Set how many threads the parallel kernels use in this thread (None: all cores).

    Results do not depend on it (counter-based draws, start-of-week snapshots); sweeps
    running one model per core set it to 1 so workers do not oversubscribe the machine.

    Returns:
        The thread count now in force.

    """
    global _thread_limit
    _thread_limit = threads
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS if threads is None else threads)
    return numba.get_num_threads()


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
        return kernels._novice_curve(float(self.novice_boost), float(self.novice_weeks))

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


def pair_index(mentor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Index the rows in a pair for :func:`kernels._pair_deltas`.

    Args:
        mentor: int32 (N,), each row's mentor slot or -1.

    Returns:
        ``rows`` (ascending slots of every mentee and mentor), ``delta_row`` (N,: the
        position of a slot in ``rows`` or -1), and the mentees of each row in compressed
        form: ``mentee_start`` (len(rows) + 1) and ``mentee_slots``.

    """
    _require(mentor.ndim == 1 and mentor.dtype == np.int32, "mentor must be 1-d int32")
    return kernels._pair_index(mentor)


def _check_learn_week(skills, active, pid, aptitude, tenure_weeks, mentor, pair_kind,
                      quality, contact_hours, focus_competency, usage, required, weights):
    """Shapes, dtypes and ranges of :func:`learn_week`'s arguments (ValueError if wrong)."""
    n, n_k = skills.shape
    _require(skills.dtype == np.float64 and skills.flags.c_contiguous, "skills: C float64")
    _require_vector("active", active, n, np.bool_)
    _require_vector("pid", pid, n, np.int64)
    _require_vector("aptitude", aptitude, n, np.float64)
    _require_vector("tenure_weeks", tenure_weeks, n, np.int32)
    _require_vector("mentor", mentor, n, np.int32)
    _require_vector("pair_kind", pair_kind, n, np.int8)
    _require_vector("quality", quality, n, np.float64)
    _require_vector("contact_hours", contact_hours, n, np.float64)
    _require_vector("focus_competency", focus_competency, n, np.int16)
    for name, vec in (("usage", usage), ("required", required), ("weights", weights)):
        _require_vector(name, vec, n_k, np.float64)
    _require(bool(np.all(required > 0)), "required levels must be > 0")
    _require(bool(np.all((usage >= 0) & (usage <= 1))), "usage must be in [0, 1]")
    _require(n == 0 or int(tenure_weeks.min()) >= 0, "tenure_weeks must be >= 0")


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
    targeted_multiplier: float,
    key: int,
    week: int,
    check: bool = True,
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
        targeted_multiplier: Effect multiplier of targeted mentoring.
        key: 64-bit run key.
        week: Simulation week.
        check: Validate every argument first (a caller whose arrays are known good, like
            the model after its first week, may skip the ~20 us this costs).

    Returns:
        (performance, gap), each float64 (N,): per-employee skill performance and
        strategy-weighted gap after the update (0 for inactive slots).

    """
    n, n_k = skills.shape
    if check:
        _check_learn_week(skills, active, pid, aptitude, tenure_weeks, mentor, pair_kind,
                          quality, contact_hours, focus_competency, usage, required, weights)
    rows, delta_row, mentee_start, mentee_slots = pair_index(mentor)
    delta = kernel_for(kernels._pair_deltas, rows.shape[0], 24 * n_k)(  # own, partner, delta
        skills, pid, aptitude, mentor, pair_kind, quality, contact_hours, focus_competency, rows,
        mentee_start, mentee_slots, required, weights, rates.mentoring, rates.reciprocal,
        bool(targeted), float(targeted_multiplier), rates.noise_sd, np.uint64(key),
        np.int64(week), kernels.PREFETCH_DISTANCE,
    )
    performance = np.empty(n, dtype=np.float64)
    gap = np.empty(n, dtype=np.float64)
    kernel_for(kernels._learn_week, n, 8 * n_k + 48)(
        skills, active, pid, aptitude, tenure_weeks, delta_row, delta, usage, required,
        weights, rates.doing, rates.novice_curve, rates.forgetting,
        rates.noise_sd, np.uint64(key), np.int64(week), performance, gap,
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
    """Greedy gap-targeted matching under mentor capacity.

    Each mentee, in the given order, takes the candidate with free capacity who can
    teach most where its strategy-weighted gaps are (scores from ``kernels._gap_scores``,
    choice by ``kernels._match_by_scores``).

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
    mentees = mentees.astype(np.int64, copy=False)
    mentors = mentors.astype(np.int64, copy=False)
    scores = kernel_for(kernels._gap_scores, mentees.shape[0] * candidates.shape[1],
                        8 * skills.shape[1])(
        skills, required, weights, mentees, mentors[candidates]
    )
    chosen = match_by_scores(scores, candidates, capacity_left)
    return np.where(chosen >= 0, mentors[np.maximum(chosen, 0)], -1).astype(np.int32)


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
