"""Counter-based random streams: a draw is a hash of (key, week, person id, stream).

A draw does not depend on the order in which rows are visited, so a parallel kernel gives
the same numbers as a serial one, and a run with a programme and its control run share
the same draws for the same person in the same week (common random numbers). The hash is
splitmix64 (Steele, Lea & Flood 2014), applied twice: once to the key mixed with the week
and the stream, once more with the person id.

``splitmix64`` and the multipliers are public so that kernels in other packages build
their own keyed draws on the same generator (:mod:`sim.march.kernels` does).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels.checks import require

# Streams of the counter-based generator: one per kind of random event.
STREAM_LEARNING = 1
STREAM_QUIT = 2
STREAM_EARLY_ENDING = 3
STREAM_ROLLOUT = 4  # each person's place in a phased or randomised rollout
STREAM_INFORMAL = 5  # informal tie formation
STREAM_PROMOTION = 6
# Hiring: keyed by the vacant *slot* (not a person id) whether a vacancy fills this week,
# then by the new hire's person id each attribute the hire arrives with.
STREAM_VACANCY = 7
STREAM_HIRE_APTITUDE = 8
STREAM_HIRE_GROUP = 9
STREAM_HIRE_ROLE = 10
STREAM_HIRE_AGE = 11
STREAM_WILLING = 12  # whether a person takes informal protégés (a lasting trait, week 0)
# Attributes with one draw per column (trait dimension d, competency k) use the stream
# ``base + column``: STREAM_HIRE_TRAIT + d for d < 100, STREAM_HIRE_SKILL + k for any k.
# The bases are spaced so that no column's stream is another stream's number.
STREAM_HIRE_TRAIT = 100
STREAM_HIRE_SKILL = 1000

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
WEEK_MUL = np.uint64(0xD6E8FEB86659FD93)  # spreads the week (or period) over the key
STREAM_MUL = np.uint64(0xA0761D6478BD642F)  # spreads the stream over the key
TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53: the top 53 bits of a hash as a float in [0, 1)


@njit(cache=True, inline="always")
def splitmix64(x: np.uint64) -> np.uint64:
    """splitmix64's output function: a 64-bit hash of ``x`` (for use inside kernels)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _counter_uniform(key: np.uint64, week: np.int64, pid: np.int64, stream: np.int64) -> float:
    """One uniform in [0, 1) keyed by (key, week, person id, stream)."""
    h = splitmix64(key ^ (np.uint64(week) * WEEK_MUL) ^ (np.uint64(stream) * STREAM_MUL))
    h = splitmix64(h ^ np.uint64(pid))
    return np.float64(h >> np.uint64(11)) * TO_UNIT


@njit(cache=True)
def _counter_uniforms(
    key: np.uint64, week: np.int64, pids: np.ndarray, stream: np.int64
) -> np.ndarray:
    out = np.empty(pids.shape[0], dtype=np.float64)
    for i in range(pids.shape[0]):
        out[i] = _counter_uniform(key, week, pids[i], stream)
    return out


def counter_uniforms(key: int, week: int, pids: np.ndarray, stream: int) -> np.ndarray:
    """Uniform draws in [0, 1), one per person id, keyed by (key, week, pid, stream).

    Args:
        key: 64-bit run key (drawn once from the model's Generator).
        week: Simulation week.
        pids: int64 person ids.
        stream: Which kind of event the draws are for (``STREAM_*``).

    Returns:
        float64 array of the same length as ``pids``.

    Raises:
        ValueError: If ``pids`` is not a 1-d int64 array.

    """
    require(isinstance(pids, np.ndarray) and pids.ndim == 1 and pids.dtype == np.int64,
            "pids must be a 1-d int64 array")
    return _counter_uniforms(np.uint64(key), np.int64(week), pids, np.int64(stream))


@njit(cache=True)
def _counter_uniform_columns(
    key: np.uint64, week: np.int64, pids: np.ndarray, first_stream: np.int64, n_streams: np.int64
) -> np.ndarray:
    out = np.empty((pids.shape[0], n_streams), dtype=np.float64)
    for i in range(pids.shape[0]):
        for c in range(n_streams):
            out[i, c] = _counter_uniform(key, week, pids[i], first_stream + c)
    return out


def counter_uniform_columns(key: int, week: int, pids: np.ndarray, first_stream: int,
                            n_streams: int) -> np.ndarray:
    """Draws of ``n_streams`` consecutive streams: column c is stream ``first_stream + c``.

    Column c equals ``counter_uniforms(key, week, pids, first_stream + c)``; one call
    instead of one per stream (a hire's skills draw one stream per competency).

    Args:
        key: 64-bit run key.
        week: Simulation week.
        pids: int64 person ids.
        first_stream: The first stream (``STREAM_*``).
        n_streams: How many consecutive streams (>= 0).

    Returns:
        float64 array (len(pids), n_streams).

    Raises:
        ValueError: If ``pids`` is not a 1-d int64 array or ``n_streams`` is negative.

    """
    require(isinstance(pids, np.ndarray) and pids.ndim == 1 and pids.dtype == np.int64,
            "pids must be a 1-d int64 array")
    require(n_streams >= 0, "n_streams must be >= 0")
    return _counter_uniform_columns(np.uint64(key), np.int64(week), pids,
                                    np.int64(first_stream), np.int64(n_streams))
