"""Figures of replications over time: weekly means with bands, and paired differences.

Input is long format, what :mod:`sim.experiment.compare` and a loop over seeds produce:
one row per (design, replication, week) with one column per reporter. The bands are
t-intervals of the weekly mean over replications at fixed parameters
(:func:`sim.analysis.stats.t_interval`), or the spread of the runs themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.stats import LEVEL, t_interval
from sim.viz.style import (
    HATCHES,
    Margins,
    figure,
    hide_unused,
    house_style,
    label_for,
    panel_grid,
    save,
    series_style,
    title_for,
    whole_weeks,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PAIRED_MARGINS = Margins(top=0.65, hspace=0.45)  # fixed: ``mentorsim run`` draws it every run


def band_statistics(frame: pd.DataFrame, metric: str, design: str = "design",
                    x: str = "week", band: str = "ci", level: float = LEVEL) -> pd.DataFrame:
    """Mean and a band across replications, per design and week.

    Args:
        frame: Long table, one row per (design, replication, week).
        metric: The column to summarise.
        design: Column naming the design (e.g. ``"design"`` or ``"scenario"``).
        x: The time column.
        band: ``"ci"``: t-interval of the mean (how well the mean is known; NaN with one
            replication); ``"range"``: the central ``level`` share of replications (how
            much one run varies).
        level: Coverage of the band.

    Returns:
        Columns design, x, n, mean, sd, lower, upper (NaN values are dropped first), in
        the order the designs first appear.

    Raises:
        ValueError: An unknown ``band`` or a missing column.

    """
    for column in (design, x, metric):
        if column not in frame:
            raise ValueError(f"column {column!r} is not in the frame ({list(frame.columns)})")
    if band not in ("ci", "range"):
        raise ValueError(f"band must be 'ci' or 'range', got {band!r}")
    data = frame[[design, x, metric]].dropna()
    grouped = data.groupby([design, x], sort=False)[metric]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    if band == "ci" and not (table["n"] >= 2).any():
        # one replication (a run's figure): no interval, as t_interval would say, without
        # importing scipy to say it
        table["lower"] = table["upper"] = np.nan
    elif band == "ci":
        table["lower"], table["upper"] = t_interval(table["mean"], table["sd"], table["n"],
                                                    level)
    else:
        tail = (1 - level) / 2
        quantiles = grouped.quantile([tail, 1 - tail]).unstack()
        quantiles.columns = ["lower", "upper"]
        table = table.merge(quantiles.reset_index(), on=[design, x])
    return table.sort_values([design, x], key=_keep_order(data, design)).reset_index(drop=True)


def _keep_order(data: pd.DataFrame, design: str) -> Callable[[pd.Series], pd.Series]:
    order = {name: i for i, name in enumerate(dict.fromkeys(data[design]))}

    def key(series: pd.Series) -> pd.Series:
        return series.map(order) if series.name == design else series

    return key


def paired_differences(frame: pd.DataFrame, metric: str, treated: str, control: str,
                       design: str = "design", x: str = "week") -> pd.DataFrame:
    """Treated minus control of one reporter, replication by replication (same seeds).

    Returns:
        Columns design (``"difference"``), x, replication and ``metric``.

    Raises:
        ValueError: ``treated`` or ``control`` is not a design of the frame.

    """
    wide = frame.pivot_table(index=[x, "replication"], columns=design, values=metric,
                             aggfunc="first")
    missing = {treated, control} - set(wide.columns)
    if missing:
        raise ValueError(f"designs {sorted(missing)} are not in column {design!r}")
    diff = (wide[treated] - wide[control]).rename(metric).reset_index()
    diff.insert(0, design, "difference")
    return diff


def draw_bands(ax: Axes, table: pd.DataFrame, design: str = "design", x: str = "week",
               names: Sequence[str] | None = None) -> None:
    """Draw each design's mean line and band from :func:`band_statistics` on ``ax``."""
    names = list(dict.fromkeys(table[design])) if names is None else list(names)
    for i, name in enumerate(names):
        rows = table[table[design] == name]
        look = series_style(i)
        ax.fill_between(rows[x], rows["lower"], rows["upper"], color=look["color"],
                        alpha=0.18, hatch=HATCHES[i % len(HATCHES)], edgecolor=look["color"],
                        linewidth=0)
        ax.plot(rows[x], rows["mean"], label=str(name), **look,
                marker="o" if len(rows) == 1 else None)


