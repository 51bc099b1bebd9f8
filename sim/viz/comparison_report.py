"""The report of a comparison: tables, trajectory bands, Markdown and HTML, written atomically."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.comparison import (
    Comparison,
    difference_table,
    replication_advice,
    result_table,
)
from sim.analysis.stats import LEVEL
from sim.viz.report import subplots

TRAJECTORIES = {
    "performance": "performance, share of required (0-1)",
    "proficient_share": "proficient employees, share (0-1)",
    "skill_gap": "strategy-weighted skill gap (0-1)",
    "pairs": "mentoring pairs (count)",
}
REPORT_FILES = {
    "report.md", "report.html", "summary.parquet", "summary.csv", "stats.parquet",
    "stats.csv", *(f"trajectory_{m}.png" for m in TRAJECTORIES),
}


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


def plot_trajectories(comparison: Comparison, directory: Path) -> list[Path]:
    """One PNG per metric: each scenario's weekly mean with its 95% band over replications.

    The band is the t-interval of the weekly mean over the replications.
    """
    from scipy import stats

    paths = []
    ts = comparison.timeseries
    for metric, unit in TRAJECTORIES.items():
        if metric not in ts.columns:
            continue
        fig, ax = subplots(figsize=(8, 4.5), layout="constrained")
        for i, name in enumerate(comparison.names):
            g = ts[ts["scenario"] == name].groupby("week")[metric].agg(["mean", "std", "count"])
            half = stats.t.ppf(0.5 + LEVEL / 2, np.maximum(g["count"] - 1, 1)) * g["std"] \
                / np.sqrt(g["count"])
            ax.plot(g.index, g["mean"], color=f"C{i}", lw=1.5, label=name)
            ax.fill_between(g.index, g["mean"] - half, g["mean"] + half, color=f"C{i}",
                            alpha=0.2, lw=0)
        ax.set_xlabel("week")
        ax.set_ylabel(unit)
        ax.set_title(f"{metric}: mean and 95% band over {len(comparison.seeds)} replications")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False)
        path = Path(directory) / f"trajectory_{metric}.png"
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths


def write_report(comparison: Comparison, out: str | Path, width: float = 0.005,
                 metric: str = "performance", sources: Mapping[str, str] | None = None,
                 root_seed: int | None = None) -> Path:
    """Write the comparison's results directory (atomically, manifest last).

    Args:
        comparison: The comparison.
        out: Results directory (replaced if it holds an earlier comparison).
        width: Wanted interval width for the replication advice.
        metric: Metric of the replication advice.
        sources: Scenario files by name, for the manifest.
        root_seed: The root seed, for the manifest.

    Returns:
        The directory written.

    """
    import shutil

    from sim.experiment.provenance import fingerprint
    from sim.experiment.run import versions
    from sim.experiment.store import (
        MANIFEST,
        commit_directory,
        prepare_directory,
        write_json,
        write_parquet,
    )

    out = Path(out)
    staging = prepare_directory(out, REPORT_FILES)
    try:
        write_parquet(staging / "summary.parquet", comparison.runs)
        comparison.runs.to_csv(staging / "summary.csv", index=False)
        stats = pd.concat([comparison.stats.assign(kind="mean"),
                           comparison.differences.assign(kind="paired difference")],
                          ignore_index=True)
        write_parquet(staging / "stats.parquet", stats)
        stats.to_csv(staging / "stats.csv", index=False)
        plots = plot_trajectories(comparison, staging)
        advice = replication_advice(comparison, width, metric)
        (staging / "report.md").write_text(_markdown(comparison, plots, advice),
                                           encoding="utf-8")
        (staging / "report.html").write_text(_html(comparison, plots, advice),
                                             encoding="utf-8")
        write_json(staging / MANIFEST, {
            "format": 1, "kind": "compare", "scenarios": list(comparison.names),
            "sources": dict(sources or {}), "root_seed": root_seed,
            "seeds": comparison.seeds,
            "resolved": {n: s.model_dump(mode="json") for n, s in comparison.scenarios.items()},
            "versions": versions(), "provenance": fingerprint(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        })
        commit_directory(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _intro(comparison: Comparison) -> list[str]:
    n = len(comparison.seeds)
    return [
        f"{n} replications of each scenario with the same seeds (common random numbers: "
        "replication r of every scenario uses seed r). Values are means over "
        "replications with 95% t-intervals; differences are paired by seed, with the "
        "half-width of the unpaired (Welch) interval for contrast.",
    ]


def _markdown(comparison: Comparison, plots: Sequence[Path], advice: str) -> str:
    ref = comparison.names[0]
    parts = [f"# Comparison: {', '.join(comparison.names)}", "", *_intro(comparison), "",
             "## Results (mean [95% CI])", "", _md_table(*result_table(comparison)), "",
             f"## Differences against {ref} (paired by seed, mean [95% CI])", "",
             _md_table(*difference_table(comparison)), "", "## Replications", "", advice, "",
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
            + f"<h2>Replications</h2><p>{html.escape(advice)}</p><h2>Trajectories</h2>"
            + images + "</body></html>\n")
