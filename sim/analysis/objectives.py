"""Objectives after the run: whether each of the plan's objectives was met by its date.

An objective of the scenario's ``[plan]`` names a model reporter (``metric``, one of
:data:`sim.config.schema.OBJECTIVE_METRICS`), a ``target``, a ``by_week`` and a
``direction``. Its value is the reporter's mean over the four weeks up to ``by_week``
(weeks ``by_week - 3 .. by_week`` of the weekly series, so one noisy week does not decide
it); ``at_least`` is met when the value is at or above the target, ``at_most`` when at or
below. A run shorter than ``by_week`` has *not reached* it. With a control arm the same is
read off the control's series, so a planner sees whether the programme or the
organisation's own course met the objective.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.config import Scenario

WINDOW_WEEKS = 4
"""Weeks averaged up to an objective's ``by_week``."""

MET, MISSED, NOT_REACHED = "met", "missed", "not reached"

COLUMNS = ("objective", "metric", "direction", "target", "by_week", "value", "status",
           "control_value", "control_status")
"""Columns of :func:`evaluate_objectives`' table."""


def objective_value(timeseries: pd.DataFrame, metric: str, by_week: int) -> float:
    """Mean of ``metric`` over the :data:`WINDOW_WEEKS` weeks up to ``by_week`` (nan if none).

    Args:
        timeseries: A weekly series indexed by week (``MentoringModel.timeseries()``).
        metric: A column of it.
        by_week: The objective's date (inclusive).

    Returns:
        The mean, or nan when the series does not reach ``by_week`` or has no values.

    """
    if timeseries.empty or timeseries.index.max() < by_week:
        return math.nan
    weeks = timeseries.index
    window = timeseries.loc[(weeks > by_week - WINDOW_WEEKS) & (weeks <= by_week), metric]
    return float(window.mean()) if window.notna().any() else math.nan


def status(value: float, target: float, direction: str, reached: bool) -> str:
    """``met``, ``missed`` or ``not reached`` (a nan value that was reached is missed)."""
    if not reached:
        return NOT_REACHED
    if math.isnan(value):
        return MISSED
    ok = value >= target if direction == "at_least" else value <= target
    return MET if ok else MISSED


def evaluate_objectives(scenario: Scenario, timeseries: pd.DataFrame,
                        control: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each plan objective's value and status, in the run and (if given) its control arm.

    Args:
        scenario: The scenario whose ``plan.objectives`` are evaluated.
        timeseries: The run's weekly series, indexed by week.
        control: The control arm's weekly series, or None (its columns are then nan/empty).

    Returns:
        One row per objective (:data:`COLUMNS`).

    """
    rows = []
    for objective in scenario.plan.objectives:
        row = {"objective": objective.name, "metric": objective.metric,
               "direction": objective.direction, "target": objective.target,
               "by_week": objective.by_week}
        for prefix, frame in (("", timeseries), ("control_", control)):
            if frame is None:
                row[f"{prefix}value"], row[f"{prefix}status"] = math.nan, ""
                continue
            reached = not frame.empty and frame.index.max() >= objective.by_week
            value = objective_value(frame, objective.metric, objective.by_week)
            row[f"{prefix}value"] = value
            row[f"{prefix}status"] = status(value, objective.target, objective.direction,
                                            reached)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))
