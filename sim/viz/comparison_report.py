"""The report of a comparison: tables, trajectory bands, Markdown and HTML, written atomically."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.comparison import (
    Comparison,
    better_table,
    difference_table,
    replication_advice,
    result_table,
    uncertainty_line,
    variance_table,
)
from sim.viz.style import title_for
from sim.viz.trajectories import plot_trajectories

TRAJECTORIES = ("performance", "proficient_share", "skill_gap", "pairs")


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """An aligned plain-text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_trajectory_figures(comparison: Comparison, directory: str | Path) -> list[Path]:
    """One PNG per metric of :data:`TRAJECTORIES`: each scenario's weekly mean and band.

    The band is the 95% t-interval of the weekly mean over the replications
    (:func:`sim.viz.trajectories.plot_trajectories`).

    Returns:
        The files written, ``trajectory_<metric>.png``.

    """
    paths = []
    for metric in TRAJECTORIES:
        if metric not in comparison.timeseries.columns:
            continue
        path = Path(directory) / f"trajectory_{metric}.png"
        plot_trajectories(comparison.timeseries, metric, path, design="scenario",
                          title=f"{title_for(metric)}: mean and 95% band over "
                                f"{len(comparison.seeds)} replications")
        paths.append(path)
    return paths


def write_report(comparison: Comparison, out: str | Path, width: float = 0.005,
                 metric: str = "performance") -> Path:
    """Write the comparison's report into ``out``, all its files or none.

    The tables (``summary.csv``, ``stats.parquet``/``.csv``), the trajectory figures and
    ``report.md``/``report.html`` are written out of sight and moved into ``out`` when
    all are done (:func:`sim.experiment.store.staged_files`). Pass it as the ``report``
    hook of :func:`sim.experiment.compare.run_comparison`, which writes the manifest
    after it; the runs and ``summary.parquet`` are the runner's.

    Args:
        comparison: The comparison.
        out: The comparison's results directory.
        width: Wanted interval width for the replication advice.
        metric: Metric of the replication advice.

    Returns:
        The directory written.

    """
    from sim.experiment.store import staged_files, write_parquet

    with staged_files(out) as staging:
        comparison.runs.to_csv(staging / "summary.csv", index=False)
        stats = pd.concat([comparison.stats.assign(kind="mean"),
                           comparison.differences.assign(kind="paired difference")],
                          ignore_index=True)
        write_parquet(staging / "stats.parquet", stats)
        stats.to_csv(staging / "stats.csv", index=False)
        if not comparison.parameters.empty:
            comparison.parameters.to_csv(staging / "parameters.csv", index=False)
        for name, table in (("variance", comparison.variance), ("better", comparison.better)):
            if not table.empty:
                table.to_csv(staging / f"{name}.csv", index=False)
        plots = write_trajectory_figures(comparison, staging)
        advice = replication_advice(comparison, width, metric)
        (staging / "report.md").write_text(_markdown(comparison, plots, advice),
                                           encoding="utf-8")
        (staging / "report.html").write_text(_html(comparison, plots, advice),
                                             encoding="utf-8")
    return Path(out)


def _intro(comparison: Comparison) -> list[str]:
    n = len(comparison.seeds)
    return [
        uncertainty_line(comparison),
        f"{n} replications of each scenario with the same seeds (common random numbers: "
        "replication r of every scenario uses seed r). Values are means over "
        "replications with 95% t-intervals; differences are paired by seed, with the "
        "half-width of the unpaired (Welch) interval for contrast.",
    ]


_VARIANCE_NOTE = ("Share of each metric's variance (one run's) caused by the parameters, "
                  "the rest being chance (the seeds): law of total variance, Var = "
                  "Var(E[Y|θ]) + E(Var(Y|θ)), estimated by one-way ANOVA over the draws; "
                  "n/a with one seed per draw or parameters fixed.")
_BETTER_NOTE = ("Share of paired replications (parameter draws, averaged over their seeds) "
                "in which the second design's value is above the first's, with its 95% "
                "Wilson interval; whether above is better depends on the metric.")


def _extra_sections(comparison: Comparison) -> list[tuple[str, str, tuple]]:
    """Title, note and table of the parameter-uncertainty sections present."""
    sections = []
    if not comparison.variance.empty and comparison.uncertainty:
        sections.append(("Variance: parameters vs chance", _VARIANCE_NOTE,
                         variance_table(comparison)))
    if not comparison.better.empty:
        sections.append(("Probability that one design beats another", _BETTER_NOTE,
                         better_table(comparison)))
    return sections


def _markdown(comparison: Comparison, plots: Sequence[Path], advice: str) -> str:
    ref = comparison.names[0]
    parts = [f"# Comparison: {', '.join(comparison.names)}", "", *_intro(comparison), "",
             "## Results (mean [95% CI])", "", _md_table(*result_table(comparison)), "",
             f"## Differences against {ref} (paired by seed, mean [95% CI])", "",
             _md_table(*difference_table(comparison)), ""]
    for title, note, table in _extra_sections(comparison):
        parts += [f"## {title}", "", note, "", _md_table(*table), ""]
    parts += ["## Replications", "", advice, "",
             "## Trajectories", ""]
    parts += [f"![{p.stem}]({p.name})" for p in plots]
    return "\n".join(parts) + "\n"


def _html(comparison: Comparison, plots: Sequence[Path], advice: str) -> str:
    ref = comparison.names[0]
    images = "".join(
        f'<figure><img alt="{p.stem}" src="data:image/png;base64,'
        f'{base64.b64encode(p.read_bytes()).decode()}"/></figure>' for p in plots)
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}"
             "table{border-collapse:collapse;font-size:0.85em}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}")
    title = html.escape(f"Comparison: {', '.join(comparison.names)}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{style}</style></head><body><h1>{title}</h1>"
            + "".join(f"<p>{html.escape(p)}</p>" for p in _intro(comparison))
            + "<h2>Results (mean [95% CI])</h2>" + _html_table(*result_table(comparison))
            + f"<h2>Differences against {html.escape(ref)} (paired by seed)</h2>"
            + _html_table(*difference_table(comparison))
            + "".join(f"<h2>{html.escape(t)}</h2><p>{html.escape(n)}</p>" + _html_table(*tb)
                      for t, n, tb in _extra_sections(comparison))
            + f"<h2>Replications</h2><p>{html.escape(advice)}</p><h2>Trajectories</h2>"
            + images + "</body></html>\n")
