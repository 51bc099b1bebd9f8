"""Sweep throughput: runs per second serial vs process pool vs Dask (issue 5, target 4).

A sweep of small organisations (1,000 employees, 156 weeks, the mentoring scenario) with
a two-level factor and R replications, run into fresh temporary directories with each
executor, side by side in one process. Wall time includes the executor's start-up and
writing every run's Parquet file (the whole sweep as a user runs it); the numba cache is
warmed first so no run compiles.

Usage: python benchmarks/sweep_throughput.py [--runs 40] [--workers 2]
       [--executors serial processes dask]
Prints one line of figures. For the model alone, the steady rate, the compare runner,
the calibration sampler and the cost split of a run beside it: benchmarks/small_runs.py.
"""

import argparse
import tempfile
import time
from pathlib import Path

from sim import MentoringModel
from sim.experiment.designs import sweep_from_dict
from sim.experiment.runner import run_sweep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executors", nargs="+", default=["serial", "processes", "dask"])
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    spec = {
        "name": "throughput",
        "base": str(root / "scenarios" / "mentoring.toml"),
        "design": "grid",
        "replications": max(args.runs // 2, 1),
        "seed": 7,
        "factors": {"programme.duration_weeks": [26, 52]},
    }
    sweep = sweep_from_dict(spec, "<benchmark>", root)
    MentoringModel(sweep.scenario, rng=1).run()  # warm numba's cache in this process
    figures = []
    for kind in args.executors:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            outcome = run_sweep(sweep, Path(tmp) / "out", executor=kind,
                                workers=args.workers, progress=False)
            wall = time.perf_counter() - start
        figures.append(f"{kind} {outcome.done / wall:.1f} runs/s")
    print(f"{len(sweep.runs())} runs of 1,000 employees x 156 weeks, "
          f"{args.workers} workers: " + ", ".join(figures))


if __name__ == "__main__":
    main()
