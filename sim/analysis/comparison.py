"""Statistics of a comparison of programme designs under common random numbers.

Replication ``r`` of every design meets the same workforce, environment and
person-by-person draws, so differences against the reference design are paired by
seed, which removes most of the seed-to-seed noise; the unpaired (Welch) interval is
kept beside it for contrast. Means carry 95% t-intervals (:mod:`sim.analysis.stats`).

With parameter uncertainty (:mod:`sim.experiment.compare`), replication ``r`` of every
design also uses the same parameter draw (common parameters), and each draw may be run
with several seeds (``draw`` column of ``runs``). The unit of every interval is then the
draw: a design's value in a draw is the mean over its seeds, and intervals are over
draws, so they include the spread the parameters cause. :func:`variance_split` splits a
metric's variance into its parameter and chance parts (one-way ANOVA over draws, which
needs at least two seeds per draw), and :func:`probability_better` gives the share of
draws in which one design beats another, with a Wilson interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
        parameters: One row per parameter draw: draw, then the drawn value of each field
            (empty with parameters fixed at their defaults).
        variance: Per design (and per difference against the reference) and metric: the
            variance split into parameters and chance (:func:`variance_split`).
        better: Per pair of designs and metric: the share of draws in which the second
            beats the first, with its Wilson interval (:func:`probability_better`).
        uncertainty: What was drawn: ``priors`` (count), ``label``, ``seeds_per_draw``,
            ``draws``, ``not_drawn`` (fields left at each design's value); None with
            parameters fixed at their defaults.

    """

    names: list[str]
    seeds: list[int]
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    stats: pd.DataFrame
    differences: pd.DataFrame
    scenarios: dict[str, Scenario] = field(default_factory=dict, repr=False)
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    variance: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    better: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    uncertainty: dict[str, Any] | None = None

    @property
    def metrics(self) -> list[str]:
        """Summary results in report order: headline results present, then the others."""
        skip = {"scenario", "replication", "seed", "id", "draw"}
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
    runs = draw_means(runs, metrics)
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


