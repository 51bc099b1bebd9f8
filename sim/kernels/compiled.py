"""numba kernels: arrays and scalars in, arrays out; of ours only the prefetch intrinsic.

Every kernel here has a slow, obvious twin in ``tests/naive.py`` and is tested against
it. Randomness is counter-based: a draw is a hash of (key, week, person id, stream), so
it does not depend on the order in which rows are visited. A parallel kernel therefore
gives the same numbers as a serial one, and a run with a programme and its control run
share the same draws for the same person in the same week (common random numbers).
"""

from __future__ import annotations

import os
import types

import numba
import numpy as np
from numba import njit, prange

from sim.kernels.prefetch import prefetch_row

# Threading layer: OpenMP with the passive wait policy, where numba has it, else numba's
# own workqueue layer. Passive OpenMP threads sleep between parallel regions instead of
# spinning, so a core held by another process does not slow them many times over, and
# they start faster than the workqueue layer's (`python benchmarks/threading_layers.py
# [--busy]` measures the three). The user's NUMBA_THREADING_LAYER and OMP_WAIT_POLICY win.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER_PRIORITY = ["omp", "workqueue", "tbb"]
    numba.config.THREADING_LAYER = "default"

# Serial twins of the parallel kernels: the same source compiled without threads, for
# small organisations, where waking worker threads costs more than the work (and a
# worker pool already has one process per core). ``SERIAL[parallel_kernel]`` is its twin.
SERIAL: dict = {}
PREFETCH_DISTANCE = 12  # rows ahead (benchmarks/kernel_throughput.py: 8 to 16 are best)


def _with_serial_twin(**options):
    """Compile a ``prange`` kernel twice: parallel (returned) and serial (in ``SERIAL``)."""

    def decorate(fn):
        name = f"{fn.__name__}_serial"
        twin = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__,
                                  fn.__closure__)
        twin.__qualname__ = name
        twin.__doc__ = f"Serial twin of :func:`{fn.__name__}` (same source, one thread)."
        parallel = njit(cache=True, parallel=True, **options)(fn)
        SERIAL[parallel] = njit(cache=True, **options)(twin)
        return parallel

    return decorate

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


@_with_serial_twin()
def _pair_deltas(
    skills, pid, aptitude, mentor, pair_kind, quality, contact_hours, focus_competency, rows,
    mentee_start, mentee_slots, required, weights, mentoring_rate, reciprocal_rate,
    targeted, targeted_multiplier, noise_sd, key, week, prefetch_distance,
):
    """Skill change from mentoring for every row in a pair, from start-of-week skills.

    ``rows`` are the slots in a pair (mentees and mentors, ascending); row d's mentees are
    ``mentee_slots[mentee_start[d]:mentee_start[d + 1]]``. Returns ``delta`` (len(rows), K):

    * a mentee i of mentor m with quality q and contact hours h gains
      ``min(1, mentoring_rate * a_i * e_i * q * h * mult * f_ik) * max(s_mk - s_ik, 0)``,
      where ``f_ik`` aims the contact time: all of it (K) on ``focus_competency[i]`` when
      that is >= 0 (e.g. reverse mentoring on one new competency), else on the
      strategy-weighted gaps when targeted (mean 1 over k), else evenly (1); ``mult`` is
      the targeted multiplier when targeted, else 1; ``e_i`` the weekly opportunity.
      Only formal pairs (``pair_kind == 1``) of a targeted programme are targeted:
      informal mentoring is non-specific;
    * a mentor m gains ``reciprocal_rate * a_m * q_e * h_e * max(s_ek - s_mk, 0)`` summed
      over its mentees e (reciprocal and reverse mentoring).

    The rows of the pair ``prefetch_distance`` positions on are prefetched (0: none).
    """
    n_k = skills.shape[1]
    half_width = noise_sd * np.sqrt(3.0)
    inv_required = 1.0 / required
    delta = np.empty((rows.shape[0], n_k), dtype=np.float64)  # zeroed row by row below
    n_rows = rows.shape[0]
    for d in prange(n_rows):
        ahead = d + prefetch_distance  # ask for the rows a few pairs on, hiding latency
        if prefetch_distance > 0 and ahead < n_rows:
            j = rows[ahead]
            prefetch_row(skills, j)
            if mentor[j] >= 0:
                prefetch_row(skills, mentor[j])
            for p in range(mentee_start[ahead], mentee_start[ahead + 1]):
                prefetch_row(skills, mentee_slots[p])
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
            if aimed:
                coupling *= targeted_multiplier
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


