"""The house style of every mentorsim figure, and the helpers each figure is drawn with.

Every figure is a fresh :class:`matplotlib.figure.Figure` made by :func:`figure` inside
:func:`house_style`: no pyplot, so no global figure registry to close, no GUI backend to pick
and no ~0.45 s of pyplot import in a command's start-up; it works under any backend (Agg
in scripts and the CLI, inline in notebooks, Solara in the app). The style: labelled
axes with units (:func:`label_for`), light grids, and colour, line style and hatching
that change together (:func:`series_style`), so lines stay distinct in greyscale print.
:func:`save` writes a PNG through Agg.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Greyscale-safe cycles: colour, line style, marker and hatch all change together.
COLOURS = ("#1b4f8a", "#c4501b", "#3a8a3a", "#7a3d8f", "#8a6d1b", "#444444")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
MARKERS = ("o", "^", "s", "D", "v", "P")
HATCHES = ("", "//", "..", "xx", "\\\\", "++")
SEQUENTIAL = "cividis"  # colour map of heat-maps (readable in greyscale and colour-blind safe)

# Axis labels (with units) of the reporters most figures show; others fall back to the name.
UNITS = {
    "performance": "performance, share of required (0-1)",
    "job_performance": "on-the-job performance (0-1)",
    "skill_performance": "skill performance, share of required (0-1)",
    "skill_gap": "strategy-weighted skill gap (0-1)",
    "proficient_share": "proficient employees, share (0-1)",
    "pairs": "mentoring pairs (count)",
    "pairs_formal": "formal pairs (count)",
    "pairs_informal": "informal pairs (count)",
    "headcount": "employees (count)",
    "commitment": "mean commitment (SD units)",
    "required_mean": "mean required level (0-1)",
    "quits": "quits per week (count)",
    "knowledge_lost": "knowledge lost per week (weighted skill)",
    "underrepresented_access": "ever mentored, share (0-1)",
    "majority_access": "ever mentored, share (0-1)",
    "programme_cost": "programme cost (money units)",
}


def label_for(metric: str) -> str:
    """The axis label, with units, of a reporter (the name itself if unknown)."""
    return UNITS.get(metric, metric.replace("_", " "))


def title_for(metric: str) -> str:
    """A panel title for a reporter or outcome: its name in words."""
    return str(metric).replace("_", " ")


def series_style(i: int) -> dict[str, Any]:
    """Colour and line style of the ``i``-th series of a panel (they cycle together)."""
    return {"color": COLOURS[i % len(COLOURS)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {
        "figure.dpi": 100,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "lines.linewidth": 1.5,
        "image.cmap": SEQUENTIAL,
        "axes.prop_cycle": cycler(color=list(COLOURS)) + cycler(linestyle=list(LINESTYLES)),
    }


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """The house style as a matplotlib rcParams context: draw every figure inside it."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        yield


@dataclass(frozen=True)
class Margins:
    """Fixed margins and gaps of a figure, in inches.

    A figure with fixed margins needs no layout pass when drawn; constrained layout
    measures every label first, which roughly doubles the cost of a small figure. The
    figures a command writes for every run use fixed margins; the rest fit themselves.

    Attributes:
        left: Space left of the first column (tick labels and y label).
        right: Space right of the last column.
        bottom: Space below the last row (tick labels and x label).
        top: Space above the first row (panel titles and a figure title).
        wspace: Gap between columns.
        hspace: Gap between rows.

    """

    left: float = 0.85
    right: float = 0.2
    bottom: float = 0.55
    top: float = 0.6
    wspace: float = 0.8
    hspace: float = 0.55

    def apply(self, fig: Figure, nrows: int, ncols: int) -> None:
        """Set ``fig``'s subplot parameters to these margins (at its current size)."""
        width, height = fig.get_size_inches()
        axes_width = (width - self.left - self.right - (ncols - 1) * self.wspace) / ncols
        axes_height = (height - self.bottom - self.top - (nrows - 1) * self.hspace) / nrows
        fig.subplots_adjust(left=self.left / width, right=1 - self.right / width,
                            bottom=self.bottom / height, top=1 - self.top / height,
                            wspace=self.wspace / max(axes_width, 1e-3),
                            hspace=self.hspace / max(axes_height, 1e-3))


def figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0),
           margins: Margins | None = None, **kwargs: Any) -> tuple[Figure, np.ndarray]:
    """A pyplot-free figure with a grid of axes (always a 2-D array).

    Args:
        nrows: Rows of panels.
        ncols: Columns of panels.
        size: Figure size in inches.
        margins: Fixed margins (cheap to draw); None lays the figure out to fit its labels
            (constrained layout).
        **kwargs: Passed to :meth:`~matplotlib.figure.Figure.subplots` (``sharex``, ...).

    Returns:
        The figure and its axes.

    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout=None if margins else "constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    if margins:
        margins.apply(fig, nrows, ncols)
    return fig, axes


def whole_weeks(ax: Axes) -> None:
    """Tick the x axis of ``ax`` at whole numbers only (weeks)."""
    ax.xaxis.get_major_locator().set_params(integer=True)


def text_inches(text: str, fontsize: float = 9.0) -> float:
    """A generous estimate of the width of ``text`` in inches (for fixed margins)."""
    return 0.6 * fontsize / 72 * len(text)


def panel_grid(panels: int, columns: int) -> tuple[int, int]:
    """Rows and columns of a grid holding ``panels`` panels, at most ``columns`` wide."""
    cols = max(1, min(columns, panels))
    return max(1, math.ceil(panels / cols)), cols


def hide_unused(axes: np.ndarray, used: int) -> None:
    """Hide the panels of a grid after the first ``used``."""
    for ax in list(axes.flat)[used:]:
        ax.set_visible(False)


def save(fig: Figure, path: str | Path | None) -> Figure:
    """Write ``fig`` as a PNG to ``path`` (parents made) unless ``path`` is None.

    Returns:
        The figure, so a figure function can end with ``return save(fig, path)``.

    """
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig
