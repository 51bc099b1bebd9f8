"""Run programme designs with common random numbers (the runs of a comparison).

Every scenario is run with the same replication seeds (``SeedSequence(seed).spawn(n)``,
see :func:`sim.experiment.designs.replication_seeds`), so replication ``r`` of every
design meets the same workforce, the same environment and the same person-by-person
draws. The statistics are in :mod:`sim.analysis.comparison`; the report in
:mod:`sim.viz.comparison_report`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.comparison import Comparison, comparison_statistics
from sim.config import Scenario, check_seed
from sim.errors import ResultsError
from sim.experiment.designs import replication_seeds


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
    comparison.stats, comparison.differences = comparison_statistics(
        runs, names, comparison.metrics)
    return comparison


def unique_names(paths: Sequence[str | Path]) -> list[str]:
    """Scenario names from file stems or bundled names, made unique with a numeric suffix."""
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
