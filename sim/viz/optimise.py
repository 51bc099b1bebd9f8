"""The figure of a design search: every trial and the confirmed Pareto front.

``front.png``: cost (x) against effect (y); every trial as a faint point (crosses: over
the budget), the confirmed front's designs with their 95% intervals on both axes,
coloured by their equity gap, and the budget as a vertical line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.viz.style import COLOURS, SEQUENTIAL, figure, house_style, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiment.optimise import OptimisationResult


def plot_front(result: OptimisationResult, path: str | Path | None = None) -> Figure:
    """Cost against effect of every trial, with the confirmed front and the budget."""
    trials, front = result.trials, result.front
    with house_style():
        fig, axes = figure(1, 1, size=(7.0, 4.5))
        ax = axes[0, 0]
        inside = trials["within_budget"].to_numpy(bool)
        ax.scatter(trials["cost"][inside], trials["effect"][inside], s=14, color="#999999",
                   alpha=0.6, label="trials")
        ax.scatter(trials["cost"][~inside], trials["effect"][~inside], s=14, marker="x",
                   color="#999999", alpha=0.6, label="trials over the budget")
        if not front.empty:
            x, y = front["cost"].to_numpy(float), front["effect"].to_numpy(float)
            xerr = np.abs(np.vstack([x - front["cost_low"], front["cost_high"] - x]))
            yerr = np.abs(np.vstack([y - front["effect_low"], front["effect_high"] - y]))
            ax.errorbar(x, y, xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="none",
                        ecolor=COLOURS[0], elinewidth=1.0, capsize=3)
            points = ax.scatter(x, y, c=front["equity_gap"], cmap=SEQUENTIAL, s=50,
                                edgecolor=COLOURS[0], zorder=3, label="confirmed front")
            for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
                ax.annotate(f"front_{i + 1}", (xi, yi), textcoords="offset points",
                            xytext=(5, 5), fontsize=8)
            fig.colorbar(points, ax=ax, label="access gap |majority - underrepresented|")
        if result.budget is not None:
            ax.axvline(result.budget, color=COLOURS[1], linestyle="--", label="budget")
        ax.set_xlabel("cost, fully loaded and discounted (money)")
        ax.set_ylabel("performance gain over the control arm")
        ax.legend(loc="best", fontsize=8)
        ax.set_title("Designs searched and the Pareto front (95% intervals)")
        return save(fig, path)
