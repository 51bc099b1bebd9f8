"""Needs assessment and cause analysis, the first phases of human performance technology.

Needs are strategy-weighted skill gaps: per employee, per group and per competency.
Cause analysis splits the organisation's performance gap, 1 - mean on-the-job
performance, into Gilbert's (1978) behaviour engineering model categories: the
environment's **information**, **resources** and **incentives** (the enablers of
``[causes]``, organisation-wide and per competency and group), and the person's
**skills/knowledge**, **capacity** (aptitude) and **motives** (commitment). Each cause is
matched to the intervention that addresses it (the HPT model's intervention selection):
mentoring acts on skills/knowledge and motives, not on tools, expectations or pay, so
:func:`recommend` says plainly when mentoring is the wrong answer.

The attribution is exact, per employee i and competency k (attainment
``a = min(s/r, 1)``, enabler ``e = e_info e_res e_inc`` for k and i's group, motivation
``m = 1 + motivation_effect x commitment``; the gap ``1 - J_i = sum_k w_k (1 - a e m)``):

* skill loss ``w (1 - a)``, of which **capacity** is the shortfall the employee's
  aptitude leaves at the settled level (``min(s*(1)/r, 1) - min(s*(apt)/r, 1)``, where
  ``s*(apt)`` is where learning by doing balances forgetting), at most the skill loss,
  and **skills/knowledge** the rest;
* enabler loss ``w a (1 - e)``, split between information, resources and incentives
  by their log shares (``log e_c / log e``);
* **motives** ``w a e (1 - m)``: negative when commitment above baseline lifts
  performance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.schema import CAUSES
from sim.model.workforce import row_blocks
from sim.units import WEEKS_PER_MONTH

GILBERT: tuple[str, ...] = ("skills", "capacity", "motives", *CAUSES)
"""The causes a gap is attributed to: the person's (skills/knowledge, capacity, motives),
then the environment's (information, resources, incentives)."""

MENTORING_CAUSES: frozenset[str] = frozenset({"skills", "motives"})
"""The causes mentoring addresses (it moves skills and commitment, not the enablers)."""

INTERVENTIONS: dict[str, str] = {
    "skills": "mentoring (and training): skills/knowledge",
    "motives": "mentoring: commitment",
    "information": "job aids and clear expectations, feedback ([[interventions]] "
                   "kind = \"job_aids\")",
    "resources": "tools and time ([[interventions]] kind = \"tools\")",
    "incentives": "aligned incentives ([[interventions]] kind = \"incentives\")",
    "capacity": "selection or job redesign (not modelled as an intervention)",
}
"""The intervention that addresses each cause."""

CHUNK_CELLS = 2**17
"""Employee-competency cells cause analysis works on at a time (bounds its memory)."""


_LABELS = {"skills": "skills/knowledge", "capacity": "capacity", "motives": "motives",
           "information": "information", "resources": "resources",
           "incentives": "incentives"}


def enabler_factor(scenario) -> float:
    """Organisation-wide share of skill-based performance the enablers let through.

    The product of ``causes.information``, ``resources`` and ``incentives``, without the
    specific deficits (see :func:`cause_levels` for those).
    """
    c = scenario.causes
    return float(c.information * c.resources * c.incentives)


def cause_levels(scenario) -> np.ndarray:
    """Each enabler's level per competency and group, from ``[causes]``.

    The organisation-wide value of each enabler, multiplied by the share of every
    ``[[causes.deficits]]`` entry of that enabler that covers the competency and group.

    Returns:
        float64 (3, K, G): information, resources, incentives (order of
        :data:`~sim.config.schema.CAUSES`) x competencies x groups, each in (0, 1].

    """
    c = scenario.causes
    competencies = list(scenario.organisation.competencies)
    groups = [g.name for g in scenario.workforce.groups]
    levels = np.empty((len(CAUSES), len(competencies), len(groups)), dtype=np.float64)
    for j, name in enumerate(CAUSES):
        levels[j] = getattr(c, name)
    for deficit in c.deficits:
        j = CAUSES.index(deficit.cause)
        levels[j][cells(competencies, groups, deficit.competency, deficit.group)] *= (
            deficit.share)
    return levels


def cells(competencies: list[str], groups: list[str], competency: str | None,
          group: str | None) -> np.ndarray:
    """The competency-group cells a deficit or intervention covers, bool (K, G)."""
    rows = np.ones(len(competencies), dtype=bool) if competency is None else (
        np.array([name == competency for name in competencies]))
    cols = np.ones(len(groups), dtype=bool) if group is None else (
        np.array([name == group for name in groups]))
    return rows[:, None] & cols[None, :]


