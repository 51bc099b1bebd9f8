"""Plots and printed tables of results (matplotlib, Agg backend)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

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


def plot_run(timeseries: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Plot the main reporters of one run (four panels) into a PNG.

    Args:
        timeseries: The run's model reporters indexed by week.
        path: PNG file to write.
        title: Figure title (e.g. scenario name and seed).

    Returns:
        The path written.

    """
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True, constrained_layout=True)
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
    fig.savefig(path, dpi=110)
    plt.close(fig)
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
