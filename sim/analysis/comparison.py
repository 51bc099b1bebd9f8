"""Statistics of a comparison of programme designs under common random numbers.

Replication ``r`` of every design meets the same workforce, environment and
person-by-person draws, so differences against the reference design are paired by
seed, which removes most of the seed-to-seed noise; the unpaired (Welch) interval is
kept beside it for contrast. Means carry 95% t-intervals (:mod:`sim.analysis.stats`);
every interval is over replications at these scenarios' fixed parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci, paired_ci, replications_for_width, welch_ci
from sim.config import Scenario
from sim.model.reporters import HEADLINE


@dataclass
class Comparison:
    """Results of a comparison.

    Attributes:
        names: Scenario names, the first is the reference.
        seeds: The replication seeds, shared by every scenario.
        runs: One row per run: scenario, replication, seed, run id (the name of its
            file under ``runs/``) and every summary result.
        timeseries: Weekly reporters of every run: scenario, replication, week, reporters.
        stats: Per scenario and metric: n, mean, sd, 95% CI.
        differences: Per other scenario and metric, against the first: paired mean
            difference with its 95% CI, and the unpaired (Welch) CI.
        scenarios: The scenarios as run.

    """

    names: list[str]
    seeds: list[int]
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    stats: pd.DataFrame
    differences: pd.DataFrame
    scenarios: dict[str, Scenario] = field(default_factory=dict, repr=False)

    @property
    def metrics(self) -> list[str]:
        """Summary results in report order: headline results present, then the others."""
        skip = {"scenario", "replication", "seed", "id"}
        columns = [c for c in self.runs.columns if c not in skip]
        return [h for h in HEADLINE if h in columns] + [c for c in columns if c not in HEADLINE]

    @property
    def headline(self) -> list[str]:
        """The headline results present."""
        return [h for h in HEADLINE if h in self.runs.columns]


def comparison_statistics(runs: pd.DataFrame, names: Sequence[str],
                          metrics: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Means with 95% CIs per scenario, and paired differences against the first.

    Args:
        runs: One row per run with scenario, seed and metric columns.
        names: Scenario names; the first is the reference.
        metrics: Metric columns.

    Returns:
        ``stats`` (scenario, metric, n, mean, sd, ci_low, ci_high) and ``differences``
        (scenario, reference, metric, n, mean, sd, ci_low, ci_high, unpaired_low,
        unpaired_high); the difference is scenario minus reference, paired by seed
        (:func:`~sim.analysis.stats.paired_ci`), the unpaired interval Welch's
        (:func:`~sim.analysis.stats.welch_ci`).

    """
    rows = []
    for name in names:
        group = runs[runs["scenario"] == name]
        for metric in metrics:
            rows.append({"scenario": name, "metric": metric,
                         **mean_ci(group[metric].to_numpy()).row()})
    diffs = []
    reference = runs[runs["scenario"] == names[0]].set_index("seed")
    for name in names[1:]:
        other = runs[runs["scenario"] == name].set_index("seed")
        seeds = reference.index.intersection(other.index)
        for metric in metrics:
            a = reference.loc[seeds, metric].to_numpy(dtype=float)
            b = other.loc[seeds, metric].to_numpy(dtype=float)
            unpaired = welch_ci(b, a)
            diffs.append({"scenario": name, "reference": names[0], "metric": metric,
                          **paired_ci(b, a).row(), "unpaired_low": unpaired.low,
                          "unpaired_high": unpaired.high})
    return pd.DataFrame(rows), pd.DataFrame(diffs)


# --- how many replications ----------------------------------------------------------------
def replication_advice(comparison: Comparison, width: float, metric: str = "performance") -> str:
    """One paragraph: the widest interval of ``metric`` and the n that would narrow it."""
    table = comparison.differences if len(comparison.differences) else comparison.stats
    kind = "paired difference" if len(comparison.differences) else "mean"
    rows = table[(table["metric"] == metric) & np.isfinite(table["sd"])]
    if rows.empty:
        return f"No interval of {metric} to narrow (missing or too few replications)."
    row = rows.loc[rows["sd"].idxmax()]
    n_needed = replications_for_width(float(row["sd"]), width)
    label = (f"{row['scenario']} - {row['reference']}" if kind == "paired difference"
             else row["scenario"])
    return (f"Widest 95% interval of a {kind} in {metric}: {label}, width "
            f"{row['ci_high'] - row['ci_low']:.3g} with n = {int(row['n'])} (sd {row['sd']:.3g}). "
            f"About {n_needed} replications would narrow it to width {width:g} "
            f"(n ≈ (2·t·sd/width)²).")


# --- tables ---------------------------------------------------------------------------
def _fmt(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.4g}"


def _cell(row: pd.Series) -> str:
    return f"{_fmt(row['mean'])} [{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"


def result_table(comparison: Comparison, metrics: Sequence[str] | None = None
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then mean [95% CI] for each scenario."""
    metrics = list(metrics or comparison.metrics)
    stats = comparison.stats.set_index(["metric", "scenario"])
    rows = [[m, *(_cell(stats.loc[(m, n)]) for n in comparison.names)] for m in metrics]
    return ["metric", *comparison.names], rows


def difference_table(comparison: Comparison, metrics: Sequence[str] | None = None
                     ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then paired difference [95% CI] of each other scenario."""
    metrics = list(metrics or comparison.metrics)
    if comparison.differences.empty:
        return ["metric"], [[m] for m in metrics]
    diffs = comparison.differences.set_index(["metric", "scenario"])
    ref = comparison.names[0]
    others = comparison.names[1:]
    rows = [[m, *(_cell(diffs.loc[(m, n)]) + " (unpaired ±"
                  + _fmt((diffs.loc[(m, n), "unpaired_high"]
                          - diffs.loc[(m, n), "unpaired_low"]) / 2) + ")"
                  for n in others)] for m in metrics]
    return ["metric", *(f"{n} − {ref}" for n in others)], rows
