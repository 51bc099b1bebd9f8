"""Every mentorsim figure, in one house style; reports that write them; the app.

By concern: :mod:`~sim.viz.style` (the house style and figure helpers),
:mod:`~sim.viz.trajectories` (replications over time), :mod:`~sim.viz.organisation` (one
run: weekly reporters, skill gaps), :mod:`~sim.viz.network` (who mentors whom),
:mod:`~sim.viz.sweeps` (factors: heat-maps, main effects, tornado charts); the reports
:mod:`~sim.viz.run_report`, :mod:`~sim.viz.comparison_report` and
:mod:`~sim.viz.sweep_report` write them into results directories; :mod:`~sim.viz.app` is
the SolaraViz page (it needs the ``viz`` extra and is not imported here).

The figure functions are importable from here too (``from sim import viz``;
``viz.plot_network(model)``), loaded on first use: importing :mod:`sim.viz.drawing` (what
``mentorsim run`` does first) loads neither pandas nor matplotlib. Each returns a
pyplot-free :class:`~matplotlib.figure.Figure` and writes a PNG when given ``path``.
"""

from importlib import import_module
from typing import Any

_LAZY = {
    "draw_network": "sim.viz.network", "mentoring_edges": "sim.viz.network",
    "network_layout": "sim.viz.network", "plot_network": "sim.viz.network",
    "draw_series": "sim.viz.organisation", "plot_gap_heatmap": "sim.viz.organisation",
    "plot_run": "sim.viz.organisation",
    "house_style": "sim.viz.style", "label_for": "sim.viz.style",
    "plot_main_effects": "sim.viz.sweeps", "plot_sweep_heatmap": "sim.viz.sweeps",
    "plot_tornado": "sim.viz.sweeps",
    "band_statistics": "sim.viz.trajectories", "draw_bands": "sim.viz.trajectories",
    "paired_differences": "sim.viz.trajectories",
    "plot_programme_vs_control": "sim.viz.trajectories",
    "plot_trajectories": "sim.viz.trajectories",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.viz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
