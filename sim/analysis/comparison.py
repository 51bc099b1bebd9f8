"""Statistics of a comparison of programme designs under common random numbers.

Replication ``r`` of every design meets the same workforce, environment and
person-by-person draws, so differences against the reference design are paired by
seed, which removes most of the seed-to-seed noise; the unpaired (Welch) interval is
kept beside it for contrast. Means carry 95% t-intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis.stats import LEVEL, mean_ci
from sim.config import Scenario
from sim.model.reporters import HEADLINE


@dataclass
class Comparison:
    """Results of a comparison.

    Attributes:
        names: Scenario names, the first is the reference.
        seeds: The replication seeds, shared by every scenario.
        runs: One row per run: scenario, replication, seed and every summary result.
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
        skip = {"scenario", "replication", "seed"}
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
        unpaired_high); the difference is scenario minus reference, paired by seed.

    """
    from scipy import stats as st

    keep = ("n", "mean", "sd", "ci_low", "ci_high")
    rows = []
    for name in names:
        group = runs[runs["scenario"] == name]
        for metric in metrics:
            ci = mean_ci(group[metric].to_numpy())
            rows.append({"scenario": name, "metric": metric, **{k: ci[k] for k in keep}})
    diffs = []
    reference = runs[runs["scenario"] == names[0]].set_index("seed")
    for name in names[1:]:
        other = runs[runs["scenario"] == name].set_index("seed")
        seeds = reference.index.intersection(other.index)
        for metric in metrics:
            a = reference.loc[seeds, metric].to_numpy(dtype=float)
            b = other.loc[seeds, metric].to_numpy(dtype=float)
            ci = mean_ci(b - a)
            low = high = math.nan
            fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
            if fa.size > 1 and fb.size > 1 and (fa.std() > 0 or fb.std() > 0):
                interval = st.ttest_ind(fb, fa, equal_var=False).confidence_interval(LEVEL)
                low, high = float(interval.low), float(interval.high)
            diffs.append({"scenario": name, "reference": names[0], "metric": metric,
                          **{k: ci[k] for k in keep}, "unpaired_low": low,
                          "unpaired_high": high})
    return pd.DataFrame(rows), pd.DataFrame(diffs)


# --- how many replications ----------------------------------------------------------------
def replications_for_width(sd: float, width: float, level: float = LEVEL) -> int | None:
    """Smallest n whose t-interval of a mean is at most ``width`` wide (full width).

    Solves ``2 * t(level, n - 1) * sd / sqrt(n) <= width``, starting from the normal
    approximation ``n ≈ (2 * z * sd / width)**2`` and stepping up while t is larger.

    Args:
        sd: Standard deviation of one replication (of the paired differences).
        width: Wanted full width of the interval, in the metric's units.
        level: Confidence level.

    Returns:
        The number of replications (at least 2), or None if sd is not finite.

    """
    from scipy import stats

    if not math.isfinite(sd) or width <= 0:
        return None
    if sd == 0:
        return 2
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((2 * z * sd / width) ** 2))
    while 2 * stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) > width:
        n += max(1, n // 1000)
    return n


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
