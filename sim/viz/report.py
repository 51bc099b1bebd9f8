"""Plots and printed tables of results (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_PANELS = (
    ("Organisation performance", [("performance", "net of mentoring time"),
                                  ("skill_performance", "skills only")], "share of required"),
    ("Proficiency and skill gap", [("proficient_share", "proficient share"),
                                   ("skill_gap", "weighted skill gap")], "share"),
    ("Mentored vs never mentored", [("performance_mentored", "ever mentored"),
                                    ("performance_never_mentored", "never mentored")],
     "skill performance"),
    ("Programme and workforce", [("pairs", "current pairs"),
                                 ("headcount", "headcount")], "people"),
)


def subplots(*args: Any, figsize: tuple[float, float] | None = None,
             layout: str | None = None, **kwargs: Any):
    """``(fig, axes)`` as ``plt.subplots`` gives, on a pyplot-free Figure.

    No pyplot means no global figure registry to close and no GUI backend to pick: a
    figure is garbage once written, and importing this module stays cheap (pyplot alone
    costs ~0.45 s of a command's start-up). PNGs are written through Agg.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(*args, **kwargs)


def plot_run(timeseries: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Plot the main reporters of one run (four panels) into a PNG.

    Args:
        timeseries: The run's model reporters indexed by week.
        path: PNG file to write.
        title: Figure title (e.g. scenario name and seed).

    Returns:
        The path written.

    """
    fig, axes = subplots(2, 2, figsize=(11, 7), sharex=True)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, hspace=0.25, wspace=0.2)
    weeks = timeseries.index.to_numpy()
    for ax, (panel_title, series, unit) in zip(axes.flat, _PANELS, strict=True):
        for column, label in series:
            if column in timeseries and timeseries[column].notna().any():
                ax.plot(weeks, timeseries[column].to_numpy(), label=label, lw=1.4)
        ax.set_title(panel_title)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    return Path(path)


def format_summary(summary: dict[str, float], title: str = "") -> str:
    """Render a run summary as an aligned two-column text table."""
    width = max(len(k) for k in summary)
    lines = [title] if title else []
    for key, value in summary.items():
        if isinstance(value, float) and math.isnan(value):
            shown = "-"
        elif isinstance(value, float) and value.is_integer():
            shown = f"{int(value):d}"
        else:
            shown = f"{value:.4f}"
        lines.append(f"  {key:<{width}}  {shown:>10}")
    return "\n".join(lines)


def plot_gap_heatmap(table: pd.DataFrame, competencies: list[str], path: Path) -> Path:
    """Heat-map of mean skill gaps, groups x competencies (needs assessment)."""
    data = table[competencies]
    fig, ax = subplots(figsize=(1.2 * len(competencies) + 3, 0.6 * len(data) + 2))
    fig.subplots_adjust(left=0.2, right=0.95, bottom=0.3, top=0.88)
    image = ax.imshow(data.to_numpy(), cmap="Reds", aspect="auto", vmin=0)
    ax.set_xticks(range(len(competencies)), competencies, rotation=30, ha="right")
    ax.set_yticks(range(len(data)), data.index)
    dark = 0.6 * float(np.nanmax(data.to_numpy())) if data.size else 0.0
    for (i, j), value in np.ndenumerate(data.to_numpy()):
        colour = "white" if value > dark else "black"
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=8, color=colour)
    fig.colorbar(image, ax=ax, label="mean gap (required - skill, where positive)")
    ax.set_title("Skill gaps by group and competency")
    fig.savefig(path, dpi=100)
    return Path(path)


def plot_programme_vs_control(
    treated: pd.DataFrame, control: pd.DataFrame, path: Path, title: str = ""
) -> Path:
    """Programme against its control arm: performance, proficiency, commitment, quits."""
    panels = (
        ("performance", "organisation performance (net of mentoring time)"),
        ("proficient_share", "proficient share"),
        ("commitment", "mean commitment (SD)"),
        ("quits", "quits per week"),
    )
    fig, axes = subplots(2, 2, figsize=(11, 7), sharex=True)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.08, top=0.9, hspace=0.25, wspace=0.2)
    for ax, (column, label) in zip(axes.flat, panels, strict=True):
        ax.plot(treated.index, treated[column], label="programme", lw=1.4)
        ax.plot(control.index, control[column], label="control (no programme)", lw=1.4)
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    fig.suptitle(title or "Programme vs control (same seed)")
    fig.savefig(path, dpi=100)
    return Path(path)


def format_evaluation(evaluation: dict) -> str:
    """The evaluation against the control arm as an indented text block."""
    lines = ["evaluation against the control arm (same seed, no programme):"]
    for section, values in evaluation.items():
        lines.append(f"  {section}")
        for key, value in values.items():
            shown = "-" if isinstance(value, float) and math.isnan(value) else f"{value:.4g}"
            lines.append(f"    {key:<34} {shown:>12}")
    return "\n".join(lines)
