"""Reporters and the end-of-run summary: cheap scalars read from the workforce arrays.

:func:`weekly_metrics` computes every model reporter in one vectorised pass; the
DataCollector reporters then only look values up (no deep copies of arrays).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import partial
from operator import attrgetter

import mesa
import numpy as np

from sim.kernels import N_SUMS, SUM_INDEX, weekly_sums
from sim.model.equity import EQUITY_REPORTERS, equity_week
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


@dataclass(frozen=True)
class Reporter:
    """One weekly reporter: a sum of the weekly-sums kernel, a ratio of sums, or a model value.

    Sums are named as in :data:`sim.kernels.sums.SUMS`.

    Attributes:
        name: Column of the weekly series (a key of ``model.metrics``).
        description: What it measures, in one line.
        sum: The sum reported, as is (``per`` None) or divided by ``per``.
        per: The denominator: a sum, less ``less`` if given; nan when it is not positive.
        less: A sum subtracted from ``per`` (e.g. ``active`` less ``mentored``).
        read: For a reporter not made of sums: a function of the model giving its value.

    """

    name: str
    description: str
    sum: str | None = None
    per: str | None = None
    less: str | None = None
    read: Callable | None = None

    def __post_init__(self) -> None:
        if (self.sum is None) == (self.read is None):
            raise ValueError(f"reporter {self.name}: give either a sum or a read function")
        if self.less is not None and self.per is None:
            raise ValueError(f"reporter {self.name}: less needs per")
        for field in (self.sum, self.per, self.less):
            if field is not None and field not in SUM_INDEX:
                raise ValueError(f"reporter {self.name}: {field!r} is not a weekly sum "
                                 f"(sim.kernels.sums.SUMS)")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.shape[0] else float("nan")


def _total(name: str, sum_name: str, description: str) -> Reporter:
    return Reporter(name, description, sum=sum_name)


def _ratio(name: str, sum_name: str, description: str, per: str = "active",
           less: str | None = None) -> Reporter:
    return Reporter(name, description, sum=sum_name, per=per, less=less)


def _read(name: str, read: Callable, description: str) -> Reporter:
    return Reporter(name, description, read=read)


def _equity_of(name: str) -> Callable:
    def read(model) -> float:
        cached = getattr(model, "_equity_cache", None)
        if cached is None or cached[0] != model.steps:
            cached = model._equity_cache = (model.steps, equity_week(model))
        return cached[1][name]
    return read


def _programme_hours(model) -> float:
    return sum(model.programme.hours_week.values())


def _programme_hours_of(kind: str) -> Callable:
    """A reader of this week's programme hours of one kind (mentor, mentee, ...)."""
    return partial(_hours_of, kind=kind)


def _hours_of(model, kind: str) -> float:
    return model.programme.hours_week[kind]


def _formal_pairs_started(model) -> int:
    return model.relationships.count(FORMAL, "started")


def programme_cost_so_far(model) -> float:
    """The programme's fully loaded cost so far, undiscounted (money units).

    Fixed cost (at week 0) + every programme hour so far at the fully loaded hourly
    employment cost, salary / (52 x hours_per_week) x (1 + ``employment_cost_loading``),
    + ``cost_per_pair`` x formal pairs started so far: the costs of
    :func:`sim.analysis.roi.roi` without discounting (its ``costs_undiscounted``).
    ``model.programme_cost`` holds the fixed cost plus the hours at the plain wage; the
    loading is applied here.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.

    Returns:
        The running cost, for the weekly ``programme_cost`` column and the summary.

    """
    evaluation = model.scenario.evaluation
    fixed = evaluation.fixed_cost if model.scenario.programme.enabled else 0.0
    hours_at_wage = model.programme_cost - fixed
    return (fixed + hours_at_wage * (1.0 + evaluation.employment_cost_loading)
            + evaluation.cost_per_pair * _formal_pairs_started(model))


def _hires(model) -> int:
    return model.last_flows.hires.shape[0] if model.last_flows else 0


def _quits(model) -> int:
    return model.last_flows.quits.shape[0] if model.last_flows else 0


def _retirements(model) -> int:
    return model.last_flows.retirements.shape[0] if model.last_flows else 0


def _required_mean(model) -> float:
    return model.environment.required.mean()