def _replications(frame: pd.DataFrame, design: str) -> tuple[int, str]:
    """The fewest replications of any design, and the count as text (``"3"``, ``"3-5"``)."""
    if "replication" not in frame:
        return 0, "?"
    counts = frame.groupby(design)["replication"].nunique()
    low, high = int(counts.min()), int(counts.max())
    return low, str(low) if low == high else f"{low}-{high}"


def _band_legend(frame: pd.DataFrame, design: str, band: str, level: float) -> str:
    fewest, shown = _replications(frame, design)
    if band == "ci" and fewest == 1:
        return "one replication: no interval"
    what = f"{level:.0%} interval of the mean" if band == "ci" else f"{level:.0%} of runs"
    return f"mean, band: {what} (n = {shown})"


def plot_trajectories(frame: pd.DataFrame, metrics: str | Sequence[str],
                      path: str | Path | None = None, design: str = "design",
                      x: str = "week", band: str = "ci", level: float = LEVEL,
                      title: str = "", columns: int = 2) -> Figure:
    """Trajectories of one or more reporters: mean and band across replications per design.

    Args:
        frame: Long table with columns ``design``, ``x``, replication and the metrics.
        metrics: Reporter(s), one panel each.
        path: PNG to write, or None.
        design: Column naming the design.
        x: The time column (weeks).
        band: ``"ci"`` (interval of the mean) or ``"range"`` (spread of runs).
        level: Coverage of the band.
        title: Figure title.
        columns: Most panels side by side.

    Returns:
        The figure.

    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    rows, cols = panel_grid(len(metrics), columns)
    with house_style():
        fig, axes = figure(rows, cols, (5.2 * cols, 3.4 * rows))
        for ax, metric in zip(axes.flat, metrics, strict=False):
            draw_bands(ax, band_statistics(frame, metric, design, x, band, level), design, x)
            ax.set_ylabel(label_for(metric))
            ax.set_xlabel(x)
            whole_weeks(ax)
            if len(metrics) > 1 or not title:
                ax.set_title(title_for(metric))
        hide_unused(axes, len(metrics))
        axes.flat[0].legend(title=_band_legend(frame, design, band, level))
        if title:
            fig.suptitle(title)
    return save(fig, path)


def plot_programme_vs_control(frame: pd.DataFrame, metrics: str | Sequence[str],
                              treated: str = "programme", control: str = "control",
                              path: str | Path | None = None, design: str = "design",
                              x: str = "week", level: float = LEVEL,
                              title: str = "") -> Figure:
    """A programme against its control arm, with bands, and their paired difference.

    Top row: both arms' means with their intervals. Bottom row: the programme minus the
    control, paired by replication (common random numbers), with its interval and a
    zero line: where the band clears zero, the programme made a difference at these
    parameters. With one replication (``mentorsim run``) there are lines but no bands.

    Args:
        frame: Long table with rows of both arms (``design`` = ``treated`` or ``control``)
            and a ``replication`` column.
        metrics: Reporter(s), one column of panels each.
        treated: Label of the programme arm.
        control: Label of the control arm.
        path: PNG to write, or None.
        design: Column naming the arm.
        x: The time column (weeks).
        level: Coverage of the bands.
        title: Figure title.

    Returns:
        The figure.

    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    arms = frame[frame[design].isin([treated, control])]
    width = 4.8 if len(metrics) <= 2 else 3.6
    with house_style():
        fig, axes = figure(2, len(metrics), (width * len(metrics), 6.0), PAIRED_MARGINS,
                           sharex=True)
        for j, metric in enumerate(metrics):
            table = band_statistics(arms, metric, design, x, "ci", level)
            draw_bands(axes[0, j], table, design, x, [treated, control])
            axes[0, j].set_ylabel(label_for(metric))
            axes[0, j].set_title(title_for(metric))
            diff = paired_differences(arms, metric, treated, control, design, x)
            dtable = band_statistics(diff, metric, design, x, "ci", level)
            axes[1, j].axhline(0.0, color="black", linewidth=0.8)
            draw_bands(axes[1, j], dtable, design, x)
            axes[1, j].set_ylabel(f"difference ({treated} - {control})")
            axes[1, j].set_xlabel(x)
            whole_weeks(axes[1, j])
        axes[0, 0].legend(title=_band_legend(arms, design, "ci", level))
        axes[1, 0].legend(title=f"paired by seed, n = {_replications(arms, design)[1]}",
                          loc="best")
        fig.suptitle(title or f"{treated} vs {control} (same seeds)")
    return save(fig, path)
