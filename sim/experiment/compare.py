"""Compare programme designs under common random numbers, with honest intervals.

Every scenario is run with the same replication seeds (``SeedSequence(seed).spawn(n)``,
see :func:`sim.experiment.designs.replication_seeds`), so replication ``r`` of every
design meets the
same workforce, the same environment and the same person-by-person draws. Results are
reported as means with 95% t-intervals; differences against the first scenario are
paired by seed, which removes most of the seed-to-seed noise (the unpaired Welch
interval is shown beside it for contrast).
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import LEVEL, mean_ci
from sim.config import Scenario, check_seed
from sim.errors import ResultsError
from sim.experiment.designs import replication_seeds
from sim.model.reporters import HEADLINE
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


@dataclass
class Comparison:
    """Results of a comparison.

    Attributes:
        names: Scenario names, the first is the reference.
        seeds: The replication seeds, shared by every scenario.
        runs: One row per run: scenario, replication, seed and every summary result.
        timeseries: Weekly reporters of every run: scenario, replication, week, reporters.
        stats: Per scenario and metric: n, mean, sd, 95% CI.
        differences: Per other scenario and metric, against the first: paired mean
            difference with its 95% CI, and the unpaired (Welch) CI.
        scenarios: The scenarios as run.

    """

    names: list[str]
    seeds: list[int]
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    stats: pd.DataFrame
    differences: pd.DataFrame
    scenarios: dict[str, Scenario] = field(default_factory=dict, repr=False)

    @property
    def metrics(self) -> list[str]:
        """Summary results in report order: headline results present, then the others."""
        skip = {"scenario", "replication", "seed"}
        columns = [c for c in self.runs.columns if c not in skip]
        return [h for h in HEADLINE if h in columns] + [c for c in columns if c not in HEADLINE]

    @property
    def headline(self) -> list[str]:
        """The headline results present."""
        return [h for h in HEADLINE if h in self.runs.columns]


def run_all(scenarios: Mapping[str, Scenario], seeds: Sequence[int], executor: str = "serial",
            workers: int | None = None, scheduler: str | None = None,
            progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every scenario with every seed on an executor.

    Returns:
        The per-run summary rows and the weekly time series, both with scenario,
        replication and seed columns.

    Raises:
        ResultsError: A run raised (its scenario, seed and error are named).

    """
    from concurrent.futures import as_completed

    from tqdm import tqdm

    from sim.experiment.executors import make_executor
    from sim.experiment.runner import chunk_size, run_chunk

    jobs = [(name, r, seed) for name in scenarios for r, seed in enumerate(seeds)]
    rows: list[dict] = []
    frames: list[pd.DataFrame] = []
    with make_executor(executor, workers, scheduler) as pool, \
            tqdm(total=len(jobs), unit="run", desc="compare", disable=not progress) as bar:
        size = chunk_size(len(seeds), getattr(pool, "workers", 1))
        futures = {}
        for name, scenario in scenarios.items():
            base = json.dumps(scenario.model_dump(mode="json"))
            for start in range(0, len(seeds), size):
                batch = [(f"{name}|{r}", {}, seeds[r])
                         for r in range(start, min(start + size, len(seeds)))]
                futures[pool.submit(run_chunk, base, batch)] = name
        for future in as_completed(futures):
            for outcome in future.result():
                name, rep = outcome["id"].rsplit("|", 1)
                r = int(rep)
                if not outcome["ok"]:
                    raise ResultsError(
                        f"{name}, seed {seeds[r]}: the run failed: {outcome['error_type']}: "
                        f"{outcome['error_message']}")
                rows.append({"scenario": name, "replication": r, "seed": seeds[r],
                             **outcome["summary"]})
                frame = outcome["timeseries"].reset_index()
                frame.insert(0, "replication", r)
                frame.insert(0, "scenario", name)
                frames.append(frame)
                bar.update()
    order = {name: i for i, name in enumerate(scenarios)}
    runs = pd.DataFrame(rows).sort_values(["scenario", "replication"],
                                          key=lambda s: s.map(order) if s.name == "scenario"
                                          else s).reset_index(drop=True)
    timeseries = pd.concat(frames, ignore_index=True).sort_values(
        ["scenario", "replication", "week"], key=lambda s: s.map(order)
        if s.name == "scenario" else s).reset_index(drop=True)
    return runs, timeseries


