"""numba kernels of March's (1991) organisational-learning model: arrays and scalars only.

The public interface is :mod:`sim.march.model`; nothing here validates its inputs. Every kernel
has a slow, obvious twin in ``tests/naive_march.py`` that consumes the same random draws,
and the tests compare the two exactly.

Randomness is counter-based: a draw is a hash of (key, period, stream, row, column), so it
does not depend on the order in which the kernel visits the state or on which draws it
skips (a coin flip is only made for a 0 belief, a socialisation draw only where the belief
differs from the code, ...). A run is fixed by its 64-bit key alone, and the batch kernel
runs replications on several threads with the same numbers as one by one.

State of one run (``n`` individuals, ``m`` dimensions):

* ``beliefs`` (n, m) int8 in {-1, 0, +1}; ``code`` (m,) int8 in {-1, 0, +1};
  ``reality`` (m,) int8 in {-1, +1};
* ``p1`` (n,) float64, each individual's socialisation rate;
* scratch: ``actions`` (n, m) int8, ``perf`` (n,) int64, ``snapshot`` (n, m) int8.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# the same counter-based generator as the mentoring kernels
from sim.kernels.random import STREAM_MUL as _STREAM_MUL
from sim.kernels.random import TO_UNIT as _TO_UNIT
from sim.kernels.random import WEEK_MUL as _PERIOD_MUL
from sim.kernels.random import splitmix64 as _splitmix64

# The batch kernel is parallel: its caller applies the threading policy first
# (sim.kernels.configure_threading), as the mentoring kernels' wrappers do.

# Streams of the counter-based generator: one per kind of random event.
STREAM_REALITY = 1  # initial reality, per dimension (period 0)
STREAM_BELIEF = 2  # initial beliefs, per individual and dimension (period 0)
STREAM_TURNOVER = 3  # does individual i leave this period
STREAM_NEWCOMER = 4  # a newcomer's beliefs, per dimension
STREAM_TURBULENCE = 5  # does reality flip on dimension k this period
STREAM_ACT = 6  # coin flip acting on a 0 belief
STREAM_SOCIALISE = 7  # does a belief move one step toward the code
STREAM_CODE = 8  # does the code adopt the superior group's majority on dimension k
STREAM_PEER = 9  # which peer individual i looks at (interpersonal learning)
STREAM_COPY = 10  # does individual i copy the peer's belief on dimension k

PEER_RANDOM = 0
PEER_NEIGHBOURS = 1

_COL_MUL = np.uint64(0xE7037ED1A0B428DB)


@njit(cache=True, inline="always")
def _uniform(key: np.uint64, t: np.int64, stream: np.int64, i: np.int64, k: np.int64) -> float:
    """One uniform in [0, 1) keyed by (key, period t, stream, row i, column k)."""
    h = _splitmix64(key ^ (np.uint64(t) * _PERIOD_MUL) ^ (np.uint64(stream) * _STREAM_MUL))
    h = _splitmix64(h ^ np.uint64(i))
    h = _splitmix64(h ^ (np.uint64(k) * _COL_MUL))
    return np.float64(h >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def _uniforms(key, t, stream, rows, cols):
    """Draws for many (row, column) pairs at once (for tests and checks)."""
    out = np.empty(rows.shape[0], dtype=np.float64)
    for d in range(rows.shape[0]):
        out[d] = _uniform(key, t, stream, rows[d], cols[d])
    return out


@njit(cache=True, inline="always")
def _ternary(u: float) -> np.int8:
    """-1, 0 or +1, each with probability 1/3."""
    if u < 1.0 / 3.0:
        return np.int8(-1)
    if u < 2.0 / 3.0:
        return np.int8(0)
    return np.int8(1)


@njit(cache=True)
def _init_state(key, beliefs, code, reality):
    """Period 0: reality +-1 with probability 1/2 each, uniform beliefs, a blank code."""
    n, m = beliefs.shape
    for k in range(m):
        reality[k] = 1 if _uniform(key, 0, STREAM_REALITY, 0, k) < 0.5 else -1
        code[k] = 0
    for i in range(n):
        for k in range(m):
            beliefs[i, k] = _ternary(_uniform(key, 0, STREAM_BELIEF, i, k))


@njit(cache=True)
def _step(beliefs, code, reality, p1, p2, p3, p4, p5, peer_mode, key, t, actions, perf, snapshot):
    """Advance one run by period ``t`` (1, 2, ...) in place.

    Order: turnover, turbulence, act and evaluate, socialise, interpersonal learning, code
    learning. The superior group, its votes and the peers' beliefs are those from before
    socialisation. Writes this period's actions and performances into ``actions`` and
    ``perf``; ``snapshot`` is scratch (used only when ``p5 > 0``).
    """
    n, m = beliefs.shape
    # 1. turnover: a leaver is replaced by a newcomer with uniform beliefs
    if p3 > 0.0:
        for i in range(n):
            if _uniform(key, t, STREAM_TURNOVER, i, 0) < p3:
                for k in range(m):
                    beliefs[i, k] = _ternary(_uniform(key, t, STREAM_NEWCOMER, i, k))
    # 2. turbulence: each dimension of reality flips sign with probability p4
    if p4 > 0.0:
        for k in range(m):
            if _uniform(key, t, STREAM_TURBULENCE, 0, k) < p4:
                reality[k] = -reality[k]
    # 3. act (a 0 belief acts by a fair coin) and evaluate
    code_score = 0
    for k in range(m):
        code_score += np.int64(code[k]) * np.int64(reality[k])
    for i in range(n):
        s = 0
        for k in range(m):
            a = beliefs[i, k]
            if a == 0:
                a = np.int8(1) if _uniform(key, t, STREAM_ACT, i, k) < 0.5 else np.int8(-1)
            actions[i, k] = a
            s += np.int64(a) * np.int64(reality[k])
        perf[i] = s
    # votes of the superior group (performance above the code's score)
    votes = np.zeros(m, dtype=np.int64)
    for i in range(n):
        if perf[i] > code_score:
            for k in range(m):
                votes[k] += actions[i, k]
    if p5 > 0.0:
        for i in range(n):
            for k in range(m):
                snapshot[i, k] = beliefs[i, k]
    # 4. socialisation: one step toward the code where it is set and differs
    for i in range(n):
        q = p1[i]
        if q <= 0.0:
            continue
        for k in range(m):
            c = code[k]
            b = beliefs[i, k]
            if c != 0 and b != c and _uniform(key, t, STREAM_SOCIALISE, i, k) < q:
                beliefs[i, k] = c if b == 0 else np.int8(0)
    # 5. interpersonal learning: copy a better-performing peer's nonzero beliefs
    if p5 > 0.0 and n > 1:
        for i in range(n):
            u = _uniform(key, t, STREAM_PEER, i, 0)
            if peer_mode == PEER_NEIGHBOURS:
                j = (i + n - 1) % n if u < 0.5 else (i + 1) % n
            else:
                j = np.int64(u * (n - 1))
                if j >= i:
                    j += 1
            if perf[j] <= perf[i]:
                continue
            for k in range(m):
                bj = snapshot[j, k]
                if bj != 0 and beliefs[i, k] != bj and _uniform(key, t, STREAM_COPY, i, k) < p5:
                    beliefs[i, k] = bj
    # 6. the code learns the superior group's majority, w.p. 1 - (1 - p2)^margin
    if p2 > 0.0:
        for k in range(m):
            v = votes[k]
            if v == 0:
                continue
            majority = np.int8(1) if v > 0 else np.int8(-1)
            if code[k] == majority:
                continue
            stay = 1.0
            for _ in range(abs(v)):
                stay *= 1.0 - p2
            if _uniform(key, t, STREAM_CODE, 0, k) < 1.0 - stay:
                code[k] = majority


@njit(cache=True)
def _at_equilibrium(beliefs, code, reality, p1, p2, p5, peer_mode):
    """True when no later period of a closed system (p3 = p4 = 0) can change the state.

    1. Every individual who socialises (p1 > 0) agrees with the code wherever it is set.
    2. If the code learns (p2 > 0): no individual's best possible performance (score plus
       number of 0 beliefs, every coin flip right) exceeds the code's score.
    3. If p5 > 0: no peer j that i may look at can outperform i (best of j > worst of i,
       the worst being score minus number of 0 beliefs) while holding a nonzero belief
       that differs from i's.
    """
    n, m = beliefs.shape
    for i in range(n):
        if p1[i] > 0.0:
            for k in range(m):
                if code[k] != 0 and beliefs[i, k] != code[k]:
                    return False
    score = np.zeros(n, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    for i in range(n):
        for k in range(m):
            b = beliefs[i, k]
            if b == 0:
                zeros[i] += 1
            else:
                score[i] += np.int64(b) * np.int64(reality[k])
    if p2 > 0.0:
        code_score = 0
        for k in range(m):
            code_score += np.int64(code[k]) * np.int64(reality[k])
        for i in range(n):
            if score[i] + zeros[i] > code_score:
                return False
    if p5 > 0.0 and n > 1:
        for i in range(n):
            worst_i = score[i] - zeros[i]
            if peer_mode == PEER_NEIGHBOURS:
                lo = -1
                hi = 2
            else:
                lo = -i
                hi = n - i
            for d in range(lo, hi):
                if d == 0:
                    continue
                j = (i + d + n) % n
                if j == i or score[j] + zeros[j] <= worst_i:
                    continue
                for k in range(m):
                    bj = beliefs[j, k]
                    if bj != 0 and bj != beliefs[i, k]:
                        return False
    return True


@njit(cache=True)
def _knowledge(code, reality):
    """sum(code * reality) / m."""
    s = 0
    for k in range(code.shape[0]):
        s += np.int64(code[k]) * np.int64(reality[k])
    return s / code.shape[0]


@njit(cache=True)
def _individual_knowledge(beliefs, reality, out):
    """Each individual's sum(belief * reality) / m, written into ``out``."""
    n, m = beliefs.shape
    for i in range(n):
        s = 0
        for k in range(m):
            s += np.int64(beliefs[i, k]) * np.int64(reality[k])
        out[i] = s / m