@_with_serial_twin()
def _learn_week(
    skills, active, pid, aptitude, tenure_weeks, delta_row, delta, usage, required, weights,
    doing_rate, novice_curve, forget_rate, noise_sd, key, week,
    performance_out, gap_out,
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
    on the unused share ``1 - u_k``.

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


@_with_serial_twin()
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
            if c + 2 < n_c:  # the candidates' rows lie anywhere: ask for them early
                prefetch_row(skills, candidate_slots[i, c + 2])
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


@_with_serial_twin()
def _age_and_leave(
    active, pid, age_years, tenure_weeks, commitment, retirement_age, weekly_quit, coef,
    key, week, quits_out, retire_out,
):
    """Age every employee a week; mark who retires (at ``retirement_age``) and who quits.

    An active employee below retirement age quits when their counter-based draw is below
    ``weekly_quit * exp(-coef * commitment)``. ``quits_out`` and ``retire_out`` (bool, N)
    are overwritten.
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
        if u >= weekly_quit and coef * commitment[i] >= 0.0:
            continue  # the hazard is at most weekly_quit: no exp needed to know
        hazard = weekly_quit
        if commitment[i] != 0.0:
            hazard *= np.exp(-coef * commitment[i])
        if u < hazard:
            quits_out[i] = True


@_with_serial_twin()
def _update_outcomes(
    active, mentor, load, quality, pair_kind, commitment, tenure_weeks, performance, level,
    promotions, sponsored, pid, mentee_effect_per_quality, reduced_kind, reduced_share,
    mentor_target, rise, fade, threshold, min_tenure, max_level, promotion_chance,
    sponsorship_multiplier, key, week,
):
    """Commitment and promotions for one week, in place; returns how many were promoted.

    Commitment of someone in a pair moves a share ``rise`` of the way to its target: for a
    mentee ``mentee_effect_per_quality * quality`` (times ``reduced_share`` for pairs of
    ``reduced_kind``, e.g. e-mentoring's lesser psychosocial support), for a mentor at
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
                target = mentee_effect_per_quality * quality[i]
                if pair_kind[i] == reduced_kind:
                    target *= reduced_share
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


# Positions in the vector returned by _weekly_sums.
(SUM_ACTIVE, SUM_PERFORMANCE_NET, SUM_JOB, SUM_SKILL, SUM_GAP, SUM_PROFICIENT, SUM_PAIRS,
 SUM_PAIRS_FORMAL, SUM_PAIRS_INFORMAL, SUM_MENTORS, SUM_QUALITY, SUM_QUALITY_FORMAL,
 SUM_QUALITY_INFORMAL, SUM_MENTORED, SUM_SKILL_MENTORED, SUM_GAP_MENTORED, SUM_SKILL_NEVER,
 SUM_GAP_NEVER, SUM_TIME_SHARE, SUM_COMMITMENT, SUM_UNDER, SUM_UNDER_MENTORED,
 SUM_UNDER_FORMAL, SUM_MAJORITY_MENTORED, SUM_MAJORITY_FORMAL, N_SUMS) = range(26)


BLOCK_ROWS = 4096  # rows per block of _weekly_sums: fixed, so sums never depend on threads


@_with_serial_twin()
def _weekly_sums(
    active, performance, gap, commitment, mentor, pair_kind, quality, contact_hours, load,
    ever_mentored, ever_formal, underrepresented, formal_prep_hours, group_format,
    hours_per_week, enablers, motivation_effect, threshold, time_share_out,
):
    """Every weekly reporter's sum or count in one pass (positions ``SUM_*``).

    Also fills ``time_share_out`` with each slot's share of the working week spent in
    mentoring: a mentee's contact hours, and for a mentor the contact hours of each pair
    plus ``formal_prep_hours`` for formal pairs (a formal group session is shared by the
    group: divided by the mentor's load). On-the-job performance is skill performance x
    ``enablers`` x (1 + ``motivation_effect`` x commitment); net performance deducts the
    time share. Rows are summed in blocks of ``BLOCK_ROWS`` (in parallel), and the blocks
    in order, so the sums are the same on any number of threads.
    """
    n = active.shape[0]
    for i in range(n):
        time_share_out[i] = 0.0
    pair_sums = np.zeros(N_SUMS, dtype=np.float64)
    for e in range(n):
        m = mentor[e]
        if m < 0:
            continue
        time_share_out[e] += contact_hours[e] / hours_per_week
        hours = contact_hours[e]
        if pair_kind[e] == 1:
            hours += formal_prep_hours
            if group_format:
                hours /= max(load[m], 1)
        time_share_out[m] += hours / hours_per_week
        pair_sums[SUM_PAIRS] += 1.0
        pair_sums[SUM_QUALITY] += quality[e]
        if pair_kind[e] == 1:
            pair_sums[SUM_PAIRS_FORMAL] += 1.0
            pair_sums[SUM_QUALITY_FORMAL] += quality[e]
        else:
            pair_sums[SUM_PAIRS_INFORMAL] += 1.0
            pair_sums[SUM_QUALITY_INFORMAL] += quality[e]
    n_blocks = (n + BLOCK_ROWS - 1) // BLOCK_ROWS
    blocks = np.zeros((n_blocks, N_SUMS), dtype=np.float64)
    for b in prange(n_blocks):
        # scalar accumulators and selects, no data-dependent branches: the loop runs at
        # memory speed; adding 0.0 for a row that does not count leaves a sum unchanged
        active_n = job_sum = net_sum = skill_sum = gap_sum = share_sum = commit_sum = 0.0
        proficient = mentors = mentored = skill_m = gap_m = skill_n = gap_n = 0.0
        under_n = under_m = under_f = major_m = major_f = 0.0
        for i in range(b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, n)):
            if not active[i]:
                continue
            skill = performance[i]
            job = skill * enablers * (1.0 + motivation_effect * commitment[i])
            ever = 1.0 if ever_mentored[i] else 0.0
            formal = 1.0 if ever_formal[i] else 0.0
            under = 1.0 if underrepresented[i] else 0.0
            active_n += 1.0
            job_sum += job
            net_sum += job * (1.0 - time_share_out[i])
            skill_sum += skill
            gap_sum += gap[i]
            share_sum += time_share_out[i]
            commit_sum += commitment[i]
            proficient += 1.0 if skill >= threshold else 0.0
            mentors += 1.0 if load[i] > 0 else 0.0
            mentored += ever
            skill_m += skill if ever_mentored[i] else 0.0
            gap_m += gap[i] if ever_mentored[i] else 0.0
            skill_n += 0.0 if ever_mentored[i] else skill
            gap_n += 0.0 if ever_mentored[i] else gap[i]
            under_n += under
            under_m += ever if underrepresented[i] else 0.0
            under_f += formal if underrepresented[i] else 0.0
            major_m += 0.0 if underrepresented[i] else ever
            major_f += 0.0 if underrepresented[i] else formal
        sums = blocks[b]
        sums[SUM_ACTIVE] = active_n
        sums[SUM_JOB] = job_sum
        sums[SUM_PERFORMANCE_NET] = net_sum
        sums[SUM_SKILL] = skill_sum
        sums[SUM_GAP] = gap_sum
        sums[SUM_TIME_SHARE] = share_sum
        sums[SUM_COMMITMENT] = commit_sum
        sums[SUM_PROFICIENT] = proficient
        sums[SUM_MENTORS] = mentors
        sums[SUM_MENTORED] = mentored
        sums[SUM_SKILL_MENTORED] = skill_m
        sums[SUM_GAP_MENTORED] = gap_m
        sums[SUM_SKILL_NEVER] = skill_n
        sums[SUM_GAP_NEVER] = gap_n
        sums[SUM_UNDER] = under_n
        sums[SUM_UNDER_MENTORED] = under_m
        sums[SUM_UNDER_FORMAL] = under_f
        sums[SUM_MAJORITY_MENTORED] = major_m
        sums[SUM_MAJORITY_FORMAL] = major_f
    total = pair_sums
    for b in range(n_blocks):
        for j in range(N_SUMS):
            total[j] += blocks[b, j]
    return total


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