def draw_means(runs: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """``runs`` with one row per design and parameter draw: the mean over its seeds.

    Unchanged when there is no ``draw`` column or every draw has one seed (then a draw is
    a replication); else the ``seed`` column becomes the draw's first seed, the pairing
    key of the differences.
    """
    if "draw" not in runs.columns or runs.groupby(["scenario", "draw"]).size().max() <= 1:
        return runs
    grouped = runs.groupby(["scenario", "draw"], sort=False)
    means = grouped[list(metrics)].mean()
    means["seed"] = grouped["seed"].first()
    return means.reset_index()


def _anova(groups: Sequence[np.ndarray]) -> tuple[float, float, int]:
    """Between- and within-group variance components of one-way random-effects ANOVA.

    ``MSW = Σ(y - ȳ_i)² / (N - g)``, ``MSB = Σ n_i (ȳ_i - ȳ)² / (g - 1)``, and
    ``σ²_between = max(0, (MSB - MSW) / n0)`` with ``n0 = (N - Σ n_i² / N) / (g - 1)``
    (the seeds per draw when balanced). Returns ``(σ²_between, σ²_within, g)``; NaN
    when no group has two values or there are fewer than two groups.
    """
    groups = [g[np.isfinite(g)] for g in groups]
    groups = [g for g in groups if g.size]
    sizes = np.array([g.size for g in groups], dtype=float)
    n, g = float(sizes.sum()), len(groups)
    if g < 2 or n - g < 1:
        return math.nan, math.nan, g
    grand = np.concatenate(groups).mean()
    msw = sum(float(((x - x.mean()) ** 2).sum()) for x in groups) / (n - g)
    msb = float((sizes * (np.array([x.mean() for x in groups]) - grand) ** 2).sum()) / (g - 1)
    n0 = (n - float((sizes ** 2).sum()) / n) / (g - 1)
    return max(0.0, (msb - msw) / n0), msw, g


def variance_split(runs: pd.DataFrame, names: Sequence[str], metrics: Sequence[str]
                   ) -> pd.DataFrame:
    """How much of each metric's variance the parameters cause, and how much chance.

    The law of total variance over parameter draws θ with ``k`` seeds each:
    ``Var(Y) = Var_θ(E[Y | θ]) + E_θ(Var(Y | θ))``, the first part the parameters', the
    second chance's (the seeds'), estimated by one-way random-effects ANOVA over draws
    (:func:`_anova`). Done for every design and for every design's paired difference
    against the reference (the seeds and the draw are shared, so chance in a difference is
    only what common random numbers leave).

    Args:
        runs: One row per run: scenario, draw, seed and metric columns.
        names: Design names; the first is the reference.
        metrics: Metric columns.

    Returns:
        One row per ``of`` (a design, or ``"B − A"``) and metric: ``draws``,
        ``seeds_per_draw`` (mean), ``var_parameters``, ``var_chance``, ``var_total``
        (their sum, the variance of one run) and ``parameter_share``; NaN without
        ``draw`` or with one seed per draw (then the split is not identified).

    """
    rows = []
    if "draw" not in runs.columns:
        return pd.DataFrame(rows)
    keyed = runs.set_index(["draw", "seed"])
    tables = [(name, keyed[keyed["scenario"] == name]) for name in names]
    reference = tables[0][1]
    tables += [(f"{name} − {names[0]}", table[metrics] - reference[metrics])
               for name, table in tables[1:]]
    for of, table in tables:
        draws = table.index.get_level_values("draw")
        for metric in metrics:
            values = table[metric].to_numpy(dtype=float)
            groups = [values[draws == d] for d in pd.unique(draws)]
            between, within, g = _anova(groups)
            total = between + within
            rows.append({"of": of, "metric": metric, "draws": g,
                         "seeds_per_draw": len(values) / max(g, 1),
                         "var_parameters": between, "var_chance": within,
                         "var_total": total,
                         "parameter_share": between / total if total > 0 else math.nan})
    return pd.DataFrame(rows)


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (:meth:`scipy.stats.binomtest`); NaN if n = 0."""
    if n <= 0:
        return math.nan, math.nan
    from scipy import stats

    ci = stats.binomtest(int(successes), int(n)).proportion_ci(level, method="wilson")
    return float(ci.low), float(ci.high)


def probability_better(runs: pd.DataFrame, names: Sequence[str], metrics: Sequence[str]
                       ) -> pd.DataFrame:
    """For each pair of designs A, B (A before B) and metric: P(B > A) over draws.

    The unit is the paired replication, a parameter draw with its seeds (the mean over
    them, :func:`draw_means`): the share of draws in which B's value is above A's (ties
    count as not above), with its 95% Wilson interval. Whether above is better depends on
    the metric (a lower ``skill_gap`` is better).

    Returns:
        One row per pair and metric: ``a``, ``b``, ``metric``, ``n``, ``b_above``,
        ``p_b_above``, ``low``, ``high``.

    """
    units = draw_means(runs, metrics)
    key = "draw" if "draw" in units.columns else "seed"
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            left = units[units["scenario"] == a].set_index(key)
            right = units[units["scenario"] == b].set_index(key)
            common = left.index.intersection(right.index)
            for metric in metrics:
                x = left.loc[common, metric].to_numpy(dtype=float)
                y = right.loc[common, metric].to_numpy(dtype=float)
                ok = np.isfinite(x) & np.isfinite(y)
                n, above = int(ok.sum()), int((y[ok] > x[ok]).sum())
                low, high = wilson_interval(above, n)
                rows.append({"a": a, "b": b, "metric": metric, "n": n, "b_above": above,
                             "p_b_above": above / n if n else math.nan, "low": low,
                             "high": high})
    return pd.DataFrame(rows)


def uncertainty_line(comparison: Comparison) -> str:
    """One sentence on what the intervals include (the report's header says it)."""
    info = comparison.uncertainty
    if not info:
        return ("Parameters fixed at their defaults (--no-uncertainty): intervals cover "
                "chance (the seeds) only.")
    line = (f"Intervals include parameter uncertainty over {info['priors']} priors "
            f"({info['label']}): {info['draws']} Latin-hypercube draws, the same draw in "
            f"every design of a replication, each run with {info['seeds_per_draw']} "
            "seed(s); the unit of every interval is the draw.")
    if info.get("not_drawn"):
        line += (" Not drawn (they differ between the designs, which keep their own "
                 f"values): {', '.join(info['not_drawn'])}.")
    return line


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


def _share(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{100 * value:.0f}%"


def variance_table(comparison: Comparison, metrics: Sequence[str] | None = None
                   ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then the parameters' share of the variance of each."""
    metrics = list(metrics or comparison.metrics)
    if comparison.variance.empty:
        return ["metric"], [[m] for m in metrics]
    table = comparison.variance.set_index(["metric", "of"])
    ofs = list(pd.unique(comparison.variance["of"]))
    rows = [[m, *(_share(float(table.loc[(m, o), "parameter_share"])) for o in ofs)]
            for m in metrics]
    return ["metric", *ofs], rows


def better_table(comparison: Comparison, metrics: Sequence[str] | None = None
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then P(B > A) [95% Wilson interval] of each pair."""
    metrics = list(metrics or comparison.metrics)
    if comparison.better.empty:
        return ["metric"], [[m] for m in metrics]
    table = comparison.better.set_index(["metric", "a", "b"])
    pairs = list(dict.fromkeys(zip(comparison.better["a"], comparison.better["b"],
                                   strict=True)))
    rows = [[m, *(f"{_fmt(table.loc[(m, a, b), 'p_b_above'])} "
                  f"[{_fmt(table.loc[(m, a, b), 'low'])}, {_fmt(table.loc[(m, a, b), 'high'])}]"
                  for a, b in pairs)] for m in metrics]
    return ["metric", *(f"P({b} > {a})" for a, b in pairs)], rows
