"""Equity over time: the underrepresented against the majority, for the run and its control.

``equity.png`` of a run directory: 2 x 3 panels over weeks. Five show a reporter for each
group (share in a pair, share sponsored, pair quality, senior service hours, career
level): colour and marker tell the groups apart, the line style the arms (solid the run,
dashed the control arm when there is one), so a planner sees each gap open or close and
how the design moves it. The sixth shows the ratio of the groups' trailing 52-week quit
rates (:func:`sim.analysis.equity.equity_profile`), 1 marking parity.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.equity import QUIT_WINDOW_WEEKS, arm_profile
from sim.viz.style import COLOURS, MARKERS, Margins, figure, house_style, save, whole_weeks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Size of the figure in inches (at the house style's 100 dpi: 1,300 x 720 pixels).
EQUITY_SIZE = (13.0, 7.2)
EQUITY_MARGINS = Margins(top=1.0, wspace=0.85)  # fixed: drawn for every run
#: (reporter after the group's prefix, panel title, y label) of the by-group panels.
GROUP_PANELS = (
    ("in_pair", "in a mentoring pair", "share of the group (0-1)"),
    ("sponsored", "with an active sponsor", "share of the group (0-1)"),
    ("pair_quality", "quality of their pairs", "mean pair quality (0-1)"),
    ("service_hours", "service load of seniors", "service hours per senior per week"),
    ("level", "career level", "mean career level"),
)
#: (prefix of the reporters, label) of the two groups.
GROUPS = (("underrepresented", "underrepresented"), ("majority", "majority"))
#: (label, line style) of the run and of the control arm.
ARMS = (("programme", "-"), ("control", "--"))


def _weeks(frame: pd.DataFrame) -> np.ndarray:
    return frame.index.to_numpy()


def _line(ax: Axes, x: np.ndarray, y: pd.Series, colour: str, marker: str, style: str,
          label: str) -> None:
    ax.plot(x, y.to_numpy(dtype=float), color=colour, linestyle=style, marker=marker,
            markersize=3.5, markevery=max(1, len(x) // 10), label=label)


def plot_equity(timeseries: pd.DataFrame, control_timeseries: pd.DataFrame | None = None,
                path: str | Path | None = None, title: str = "") -> Figure:
    """The equity reporters by group over weeks, and the quit-rate ratio.

    Args:
        timeseries: The run's weekly reporters, indexed by week (with the equity
            reporters of :data:`sim.model.equity.EQUITY_REPORTERS`).
        control_timeseries: The control arm's, drawn dashed; None for a run without one.
        path: PNG to write, or None.
        title: Figure title.

    Returns:
        The figure.

    Raises:
        ValueError: A time series lacks an equity reporter.

    """
    arms = [(timeseries, *ARMS[0])]
    if control_timeseries is not None:
        arms.append((control_timeseries, *ARMS[1]))
    profiles = [arm_profile(frame) for frame, _, _ in arms]
    with house_style():
        fig, axes = figure(2, 3, EQUITY_SIZE, EQUITY_MARGINS, sharex=True)
        flat = list(axes.flat)
        for ax, (reporter, panel_title, ylabel) in zip(flat, GROUP_PANELS, strict=False):
            for frame, arm, style in arms:
                for g, (prefix, group) in enumerate(GROUPS):
                    label = group if len(arms) == 1 else f"{group}, {arm}"
                    _line(ax, _weeks(frame), frame[f"{prefix}_{reporter}"], COLOURS[g],
                          MARKERS[g], style, label)
            ax.set_title(panel_title)
            ax.set_ylabel(ylabel)
        ratio = flat[len(GROUP_PANELS)]
        ratio.axhline(1.0, color="black", linewidth=0.8)
        for profile, (_, arm, style) in zip(profiles, arms, strict=True):
            _line(ratio, _weeks(profile), profile["quit_rate_ratio"], COLOURS[2], MARKERS[2],
                  style, arm)
        ratio.set_title(f"quit rate, trailing {QUIT_WINDOW_WEEKS} weeks")
        ratio.set_ylabel("underrepresented / majority (1 = parity)")
        if len(arms) > 1:
            ratio.legend(loc="best")
        for ax in axes[-1]:
            ax.set_xlabel("week")
            whole_weeks(ax)
        handles, labels = flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncols=len(labels),
                   bbox_to_anchor=(0.5, 1 - 0.42 / EQUITY_SIZE[1]))
        fig.suptitle(title or "equity by group over time")
    return save(fig, path)
