"""The analysis of a finished sweep: statistics per design point, Sobol indices, plots.

``analyse(DIR)`` reads ``DIR/design.parquet`` and ``DIR/summary.parquet`` (see
:mod:`sim.experiment.runner`) and writes ``DIR/analysis/``:

* ``points.parquet`` / ``points.csv`` — per design point and outcome: n, mean, sd and
  the 95% t-interval of the mean over replications;
* ``sobol.parquet`` / ``sobol.csv`` (Sobol designs) — first-order and total indices
  with 95% bootstrap half-widths, from ``SALib.analyze.sobol.analyze`` on the
  replication mean of each outcome;
* ``main_effects.png`` (outcome against each factor), ``heatmap.png`` (outcome over two
  factors) and ``tornado.png`` (total and first-order Sobol indices), drawn by
  :mod:`sim.viz.sweeps` in the house style;
* for Sobol designs also ``sobol.md`` (the indices with their 95% intervals, largest ST
  first) and ``sensitivity_<outcome>.png`` per outcome (S1 and ST bars with intervals,
  factors sorted by ST). A sweep over priors (``[sobol] priors``, see
  :mod:`sim.experiment.prior_sweeps`) analyses its ``[sobol] outcomes`` by default: the
  programme's effect against its control arm and its ROI.

The intervals of a point are over its replications at that point's fixed parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.sensitivity import (
    outcomes_in,
    point_statistics,
    sobol_indices,
    sobol_markdown,
)
from sim.errors import ResultsError
from sim.experiment.prior_sweeps import SobolOptions, sobol_outcomes
from sim.experiment.store import read_manifest, read_parquet, write_parquet
from sim.viz.sweeps import plot_main_effects, plot_sweep_heatmap, plot_tornado

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
        design = read_parquet(directory / "design.parquet")
        summary = read_parquet(directory / "summary.parquet")
    except ResultsError as exc:  # damaged: the sweep's own command rebuilds both tables
        raise ResultsError(f"{exc}; run the sweep again with the same command to rebuild "
                           "it") from None
    factors = list(manifest["factors"])
    spec = manifest["sweep"]
    options = SobolOptions.model_validate(spec["sobol"]) if spec.get("sobol") else None
    names = outcomes_in(summary, outcomes or sobol_outcomes(options, bool(manifest.get("priors"))))
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
    if spec["design"] == "sobol" and manifest.get("problem"):
        sobol = sobol_indices(manifest["problem"], points, names,
                              spec.get("second_order", True), spec.get("seed"))
        files += _write_table(sobol, out / "sobol")
        (out / "sobol.md").write_text(sobol_markdown(sobol), encoding="utf-8")
        files.append(out / "sobol.md")
    if plots and factors and len(points):
        shown = names[:PLOTTED_OUTCOMES]
        plot_main_effects(points, factors, shown, out / "main_effects.png")
        files.append(out / "main_effects.png")
        if len(pair) == 2:
            plot_sweep_heatmap(_point_means(points, factors), *pair, shown, out / "heatmap.png",
                               title="Mean over the design points in each cell")
            files.append(out / "heatmap.png")
        if len(sobol):
            plot_tornado(sobol, path=out / "tornado.png", xlabel="Sobol index (share of variance)")
            files.append(out / "tornado.png")
            files += plot_sensitivity(sobol, out)
    return Analysis(out, points, sobol, files)


def sensitivity_path(directory: Path, outcome: str) -> Path:
    """``sensitivity_<outcome>.png`` in ``directory`` (dots of a summary key as ``_``)."""
    return directory / f"sensitivity_{outcome.replace('.', '_')}.png"


def plot_sensitivity(sobol: pd.DataFrame, directory: Path) -> list[Path]:
    """One bar plot per outcome: S1 and ST with 95% intervals, factors sorted by ST."""
    paths = []
    for outcome, group in sobol.groupby("outcome", sort=False):
        path = sensitivity_path(directory, str(outcome))
        plot_tornado(group.drop(columns="outcome"), path=path,
                     xlabel="Sobol index (share of variance)",
                     title=f"What drives {outcome}? (bars: 95% intervals)")
        paths.append(path)
    return paths


def _write_table(frame: pd.DataFrame, stem: Path) -> list[Path]:
    from sim.experiment.store import atomic_write

    parquet, csv = stem.with_suffix(".parquet"), stem.with_suffix(".csv")
    write_parquet(parquet, frame)
    atomic_write(csv, lambda tmp: frame.to_csv(tmp, index=False))
    return [parquet, csv]


def _point_means(points: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """One row per design point: its factor values and each outcome's mean over replications."""
    wide = points.pivot_table(index="point", columns="outcome", values="mean", aggfunc="first")
    levels = points.drop_duplicates("point").set_index("point")[list(factors)]
    return levels.join(wide).reset_index()
