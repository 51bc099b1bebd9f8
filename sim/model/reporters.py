"""Reporters and the end-of-run summary: cheap scalars read from the workforce arrays.

:func:`weekly_metrics` computes every model reporter in one vectorised pass; the
DataCollector reporters then only look values up (no deep copies of arrays).
"""

from __future__ import annotations

from copy import deepcopy
from functools import partial

import mesa
import numpy as np

from sim.kernels import compiled as kernels
from sim.kernels.api import kernel_for
from sim.model.relationships import FORMAL, INFORMAL
from sim.units import WEEKS_PER_YEAR

# The end-of-run results a planner compares designs on (keys of run_summary); a key
# missing from a summary (e.g. ROI without a control arm) is skipped by reports.
HEADLINE = (
    "performance",
    "proficient_share",
    "skill_gap",
    "time_to_proficiency_weeks",
    "retention",
    "annual_quit_rate",
    "access_gap",
    "programme_cost",
    "roi_percent",
)

REPORTERS = (
    "performance",
    "job_performance",
    "skill_performance",
    "skill_gap",
    "proficient_share",
    "output_fte",
    "headcount",
    "pairs",
    "pairs_formal",
    "pairs_informal",
    "mentors",
    "mean_quality",
    "mean_quality_formal",
    "mean_quality_informal",
    "performance_mentored",
    "performance_never_mentored",
    "gap_mentored",
    "gap_never_mentored",
    "mentoring_time_share",
    "programme_hours",
    "programme_cost",
    "commitment",
    "hires",
    "quits",
    "retirements",
    "promotions",
    "knowledge_lost",
    "proficient_leavers",
    "required_mean",
    "underrepresented_access",
    "majority_access",
    "underrepresented_formal_access",
    "majority_formal_access",
)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.shape[0] else float("nan")


def weekly_metrics(model) -> dict[str, float]:
    """All model reporters for the current week, as plain floats.

    One pass of :func:`sim.kernels.compiled._weekly_sums` over the slots gives every sum; this
    turns them into means and shares. It also refreshes ``model.time_share_buffer``.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.

    Returns:
        A dict with one float per name in :data:`REPORTERS`.

    """
    wf = model.workforce
    scenario = model.scenario
    sums = kernel_for(kernels._weekly_sums, wf.size, 96)(
        wf.active, wf.performance, wf.gap, wf.commitment, wf.mentor, wf.pair_kind,
        wf.quality, wf.contact_hours, wf.load, wf.ever_mentored, wf.ever_formal,
        wf.underrepresented[wf.group], model.programme.prep_hours,
        scenario.programme.format == "group", scenario.organisation.hours_per_week,
        model.enablers, scenario.attitudes.motivation_effect,
        scenario.organisation.proficiency_threshold, model.time_share_buffer,
    )
    n = sums[kernels.SUM_ACTIVE]
    mentored = sums[kernels.SUM_MENTORED]
    under = sums[kernels.SUM_UNDER]
    flows = model.last_flows

    def share(numerator: int, denominator: float) -> float:
        return float(sums[numerator] / denominator) if denominator > 0 else float("nan")

    return {
        "performance": share(kernels.SUM_PERFORMANCE_NET, n),
        "job_performance": share(kernels.SUM_JOB, n),
        "skill_performance": share(kernels.SUM_SKILL, n),
        "skill_gap": share(kernels.SUM_GAP, n),
        "proficient_share": share(kernels.SUM_PROFICIENT, n),
        "output_fte": float(sums[kernels.SUM_JOB]),
        "headcount": float(n),
        "pairs": float(sums[kernels.SUM_PAIRS]),
        "pairs_formal": float(sums[kernels.SUM_PAIRS_FORMAL]),
        "pairs_informal": float(sums[kernels.SUM_PAIRS_INFORMAL]),
        "mentors": float(sums[kernels.SUM_MENTORS]),
        "mean_quality": share(kernels.SUM_QUALITY, sums[kernels.SUM_PAIRS]),
        "mean_quality_formal": share(kernels.SUM_QUALITY_FORMAL, sums[kernels.SUM_PAIRS_FORMAL]),
        "mean_quality_informal": share(
            kernels.SUM_QUALITY_INFORMAL, sums[kernels.SUM_PAIRS_INFORMAL]
        ),
        "performance_mentored": share(kernels.SUM_SKILL_MENTORED, mentored),
        "performance_never_mentored": share(kernels.SUM_SKILL_NEVER, n - mentored),
        "gap_mentored": share(kernels.SUM_GAP_MENTORED, mentored),
        "gap_never_mentored": share(kernels.SUM_GAP_NEVER, n - mentored),
        "mentoring_time_share": share(kernels.SUM_TIME_SHARE, n),
        "programme_hours": float(sum(model.programme.hours_week.values())),
        "programme_cost": float(model.programme_cost),
        "commitment": share(kernels.SUM_COMMITMENT, n),
        "hires": float(flows.hires.shape[0]) if flows else 0.0,
        "quits": float(flows.quits.shape[0]) if flows else 0.0,
        "retirements": float(flows.retirements.shape[0]) if flows else 0.0,
        "promotions": float(model.outcomes.promotions_week),
        "knowledge_lost": float(model.knowledge_lost_week),
        "proficient_leavers": float(model.proficient_leavers_week),
        "required_mean": float(model.environment.required.mean()),
        "underrepresented_access": share(kernels.SUM_UNDER_MENTORED, under),
        "majority_access": share(kernels.SUM_MAJORITY_MENTORED, n - under),
        "underrepresented_formal_access": share(kernels.SUM_UNDER_FORMAL, under),
        "majority_formal_access": share(kernels.SUM_MAJORITY_FORMAL, n - under),
    }


