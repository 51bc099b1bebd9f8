"""Needs assessment and cause analysis, the first phases of human performance technology.

Needs are strategy-weighted skill gaps: per employee, per group and per competency.
Cause analysis splits the organisation's performance gap into what skills explain and
what they do not (Gilbert's behaviour engineering model: information, resources,
incentives, motives), so a planner can see mentoring fail where the cause is not skill:
mentoring acts on skills and motives, not on tools or pay.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def enabler_factor(scenario) -> float:
    """Share of skill-based performance the non-skill enablers let through."""
    c = scenario.causes
    return float(c.information * c.resources * c.incentives)


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
    under the required level).
    """
    wf = model.workforce
    env = model.environment
    slots = np.flatnonzero(wf.active)
    gaps = np.maximum(env.required - wf.skills[slots], 0.0)
    groups = wf.group[slots]
    rows = {}
    for index, name in [*enumerate(wf.group_names), (-1, "all")]:
        mask = np.ones(slots.shape[0], dtype=bool) if index < 0 else groups == index
        if not mask.any():
            continue
        row = dict(zip(env.competencies, gaps[mask].mean(axis=0).tolist(), strict=True))
        row["weighted"] = float(wf.gap[slots[mask]].mean())
        row["below_required"] = float((gaps[mask] > 0).mean())
        row["employees"] = int(mask.sum())
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def cause_analysis(model) -> dict[str, float]:
    """Split the performance gap (1 - mean on-the-job performance) by cause.

    Returns:
        ``performance`` (on the job), ``gap_total``, and the parts of the gap due to
        ``skills`` (skill performance below 1), ``information``, ``resources`` and
        ``incentives`` (each enabler's share of the remaining loss, by log shares), and
        ``motives`` (positive when commitment lifts performance, i.e. a negative gap).

    """
    wf = model.workforce
    c = model.scenario.causes
    slots = np.flatnonzero(wf.active)
    skill = float(wf.performance[slots].mean())
    job = float(model.job_performance()[slots].mean())
    enabler = enabler_factor(model.scenario)
    enabler_loss = skill * (1.0 - enabler)
    logs = {name: -np.log(getattr(c, name)) for name in ("information", "resources", "incentives")}
    total_log = sum(logs.values())
    parts = {
        name: (enabler_loss * value / total_log if total_log > 0 else 0.0)
        for name, value in logs.items()
    }
    motives = skill * enabler - job
    return {
        "performance": job,
        "gap_total": 1.0 - job,
        "skills": 1.0 - skill,
        **{name: float(value) for name, value in parts.items()},
        "motives": float(motives),
    }
