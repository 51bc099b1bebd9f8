"""The weekly sums: every count and total the reporters need, in one pass over the slots.

:data:`SUMS` is the one list of them, in the order of the vector :func:`weekly_sums`
returns; the kernel's indices (:class:`Sum`, e.g. ``Sum.PAIRS``) and :data:`SUM_INDEX` are
made from it, and the model's reporter table (:mod:`sim.model.reporters`) names its sums
from it, so a sum is added or renamed in one place. Slow reference:
``tests/naive.py::weekly_sums``.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import prange

from sim.kernels.checks import require, require_vectors
from sim.kernels.threads import kernel_for, with_serial_twin

# (name, what is summed over the active employees, or over the pairs).
SUMS: tuple[tuple[str, str], ...] = (
    ("active", "active employees (headcount)"),
    ("performance_net", "on-the-job performance net of the time spent mentoring"),
    ("job", "on-the-job performance: skill performance x the slot's enablers x motivation"),
    ("skill", "skill performance"),
    ("gap", "strategy-weighted skill gap"),
    ("proficient", "employees at or above the proficiency threshold"),
    ("pairs", "pairs (one per mentee)"),
    ("pairs_formal", "formal pairs"),
    ("pairs_informal", "informal pairs"),
    ("mentors", "employees mentoring at least one mentee"),
    ("quality", "relationship quality, over the pairs"),
    ("quality_formal", "relationship quality, over the formal pairs"),
    ("quality_informal", "relationship quality, over the informal pairs"),
    ("mentored", "employees ever mentored"),
    ("skill_mentored", "skill performance of those ever mentored"),
    ("gap_mentored", "skill gap of those ever mentored"),
    ("skill_never", "skill performance of those never mentored"),
    ("gap_never", "skill gap of those never mentored"),
    ("time_share", "share of the working week spent in mentoring"),
    ("commitment", "affective commitment"),
    ("under", "members of an underrepresented group"),
    ("under_mentored", "members of an underrepresented group ever mentored"),
    ("under_formal", "members of an underrepresented group ever in a formal pair"),
    ("majority_mentored", "members of the majority ever mentored"),
    ("majority_formal", "members of the majority ever in a formal pair"),
)
SUM_NAMES: tuple[str, ...] = tuple(name for name, _ in SUMS)
SUM_INDEX: dict[str, int] = {name: i for i, name in enumerate(SUM_NAMES)}
N_SUMS = len(SUMS)
# The kernel's positions, made from the table: Sum.ACTIVE == 0, Sum.PERFORMANCE_NET == 1, ...
Sum = IntEnum("Sum", [(name.upper(), i) for i, name in enumerate(SUM_NAMES)])

BLOCK_ROWS = 4096  # rows per block of _weekly_sums: fixed, so sums never depend on threads


@with_serial_twin()
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
    the slot's ``enablers`` x (1 + ``motivation_effect`` x commitment); net performance
    deducts the time share. Rows are summed in blocks of ``BLOCK_ROWS`` (in parallel), and
    the blocks in order, so the sums are the same on any number of threads.
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
        pair_sums[Sum.PAIRS] += 1.0
        pair_sums[Sum.QUALITY] += quality[e]
        if pair_kind[e] == 1:
            pair_sums[Sum.PAIRS_FORMAL] += 1.0
            pair_sums[Sum.QUALITY_FORMAL] += quality[e]
        else:
            pair_sums[Sum.PAIRS_INFORMAL] += 1.0
            pair_sums[Sum.QUALITY_INFORMAL] += quality[e]
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
            job = skill * enablers[i] * (1.0 + motivation_effect * commitment[i])
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
        sums[Sum.ACTIVE] = active_n
        sums[Sum.JOB] = job_sum
        sums[Sum.PERFORMANCE_NET] = net_sum
        sums[Sum.SKILL] = skill_sum
        sums[Sum.GAP] = gap_sum
        sums[Sum.TIME_SHARE] = share_sum
        sums[Sum.COMMITMENT] = commit_sum
        sums[Sum.PROFICIENT] = proficient
        sums[Sum.MENTORS] = mentors
        sums[Sum.MENTORED] = mentored
        sums[Sum.SKILL_MENTORED] = skill_m
        sums[Sum.GAP_MENTORED] = gap_m
        sums[Sum.SKILL_NEVER] = skill_n
        sums[Sum.GAP_NEVER] = gap_n
        sums[Sum.UNDER] = under_n
        sums[Sum.UNDER_MENTORED] = under_m
        sums[Sum.UNDER_FORMAL] = under_f
        sums[Sum.MAJORITY_MENTORED] = major_m
        sums[Sum.MAJORITY_FORMAL] = major_f
    total = pair_sums
    for b in range(n_blocks):
        for j in range(N_SUMS):
            total[j] += blocks[b, j]
    return total


def weekly_sums(
    active: np.ndarray,
    performance: np.ndarray,
    gap: np.ndarray,
    commitment: np.ndarray,
    mentor: np.ndarray,
    pair_kind: np.ndarray,
    quality: np.ndarray,
    contact_hours: np.ndarray,
    load: np.ndarray,
    ever_mentored: np.ndarray,
    ever_formal: np.ndarray,
    underrepresented: np.ndarray,
    formal_prep_hours: float,
    group_format: bool,
    hours_per_week: float,
    enablers: np.ndarray,
    motivation_effect: float,
    threshold: float,
    time_share_out: np.ndarray,
    check: bool = True,
) -> np.ndarray:
    """Every sum of :data:`SUMS` for this week, and each slot's mentoring time share.

    Args:
        active: bool (N,), who is employed.
        performance: float64 (N,), skill performance.
        gap: float64 (N,), strategy-weighted skill gap.
        commitment: float64 (N,), affective commitment.
        mentor: int32 (N,), each mentee's mentor slot or -1.
        pair_kind: int8 (N,), kind of each mentee's pair (1 formal, 2 informal).
        quality: float64 (N,), relationship quality of each mentee's pair.
        contact_hours: float64 (N,), each mentee's weekly contact hours.
        load: int16 (N,), each mentor's number of mentees.
        ever_mentored: bool (N,), ever a mentee.
        ever_formal: bool (N,), ever a mentee in a formal pair.
        underrepresented: bool (N,), member of an underrepresented group.
        formal_prep_hours: A mentor's weekly preparation hours per formal pair.
        group_format: Formal pairs meet as a group (the session is shared by the group).
        hours_per_week: Working hours per week (> 0).
        enablers: float64 (N,), the share of each slot's skill performance its enablers
            let through (``MentoringModel.enabler_slots``).
        motivation_effect: Effect of commitment on on-the-job performance.
        threshold: Skill performance at which an employee counts as proficient.
        time_share_out: float64 (N,), overwritten with each slot's share of the working
            week spent in mentoring.
        check: Validate the arguments first.

    Returns:
        float64 (N_SUMS,): the sums, in the order of :data:`SUMS` (index with ``Sum.X`` or
        ``SUM_INDEX[name]``).

    Raises:
        ValueError: If an array has the wrong shape or dtype, or ``hours_per_week <= 0``.

    """
    n = active.shape[0]
    if check:
        require_vectors(n, (
            ("active", active, np.bool_), ("performance", performance, np.float64),
            ("gap", gap, np.float64), ("commitment", commitment, np.float64),
            ("mentor", mentor, np.int32), ("pair_kind", pair_kind, np.int8),
            ("quality", quality, np.float64), ("contact_hours", contact_hours, np.float64),
            ("load", load, np.int16), ("ever_mentored", ever_mentored, np.bool_),
            ("ever_formal", ever_formal, np.bool_),
            ("underrepresented", underrepresented, np.bool_),
            ("enablers", enablers, np.float64),
            ("time_share_out", time_share_out, np.float64),
        ))
        require(hours_per_week > 0, "hours_per_week must be > 0")
    return kernel_for(_weekly_sums, n, 96)(
        active, performance, gap, commitment, mentor, pair_kind, quality, contact_hours, load,
        ever_mentored, ever_formal, underrepresented, formal_prep_hours, group_format,
        hours_per_week, enablers, motivation_effect, threshold, time_share_out,
    )


# (name, what is summed over the active employees of one side): the equity reporters'
# sums, each for the underrepresented groups ("under_") and for everyone else ("major_").
GROUP_SUMS: tuple[tuple[str, str], ...] = (
    ("headcount", "employees"),
    ("paired", "employees in a pair as a mentee now"),
    ("sponsored", "employees with an active sponsor"),
    ("pair_quality", "relationship quality of their pairs"),
    ("pair_support", "psychosocial share of their pairs"),
    ("seniors", "employees with at least the mentors' minimum tenure"),
    ("service_hours", "weekly service hours of the seniors"),
    ("level", "career level"),
)
GROUP_SUM_NAMES: tuple[str, ...] = tuple(
    f"{side}_{name}" for side in ("under", "major") for name, _ in GROUP_SUMS
)
N_GROUP_SUMS = len(GROUP_SUM_NAMES)
GROUP_SUM_INDEX: dict[str, int] = {name: i for i, name in enumerate(GROUP_SUM_NAMES)}


@with_serial_twin()
def _group_sums(active, underrepresented, mentor, sponsored, quality, psychosocial,
                tenure_weeks, senior_min_tenure, service_hours, level):
    """The sums of :data:`GROUP_SUMS` for each side, in one pass (order of GROUP_SUM_NAMES).

    Rows are summed in blocks of ``BLOCK_ROWS`` (in parallel) and the blocks in order, so
    the sums are the same on any number of threads.
    """
    n = active.shape[0]
    n_side = N_GROUP_SUMS // 2
    n_blocks = (n + BLOCK_ROWS - 1) // BLOCK_ROWS
    blocks = np.zeros((n_blocks, N_GROUP_SUMS), dtype=np.float64)
    for b in prange(n_blocks):
        sums = blocks[b]
        for i in range(b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, n)):
            if not active[i]:
                continue
            base = 0 if underrepresented[i] else n_side
            paired = mentor[i] >= 0
            senior = tenure_weeks[i] >= senior_min_tenure
            sums[base] += 1.0
            sums[base + 1] += 1.0 if paired else 0.0
            sums[base + 2] += 1.0 if sponsored[i] else 0.0
            sums[base + 3] += quality[i] if paired else 0.0
            sums[base + 4] += psychosocial[i] if paired else 0.0
            sums[base + 5] += 1.0 if senior else 0.0
            sums[base + 6] += service_hours[i] if senior else 0.0
            sums[base + 7] += level[i]
    total = np.zeros(N_GROUP_SUMS, dtype=np.float64)
    for b in range(n_blocks):
        for j in range(N_GROUP_SUMS):
            total[j] += blocks[b, j]
    return total


def group_sums(
    active: np.ndarray,
    underrepresented: np.ndarray,
    mentor: np.ndarray,
    sponsored: np.ndarray,
    quality: np.ndarray,
    psychosocial: np.ndarray,
    tenure_weeks: np.ndarray,
    senior_min_tenure: int,
    service_hours: np.ndarray,
    level: np.ndarray,
    check: bool = True,
) -> np.ndarray:
    """The equity reporters' sums, for the underrepresented and for everyone else.

    Args:
        active: bool (N,), who is employed.
        underrepresented: bool (N,), member of an underrepresented group.
        mentor: int32 (N,), each mentee's mentor slot or -1.
        sponsored: bool (N,), has an active sponsor.
        quality: float64 (N,), relationship quality of each mentee's pair.
        psychosocial: float64 (N,), psychosocial share of each mentee's pair.
        tenure_weeks: int32 (N,), weeks since hire.
        senior_min_tenure: Weeks of tenure that make a senior (a possible mentor).
        service_hours: float64 (N,), this week's service hours.
        level: int8 (N,), career level.
        check: Validate the arguments first.

    Returns:
        float64 (N_GROUP_SUMS,), in the order of :data:`GROUP_SUM_NAMES` (index with
        :data:`GROUP_SUM_INDEX`, e.g. ``"under_paired"``).

    Raises:
        ValueError: If an array has the wrong shape or dtype.

    """
    n = active.shape[0]
    if check:
        require_vectors(n, (
            ("active", active, np.bool_), ("underrepresented", underrepresented, np.bool_),
            ("mentor", mentor, np.int32), ("sponsored", sponsored, np.bool_),
            ("quality", quality, np.float64), ("psychosocial", psychosocial, np.float64),
            ("tenure_weeks", tenure_weeks, np.int32),
            ("service_hours", service_hours, np.float64), ("level", level, np.int8),
        ))
    return kernel_for(_group_sums, n, 40)(
        active, underrepresented, mentor, sponsored, quality, psychosocial, tenure_weeks,
        int(senior_min_tenure), service_hours, level,
    )
