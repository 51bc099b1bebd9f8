"""Sensitivity of outcomes to factors: statistics per design point and Sobol indices.

Pure functions of the sweep's tables (``design.parquet`` and ``summary.parquet``, see
:mod:`sim.experiment.runner`): per design point and outcome, n, mean, sd and the 95%
t-interval of the mean over replications; for Sobol designs, first-order and total
indices with 95% bootstrap half-widths from ``SALib.analyze.sobol.analyze`` on the
replication mean of each outcome. :mod:`sim.viz.sweep_report` reads a sweep directory,
calls these and draws the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import LEVEL, mean_ci
from sim.errors import ResultsError
from sim.model.reporters import HEADLINE


def outcomes_in(summary: pd.DataFrame, outcomes: Sequence[str] | None = None) -> list[str]:
    """The outcomes to analyse: those asked for, else the HEADLINE results present."""
    names = list(outcomes) if outcomes else [h for h in HEADLINE if h in summary.columns]
    missing = [o for o in names if o not in summary.columns]
    if missing:
        raise ResultsError(f"no outcome {missing[0]!r} in the summary; have "
                           f"{', '.join(c for c in summary.columns if c in HEADLINE)}")
    return names


def point_statistics(design: pd.DataFrame, summary: pd.DataFrame, factors: Sequence[str],
                     outcomes: Sequence[str]) -> pd.DataFrame:
    """Per design point and outcome: n, mean, sd and 95% CI over replications.

    Args:
        design: ``design.parquet``: point, replication, seed, id, factor values.
        summary: ``summary.parquet``: one row per run id.
        factors: Factor columns.
        outcomes: Outcome columns.

    Returns:
        A long table: point, factors, outcome, n, mean, sd, ci_low, ci_high.

    """
    joined = design[["point", "id", *factors]].merge(
        summary[["id", *outcomes]], on="id", how="left")
    rows = []
    for point, group in joined.groupby("point", sort=True):
        levels = {f: group[f].iloc[0] for f in factors}
        for outcome in outcomes:
            rows.append({"point": point, **levels, "outcome": outcome,
                         **mean_ci(group[outcome].to_numpy()).row()})
    return pd.DataFrame(rows)


def sobol_indices(problem: dict[str, Any], points: pd.DataFrame, outcomes: Sequence[str],
                  second_order: bool = True, seed: int | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of each outcome's replication mean.

    Args:
        problem: The SALib problem (num_vars, names, bounds).
        points: :func:`point_statistics` output for a Sobol (Saltelli) design.
        outcomes: Outcomes to analyse; one with missing or constant values is skipped.
        second_order: Whether the sample was drawn with second-order terms.
        seed: Seed of SALib's bootstrap.

    Returns:
        outcome, factor, S1, S1_conf, ST, ST_conf (conf = half-width of the 95% interval).

    """
    from SALib.analyze import sobol

    rows = []
    for outcome in outcomes:
        y = (points[points["outcome"] == outcome].sort_values("point")["mean"]
             .to_numpy(dtype=float))
        if y.size == 0 or not np.all(np.isfinite(y)) or np.var(y) == 0:
            continue
        result = sobol.analyze(problem, y, calc_second_order=second_order,
                               num_resamples=200, conf_level=LEVEL, seed=seed)
        for i, name in enumerate(problem["names"]):
            rows.append({"outcome": outcome, "factor": name,
                         "S1": float(result["S1"][i]), "S1_conf": float(result["S1_conf"][i]),
                         "ST": float(result["ST"][i]), "ST_conf": float(result["ST_conf"][i])})
    return pd.DataFrame(rows, columns=["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"])


def sobol_markdown(indices: pd.DataFrame) -> str:
    """The Sobol indices as Markdown tables, one per outcome, largest ST first.

    Args:
        indices: :func:`sobol_indices` output.

    Returns:
        Per outcome a heading and a table: factor, S1 and ST with their 95% intervals
        (index ± half-width, as SALib's bootstrap gives them).

    """
    blocks = []
    for outcome, group in indices.groupby("outcome", sort=False):
        lines = [f"### {outcome}", "", "| factor | S1 | S1 95% interval | ST | ST 95% interval |",
                 "|---|---:|---:|---:|---:|"]
        for _, row in group.sort_values("ST", ascending=False).iterrows():
            lines.append(
                f"| {row['factor']} | {row['S1']:.3f} | [{row['S1'] - row['S1_conf']:.3f}, "
                f"{row['S1'] + row['S1_conf']:.3f}] | {row['ST']:.3f} | "
                f"[{row['ST'] - row['ST_conf']:.3f}, {row['ST'] + row['ST_conf']:.3f}] |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
