"""The mentoring network: who mentors whom, as a table and as a figure.

:func:`mentoring_edges` lists the current pairs of a model; :func:`plot_network` draws
them (formal pairs solid, informal dashed, each group its own colour and marker, mentors
with a black edge), laid out by career (tenure against skill performance) or on a ring.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.units import WEEKS_PER_YEAR
from sim.viz.style import COLOURS, MARKERS, figure, house_style, save

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def mentoring_edges(model) -> pd.DataFrame:
    """Who mentors whom now: one row per pair.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.

    Returns:
        Columns mentor, mentee (person ids), mentor_slot, mentee_slot, kind
        (``"formal"``/``"informal"``), mentor_group, mentee_group, quality, age_weeks.

    """
    from sim.model.relationships import FORMAL

    wf = model.workforce
    mentees = np.flatnonzero((wf.mentor >= 0) & wf.active)
    mentors = wf.mentor[mentees]
    names = np.asarray(wf.group_names)
    return pd.DataFrame({
        "mentor": wf.pid[mentors],
        "mentee": wf.pid[mentees],
        "mentor_slot": mentors,
        "mentee_slot": mentees,
        "kind": np.where(wf.pair_kind[mentees] == FORMAL, "formal", "informal"),
        "mentor_group": names[wf.group[mentors]],
        "mentee_group": names[wf.group[mentees]],
        "quality": wf.quality[mentees],
        "age_weeks": wf.pair_age_weeks[mentees],
    })


def network_layout(model, layout: str = "career") -> tuple[np.ndarray, np.ndarray]:
    """Positions of every slot for the mentoring network.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.
        layout: ``"career"``: x = tenure in years, y = skill performance (mentors sit
            up and to the right of their mentees); ``"circle"``: a ring ordered by group
            then tenure, so ties across groups cross the middle.

    Returns:
        x and y arrays, one entry per slot (vacant slots included; mask with ``active``).

    """
    wf = model.workforce
    if layout == "career":
        return wf.tenure_weeks / WEEKS_PER_YEAR, wf.performance.astype(float)
    if layout == "circle":
        order = np.lexsort((wf.tenure_weeks, wf.group))
        angle = np.empty(wf.size)
        angle[order] = 2 * np.pi * np.arange(wf.size) / max(wf.size, 1)
        return np.cos(angle), np.sin(angle)
    raise ValueError(f"layout must be 'career' or 'circle', got {layout!r}")


def draw_network(ax: Axes, model, layout: str = "career", show_unpaired: bool = True) -> None:
    """Draw the mentoring network of ``model`` on ``ax`` (see :func:`plot_network`)."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    wf = model.workforce
    x, y = network_layout(model, layout)
    edges = mentoring_edges(model)
    group_names = list(wf.group_names)
    styles = {"formal": ("-", 1.1, 0.8), "informal": ("--", 0.9, 0.7)}
    handles = []
    for kind, (linestyle, width, alpha) in styles.items():
        pairs = edges[edges["kind"] == kind]
        segments = np.stack([
            np.column_stack([x[pairs["mentor_slot"]], y[pairs["mentor_slot"]]]),
            np.column_stack([x[pairs["mentee_slot"]], y[pairs["mentee_slot"]]]),
        ], axis=1) if len(pairs) else np.empty((0, 2, 2))
        ax.add_collection(LineCollection(segments, colors="#555555", linestyles=linestyle,
                                         linewidths=width, alpha=alpha, zorder=1))
        handles.append(Line2D([], [], color="#555555", linestyle=linestyle, linewidth=width,
                              label=f"{kind} pair ({len(pairs)})"))
    active = wf.active
    in_pair = np.zeros(wf.size, dtype=bool)
    in_pair[edges["mentor_slot"].to_numpy()] = True
    in_pair[edges["mentee_slot"].to_numpy()] = True
    is_mentor = wf.load > 0
    for g, name in enumerate(group_names):
        colour = COLOURS[g % len(COLOURS)]
        marker = MARKERS[g % len(MARKERS)]
        mine = active & (wf.group == g)
        if show_unpaired:
            rest = mine & ~in_pair
            ax.scatter(x[rest], y[rest], s=6, color=colour, alpha=0.18, marker=marker,
                       linewidths=0, zorder=2)
        mentees = mine & in_pair & ~is_mentor
        mentors = mine & is_mentor
        ax.scatter(x[mentees], y[mentees], s=22, color=colour, marker=marker,
                   edgecolors="white", linewidths=0.4, zorder=3)
        ax.scatter(x[mentors], y[mentors], s=46, color=colour, marker=marker,
                   edgecolors="black", linewidths=0.8, zorder=4)
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="",
                              label=f"{name} ({int(mine.sum())})"))
    handles.append(Line2D([], [], color="grey", marker="o", markeredgecolor="black",
                          linestyle="", markersize=7, label="mentor (black edge)"))
    ax.legend(handles=handles, loc="lower right", fontsize=7, ncol=1)
    if layout == "career":
        ax.set_xlabel("tenure (years)")
        ax.set_ylabel("skill performance, share of required (0-1)")
        ax.autoscale_view()
    else:
        ax.set_aspect("equal")
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-1.1, 1.1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    ax.set_title(f"Who mentors whom, week {model.steps}: {len(edges)} pairs")


def plot_network(model, path: str | Path | None = None, layout: str = "career",
                 show_unpaired: bool = True, size: tuple[float, float] = (6.5, 5.0)) -> Figure:
    """The mentoring network: employees coloured by group, edges mentor -> mentee.

    Formal pairs are solid lines, informal pairs dashed; mentors have a black edge; each
    group has its own colour and marker (readable in greyscale).

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.
        path: PNG to write, or None.
        layout: See :func:`network_layout`.
        show_unpaired: Also draw employees outside any pair, faintly.
        size: Figure size in inches.

    Returns:
        The figure.

    """
    with house_style():
        fig, axes = figure(1, 1, size)
        draw_network(axes[0, 0], model, layout, show_unpaired)
    return save(fig, path)
