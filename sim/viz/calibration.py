"""Figures of a calibration: prior against posterior, and the posterior predictive check.

``posterior_marginals.png``: one panel per parameter, the prior's density (line) and the
posterior's weighted histogram, with its 90% interval (dotted lines). A posterior much
narrower than its prior is what the targets pinned down; one as wide as its prior the
targets say nothing about.

``posterior_predictive.png``: one panel per statistic, the distribution of the statistic
over runs with posterior draws (histogram) against the target (solid line) +- its sd
(shaded). A target far out in the tail means no parameter values within the priors
reproduce it: the model, the priors or the figure is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.experiment.calibrate import CalibrationResult, weighted_quantile
from sim.viz.style import COLOURS, figure, hide_unused, house_style, panel_grid, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLUMNS = 3


def plot_posterior_marginals(result: CalibrationResult, path: str | Path | None = None
                             ) -> Figure:
    """Prior density and weighted posterior histogram of each calibrated parameter."""
    names = list(result.priors)
    rows, cols = panel_grid(len(names), COLUMNS)
    weights = result.posterior["weight"].to_numpy(float)
    with house_style():
        fig, axes = figure(rows, cols, size=(4.0 * cols, 3.0 * rows))
        for ax, name in zip(axes.flat, names, strict=False):
            prior = result.priors[name].frozen()
            lo, hi = prior.ppf(0.001), prior.ppf(0.999)
            x = np.linspace(lo, hi, 200)
            ax.plot(x, prior.pdf(x), color=COLOURS[0], linestyle="--", label="prior")
            values = result.posterior[name].to_numpy(float)
            ax.hist(values, bins=20, range=(lo, hi), weights=weights, density=True,
                    color=COLOURS[1], alpha=0.5, label="posterior")
            for q in (0.05, 0.95):
                ax.axvline(weighted_quantile(values, weights, q), color=COLOURS[1],
                           linestyle=":", linewidth=1.0)
            ax.set_title(name, fontsize=9)
            ax.set_xlabel("value")
            ax.set_ylabel("density")
        axes.flat[0].legend(loc="best")
        hide_unused(axes, len(names))
        fig.suptitle("Prior (dashed) and posterior (bars, 90% interval dotted)")
        return save(fig, path)


def plot_posterior_predictive(result: CalibrationResult, path: str | Path | None = None
                              ) -> Figure:
    """Each statistic over posterior predictive runs against its target +- sd."""
    targets = result.targets.items()
    rows, cols = panel_grid(len(targets), COLUMNS)
    with house_style():
        fig, axes = figure(rows, cols, size=(4.0 * cols, 3.0 * rows))
        for ax, (name, target) in zip(axes.flat, targets.items(), strict=False):
            values = result.predictive[name].to_numpy(float)
            values = values[~np.isnan(values)]
            ax.axvspan(target.value - target.sd, target.value + target.sd,
                       color=COLOURS[2], alpha=0.2, label="target +- sd")
            ax.axvline(target.value, color=COLOURS[2], label="target")
            if values.size:
                ax.hist(values, bins=20, color=COLOURS[0], alpha=0.6,
                        label=f"posterior predictive ({values.size} runs)")
            ax.set_title(f"{name} (week {target.week})", fontsize=9)
            ax.set_xlabel(name.replace("_", " "))
            ax.set_ylabel("runs")
        axes.flat[0].legend(loc="best")
        hide_unused(axes, len(targets))
        fig.suptitle("Posterior predictive check: statistics of runs with posterior draws")
        return save(fig, path)


def write_calibration_figures(result: CalibrationResult, directory: Path) -> None:
    """Draw ``posterior_marginals.png`` and ``posterior_predictive.png`` into ``directory``."""
    plot_posterior_marginals(result, Path(directory) / "posterior_marginals.png")
    plot_posterior_predictive(result, Path(directory) / "posterior_predictive.png")
