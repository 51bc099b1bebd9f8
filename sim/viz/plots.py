"""Plots for notebooks, the app and reports: bands, heat-maps, the mentoring network.

Every function draws on a fresh :class:`matplotlib.figure.Figure` (no pyplot state, so it
works under any backend: Agg in scripts, inline in notebooks, Solara in the app), inside
one house style (:func:`style`): labelled axes with units, light grids, and line styles
that stay distinguishable in greyscale print. Pass ``path`` to also write a PNG.

Long-format input is what :mod:`sim.experiment.compare` and a loop over seeds produce: one row per
(design, replication, week) with one column per reporter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LEVEL = 0.95

# Greyscale-safe cycles: colour, line style and marker all change together.
COLOURS = ("#1b4f8a", "#c4501b", "#3a8a3a", "#7a3d8f", "#8a6d1b", "#444444")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)))
MARKERS = ("o", "^", "s", "D", "v", "P")
HATCHES = ("", "//", "..", "xx", "\\\\", "++")
GROUP_MARKERS = ("o", "^", "s", "D", "v", "P")

# Axis labels (with units) of the reporters most plots show; others fall back to the name.
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


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "savefig.bbox": "tight",
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
        "image.cmap": "cividis",
        "axes.prop_cycle": cycler(color=list(COLOURS)) + cycler(linestyle=list(LINESTYLES)),
    }


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The house style of every mentorsim plot, as a matplotlib rcParams context."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        yield


def _figure(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0),
            **kwargs: Any) -> tuple[Figure, np.ndarray]:
    """A pyplot-free figure with a grid of axes (always a 2-D array)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _save(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig


# --- band statistics --------------------------------------------------------------------
def band_statistics(frame: pd.DataFrame, metric: str, design: str = "design",
                    x: str = "week", band: str = "ci", level: float = LEVEL) -> pd.DataFrame:
    """Mean and a band across replications, per design and week.

    Args:
        frame: Long table, one row per (design, replication, week).
        metric: The column to summarise.
        design: Column naming the design (e.g. ``"design"`` or ``"scenario"``).
        x: The time column.
        band: ``"ci"``: t-interval of the mean (how well the mean is known);
            ``"range"``: the central ``level`` share of replications (how much one run
            varies).
        level: Coverage of the band.

    Returns:
        Columns design, x, n, mean, sd, lower, upper (NaN values are dropped first).

    Raises:
        ValueError: An unknown ``band`` or a missing column.

    """
    from scipy import stats

    for column in (design, x, metric):
        if column not in frame:
            raise ValueError(f"column {column!r} is not in the frame ({list(frame.columns)})")
    if band not in ("ci", "range"):
        raise ValueError(f"band must be 'ci' or 'range', got {band!r}")
    data = frame[[design, x, metric]].dropna()
    grouped = data.groupby([design, x], sort=False)[metric]
    table = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    if band == "ci":
        dof = np.maximum(table["n"].to_numpy() - 1, 1)
        t = stats.t.ppf(0.5 + level / 2, dof)
        half = t * table["sd"].fillna(0.0).to_numpy() / np.sqrt(table["n"].to_numpy())
        table["lower"] = table["mean"] - half
        table["upper"] = table["mean"] + half
    else:
        tail = (1 - level) / 2
        quantiles = grouped.quantile([tail, 1 - tail]).unstack()
        quantiles.columns = ["lower", "upper"]
        table = table.merge(quantiles.reset_index(), on=[design, x])
    return table.sort_values([design, x], key=_keep_order(data, design)).reset_index(drop=True)


def _keep_order(data: pd.DataFrame, design: str):
    order = {name: i for i, name in enumerate(dict.fromkeys(data[design]))}

    def key(series: pd.Series) -> pd.Series:
        return series.map(order) if series.name == design else series

    return key


def _draw_bands(ax: Axes, table: pd.DataFrame, design: str, x: str,
                names: Sequence[str] | None = None) -> None:
    names = list(dict.fromkeys(table[design])) if names is None else list(names)
    for i, name in enumerate(names):
        rows = table[table[design] == name]
        colour = COLOURS[i % len(COLOURS)]
        ax.fill_between(rows[x], rows["lower"], rows["upper"], color=colour, alpha=0.18,
                        hatch=HATCHES[i % len(HATCHES)], edgecolor=colour, linewidth=0)
        ax.plot(rows[x], rows["mean"], color=colour, linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=str(name))


def plot_trajectories(frame: pd.DataFrame, metrics: str | Sequence[str],
                      path: str | Path | None = None, design: str = "design",
                      x: str = "week", band: str = "ci", level: float = LEVEL,
                      title: str = "") -> Figure:
    """Trajectories of one or more reporters: mean and band across replications per design.

    Args:
        frame: Long table with columns ``design``, ``x``, replication and the metrics.
        metrics: Reporter(s), one panel each.
        path: PNG to write, or None.
        design: Column naming the design.
        x: The time column (weeks).
        band: ``"ci"`` (interval of the mean) or ``"range"`` (spread of runs).
        level: Coverage of the band.
        title: Figure title.

    Returns:
        The figure.

    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    cols = min(2, len(metrics))
    rows = -(-len(metrics) // cols)
    what = "95% interval of the mean" if band == "ci" else f"{level:.0%} of runs"
    with style():
        fig, axes = _figure(rows, cols, (5.2 * cols, 3.4 * rows))
        for ax, metric in zip(axes.flat, metrics, strict=False):
            table = band_statistics(frame, metric, design, x, band, level)
            _draw_bands(ax, table, design, x)
            ax.set_ylabel(label_for(metric))
            ax.set_xlabel("week")
            ax.set_title(metric.replace("_", " "))
        for ax in list(axes.flat)[len(metrics):]:
            ax.set_visible(False)
        n_reps = _replications(frame, design)
        axes.flat[0].legend(title=f"mean, band: {what} (n = {n_reps})")
        if title:
            fig.suptitle(title)
    return _save(fig, path)


def _replications(frame: pd.DataFrame, design: str) -> str:
    if "replication" not in frame:
        return "?"
    counts = frame.groupby(design)["replication"].nunique()
    low, high = int(counts.min()), int(counts.max())
    return str(low) if low == high else f"{low}-{high}"


def paired_differences(frame: pd.DataFrame, metric: str, treated: str, control: str,
                       design: str = "design", x: str = "week") -> pd.DataFrame:
    """Treated minus control of one reporter, replication by replication (same seeds).

    Returns:
        Columns design (``"difference"``), x, replication and ``metric``.

    """
    wide = frame.pivot_table(index=[x, "replication"], columns=design, values=metric,
                             aggfunc="first")
    missing = {treated, control} - set(wide.columns)
    if missing:
        raise ValueError(f"designs {sorted(missing)} are not in column {design!r}")
    diff = (wide[treated] - wide[control]).rename(metric).reset_index()
    diff.insert(0, design, "difference")
    return diff


def plot_programme_vs_control(frame: pd.DataFrame, metrics: str | Sequence[str],
                              treated: str = "programme", control: str = "control",
                              path: str | Path | None = None, design: str = "design",
                              x: str = "week", level: float = LEVEL,
                              title: str = "") -> Figure:
    """A programme against its control arm, with bands, and their paired difference.

    Top row: both arms' means with 95% intervals. Bottom row: the programme minus the
    control, paired by replication (common random numbers), with its 95% interval and a
    zero line: where the band clears zero, the programme made a difference.

    Args:
        frame: Long table with rows of both arms (``design`` = ``treated`` or ``control``).
        metrics: Reporter(s), one column of panels each.
        treated: Label of the programme arm.
        control: Label of the control arm.
        path: PNG to write, or None.
        design: Column naming the arm.
        x: The time column (weeks).
        level: Coverage of the bands.
        title: Figure title.

    Returns:
        The figure.

    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    with style():
        fig, axes = _figure(2, len(metrics), (4.8 * len(metrics), 6.0), sharex=True)
        arms = frame[frame[design].isin([treated, control])]
        for j, metric in enumerate(metrics):
            table = band_statistics(arms, metric, design, x, "ci", level)
            _draw_bands(axes[0, j], table, design, x, [treated, control])
            axes[0, j].set_ylabel(label_for(metric))
            axes[0, j].set_title(metric.replace("_", " "))
            diff = paired_differences(arms, metric, treated, control, design, x)
            dtable = band_statistics(diff, metric, design, x, "ci", level)
            axes[1, j].axhline(0.0, color="black", linewidth=0.8)
            _draw_bands(axes[1, j], dtable, design, x)
            axes[1, j].set_ylabel(f"difference ({treated} - {control})")
            axes[1, j].set_xlabel("week")
        axes[0, 0].legend(title="mean, 95% interval")
        axes[1, 0].legend([f"paired difference, {level:.0%} interval"], loc="best")
        fig.suptitle(title or f"{treated} vs {control} (same seeds)")
    return _save(fig, path)


# --- one model ---------------------------------------------------------------------------
def plot_gap_heatmap(model, path: str | Path | None = None, title: str = "") -> Figure:
    """Mean skill gap by group (rows) and competency (columns) of a model, now.

    Args:
        model: A :class:`~sim.model.model.MentoringModel`.
        path: PNG to write, or None.
        title: Axes title (default names the week).

    Returns:
        The figure.

    """
    from sim.model.needs import gap_table

    table = gap_table(model)
    competencies = list(model.environment.competencies)
    data = table[competencies].to_numpy(dtype=float)
    with style():
        fig, axes = _figure(1, 1, (1.1 * len(competencies) + 2.6, 0.55 * len(table) + 1.8))
        ax = axes[0, 0]
        top = max(float(np.nanmax(data)), 1e-9) if data.size else 1.0
        image = ax.imshow(data, cmap="cividis_r", aspect="auto", vmin=0, vmax=top)
        ax.grid(False)
        ax.set_xticks(range(len(competencies)), competencies, rotation=30, ha="right")
        rows = [f"{name} (n = {int(n)})" for name, n in zip(table.index, table["employees"],
                                                            strict=True)]
        ax.set_yticks(range(len(table)), rows)
        for (i, j), value in np.ndenumerate(data):
            ax.text(j, i, f"{value:.3f}", ha="center", va="center", fontsize=8,
                    color="white" if value > 0.55 * top else "black")
        fig.colorbar(image, ax=ax, label="mean gap, required - skill (0-1)")
        ax.set_xlabel("competency")
        ax.set_ylabel("group")
        ax.set_title(title or f"Skill gaps by group and competency, week {model.steps}")
    return _save(fig, path)


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
        marker = GROUP_MARKERS[g % len(GROUP_MARKERS)]
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
    with style():
        fig, axes = _figure(1, 1, size)
        draw_network(axes[0, 0], model, layout, show_unpaired)
    return _save(fig, path)


# --- experiments -------------------------------------------------------------------------
def plot_sweep_heatmap(frame: pd.DataFrame, x: str, y: str, value: str,
                       path: str | Path | None = None, title: str = "",
                       fmt: str = ".3f") -> Figure:
    """Heat-map of an outcome over two factors, averaged over replications.

    Args:
        frame: One row per run: the two factor columns and the outcome.
        x: Factor on the horizontal axis.
        y: Factor on the vertical axis.
        value: The outcome.
        path: PNG to write, or None.
        title: Axes title.
        fmt: Format of the numbers printed in the cells.

    Returns:
        The figure (cells show the mean and, below it, the number of runs).

    """
    means = frame.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
    counts = frame.pivot_table(index=y, columns=x, values=value, aggfunc="count")
    data = means.to_numpy(dtype=float)
    with style():
        fig, axes = _figure(1, 1, (0.9 * means.shape[1] + 3.2, 0.6 * means.shape[0] + 2.0))
        ax = axes[0, 0]
        image = ax.imshow(data, cmap="cividis", aspect="auto", origin="lower")
        ax.grid(False)
        ax.set_xticks(range(means.shape[1]), [str(v) for v in means.columns])
        ax.set_yticks(range(means.shape[0]), [str(v) for v in means.index])
        finite = data[np.isfinite(data)]
        middle = float(finite.min() + finite.max()) / 2 if finite.size else 0.0
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):
                ax.text(j, i, f"{v:{fmt}}\nn={int(counts.iat[i, j])}", ha="center",
                        va="center", fontsize=7, color="black" if v > middle else "white")
        fig.colorbar(image, ax=ax, label=f"mean {label_for(value)}")
        ax.set_xlabel(label_for(x))
        ax.set_ylabel(label_for(y))
        ax.set_title(title or f"{value.replace('_', ' ')} by {x} and {y}")
    return _save(fig, path)


