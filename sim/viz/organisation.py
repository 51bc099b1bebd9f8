"""Figures of one run of one organisation: its weekly reporters and its skill gaps.

:func:`plot_run` draws panels of weekly reporters (what ``mentorsim run`` writes as
``plot.png``, and the app's time series); :func:`plot_gap_heatmap` the needs assessment,
mean skill gap by group and competency (``gaps.png``, the app's heat-map).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.viz.style import (
    Margins,
    figure,
    hide_unused,
    house_style,
    panel_grid,
    save,
    series_style,
    text_inches,
    whole_weeks,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: A panel: title, {reporter: legend label}, y-axis label with units.
Panel = tuple[str, Mapping[str, str], str]

RUN_PANELS: tuple[Panel, ...] = (
    ("Organisation performance", {"performance": "net of mentoring time",
                                  "skill_performance": "skills only"},
     "performance, share of required (0-1)"),
    ("Proficiency and skill gap", {"proficient_share": "proficient share",
                                   "skill_gap": "strategy-weighted skill gap"},
     "share (0-1)"),
    ("Mentored vs never mentored", {"performance_mentored": "ever mentored",
                                    "performance_never_mentored": "never mentored"},
     "skill performance, share of required (0-1)"),
    ("Programme and workforce", {"pairs": "current pairs", "headcount": "headcount"},
     "people (count)"),
)

RUN_MARGINS = Margins()  # fixed: every run draws these figures, so no layout pass

#: Columns of :func:`sim.model.needs.gap_table` that are summaries, not competencies.
GAP_SUMMARIES = ("weighted", "below_required", "employees")


def draw_series(ax: Axes, timeseries: pd.DataFrame, panel: Panel) -> None:
    """Draw one panel of weekly reporters on ``ax`` (reporters missing or all NaN skipped)."""
    title, columns, ylabel = panel
    shown = 0
    for i, (column, label) in enumerate(columns.items()):  # a series keeps its style
        if column in timeseries and timeseries[column].notna().any():
            ax.plot(timeseries.index, timeseries[column].to_numpy(), label=label,
                    marker="o" if len(timeseries) == 1 else None, **series_style(i))
            shown += 1
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if shown:
        ax.legend(loc="best")


def plot_run(timeseries: pd.DataFrame, path: str | Path | None = None, title: str = "",
             panels: Sequence[Panel] = RUN_PANELS, columns: int = 2,
             size: tuple[float, float] | None = None) -> Figure:
    """Weekly reporters of one run, a panel each group of them.

    Args:
        timeseries: The run's model reporters indexed by week.
        path: PNG to write, or None.
        title: Figure title (e.g. scenario name and seed).
        panels: (title, {reporter: label}, y label) of each panel.
        columns: Most panels side by side.
        size: Figure size in inches (default: 5 x 3.2 per panel).

    Returns:
        The figure.

    """
    rows, cols = panel_grid(len(panels), columns)
    with house_style():
        fig, axes = figure(rows, cols, size or (5.0 * cols, 3.2 * rows), RUN_MARGINS,
                           sharex=True)
        for ax, panel in zip(axes.flat, panels, strict=False):
            draw_series(ax, timeseries, panel)
        for ax in axes[-1]:
            ax.set_xlabel("week")
            whole_weeks(ax)
        hide_unused(axes, len(panels))
        if title:
            fig.suptitle(title)
    return save(fig, path)


def plot_gap_heatmap(gaps: pd.DataFrame, competencies: Sequence[str] | None = None,
                     path: str | Path | None = None, title: str = "") -> Figure:
    """Mean skill gap by group (rows) and competency (columns), the needs assessment.

    Args:
        gaps: :func:`sim.model.needs.gap_table` output: one row per group (and ``all``),
            a column per competency and ``employees``.
        competencies: The competency columns, in order (default: every column but the
            summaries of :data:`GAP_SUMMARIES`).
        path: PNG to write, or None.
        title: Axes title.

    Returns:
        The figure (each cell printed with its value).

    """
    competencies = list(competencies if competencies is not None else
                        [c for c in gaps.columns if c not in GAP_SUMMARIES])
    data = gaps[competencies].to_numpy(dtype=float)
    if "employees" in gaps:
        rows = [f"{name} (n = {int(n)})" for name, n in zip(gaps.index, gaps["employees"],
                                                            strict=True)]
    else:
        rows = [str(name) for name in gaps.index]
    margins = Margins(left=text_inches(max(rows, key=len, default="")) + 0.6,
                      bottom=0.5 * text_inches(max(competencies, key=len, default="")) + 0.65,
                      right=0.95, top=0.45)
    size = (margins.left + margins.right + 1.1 * len(competencies) + 0.5,
            max(margins.bottom + margins.top + 0.45 * len(gaps) + 0.3, 2.9))
    with house_style():
        fig, axes = figure(1, 1, size, margins)
        ax = axes[0, 0]
        top = max(float(np.nanmax(data)), 1e-9) if data.size else 1.0
        image = ax.imshow(data, cmap="cividis_r", aspect="auto", vmin=0, vmax=top)
        ax.grid(False)
        ax.set_xticks(range(len(competencies)), competencies, rotation=30, ha="right")
        ax.set_yticks(range(len(gaps)), rows)
        for (i, j), value in np.ndenumerate(data):
            ax.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=8,
                    color="white" if value > 0.55 * top else "black")
        fig.colorbar(image, ax=ax, label="mean gap, required - skill (0-1)")
        ax.set_xlabel("competency")
        ax.set_ylabel("group")
        ax.set_title(title or "Skill gaps by group and competency")
    return save(fig, path)