# The weekly reporters, in the order of the model's series. Means are over the active
# employees unless ``per`` says otherwise.
REPORTER_TABLE: tuple[Reporter, ...] = (
    _ratio("performance", "performance_net", "organisation performance: mean on-the-job "
           "performance net of mentoring time"),
    _ratio("job_performance", "job", "mean on-the-job performance"),
    _ratio("skill_performance", "skill", "mean skill performance"),
    _ratio("skill_gap", "gap", "mean strategy-weighted skill gap"),
    _ratio("proficient_share", "proficient", "share of employees who are proficient"),
    _total("output_fte", "job", "output in full-time equivalents of full performance"),
    _total("headcount", "active", "employees in post"),
    _total("pairs", "pairs", "pairs this week"),
    _total("pairs_formal", "pairs_formal", "formal pairs"),
    _total("pairs_informal", "pairs_informal", "informal pairs"),
    _total("mentors", "mentors", "employees mentoring"),
    _ratio("mean_quality", "quality", "mean relationship quality", per="pairs"),
    _ratio("mean_quality_formal", "quality_formal", "mean quality of the formal pairs",
           per="pairs_formal"),
    _ratio("mean_quality_informal", "quality_informal", "mean quality of the informal pairs",
           per="pairs_informal"),
    _ratio("performance_mentored", "skill_mentored", "mean skill performance of those ever "
           "mentored", per="mentored"),
    _ratio("performance_never_mentored", "skill_never", "mean skill performance of those "
           "never mentored", per="active", less="mentored"),
    _ratio("gap_mentored", "gap_mentored", "mean skill gap of those ever mentored",
           per="mentored"),
    _ratio("gap_never_mentored", "gap_never", "mean skill gap of those never mentored",
           per="active", less="mentored"),
    _ratio("mentoring_time_share", "time_share", "mean share of the week spent mentoring"),
    _read("programme_hours", _programme_hours, "hours spent on the programme this week"),
    _read("programme_cost", programme_cost_so_far, "programme cost so far: fully loaded, "
          "undiscounted (the ROI's costs_undiscounted)"),
    _ratio("commitment", "commitment", "mean affective commitment"),
    _read("hires", _hires, "hires this week"),
    _read("quits", _quits, "quits this week"),
    _read("retirements", _retirements, "retirements this week"),
    _read("promotions", attrgetter("outcomes.promotions_week"), "promotions this week"),
    _read("knowledge_lost", attrgetter("knowledge_lost_week"),
          "strategy-weighted skill of this week's leavers"),
    _read("proficient_leavers", attrgetter("proficient_leavers_week"),
          "proficient employees among this week's leavers"),
    _read("required_mean", _required_mean, "mean required level"),
    _ratio("underrepresented_access", "under_mentored", "share of the underrepresented "
           "ever mentored", per="under"),
    _ratio("majority_access", "majority_mentored", "share of the majority ever mentored",
           per="active", less="under"),
    _ratio("underrepresented_formal_access", "under_formal", "share of the underrepresented "
           "ever in a formal pair", per="under"),
    _ratio("majority_formal_access", "majority_formal", "share of the majority ever in a "
           "formal pair", per="active", less="under"),
    # the weekly parts of the ROI's costs (sim.analysis.roi)
    _read("programme_hours_mentor", _programme_hours_of("mentor"),
          "mentors' hours in formal pairs this week"),
    _read("programme_hours_mentee", _programme_hours_of("mentee"),
          "mentees' hours in formal pairs this week"),
    _read("programme_hours_coordination", _programme_hours_of("coordination"),
          "programme staff's coordination hours this week"),
    _read("programme_hours_training", _programme_hours_of("training"),
          "mentor training hours this week"),
    _read("formal_pairs_started", _formal_pairs_started, "formal pairs started so far"),
    _read("intervention_cost", attrgetter("interventions.cost_week"), "money spent on "
          "interventions on the enablers this week (sim.model.interventions)"),
    # equity by group over time (sim.model.equity), from one pass a week
    *(_read(name, _equity_of(name), description)
      for name, description in EQUITY_REPORTERS.items()),
)
REPORTERS: tuple[str, ...] = tuple(r.name for r in REPORTER_TABLE)

# The table as positions in the sums extended by a 1 (the "per" of a total) and a 0 (the
# "less" of a plain ratio): a reporter of sums is s[sum] / (s[per] - s[less]).
_ONE, _ZERO = N_SUMS, N_SUMS + 1
_PLAN = tuple(
    (r.name, r.read, 0, 0, 0) if r.read is not None else (
        r.name, None, SUM_INDEX[r.sum], _ONE if r.per is None else SUM_INDEX[r.per],
        _ZERO if r.less is None else SUM_INDEX[r.less])
    for r in REPORTER_TABLE
)


def reporters_from_sums(sums: np.ndarray, model=None) -> dict[str, float]:
    """Every reporter of :data:`REPORTER_TABLE`, in table order, from a sums vector.

    Args:
        sums: float64 (N_SUMS,), as returned by :func:`sim.kernels.weekly_sums`.
        model: The model the other reporters are read from (None: leave them out).

    Returns:
        One float per reporter; nan where a denominator is not positive (e.g. the mean
        quality in a week without pairs).

    """
    s = sums.tolist()
    s.extend((1.0, 0.0))
    out = {}
    for name, read, numerator, per, less in _PLAN:
        if read is None:
            denominator = s[per] - s[less]
            out[name] = s[numerator] / denominator if denominator > 0 else float("nan")
        elif model is not None:
            out[name] = float(read(model))
    return out


def weekly_metrics(model) -> dict[str, float]:
    """All model reporters for the current week, as plain floats, in table order.

    One pass of :func:`sim.kernels.weekly_sums` over the slots gives every sum, which
    :data:`REPORTER_TABLE` turns into totals, means and shares; the rest are read from the
    model. It also refreshes ``model.time_share_buffer``.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.

    Returns:
        A dict with one float per name in :data:`REPORTERS`.

    """
    wf = model.workforce
    scenario = model.scenario
    sums = weekly_sums(
        wf.active, wf.performance, wf.gap, wf.commitment, wf.mentor, wf.pair_kind,
        wf.quality, wf.contact_hours, wf.load, wf.ever_mentored, wf.ever_formal,
        wf.underrepresented[wf.group], model.programme.prep_hours,
        scenario.programme.format == "group", scenario.organisation.hours_per_week,
        model.enabler_slots, scenario.attitudes.motivation_effect,
        scenario.organisation.proficiency_threshold, model.time_share_buffer,
        check=model.steps == 0,  # the arrays keep their dtypes and shapes
    )
    return reporters_from_sums(sums, model)


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
        "programme_cost": float(programme_cost_so_far(model)),
        "underrepresented_access": float(last["underrepresented_access"].mean()),
        "majority_access": float(last["majority_access"].mean()),
        "access_gap": _group_gap(ever[active], under[active]),
        "formal_access_gap": _group_gap(wf.ever_formal[active].astype(float), under[active]),
        "performance_gap": _group_gap(wf.performance[active], under[active]),
        "promotion_rate_gap": _group_gap(promotion_rate[active], under[active]),
    }
    return summary
