"""The numbers of a decision between programme designs (``mentorsim plan``).

Computed from a :class:`~sim.analysis.comparison.Comparison` whose first design is the
reference (the organisation without a programme):

* :func:`probability_best`: per metric, the share of paired replications (parameter
  draws, averaged over their seeds) in which each design has the best value of all
  designs, direction-aware; a tie shares the replication equally among the tied designs,
  so the shares sum to 1 over the designs; with a 95% Wilson interval;
* :func:`budget_flags`: each design's cost against the plan's budget;
* :func:`objective_table`: each objective's value per design, from the runs' weekly series
  (:func:`sim.analysis.objectives.objective_value`), with the share of replications that
  met it and a status from the mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.comparison import draw_means
from sim.analysis.objectives import MET, MISSED, NOT_REACHED, objective_value, status
from sim.analysis.stats import mean_ci
from sim.config.schema import Objective

OVER, AT_RISK, WITHIN, NO_BUDGET = "over budget", "at risk", "within budget", "no budget"


def wilson(successes: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion; ``successes`` may be fractional.

    A tie shares a replication's win, so a count of wins may be fractional; the formula
    is the same. NaN when ``n`` is 0.
    """
    if n <= 0:
        return math.nan, math.nan
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def probability_best(runs: pd.DataFrame, names: Sequence[str],
                     metrics: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The probability that each design is best on each metric, over the paired draws.

    Args:
        runs: One row per run: ``scenario``, ``seed`` (and ``draw``) and metric columns.
        names: The designs, in report order.
        metrics: ``(column, better)`` pairs, ``better`` ``"higher"``, ``"lower"`` or
            ``"zero"`` (the value nearest zero, either side, is best).

    Returns:
        One row per metric and design: ``metric``, ``design``, ``n`` (replications in
        which some design had a value), ``wins`` (ties shared), ``p_best``, ``low``,
        ``high`` and ``defined`` (the design had a value in some replication). A
        replication counts among the designs with a finite value in it.

    """
    columns = [c for c, _ in metrics if c in runs.columns]
    units = draw_means(runs, columns) if columns else runs
    key = "draw" if "draw" in units.columns else "seed"
    rows = []
    for column, better in metrics:
        if column not in units.columns:
            table = pd.DataFrame(np.nan, index=[0], columns=list(names))
        else:
            table = units.pivot_table(index=key, columns="scenario", values=column,
                                      dropna=False, aggfunc="mean")
            table = table.reindex(columns=list(names))
        values = table.to_numpy(dtype=float)
        finite = np.isfinite(values)
        wins = np.zeros(len(names))
        counted = 0
        for row, ok in zip(values, finite, strict=True):
            if not ok.any():
                continue
            if better == "zero":
                row = np.abs(row)
            best = np.nanmax(row) if better == "higher" else np.nanmin(row)
            tied = ok & np.isclose(row, best, rtol=1e-12, atol=0.0)
            wins[tied] += 1.0 / tied.sum()
            counted += 1
        for i, name in enumerate(names):
            low, high = wilson(wins[i], counted)
            rows.append({"metric": column, "design": name, "n": counted,
                         "wins": float(wins[i]),
                         "p_best": wins[i] / counted if counted else math.nan,
                         "low": low, "high": high, "defined": bool(finite[:, i].any())})
    return pd.DataFrame(rows, columns=["metric", "design", "n", "wins", "p_best", "low",
                                       "high", "defined"])


def budget_flags(stats: pd.DataFrame, names: Sequence[str], budget: float | None,
                 column: str = "programme_cost") -> pd.DataFrame:
    """Each design's cost (mean and 95% interval) against the budget.

    ``over budget`` when the mean or the whole interval is above the budget, ``at risk``
    when only the interval's upper end is, ``within budget`` otherwise (``no budget``
    without one).

    Args:
        stats: The comparison's ``stats`` (scenario, metric, mean, ci_low, ci_high).
        names: The designs.
        budget: The plan's budget, or None.
        column: The cost column.

    Returns:
        One row per design: ``design``, ``mean``, ``low``, ``high``, ``budget``,
        ``status``, ``flagged`` (over budget).

    """
    table = stats[stats["metric"] == column].set_index("scenario")
    rows = []
    for name in names:
        mean, low, high = (float(table.loc[name, c]) if name in table.index else math.nan
                           for c in ("mean", "ci_low", "ci_high"))
        if budget is None:
            verdict = NO_BUDGET
        elif mean > budget or low > budget:
            verdict = OVER
        elif high > budget:
            verdict = AT_RISK
        else:
            verdict = WITHIN
        rows.append({"design": name, "mean": mean, "low": low, "high": high,
                     "budget": math.nan if budget is None else float(budget),
                     "status": verdict, "flagged": verdict == OVER})
    return pd.DataFrame(rows)


def objective_table(timeseries: pd.DataFrame, names: Sequence[str],
                    objectives: Sequence[Objective]) -> pd.DataFrame:
    """Each objective per design: its value over the replications and whether it is met.

    The value of one run is :func:`~sim.analysis.objectives.objective_value` of its
    weekly series; the row carries the mean over replications with its 95% interval,
    ``p_met`` (share of replications that met it) and ``status`` from the mean
    (``met``, ``missed`` or ``not reached`` when the runs end before ``by_week``);
    ``flagged`` when not met.

    Args:
        timeseries: The comparison's weekly series (scenario, replication, week, ...).
        names: The designs.
        objectives: The plan's objectives.

    Returns:
        One row per design and objective.

    """
    rows = []
    for objective in objectives:
        for name in names:
            runs = timeseries[timeseries["scenario"] == name]
            values, reached, met = [], [], []
            for _, run in runs.groupby("replication", sort=True):
                series = run.set_index("week")
                if objective.metric not in series.columns:
                    continue
                value = objective_value(series, objective.metric, objective.by_week)
                ok = not series.empty and series.index.max() >= objective.by_week
                values.append(value)
                reached.append(ok)
                met.append(status(value, objective.target, objective.direction, ok) == MET)
            ci = mean_ci(np.asarray(values, dtype=float))
            verdict = (NOT_REACHED if not values or not all(reached)
                       else status(ci.estimate, objective.target, objective.direction, True))
            rows.append({"design": name, "objective": objective.name,
                         "metric": objective.metric, "direction": objective.direction,
                         "target": objective.target, "by_week": objective.by_week,
                         "mean": ci.estimate, "low": ci.low, "high": ci.high,
                         "p_met": float(np.mean(met)) if met else math.nan,
                         "status": verdict, "flagged": verdict != MET})
    return pd.DataFrame(rows, columns=["design", "objective", "metric", "direction", "target",
                                       "by_week", "mean", "low", "high", "p_met", "status",
                                       "flagged"])


__all__ = ["AT_RISK", "MET", "MISSED", "NOT_REACHED", "NO_BUDGET", "OVER", "WITHIN",
           "budget_flags", "objective_table", "probability_best", "wilson"]
