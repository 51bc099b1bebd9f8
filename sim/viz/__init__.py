"""Every mentorsim figure, in one house style; reports that write them; the app.

By concern: :mod:`~sim.viz.style` (the house style and figure helpers),
:mod:`~sim.viz.trajectories` (replications over time), :mod:`~sim.viz.organisation` (one
run: weekly reporters, skill gaps), :mod:`~sim.viz.network` (who mentors whom),
:mod:`~sim.viz.sweeps` (factors: heat-maps, main effects, tornado charts); the reports
:mod:`~sim.viz.run_report`, :mod:`~sim.viz.comparison_report` and
:mod:`~sim.viz.sweep_report` write them into results directories; :mod:`~sim.viz.app` is
the SolaraViz page (it needs the ``viz`` extra and is not imported here).

The figure functions are importable from here too (``from sim import viz``;
``viz.plot_network(model)``). Each returns a pyplot-free
:class:`~matplotlib.figure.Figure` and writes a PNG when given ``path``.
"""

from sim.viz.network import draw_network, mentoring_edges, network_layout, plot_network
from sim.viz.organisation import draw_series, plot_gap_heatmap, plot_run
from sim.viz.style import house_style, label_for
from sim.viz.sweeps import plot_main_effects, plot_sweep_heatmap, plot_tornado
from sim.viz.trajectories import (
    band_statistics,
    draw_bands,
    paired_differences,
    plot_programme_vs_control,
    plot_trajectories,
)

__all__ = [
    "band_statistics", "draw_bands", "draw_network", "draw_series", "label_for",
    "house_style", "mentoring_edges", "network_layout", "paired_differences", "plot_gap_heatmap",
    "plot_main_effects", "plot_network", "plot_programme_vs_control", "plot_run",
    "plot_sweep_heatmap", "plot_tornado", "plot_trajectories",
]
