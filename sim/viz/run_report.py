"""The report of one run: its figures written into a run directory, and its printed tables.

:func:`write_run_figures` is the figure hook of a run directory (see
:mod:`sim.experiment.results`): ``plot.png`` (weekly reporters), ``gaps.png`` (the needs
assessment) and, with a control arm, ``programme_vs_control.png`` and
``effect_profile.png`` (the effect on the same people by weeks since match), and
``equity.png`` (the groups' gaps over weeks, with the control arm's dashed) when the
run has an underrepresented group and a majority, all in the house style
(:mod:`sim.viz.style`). :func:`format_summary` and :func:`format_evaluation` are what
``mentorsim run`` prints.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.equity import has_groups
from sim.viz.effect_profile import plot_effect_profile
from sim.viz.equity import plot_equity
from sim.viz.organisation import plot_gap_heatmap, plot_run
from sim.viz.trajectories import plot_programme_vs_control

if TYPE_CHECKING:
    from sim.experiment.run import RunResult

#: Reporters of the programme-vs-control figure of a run.
PROGRAMME_VS_CONTROL = ("performance", "proficient_share", "commitment", "quits")


def arms_frame(treated: pd.DataFrame, control: pd.DataFrame) -> pd.DataFrame:
    """One run and its control arm as a long frame (design, replication 0, week, reporters)."""
    return pd.concat([
        frame.rename_axis("week").reset_index().assign(design=name, replication=0)
        for name, frame in (("programme", treated), ("control", control))
    ], ignore_index=True)


@dataclass(frozen=True)
class RunFigureData:
    """What a run's figures are drawn from: the run's frames and a few scenario fields.

    Plain data (frames, strings, numbers), so it pickles without the model or the
    configuration: :class:`sim.viz.drawing.FigureProcess` draws it in another process.

    Attributes:
        name: The scenario's name (figure titles).
        seed: The run's seed, if recorded.
        timeseries: The run's weekly reporters.
        control_timeseries: The control arm's, or None.
        gaps: The needs assessment (``gaps_by_group``), or None.
        competencies: The scenario's competencies (the heat-map's columns), or None.
        effect_profile: The effect profile by weeks since match, or None.
        duration_weeks: The pair's planned duration (the effect profile's marks), or None.

    """

    name: str
    seed: int | None
    timeseries: pd.DataFrame
    control_timeseries: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    competencies: tuple[str, ...] | None = None
    effect_profile: pd.DataFrame | None = None
    duration_weeks: int | None = None

    @classmethod
    def of(cls, result: RunResult) -> RunFigureData:
        """The figure data of a run."""
        scenario = result.scenario
        return cls(
            name=scenario.name if scenario is not None else "run",
            seed=result.manifest.get("seed"),
            timeseries=result.timeseries,
            control_timeseries=result.control_timeseries,
            gaps=result.tables.get("gaps_by_group"),
            competencies=(tuple(scenario.organisation.competencies)
                          if scenario is not None else None),
            effect_profile=result.tables.get("effect_profile"),
            duration_weeks=(scenario.programme.duration_weeks if scenario is not None
                            else None),
        )


def write_run_figures(result: RunResult, directory: str | Path) -> list[Path]:
    """Draw a run's figures into ``directory``: the figure hook of a run directory.

    ``plot.png`` and ``gaps.png``, ``programme_vs_control.png`` and
    ``effect_profile.png`` when the run has a control arm, and ``equity.png`` when it
    has members of an underrepresented group and of the majority
    (:func:`sim.analysis.equity.has_groups`).

    Args:
        result: The run (see :func:`sim.experiment.run.run_scenario`).
        directory: Where to write them (a run directory, or its staging directory).

    Returns:
        The files written.

    """
    return draw_run_figures(RunFigureData.of(result), directory)


def figure_names(data: RunFigureData) -> list[str]:
    """The file names of the figures :func:`draw_run_figures` draws for ``data``, in order."""
    names = ["plot.png"]
    if data.gaps is not None:
        names.append("gaps.png")
    if data.control_timeseries is not None:
        names.append("programme_vs_control.png")
    if data.effect_profile is not None and len(data.effect_profile):
        names.append("effect_profile.png")
    if has_groups(data.timeseries):
        names.append("equity.png")
    return names


def draw_run_figures(data: RunFigureData, directory: str | Path,
                     names: Collection[str] | None = None) -> list[Path]:
    """Draw the figures of :func:`write_run_figures` from a run's figure data.

    Args:
        data: The run's figure data.
        directory: Where to write them.
        names: Only these of :func:`figure_names` (None: all of them); two processes
            can draw a run's figures between them.

    Returns:
        The files written, in the order of :func:`figure_names`.

    """
    directory = Path(directory)
    name, seed = data.name, data.seed
    wanted = [n for n in figure_names(data) if names is None or n in names]
    for file in wanted:
        path = directory / file
        if file == "plot.png":
            plot_run(data.timeseries, path, name if seed is None else f"{name}, seed {seed}")
        elif file == "gaps.png":
            plot_gap_heatmap(data.gaps, data.competencies, path,
                             f"{name}: skill gaps by group and competency, week "
                             f"{int(data.timeseries.index[-1])}")
        elif file == "programme_vs_control.png":
            metrics = [m for m in PROGRAMME_VS_CONTROL if m in data.timeseries]
            plot_programme_vs_control(arms_frame(data.timeseries, data.control_timeseries),
                                      metrics, path=path,
                                      title=f"{name}: programme vs control (same seed)")
        elif file == "effect_profile.png":
            plot_effect_profile(data.effect_profile, data.duration_weeks, path,
                                f"{name}: effect on the same people by weeks since match")
        else:
            plot_equity(data.timeseries, data.control_timeseries, path,
                        f"{name}: underrepresented vs majority over time"
                        + (" (dashed: control arm)" if data.control_timeseries is not None
                           else ""))
    return [directory / file for file in wanted]


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


def format_evaluation(evaluation: dict[str, Any]) -> str:
    """The evaluation against the control arm as an indented text block."""
    lines = ["evaluation against the control arm (same seed, no programme):"]
    width = max([34, *(len(key) for values in evaluation.values() for key in values)])
    for section, values in evaluation.items():
        lines.append(f"  {section}")
        for key, value in values.items():
            shown = "-" if isinstance(value, float) and math.isnan(value) else f"{value:.4g}"
            lines.append(f"    {key:<{width}} {shown:>12}")
    return "\n".join(lines)