@njit(cache=True)
def _mean_individual_knowledge(beliefs, reality):
    n, m = beliefs.shape
    s = 0
    for i in range(n):
        for k in range(m):
            s += np.int64(beliefs[i, k]) * np.int64(reality[k])
    return s / (n * m)


@njit(cache=True)
def _group_knowledge(beliefs, reality, group, counts, out):
    """Mean knowledge of each group: sum of its members' belief * reality / (size * m)."""
    n, m = beliefs.shape
    totals = np.zeros(out.shape[0], dtype=np.int64)
    for i in range(n):
        for k in range(m):
            totals[group[i]] += np.int64(beliefs[i, k]) * np.int64(reality[k])
    for g in range(out.shape[0]):
        out[g] = totals[g] / (counts[g] * m) if counts[g] > 0 else np.nan


@njit(cache=True)
def _run_one(key, n, m, p1, p2, p3, p4, p5, peer_mode, max_periods, stop_at_equilibrium,
             path_code, path_indiv, group, path_group):
    """One replication from period 0.

    Returns (periods run, reached the equilibrium, final code knowledge, final mean
    individual knowledge).

    Stops at the closed-system equilibrium when ``stop_at_equilibrium`` (and p3 = p4 = 0),
    else after ``max_periods``. When the path arrays have ``max_periods + 1`` entries they
    receive code knowledge, mean individual knowledge and, per group g of ``group`` (an
    int label per individual), the mean knowledge of group g (``path_group[t, g]``) at
    every period; the periods after an equilibrium repeat its values, which no longer
    change.
    """
    beliefs = np.empty((n, m), dtype=np.int8)
    code = np.empty(m, dtype=np.int8)
    reality = np.empty(m, dtype=np.int8)
    actions = np.empty((n, m), dtype=np.int8)
    perf = np.empty(n, dtype=np.int64)
    snapshot = np.empty((n, m), dtype=np.int8)
    n_groups = path_group.shape[1]
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(n):
        counts[group[i]] += 1
    _init_state(key, beliefs, code, reality)
    record = path_code.shape[0] > 0
    closed = p3 == 0.0 and p4 == 0.0 and stop_at_equilibrium
    t = 0
    at_eq = False
    while True:
        if record:
            path_code[t] = _knowledge(code, reality)
            path_indiv[t] = _mean_individual_knowledge(beliefs, reality)
            _group_knowledge(beliefs, reality, group, counts, path_group[t])
        if closed and _at_equilibrium(beliefs, code, reality, p1, p2, p5, peer_mode):
            at_eq = True
            break
        if t >= max_periods:
            break
        t += 1
        _step(beliefs, code, reality, p1, p2, p3, p4, p5, peer_mode, key, t, actions, perf,
              snapshot)
    if record:
        for s in range(t + 1, path_code.shape[0]):
            path_code[s] = path_code[t]
            path_indiv[s] = path_indiv[t]
            for g in range(n_groups):
                path_group[s, g] = path_group[t, g]
    return t, at_eq, _knowledge(code, reality), _mean_individual_knowledge(beliefs, reality)


