"""Who is looking for a mentor and who has a place: one pass over the slots each.

At a million employees the informal phase spent ~15 ms a week in a dozen numpy passes
(masks, ``flatnonzero``, gathers) to find this week's seekers and the seniors with free
places; each kernel here is one counting pass and one filling pass, with the same result.

Also each slot's service hours (:func:`service_hours`: its group's demand shared by
the group's seniors). Kernels (private, arrays and scalars only) and their validated
public wrappers :func:`informal_seekers`, :func:`free_seniors` and :func:`service_hours`.
Slow references: ``tests/naive.py::informal_seekers``, ``free_seniors``,
``service_hours``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels.checks import require_vectors
from sim.kernels.random import STREAM_INFORMAL, _counter_uniform


@njit(cache=True)
def _informal_seekers(active, mentor, load, pid, key, week, weekly_rate):
    n = active.shape[0]
    seeks = np.zeros(n, dtype=np.bool_)
    count = 0
    for i in range(n):
        if active[i] and mentor[i] < 0 and load[i] == 0:
            if _counter_uniform(key, week, pid[i], STREAM_INFORMAL) < weekly_rate:
                seeks[i] = True
                count += 1
    out = np.empty(count, dtype=np.int64)
    j = 0
    for i in range(n):
        if seeks[i]:
            out[j] = i
            j += 1
    return out


@njit(cache=True)
def _free_seniors(active, mentor, tenure_weeks, performance, load, willingness, min_tenure,
                  min_performance, willing_share, cap):
    n = active.shape[0]
    count = 0
    for i in range(n):
        if (active[i] and mentor[i] < 0 and tenure_weeks[i] >= min_tenure
                and performance[i] >= min_performance and willingness[i] < willing_share
                and cap - load[i] > 0):
            count += 1
    slots = np.empty(count, dtype=np.int64)
    places = np.empty(count, dtype=np.int64)
    j = 0
    for i in range(n):
        if (active[i] and mentor[i] < 0 and tenure_weeks[i] >= min_tenure
                and performance[i] >= min_performance and willingness[i] < willing_share
                and cap - load[i] > 0):
            slots[j] = i
            places[j] = cap - load[i]
            j += 1
    return slots, places


def informal_seekers(active: np.ndarray, mentor: np.ndarray, load: np.ndarray,
                     pid: np.ndarray, key: int, week: int, weekly_rate: float,
                     check: bool = True) -> np.ndarray:
    """Slots that look for an informal mentor this week, ascending.

    Everyone employed, neither a mentee nor a mentor now, whose draw of the informal
    stream (keyed by person and week, :func:`sim.kernels.counter_uniforms`) is below
    ``weekly_rate``.

    Args:
        active: bool (N,), who is employed.
        mentor: int32 (N,), each mentee's mentor slot or -1.
        load: int16 (N,), each mentor's number of mentees.
        pid: int64 (N,), person ids.
        key: 64-bit run key.
        week: Simulation week.
        weekly_rate: Chance a free person seeks a mentor this week.
        check: Validate the arguments first.

    Returns:
        int64 slots.

    """
    if check:
        require_vectors(active.shape[0], (
            ("active", active, np.bool_), ("mentor", mentor, np.int32),
            ("load", load, np.int16), ("pid", pid, np.int64),
        ))
    return _informal_seekers(active, mentor, load, pid, np.uint64(key), np.int64(week),
                             float(weekly_rate))


def free_seniors(active: np.ndarray, mentor: np.ndarray, tenure_weeks: np.ndarray,
                 performance: np.ndarray, load: np.ndarray, willingness: np.ndarray,
                 min_tenure: int, min_performance: float, willing_share: float, cap: int,
                 check: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Seniors who may take a mentee now, and how many places each has free.

    Employed, not a mentee, with at least ``min_tenure`` weeks and ``min_performance``
    skill performance, willing (``willingness < willing_share``; pass ``inf`` to take
    everyone) and with fewer than ``cap`` mentees.

    Args:
        active: bool (N,), who is employed.
        mentor: int32 (N,), each mentee's mentor slot or -1.
        tenure_weeks: int32 (N,), weeks since hire.
        performance: float64 (N,), skill performance.
        load: int16 (N,), each mentor's number of mentees.
        willingness: float64 (N,), each person's lasting draw for taking protégés.
        min_tenure: Weeks of tenure a mentor needs.
        min_performance: Skill performance a mentor needs.
        willing_share: Share of people willing to mentor (``inf``: all).
        cap: Mentees a mentor may have at once.
        check: Validate the arguments first.

    Returns:
        (slots, free places), both int64, slots ascending.

    """
    if check:
        require_vectors(active.shape[0], (
            ("active", active, np.bool_), ("mentor", mentor, np.int32),
            ("tenure_weeks", tenure_weeks, np.int32), ("performance", performance, np.float64),
            ("load", load, np.int16), ("willingness", willingness, np.float64),
        ))
    return _free_seniors(active, mentor, tenure_weeks, performance, load, willingness,
                         int(min_tenure), float(min_performance), float(willing_share),
                         int(cap))


@njit(cache=True)
def _service_hours(active, tenure_weeks, group, min_tenure, demand, cap, per_senior, out):
    n_groups = per_senior.shape[0]
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(active.shape[0]):
        if active[i] and tenure_weeks[i] >= min_tenure:
            counts[group[i]] += 1
    for g in range(n_groups):
        per_senior[g] = min(demand / counts[g], cap) if counts[g] > 0 else 0.0
    for i in range(active.shape[0]):
        out[i] = per_senior[group[i]] if active[i] and tenure_weeks[i] >= min_tenure else 0.0


def service_hours(active: np.ndarray, tenure_weeks: np.ndarray, group: np.ndarray,
                  min_tenure: int, demand: float, cap: float, per_senior: np.ndarray,
                  out: np.ndarray, check: bool = True) -> np.ndarray:
    """Each slot's service hours: its group's demand shared by the group's seniors.

    A senior (employed, at least ``min_tenure`` weeks) of group g carries
    ``min(demand / seniors_g, cap)``; everyone else 0.

    Args:
        active: bool (N,), who is employed.
        tenure_weeks: int32 (N,), weeks since hire.
        group: int8 (N,), each slot's group.
        min_tenure: Weeks of tenure that make a senior.
        demand: Weekly hours of service each group is asked for.
        cap: Most hours a week one senior carries.
        per_senior: float64 (G,), overwritten with each group's hours per senior.
        out: float64 (N,), overwritten with each slot's hours.
        check: Validate the arguments first.

    Returns:
        ``out``.

    """
    if check:
        require_vectors(active.shape[0], (
            ("active", active, np.bool_), ("tenure_weeks", tenure_weeks, np.int32),
            ("group", group, np.int8), ("out", out, np.float64),
        ))
    _service_hours(active, tenure_weeks, group, int(min_tenure), float(demand), float(cap),
                   per_senior, out)
    return out
