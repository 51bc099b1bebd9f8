"""Reporters and evaluation: cheap scalars read from the workforce arrays each week.

:func:`weekly_metrics` computes every model reporter in one vectorised pass; the
:class:`DataCollector` reporters then only look values up (no deep copies of arrays).
"""

from __future__ import annotations

from functools import partial

import numpy as np

# The end-of-run results a planner compares designs on (keys of run_summary); a key
# missing from a summary (e.g. cost before costs are configured) is skipped by reports.
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
    "skill_performance",
    "skill_gap",
    "proficient_share",
    "headcount",
    "pairs",
    "mentors",
    "mean_quality",
    "performance_mentored",
    "performance_never_mentored",
    "gap_mentored",
    "gap_never_mentored",
    "mentoring_time_share",
    "hires",
    "quits",
    "retirements",
    "required_mean",
    "underrepresented_access",
    "majority_access",
)


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.shape[0] else float("nan")


def weekly_metrics(model) -> dict[str, float]:
    """All model reporters for the current week, as plain floats.

    Args:
        model: A :class:`~sim.model.MentoringModel`.

    Returns:
        A dict with one float per name in :data:`REPORTERS`.

    """
    wf = model.workforce
    active = wf.active
    time_share = model.programme.time_share()
    perf = wf.performance[active]
    gap = wf.gap[active]
    mentored = wf.ever_mentored[active]
    in_pair = wf.mentor >= 0
    under = wf.underrepresented[wf.group[active]]
    threshold = model.scenario.organisation.proficiency_threshold
    flows = model.last_flows
    return {
        "performance": _mean(perf * (1.0 - time_share[active])),
        "skill_performance": _mean(perf),
        "skill_gap": _mean(gap),
        "proficient_share": _mean((perf >= threshold).astype(np.float64)),
        "headcount": float(perf.shape[0]),
        "pairs": float(np.count_nonzero(in_pair)),
        "mentors": float(np.count_nonzero(wf.load > 0)),
        "mean_quality": _mean(wf.quality[in_pair]),
        "performance_mentored": _mean(perf[mentored]),
        "performance_never_mentored": _mean(perf[~mentored]),
        "gap_mentored": _mean(gap[mentored]),
        "gap_never_mentored": _mean(gap[~mentored]),
        "mentoring_time_share": _mean(time_share[active]),
        "hires": float(flows.hires.shape[0]) if flows else 0.0,
        "quits": float(flows.quits.shape[0]) if flows else 0.0,
        "retirements": float(flows.retirements.shape[0]) if flows else 0.0,
        "required_mean": float(model.environment.required.mean()),
        "underrepresented_access": _mean(mentored[under].astype(np.float64)),
        "majority_access": _mean(mentored[~under].astype(np.float64)),
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


def run_summary(model) -> dict[str, float]:
    """End-of-run results of one model run, one float each.

    Averages over the last 13 weeks (a quarter) smooth week-to-week noise.

    Args:
        model: A :class:`~sim.model.MentoringModel` that has been run.

    Returns:
        Named end-of-run results (see docs/ODD.md, "Observation").

    """
    frame = model.timeseries()
    last = frame.iloc[-13:]
    wf = model.workforce
    programme = model.programme
    flows_total = frame[["hires", "quits", "retirements"]].sum()
    years = max(model.steps, 1) / 52.0
    mean_headcount = float(frame["headcount"].mean())
    mentored = wf.active & wf.ever_mentored
    ramp = time_to_proficiency_summary(model.proficiency_weeks)
    summary = {
        "weeks": float(model.steps),
        "performance": float(last["performance"].mean()),
        "skill_performance": float(last["skill_performance"].mean()),
        "skill_gap": float(last["skill_gap"].mean()),
        "proficient_share": float(last["proficient_share"].mean()),
        "headcount": float(frame["headcount"].iloc[-1]),
        "annual_quit_rate": float(flows_total["quits"] / years / mean_headcount),
        "hires": float(flows_total["hires"]),
        "retirements": float(flows_total["retirements"]),
        "time_to_proficiency_weeks": ramp["median_weeks"],
        "hires_ramped_up": ramp["ramped_up"],
        "pairs_matched": float(programme.matched),
        "pairs_completed": float(programme.completed),
        "pairs_ended_early": float(programme.ended_early),
        "pairs_ended_by_departure": float(programme.ended_by_departure),
        "mean_quality": float(frame["mean_quality"].mean()) if programme.matched else float("nan"),
        "performance_mentored": float(last["performance_mentored"].mean()),
        "performance_never_mentored": float(last["performance_never_mentored"].mean()),
        "mentee_gap_at_match": _mean(wf.gap_at_match[mentored]),
        "mentee_gap_now": _mean(wf.gap[mentored]),
        "mentoring_time_share": float(frame["mentoring_time_share"].mean()),
        "underrepresented_access": float(last["underrepresented_access"].mean()),
        "majority_access": float(last["majority_access"].mean()),
    }
    return summary