class MetricsCollector(mesa.DataCollector):
    """Mesa's DataCollector for reporters made by :func:`reporter`, without deep copies.

    Mesa deep-copies every reporter's value each step (a guard against mutable values);
    here every model reporter is a float of ``model.metrics``, immutable, so the week's
    values are appended as they are (other model reporters must be callables of the
    model, and are deep-copied as Mesa does). Agent and agent-type reporters, if any are given,
    are collected by Mesa as usual.
    """

    def collect(self, model) -> None:
        """Record this week's metrics (and any agent reporters)."""
        metrics = model.metrics
        for name, values in self.model_vars.items():
            if name in metrics:
                values.append(metrics[name])
            else:  # a reporter added by the user: a callable of the model, as in Mesa
                values.append(deepcopy(self.model_reporters[name](model)))
        if self.agent_reporters:
            self._agent_records[model.steps] = list(self._record_agents(model))
        if self.agenttype_reporters:
            self._agenttype_records[model.steps] = {
                agent_type: list(self._record_agenttype(model, agent_type))
                for agent_type in self.agenttype_reporters
            }


def read_metric(model, name: str) -> float:
    """Read one entry of ``model.metrics`` (used through ``functools.partial``)."""
    return model.metrics[name]


def reporter(name: str) -> partial:
    """A picklable DataCollector model reporter for the metric ``name``."""
    return partial(read_metric, name=name)


def time_to_proficiency_summary(weeks: list[int] | np.ndarray) -> dict[str, float]:
    """Count, mean and median weeks from hire to proficiency of hires who got there."""
    values = np.asarray(weeks, dtype=np.float64)
    if values.shape[0] == 0:
        return {"ramped_up": 0.0, "mean_weeks": float("nan"), "median_weeks": float("nan")}
    return {
        "ramped_up": float(values.shape[0]),
        "mean_weeks": float(values.mean()),
        "median_weeks": float(np.median(values)),
    }