def statistics(runs: pd.DataFrame, names: Sequence[str],
               metrics: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Means with 95% CIs per scenario, and paired differences against the first.

    Args:
        runs: One row per run with scenario, seed and metric columns.
        names: Scenario names; the first is the reference.
        metrics: Metric columns.

    Returns:
        ``stats`` (scenario, metric, n, mean, sd, ci_low, ci_high) and ``differences``
        (scenario, reference, metric, n, mean, sd, ci_low, ci_high, unpaired_low,
        unpaired_high); the difference is scenario minus reference, paired by seed.

    """
    from scipy import stats as st

    keep = ("n", "mean", "sd", "ci_low", "ci_high")
    rows = []
    for name in names:
        group = runs[runs["scenario"] == name]
        for metric in metrics:
            ci = mean_ci(group[metric].to_numpy())
            rows.append({"scenario": name, "metric": metric, **{k: ci[k] for k in keep}})
    diffs = []
    reference = runs[runs["scenario"] == names[0]].set_index("seed")
    for name in names[1:]:
        other = runs[runs["scenario"] == name].set_index("seed")
        seeds = reference.index.intersection(other.index)
        for metric in metrics:
            a = reference.loc[seeds, metric].to_numpy(dtype=float)
            b = other.loc[seeds, metric].to_numpy(dtype=float)
            ci = mean_ci(b - a)
            low = high = math.nan
            fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
            if fa.size > 1 and fb.size > 1 and (fa.std() > 0 or fb.std() > 0):
                interval = st.ttest_ind(fb, fa, equal_var=False).confidence_interval(LEVEL)
                low, high = float(interval.low), float(interval.high)
            diffs.append({"scenario": name, "reference": names[0], "metric": metric,
                          **{k: ci[k] for k in keep}, "unpaired_low": low,
                          "unpaired_high": high})
    return pd.DataFrame(rows), pd.DataFrame(diffs)


def compare_scenarios(scenarios: Mapping[str, Scenario], reps: int = 10,
                      seed: int | None = None, executor: str = "serial",
                      workers: int | None = None, scheduler: str | None = None,
                      progress: bool = True) -> Comparison:
    """Run scenarios with common random numbers and compute their statistics.

    Args:
        scenarios: Name to scenario; the first is the reference of the differences.
        reps: Replications (seeds) per scenario.
        seed: Root seed (default: the first scenario's seed).
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes.
        scheduler: Dask scheduler address.
        progress: Show a progress bar.

    Returns:
        The comparison.

    Raises:
        ResultsError: Fewer than 2 replications.
        ScenarioError: ``seed`` is negative or wider than 63 bits.

    """
    names = list(scenarios)
    if reps < 2:
        raise ResultsError(f"--reps = {reps}: need at least 2 replications for an interval")
    root = next(iter(scenarios.values())).seed if seed is None else check_seed(seed, "--seed")
    seeds = replication_seeds(root, reps)
    runs, timeseries = run_all(scenarios, seeds, executor, workers, scheduler, progress)
    comparison = Comparison(names, seeds, runs, timeseries, pd.DataFrame(), pd.DataFrame(),
                            dict(scenarios))
    comparison.stats, comparison.differences = statistics(runs, names, comparison.metrics)
    return comparison


# --- how many replications ----------------------------------------------------------------
def replications_for_width(sd: float, width: float, level: float = LEVEL) -> int | None:
    """Smallest n whose t-interval of a mean is at most ``width`` wide (full width).

    Solves ``2 * t(level, n - 1) * sd / sqrt(n) <= width``, starting from the normal
    approximation ``n ≈ (2 * z * sd / width)**2`` and stepping up while t is larger.

    Args:
        sd: Standard deviation of one replication (of the paired differences).
        width: Wanted full width of the interval, in the metric's units.
        level: Confidence level.

    Returns:
        The number of replications (at least 2), or None if sd is not finite.

    """
    from scipy import stats

    if not math.isfinite(sd) or width <= 0:
        return None
    if sd == 0:
        return 2
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((2 * z * sd / width) ** 2))
    while 2 * stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n) > width:
        n += max(1, n // 1000)
    return n


def replication_advice(comparison: Comparison, width: float, metric: str = "performance") -> str:
    """One paragraph: the widest interval of ``metric`` and the n that would narrow it."""
    table = comparison.differences if len(comparison.differences) else comparison.stats
    kind = "paired difference" if len(comparison.differences) else "mean"
    rows = table[(table["metric"] == metric) & np.isfinite(table["sd"])]
    if rows.empty:
        return f"No interval of {metric} to narrow (missing or too few replications)."
    row = rows.loc[rows["sd"].idxmax()]
    n_needed = replications_for_width(float(row["sd"]), width)
    label = (f"{row['scenario']} - {row['reference']}" if kind == "paired difference"
             else row["scenario"])
    return (f"Widest 95% interval of a {kind} in {metric}: {label}, width "
            f"{row['ci_high'] - row['ci_low']:.3g} with n = {int(row['n'])} (sd {row['sd']:.3g}). "
            f"About {n_needed} replications would narrow it to width {width:g} "
            f"(n ≈ (2·t·sd/width)²).")


# --- report --------------------------------------------------------------------------------
def _fmt(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.4g}"


def _cell(row: pd.Series) -> str:
    return f"{_fmt(row['mean'])} [{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"


def result_table(comparison: Comparison, metrics: Sequence[str] | None = None
                 ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then mean [95% CI] for each scenario."""
    metrics = list(metrics or comparison.metrics)
    stats = comparison.stats.set_index(["metric", "scenario"])
    rows = [[m, *(_cell(stats.loc[(m, n)]) for n in comparison.names)] for m in metrics]
    return ["metric", *comparison.names], rows


def difference_table(comparison: Comparison, metrics: Sequence[str] | None = None
                     ) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, then paired difference [95% CI] of each other scenario."""
    metrics = list(metrics or comparison.metrics)
    if comparison.differences.empty:
        return ["metric"], [[m] for m in metrics]
    diffs = comparison.differences.set_index(["metric", "scenario"])
    ref = comparison.names[0]
    others = comparison.names[1:]
    rows = [[m, *(_cell(diffs.loc[(m, n)]) + " (unpaired ±"
                  + _fmt((diffs.loc[(m, n), "unpaired_high"]
                          - diffs.loc[(m, n), "unpaired_low"]) / 2) + ")"
                  for n in others)] for m in metrics]
    return ["metric", *(f"{n} − {ref}" for n in others)], rows


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


def unique_names(paths: Sequence[str | Path]) -> list[str]:
    """Scenario names from file stems, made unique with a numeric suffix."""
    names: list[str] = []
    for path in paths:
        stem = Path(path).stem
        name, k = stem, 2
        while name in names:
            name, k = f"{stem}_{k}", k + 1
        names.append(name)
    return names


def default_out(names: Sequence[str]) -> Path:
    """``results/compare-<names>``."""
    return Path("results") / ("compare-" + "-".join(names))

