"""The analysis of a finished sweep: statistics per design point, Sobol indices, plots.

``analyse(DIR)`` reads ``DIR/design.parquet`` and ``DIR/summary.parquet`` (see
:mod:`sim.experiment.runner`) and writes ``DIR/analysis/``:

* ``points.parquet`` / ``points.csv`` — per design point and outcome: n, mean, sd and
  the 95% t-interval of the mean over replications;
* ``sobol.parquet`` / ``sobol.csv`` (Sobol designs) — first-order and total indices
  with 95% bootstrap half-widths, from ``SALib.analyze.sobol.analyze`` on the
  replication mean of each outcome;
* ``main_effects.png`` (outcome against each factor), ``heatmap.png`` (outcome over two
  factors) and ``tornado.png`` (total Sobol indices).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import outcomes_in, point_statistics, sobol_indices
from sim.analysis.stats import mean_ci
from sim.errors import ResultsError
from sim.experiment.store import read_manifest, write_parquet
from sim.viz.report import subplots

ANALYSIS = "analysis"
PLOTTED_OUTCOMES = 4  # main effects and heat-map show the first four (drawing is slow)


@dataclass
class Analysis:
    """What :func:`analyse` found and wrote.

    Attributes:
        directory: The ``analysis/`` directory.
        points: Per-point statistics.
        sobol: Sobol indices (empty unless a Sobol design).
        files: Files written.

    """

    directory: Path
    points: pd.DataFrame
    sobol: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    def format(self, outcome: str | None = None) -> str:
        """A short text report: best and worst points, and Sobol indices."""
        lines = []
        outcome = outcome or (self.points["outcome"].iloc[0] if len(self.points) else None)
        if outcome is not None:
            table = self.points[self.points["outcome"] == outcome].sort_values("mean")
            factor_cols = [c for c in table.columns if c not in
                           ("point", "outcome", "n", "mean", "sd", "ci_low", "ci_high")]
            lines.append(f"{outcome} by design point (mean [95% CI]), lowest and highest:")
            shown = table if len(table) <= 6 else pd.concat([table.head(3), table.tail(3)])
            for _, row in shown.iterrows():
                levels = ", ".join(f"{f}={_fmt(row[f])}" for f in factor_cols)
                lines.append(f"  {levels}: {row['mean']:.4g} "
                             f"[{row['ci_low']:.4g}, {row['ci_high']:.4g}]")
        for name, group in self.sobol.groupby("outcome", sort=False):
            lines.append(f"Sobol indices of {name} (± 95% half-width):")
            for _, row in group.sort_values("ST", ascending=False).iterrows():
                lines.append(f"  {row['factor']:<36} S1 {row['S1']:6.3f} ± {row['S1_conf']:.3f}"
                             f"   ST {row['ST']:6.3f} ± {row['ST_conf']:.3f}")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def analyse(directory: str | Path, outcomes: Sequence[str] | None = None,
            heatmap: Sequence[str] | None = None, plots: bool = True) -> Analysis:
    """Analyse a finished sweep's results directory and write ``analysis/`` inside it.

    Args:
        directory: The sweep's results directory (with ``manifest.json``).
        outcomes: Outcomes to analyse (default: the HEADLINE results present).
        heatmap: Two factors for the heat-map (default: the first two).
        plots: Draw the PNG plots.

    Returns:
        The tables and the files written.

    Raises:
        ResultsError: The directory is not a finished sweep, or an option names an
            outcome or factor it does not have.

    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest.get("kind") != "sweep":
        raise ResultsError(f"{directory}: not a sweep results directory")
    try:
        design = pd.read_parquet(directory / "design.parquet")
        summary = pd.read_parquet(directory / "summary.parquet")
    except OSError as exc:
        raise ResultsError(f"{directory}: cannot read the sweep tables ({exc})") from None
    factors = list(manifest["factors"])
    names = outcomes_in(summary, outcomes)
    pair = list(heatmap) if heatmap else factors[:2]
    for name in pair:
        if name not in factors:
            raise ResultsError(f"--heatmap {name!r}: not a factor of this sweep "
                               f"({', '.join(factors) or 'none'})")
    out = directory / ANALYSIS
    out.mkdir(exist_ok=True)
    points = point_statistics(design, summary, factors, names)
    files = _write_table(points, out / "points")
    sobol = pd.DataFrame(columns=["outcome", "factor", "S1", "S1_conf", "ST", "ST_conf"])
    spec = manifest["sweep"]
    if spec["design"] == "sobol" and manifest.get("problem"):
        sobol = sobol_indices(manifest["problem"], points, names,
                              spec.get("second_order", True), spec.get("seed"))
        files += _write_table(sobol, out / "sobol")
    if plots and factors and len(points):
        shown = names[:PLOTTED_OUTCOMES]
        files.append(plot_main_effects(points, factors, shown, out / "main_effects.png"))
        if len(pair) == 2:
            files.append(plot_heatmap(points, pair, shown, out / "heatmap.png"))
        if len(sobol):
            files.append(plot_tornado(sobol, out / "tornado.png"))
    return Analysis(out, points, sobol, files)