def slot_enablers(enablers: np.ndarray, workforce, environment, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` with each slot's job-relevant enabler share.

    ``sum_k w_k min(s_k/r_k, 1) e_kg / sum_k w_k min(s_k/r_k, 1)`` for the slot's group
    g, so that skill performance x it = ``sum_k w_k min(s_k/r_k, 1) e_kg``. When no
    enabler differs between competencies it is a gather by group (or one value for all).

    Args:
        enablers: float64 (K, G), the product of the enablers per competency and group.
        workforce: The :class:`~sim.model.workforce.Workforce` (skills, group).
        environment: The :class:`~sim.model.environment.Environment` (required, weights).
        out: float64 (N,), overwritten.

    Returns:
        ``out``.

    """
    if np.all(enablers == enablers[:1]):  # the same for every competency
        by_group = enablers[0]
        if np.all(by_group == by_group[0]):
            out.fill(by_group[0])
        else:
            np.take(by_group, workforce.group, out=out)
        return out
    weights = environment.weights
    fallback = (weights @ enablers) / weights.sum()  # a slot with no skill performance
    by_slot = enablers.T  # (G, K)
    step = max(1, CHUNK_CELLS // weights.shape[0])
    for start in range(0, out.shape[0], step):  # in chunks: a bounded working set
        rows = slice(start, start + step)
        group = workforce.group[rows]
        attained = np.minimum(workforce.skills[rows] / environment.required, 1.0) * weights
        skill = attained.sum(axis=1)
        through = (attained * by_slot[group]).sum(axis=1)
        chunk = out[rows]
        np.divide(through, skill, out=chunk, where=skill > 0)
        chunk[skill <= 0] = fallback[group[skill <= 0]]
    return out


def employee_gaps(model) -> pd.DataFrame:
    """One row per current employee: ids, group, role, tenure, performance, gaps by competency."""
    wf = model.workforce
    env = model.environment
    slots = np.flatnonzero(wf.active)
    gaps = np.maximum(env.required - wf.skills[slots], 0.0)
    frame = pd.DataFrame(gaps, columns=[f"gap_{c}" for c in env.competencies])
    frame.insert(0, "weighted_gap", wf.gap[slots])
    frame.insert(0, "skill_performance", wf.performance[slots])
    frame.insert(0, "tenure_weeks", wf.tenure_weeks[slots])
    frame.insert(0, "role", np.asarray(wf.role_names)[wf.role[slots]])
    frame.insert(0, "group", np.asarray(wf.group_names)[wf.group[slots]])
    frame.insert(0, "employee", wf.pid[slots])
    return frame


def gap_table(model) -> pd.DataFrame:
    """Mean skill gap (required minus skill, where positive) by group and competency.

    Rows are the groups plus ``all``; columns the competencies plus ``weighted`` (the
    strategy-weighted gap) and ``below_required`` (share of employee-competency cells
    under the required level). Summed in blocks of rows
    (:func:`~sim.model.workforce.row_blocks`), each block's rows added to the running
    totals in order, so the means are those of one pass over all rows, without an
    N x K array of gaps.
    """
    wf = model.workforce
    env = model.environment
    slots = np.flatnonzero(wf.active)
    n_groups, n_k = len(wf.group_names), len(env.competencies)
    totals = np.zeros((n_groups + 1, n_k))  # the last row: everyone
    below = np.zeros(n_groups + 1, dtype=np.int64)
    for rows in row_blocks(slots.shape[0]):
        gaps = np.maximum(env.required - wf.skills[slots[rows]], 0.0)
        groups = wf.group[slots[rows]]
        for index in range(n_groups + 1):
            part = gaps if index == n_groups else gaps[groups == index]
            totals[index] = np.add.reduce(np.vstack([totals[index][None], part]), axis=0)
            below[index] += np.count_nonzero(part > 0)
    groups = wf.group[slots]
    rows = {}
    for index, name in [*enumerate(wf.group_names), (n_groups, "all")]:
        mask = np.ones(slots.shape[0], dtype=bool) if index == n_groups else groups == index
        employees = int(mask.sum())
        if not employees:
            continue
        row = dict(zip(env.competencies, (totals[index] / employees).tolist(), strict=True))
        row["weighted"] = float(wf.gap[slots[mask]].mean())
        row["below_required"] = float(below[index] / (employees * n_k))
        row["employees"] = employees
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def employee_causes(model, slots: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each employee's performance gap by cause and competency.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.
        slots: The slots to analyse (None: every active one).

    Returns:
        For each cause of :data:`GILBERT`, a float64 (n, K) array of its part of
        ``1 - J_i`` in each competency (summed over causes and competencies: ``1 - J_i``
        up to the strategic weights' rounding).

    """
    wf = model.workforce
    env = model.environment
    scenario = model.scenario
    if slots is None:
        slots = np.flatnonzero(wf.active)
    required, weights = env.required, env.weights
    attained = np.minimum(wf.skills[slots] / required, 1.0)
    group = wf.group[slots]
    levels = model.interventions.levels[:, :, group].transpose(0, 2, 1)  # (3, n, K)
    enabler = levels.prod(axis=0)
    motivation = 1.0 + scenario.attitudes.motivation_effect * wf.commitment[slots]
    skill_loss = weights * (1.0 - attained)
    settled = _settled_attainment(scenario, required, wf.aptitude[slots])
    at_median = _settled_attainment(scenario, required, np.ones(1))
    capacity = weights * np.minimum(np.maximum(at_median - settled, 0.0), 1.0 - attained)
    enabler_loss = weights * attained * (1.0 - enabler)
    logs = -np.log(levels)
    total_log = logs.sum(axis=0)
    safe = np.where(total_log > 0, total_log, 1.0)
    parts = {
        "skills": skill_loss - capacity,
        "capacity": capacity,
        "motives": weights * attained * enabler * (1.0 - motivation[:, None]),
    }
    for j, name in enumerate(CAUSES):
        parts[name] = np.where(total_log > 0, enabler_loss * logs[j] / safe, 0.0)
    return {name: parts[name] for name in GILBERT}


def cause_sums(model) -> tuple[np.ndarray, np.ndarray]:
    """The gap's parts summed over each group's employees, a chunk of employees at a time.

    Returns:
        float64 (causes of :data:`GILBERT`, G, K): each cause's part of the gap summed
        over the group's active employees, per competency; and int64 (G,), the group's
        active employees.

    """
    wf = model.workforce
    k = model.environment.required.shape[0]
    n_groups = len(wf.group_names)
    sums = np.zeros((len(GILBERT), n_groups, k), dtype=np.float64)
    active = np.flatnonzero(wf.active)
    counts = np.bincount(wf.group[active], minlength=n_groups).astype(np.int64)
    step = max(1, CHUNK_CELLS // k)
    for start in range(0, active.shape[0], step):
        slots = active[start:start + step]
        group = wf.group[slots]
        parts = employee_causes(model, slots)
        for c, name in enumerate(GILBERT):
            for g in range(n_groups):
                sums[c, g] += parts[name][group == g].sum(axis=0)
    return sums, counts


def _settled_attainment(scenario, required: np.ndarray, aptitude: np.ndarray) -> np.ndarray:
    """min(s*/r, 1) per person and competency at the skill learning by doing settles at.

    ``s* = alpha a u / (alpha a u + lambda (1 - u))`` with usage ``u = r`` (ODD 7.1).
    """
    learning = scenario.learning
    alpha = learning.doing_rate_per_week
    forgetting = math.log(2.0) / (learning.skill_half_life_months * WEEKS_PER_MONTH)
    gain = alpha * aptitude[:, None] * required[None, :]
    loss = forgetting * (1.0 - required[None, :])
    total = gain + loss
    settled = np.divide(gain, total, out=np.ones_like(gain), where=total > 0)
    return np.minimum(settled / required, 1.0)


def cause_table(model) -> pd.DataFrame:
    """The performance gap by cause, per group and competency (tidy).

    One row per group (and ``all``) x competency (and ``all``) x cause of
    :data:`GILBERT`: ``gap``, the mean over the group's employees of the cause's part of
    the gap (1 - on-the-job performance) in that competency (strategy-weighted, so the
    competencies' rows add up to the ``all`` row, and the causes' rows to the scope's
    gap); ``share``, the cause's share of what the scope loses (its positive parts: a
    negative ``motives`` part, commitment lifting performance, is no loss and has share
    0); ``intervention``, what addresses the cause; ``employees``.
    """
    wf = model.workforce
    sums, counts = cause_sums(model)
    competencies = list(model.environment.competencies)
    rows = []
    for g, group_name in [*enumerate(wf.group_names), (-1, "all")]:
        n = int(counts.sum() if g < 0 else counts[g])
        if not n:
            continue
        total = sums.sum(axis=1) if g < 0 else sums[:, g]  # (causes, K)
        means = {name: total[c] / n for c, name in enumerate(GILBERT)}
        for k, competency in [*enumerate(competencies), (-1, "all")]:
            gaps = {name: float(m.sum() if k < 0 else m[k]) for name, m in means.items()}
            lost = sum(max(v, 0.0) for v in gaps.values())
            for name, value in gaps.items():
                rows.append({
                    "group": group_name, "competency": competency, "cause": name,
                    "gap": value,
                    "share": max(value, 0.0) / lost if lost > 0 else 0.0,
                    "intervention": INTERVENTIONS[name], "employees": n,
                })
    return pd.DataFrame(rows, columns=["group", "competency", "cause", "gap", "share",
                                       "intervention", "employees"])


def cause_analysis(model) -> dict[str, float]:
    """Split the organisation's performance gap (1 - mean on-the-job performance) by cause.

    Returns:
        ``performance`` (mean on-the-job performance), ``gap_total``, and the parts of
        the gap due to each cause of :data:`GILBERT`: ``skills`` (skills/knowledge: skill
        performance below 1 that is not ``capacity``), ``capacity`` (the shortfall an
        employee's aptitude leaves at their settled skill), ``information``,
        ``resources`` and ``incentives`` (the enablers' loss, per competency and group,
        by log shares) and ``motives`` (negative when commitment lifts performance).
        The parts add up to ``gap_total``. Per group and competency:
        :func:`cause_table`.

    """
    wf = model.workforce
    sums, counts = cause_sums(model)
    n = int(counts.sum())
    if not n:
        return {"performance": float("nan"), "gap_total": float("nan"),
                **dict.fromkeys(GILBERT, float("nan")), "skill_performance": float("nan")}
    job = float(model.job_performance()[wf.active].mean())
    return {
        "performance": job,
        "gap_total": 1.0 - job,
        **{name: float(sums[c].sum() / n) for c, name in enumerate(GILBERT)},
        "skill_performance": float(wf.performance[wf.active].mean()),
    }


@dataclass(frozen=True)
class Recommendation:
    """What cause analysis recommends: an intervention per cause, and a verdict.

    Attributes:
        table: One row per cause of :data:`GILBERT`: ``cause``, ``gap`` (its part of the
            organisation's gap), ``share`` (of what is lost), ``intervention``,
            ``mentoring`` (whether mentoring addresses it), ordered by share.
        mentoring_share: Share of the loss due to causes mentoring addresses
            (skills/knowledge, motives).
        verdict: One plain line when ``mentoring_share`` is below
            ``causes.verdict_share`` ("mentoring is the wrong answer here: ..."), else
            None.

    """

    table: pd.DataFrame
    mentoring_share: float
    verdict: str | None


def recommend(model) -> Recommendation:
    """Which intervention addresses each cause of the gap, and whether mentoring is one.

    Args:
        model: A :class:`~sim.model.model.MentoringModel` (usually at the end of a run).

    Returns:
        A :class:`Recommendation`.

    """
    causes = cause_analysis(model)
    parts = {name: causes[name] for name in GILBERT}
    return recommendation(parts, model.scenario.causes.verdict_share)


def recommendation(parts: dict[str, float], verdict_share: float) -> Recommendation:
    """A :class:`Recommendation` from the parts of the gap by cause.

    Args:
        parts: Each cause of :data:`GILBERT` and its part of the gap.
        verdict_share: The verdict is given when the causes mentoring addresses explain
            less than this share of the loss.

    """
    lost = sum(max(v, 0.0) for v in parts.values() if np.isfinite(v))
    shares = {name: (max(v, 0.0) / lost if lost > 0 else 0.0) for name, v in parts.items()}
    table = pd.DataFrame([
        {"cause": name, "gap": float(parts[name]), "share": shares[name],
         "intervention": INTERVENTIONS[name], "mentoring": name in MENTORING_CAUSES}
        for name in GILBERT
    ]).sort_values("share", ascending=False, kind="stable").reset_index(drop=True)
    mentoring_share = sum(shares[name] for name in MENTORING_CAUSES)
    verdict = None
    if lost > 0 and mentoring_share < verdict_share:
        other = max((n for n in GILBERT if n not in MENTORING_CAUSES), key=shares.get)
        what = INTERVENTIONS[other].split(" ([[")[0]
        verdict = (f"mentoring is the wrong answer here: {shares[other]:.0%} of the gap is "
                   f"{_LABELS[other]} ({what}); mentoring addresses {mentoring_share:.0%} "
                   f"(skills/knowledge, motives)")
    return Recommendation(table=table, mentoring_share=mentoring_share, verdict=verdict)