def plot_tornado(indices: pd.DataFrame, value: str = "ST", conf: str | None = "ST_conf",
                 secondary: str | None = "S1", secondary_conf: str | None = "S1_conf",
                 factor: str = "factor", path: str | Path | None = None,
                 xlabel: str = "sensitivity index (share of variance)",
                 labels: Mapping[str, str] | None = None, title: str = "") -> Figure:
    """Tornado chart of sensitivity indices with 95% intervals, largest on top.

    Works with Sobol indices (:func:`sim.analysis.sensitivity.sobol_indices`: ST/ST_conf and
    S1/S1_conf, one panel per ``outcome`` if that column is present) and with
    one-at-a-time effects (``value="effect"``, ``conf="effect_conf"``, no secondary).

    Args:
        indices: One row per factor (and outcome).
        value: Column of the main index (bar length).
        conf: Column of its interval half-width, or None.
        secondary: Column of a second index drawn beside it (e.g. first order), or None.
        secondary_conf: Its interval half-width, or None.
        factor: Column naming the factor.
        path: PNG to write, or None.
        xlabel: Label of the index axis (with units).
        labels: Legend labels of ``value`` and ``secondary``.
        title: Figure title.

    Returns:
        The figure.

    """
    labels = dict(labels or {})
    secondary = secondary if secondary and secondary in indices else None
    outcomes = (list(dict.fromkeys(indices["outcome"])) if "outcome" in indices else [None])
    n_factors = indices[factor].nunique()
    with style():
        fig, axes = _figure(1, len(outcomes), (4.6 * len(outcomes), 0.45 * n_factors + 1.6),
                            sharey=False)
        for ax, outcome in zip(axes.flat, outcomes, strict=True):
            table = indices if outcome is None else indices[indices["outcome"] == outcome]
            table = table.sort_values(value, key=np.abs)
            pos = np.arange(len(table))
            height = 0.4 if secondary else 0.7
            shift = 0.2 if secondary else 0.0
            ax.barh(pos + shift, table[value], height=height, color=COLOURS[0],
                    xerr=table[conf] if conf and conf in table else None, capsize=2,
                    label=labels.get(value, value))
            if secondary:
                ax.barh(pos - shift, table[secondary], height=height, color="white",
                        edgecolor=COLOURS[1], hatch="///",
                        xerr=(table[secondary_conf]
                              if secondary_conf and secondary_conf in table else None),
                        capsize=2, label=labels.get(secondary, secondary))
            ax.axvline(0.0, color="black", linewidth=0.8)
            ax.set_yticks(pos, table[factor])
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(xlabel)
            if outcome is not None:
                ax.set_title(str(outcome).replace("_", " "))
        axes.flat[0].legend(title="bars: 95% intervals" if conf else None, loc="lower right")
        if title:
            fig.suptitle(title)
    return _save(fig, path)
