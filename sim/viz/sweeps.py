"""Figures of sweeps: an outcome over two factors, main effects, and sensitivity indices.

:func:`plot_sweep_heatmap` averages an outcome over the cells of two factors (runs or
design points as rows); :func:`plot_main_effects` shows each outcome against each
factor; :func:`plot_tornado` draws sensitivity indices (Sobol or one-at-a-time) with
their intervals. Continuous factors (Latin hypercube, Sobol designs) are cut into equal
bins, labelled by their midpoints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.stats import mean_ci
from sim.viz.style import (
    COLOURS,
    SEQUENTIAL,
    figure,
    hide_unused,
    house_style,
    label_for,
    panel_grid,
    save,
    title_for,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_LEVELS = 8  # a factor with more distinct values than this is binned
BINS = 6


def factor_levels(values: pd.Series) -> pd.Series:
    """Discrete levels as they are; continuous values cut into equal bins (their midpoints)."""
    if values.nunique() <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values
    cut = pd.cut(values.astype(float), BINS)
    return cut.map(lambda interval: interval.mid).astype(float)


def _tick(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def plot_sweep_heatmap(frame: pd.DataFrame, x: str, y: str, values: str | Sequence[str],
                       path: str | Path | None = None, title: str = "", fmt: str = ".3g",
                       columns: int = 2) -> Figure:
    """Heat-map of outcomes over two factors, each cell the mean of the rows falling in it.

    Args:
        frame: One row per run (or per design point): the two factor columns and the
            outcomes.
        x: Factor on the horizontal axis.
        y: Factor on the vertical axis.
        values: The outcome(s), one panel each.
        path: PNG to write, or None.
        title: Axes title with one outcome, figure title with several.
        fmt: Format of the numbers printed in the cells.
        columns: Most panels side by side.

    Returns:
        The figure (cells show the mean and, below it, the number of rows averaged).

    """
    values = [values] if isinstance(values, str) else list(values)
    cells = frame.assign(_x=factor_levels(frame[x]), _y=factor_levels(frame[y]))
    first = cells.groupby(["_y", "_x"], observed=True)[values[0]].mean().unstack("_x")
    rows, cols = panel_grid(len(values), columns)
    width, height = 0.7 * first.shape[1] + 3.0, 0.5 * first.shape[0] + 1.9
    with house_style():
        fig, axes = figure(rows, cols, (width * cols, height * rows))
        for ax, value in zip(axes.flat, values, strict=False):
            grouped = cells.groupby(["_y", "_x"], observed=True)[value].agg(["mean", "count"])
            means = grouped["mean"].unstack("_x")
            counts = grouped["count"].unstack("_x").reindex_like(means).fillna(0)
            data = means.to_numpy(dtype=float)
            image = ax.imshow(data, cmap=SEQUENTIAL, aspect="auto", origin="lower")
            ax.grid(False)
            ax.set_xticks(range(means.shape[1]), [_tick(v) for v in means.columns],
                          rotation=30 if means.shape[1] > 4 else 0)
            ax.set_yticks(range(means.shape[0]), [_tick(v) for v in means.index])
            finite = data[np.isfinite(data)]
            middle = float(finite.min() + finite.max()) / 2 if finite.size else 0.0
            for (i, j), v in np.ndenumerate(data):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:{fmt}}\nn={int(counts.iat[i, j])}", ha="center",
                            va="center", fontsize=7, color="black" if v > middle else "white")
            fig.colorbar(image, ax=ax, label=f"mean {label_for(value)}")
            ax.set_xlabel(label_for(x))
            ax.set_ylabel(label_for(y))
            ax.set_title((title or f"{title_for(value)} by {x} and {y}") if len(values) == 1
                         else title_for(value))
        hide_unused(axes, len(values))
        if title and len(values) > 1:
            fig.suptitle(title)
    return save(fig, path)


def plot_main_effects(points: pd.DataFrame, factors: Sequence[str], outcomes: Sequence[str],
                      path: str | Path | None = None) -> Figure:
    """Each outcome (rows) against each factor (columns): point means and level means.

    Grey dots are the design points' means over replications; the line is the mean of
    the points at each level of the factor, over every setting of the other factors,
    with the t-interval of that mean (so it carries the other factors' spread, not only
    replication noise).

    Args:
        points: :func:`sim.analysis.sensitivity.point_statistics` output.
        factors: Factors (columns of the grid).
        outcomes: Outcomes (rows of the grid).
        path: PNG to write, or None.

    Returns:
        The figure.

    """
    with house_style():
        fig, axes = figure(len(outcomes), len(factors),
                           (3.4 * len(factors), 2.5 * len(outcomes)))
        for row, outcome in enumerate(outcomes):
            table = points[points["outcome"] == outcome]
            for col, factor in enumerate(factors):
                ax = axes[row, col]
                x = table[factor]
                numeric = pd.api.types.is_numeric_dtype(x)
                if numeric:
                    ax.scatter(x, table["mean"], s=8, alpha=0.35, color="0.4",
                               label="design points")
                levels = table.groupby(factor_levels(x), observed=True)["mean"]
                stats = pd.DataFrame([{"level": level, **mean_ci(group.to_numpy()).row()}
                                      for level, group in levels])
                if len(stats):
                    positions = stats["level"] if numeric else np.arange(len(stats))
                    ax.errorbar(positions, stats["mean"],
                                yerr=(stats["mean"] - stats["ci_low"]).fillna(0.0),
                                color=COLOURS[0], marker="o", capsize=3,
                                label="mean of points, 95% CI")
                    if not numeric:
                        ax.set_xticks(positions, stats["level"].astype(str), rotation=30)
                if row == len(outcomes) - 1:
                    ax.set_xlabel(label_for(factor))
                if col == 0:
                    ax.set_ylabel(label_for(outcome))
        axes[0, 0].legend(fontsize=7)
        fig.suptitle("Main effects (each point: mean over replications)")
    return save(fig, path)


def plot_tornado(indices: pd.DataFrame, value: str = "ST", conf: str | None = "ST_conf",
                 secondary: str | None = "S1", secondary_conf: str | None = "S1_conf",
                 factor: str = "factor", path: str | Path | None = None,
                 xlabel: str = "sensitivity index (share of variance)",
                 labels: Mapping[str, str] | None = None, title: str = "",
                 columns: int = 3) -> Figure:
    """Tornado chart of sensitivity indices with 95% intervals, largest on top.

    Works with Sobol indices (:func:`sim.analysis.sensitivity.sobol_indices`: ST/ST_conf and
    S1/S1_conf, one panel per ``outcome`` if that column is present) and with
    one-at-a-time effects (``value="effect"``, ``conf="effect_conf"``, no secondary).

    Args:
        indices: One row per factor (and outcome).
        value: Column of the main index (bar length).
        conf: Column of its interval half-width, or None.
        secondary: Column of a second index drawn beside it (e.g. first order), or None.
        secondary_conf: Its interval half-width, or None.
        factor: Column naming the factor.
        path: PNG to write, or None.
        xlabel: Label of the index axis (with units).
        labels: Legend labels of ``value`` and ``secondary``.
        title: Figure title.
        columns: Most panels side by side.

    Returns:
        The figure.

    """
    labels = {"ST": "total (ST)", "S1": "first order (S1)", **(labels or {})}
    secondary = secondary if secondary and secondary in indices else None
    outcomes = list(dict.fromkeys(indices["outcome"])) if "outcome" in indices else [None]
    n_factors = indices[factor].nunique()
    rows, cols = panel_grid(len(outcomes), columns)
    with house_style():
        fig, axes = figure(rows, cols, (4.6 * cols, (0.45 * n_factors + 1.6) * rows))
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            table = indices if outcome is None else indices[indices["outcome"] == outcome]
            table = table.sort_values(value, key=np.abs)
            pos = np.arange(len(table))
            height = 0.4 if secondary else 0.7
            shift = 0.2 if secondary else 0.0
            ax.barh(pos + shift, table[value], height=height, color=COLOURS[0],
                    xerr=table[conf] if conf and conf in table else None, capsize=2,
                    label=labels.get(value, value))
            if secondary:
                ax.barh(pos - shift, table[secondary], height=height, color="white",
                        edgecolor=COLOURS[1], hatch="///",
                        xerr=(table[secondary_conf]
                              if secondary_conf and secondary_conf in table else None),
                        capsize=2, label=labels.get(secondary, secondary))
            ax.axvline(0.0, color="black", linewidth=0.8)
            ax.set_yticks(pos, table[factor])
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(xlabel)
            if outcome is not None:
                ax.set_title(title_for(outcome))
        hide_unused(axes, len(outcomes))
        axes.flat[0].legend(title="bars: 95% intervals" if conf else None, loc="lower right")
        if title:
            fig.suptitle(title)
    return save(fig, path)