def _write_table(frame: pd.DataFrame, stem: Path) -> list[Path]:
    from sim.experiment.store import atomic_write

    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    write_parquet(parquet, frame)
    atomic_write(csv, lambda tmp: frame.to_csv(tmp, index=False))
    return [parquet, csv]


# --- plots -------------------------------------------------------------------------------
_MAX_LEVELS = 8
_BINS = 6


def _levels(values: pd.Series) -> pd.Series:
    """Discrete levels as they are; continuous values (lhs/sobol) cut into equal bins."""
    if values.nunique() <= _MAX_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values
    cut = pd.cut(values.astype(float), _BINS)
    return cut.map(lambda interval: interval.mid).astype(float)


def plot_main_effects(points: pd.DataFrame, factors: Sequence[str], outcomes: Sequence[str],
                      path: Path) -> Path:
    """Outcome against each factor: point means, and the mean over the other factors.

    Args:
        points: :func:`point_statistics` output.
        factors: Factors (columns of the grid).
        outcomes: Outcomes (rows of the grid).
        path: PNG to write.

    Returns:
        The path written.

    """
    fig, axes = subplots(len(outcomes), len(factors), squeeze=False,
                             figsize=(3.4 * len(factors), 2.5 * len(outcomes)),
                             layout="compressed")
    for row, outcome in enumerate(outcomes):
        table = points[points["outcome"] == outcome]
        for col, factor in enumerate(factors):
            ax = axes[row][col]
            x = table[factor]
            if pd.api.types.is_numeric_dtype(x):
                ax.scatter(x, table["mean"], s=8, alpha=0.35, color="0.4",
                           label="design points")
            levels = _levels(x)
            means = table.groupby(levels, observed=True)["mean"]
            stats = pd.DataFrame([{"level": level, **mean_ci(group.to_numpy())}
                                  for level, group in means])
            if len(stats):
                positions = (stats["level"] if pd.api.types.is_numeric_dtype(stats["level"])
                             else np.arange(len(stats)))
                ax.errorbar(positions, stats["mean"], yerr=stats["half"], color="C0",
                            marker="o", capsize=3, label="mean, 95% CI")
                if not pd.api.types.is_numeric_dtype(stats["level"]):
                    ax.set_xticks(positions, stats["level"].astype(str), rotation=30)
            if row == len(outcomes) - 1:
                ax.set_xlabel(factor)
            if col == 0:
                ax.set_ylabel(outcome)
            ax.grid(alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize=7)
    fig.suptitle("Main effects (each point: mean over replications)")
    fig.savefig(path, dpi=100)
    return Path(path)


def plot_heatmap(points: pd.DataFrame, pair: Sequence[str], outcomes: Sequence[str],
                 path: Path) -> Path:
    """Mean outcome over two factors (averaged over the others), one panel per outcome.

    Args:
        points: :func:`point_statistics` output.
        pair: The two factors (x, y).
        outcomes: Outcomes, one panel each.
        path: PNG to write.

    Returns:
        The path written.

    """
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = subplots(rows, cols, squeeze=False, figsize=(4.4 * cols, 3.6 * rows),
                             layout="compressed")
    x_name, y_name = pair
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        table = points[points["outcome"] == outcome]
        grid = table.assign(_x=_levels(table[x_name]), _y=_levels(table[y_name])).pivot_table(
            index="_y", columns="_x", values="mean", aggfunc="mean", observed=True)
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [_fmt(v) for v in grid.columns], rotation=30)
        ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
        ax.set_xlabel(x_name)
        ax.set_ylabel(y_name)
        ax.set_title(outcome, fontsize=9)
        fig.colorbar(image, ax=ax, label=f"mean {outcome}")
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.savefig(path, dpi=100)
    return Path(path)


def plot_tornado(sobol: pd.DataFrame, path: Path) -> Path:
    """Total (and first-order) Sobol indices with 95% intervals, one panel per outcome.

    Args:
        sobol: :func:`sobol_indices` output.
        path: PNG to write.

    Returns:
        The path written.

    """
    outcomes = list(dict.fromkeys(sobol["outcome"]))
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    n_factors = sobol["factor"].nunique()
    fig, axes = subplots(rows, cols, squeeze=False,
                             figsize=(4.6 * cols, (0.5 * n_factors + 1.2) * rows),
                             layout="compressed")
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        table = sobol[sobol["outcome"] == outcome].sort_values("ST")
        y = np.arange(len(table))
        ax.barh(y + 0.2, table["ST"], height=0.4, xerr=table["ST_conf"], color="C0",
                capsize=2, label="total (ST)")
        ax.barh(y - 0.2, table["S1"], height=0.4, xerr=table["S1_conf"], color="C1",
                capsize=2, label="first order (S1)")
        ax.set_yticks(y, table["factor"], fontsize=8)
        ax.set_xlabel("Sobol index (share of variance)")
        ax.set_title(outcome, fontsize=9)
        ax.grid(alpha=0.3, axis="x")
    axes[0][0].legend(frameon=False, fontsize=7)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.savefig(path, dpi=100)
    return Path(path)