@njit(cache=True, parallel=True)
def _run_batch(keys, n, m, p1, p2, p3, p4, p5, peer_mode, max_periods, stop_at_equilibrium,
               record, group, n_groups):
    """Many independent replications, one key each, run in parallel over replications.

    Returns ``(code_knowledge, individual_knowledge, periods, at_equilibrium, path_code,
    path_indiv, path_group)``: the final code knowledge, final mean individual knowledge,
    periods run and whether the equilibrium was reached, per run; and, when ``record``,
    the per-period paths (n_runs, max_periods + 1) and per-group paths
    (n_runs, max_periods + 1, n_groups) (else empty arrays).
    """
    n_runs = keys.shape[0]
    width = max_periods + 1 if record else 0
    final_code = np.empty(n_runs, dtype=np.float64)
    final_indiv = np.empty(n_runs, dtype=np.float64)
    periods = np.empty(n_runs, dtype=np.int64)
    at_eq = np.zeros(n_runs, dtype=np.bool_)
    path_code = np.empty((n_runs, width), dtype=np.float64)
    path_indiv = np.empty((n_runs, width), dtype=np.float64)
    path_group = np.empty((n_runs, width, n_groups), dtype=np.float64)
    for r in prange(n_runs):
        t, eq, kc, ki = _run_one(keys[r], n, m, p1, p2, p3, p4, p5, peer_mode, max_periods,
                                 stop_at_equilibrium, path_code[r], path_indiv[r], group,
                                 path_group[r])
        periods[r] = t
        at_eq[r] = eq
        final_code[r] = kc
        final_indiv[r] = ki
    return final_code, final_indiv, periods, at_eq, path_code, path_indiv, path_group