def _group_gap(values: np.ndarray, under: np.ndarray) -> float:
    """Majority mean minus underrepresented mean (nan when a side is empty)."""
    if not under.any() or under.all():
        return float("nan")
    return float(values[~under].mean() - values[under].mean())


def run_summary(model) -> dict[str, float]:
    """End-of-run results of one model run, one float each.

    Averages over the last 13 weeks (a quarter) smooth week-to-week noise.

    Args:
        model: A :class:`~sim.model.model.MentoringModel` that has been run.

    Returns:
        Named end-of-run results (see docs/ODD.md, "Observation").

    """
    frame = model.timeseries()
    last = frame.iloc[-13:]
    wf = model.workforce
    rel = model.relationships
    totals = frame[["hires", "quits", "retirements", "promotions", "knowledge_lost"]].sum()
    years = max(model.steps, 1) / WEEKS_PER_YEAR
    mean_headcount = float(frame["headcount"].mean())
    active = wf.active
    under = wf.underrepresented[wf.group]
    ever = wf.ever_mentored.astype(np.float64)
    formal_mentored = active & wf.ever_formal
    ramp = time_to_proficiency_summary(model.proficiency_weeks)
    started = rel.count(FORMAL, "started")
    early = rel.count(FORMAL, "ended_early")
    promotion_rate = wf.promotions / np.maximum(
        (np.minimum(wf.tenure_weeks, model.steps) / WEEKS_PER_YEAR), 1.0 / WEEKS_PER_YEAR
    )
    summary = {
        "weeks": float(model.steps),
        "performance": float(last["performance"].mean()),
        "job_performance": float(last["job_performance"].mean()),
        "skill_performance": float(last["skill_performance"].mean()),
        "skill_gap": float(last["skill_gap"].mean()),
        "proficient_share": float(last["proficient_share"].mean()),
        "headcount": float(frame["headcount"].iloc[-1]),
        "retention": float(model.initial_staff_retained() / max(model.initial_headcount, 1)),
        "annual_quit_rate": float(totals["quits"] / years / mean_headcount),
        "hires": float(totals["hires"]),
        "retirements": float(totals["retirements"]),
        "promotions": float(totals["promotions"]),
        "knowledge_lost": float(totals["knowledge_lost"]),
        "time_to_proficiency_weeks": ramp["median_weeks"],
        "hires_ramped_up": ramp["ramped_up"],
        "pairs_matched": float(started),
        "pairs_completed": float(rel.count(FORMAL, "completed")),
        "pairs_ended_early": float(early),
        "pairs_ended_by_departure": float(rel.count(FORMAL, "ended_by_departure")),
        "pairs_rematched": float(rel.count(FORMAL, "rematched")),
        "early_ending_share": float(early / started) if started else float("nan"),
        "informal_ties": float(rel.count(INFORMAL, "started")),
        "mean_quality_formal": float(frame["mean_quality_formal"].mean()),
        "mean_quality_informal": float(frame["mean_quality_informal"].mean()),
        "performance_mentored": float(last["performance_mentored"].mean()),
        "performance_never_mentored": float(last["performance_never_mentored"].mean()),
        "mentee_gap_at_match": _mean(wf.gap_at_match[formal_mentored]),
        "mentee_gap_now": _mean(wf.gap[formal_mentored]),
        "mentoring_time_share": float(frame["mentoring_time_share"].mean()),
        "programme_hours": float(frame["programme_hours"].sum()),
        "programme_cost": float(model.programme_cost),
        "underrepresented_access": float(last["underrepresented_access"].mean()),
        "majority_access": float(last["majority_access"].mean()),
        "access_gap": _group_gap(ever[active], under[active]),
        "formal_access_gap": _group_gap(wf.ever_formal[active].astype(float), under[active]),
        "performance_gap": _group_gap(wf.performance[active], under[active]),
        "promotion_rate_gap": _group_gap(promotion_rate[active], under[active]),
    }
    return summary
