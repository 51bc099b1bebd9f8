"""A whole simulated week at scale against the memory-bandwidth floor (issue 16, target 1).

Side by side in one process: the read-modify-write bandwidth of a plain numba stream
(1 and all threads, over an array larger than any cache, measured before and after the
model), then whole weeks of ``benchmarks/scale_1m.toml`` (programme, informal mentoring,
turnover, drift and shocks) at N employees and each K, after a warm-up. The floor is one
pass over the state the week must touch, N x (16 K + 41) bytes (skills read and written,
8 bytes each way per competency, and ~41 bytes of per-person state), over the measured
bandwidth; the figure is week / floor. Each phase of the ODD schedule is timed too (the
model's own ``step()`` runs; its parts are wrapped with timers), so the gap has its causes.

Usage: python benchmarks/week_floor.py [--n 1000000] [--ks 4 16 64] [--warm 12] [--weeks 8]
Prints one line per K, then the phases of each K.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numba
import numpy as np
from kernel_throughput import _stream, _stream_parallel  # the same streams

import sim.model.model as model_module
from sim import MentoringModel
from sim.kernels import configure_threading

ROOT = Path(__file__).resolve().parents[1]


def bandwidth(n_bytes: int = 512 * 2**20, reps: int = 5) -> tuple[list[float], list[float]]:
    """Read-modify-write bandwidths in bytes/s, one per repetition: 1 thread, all threads."""
    buffer = np.random.default_rng(1).random(n_bytes // 8)
    figures = []
    for kernel in (_stream, _stream_parallel):
        kernel(buffer[:10])
        rates = []
        for _ in range(reps):
            start = time.perf_counter()
            kernel(buffer)
            rates.append(2 * buffer.nbytes / (time.perf_counter() - start))
        figures.append(rates)
    return figures[0], figures[1]


def competencies(k: int) -> dict:
    """Overrides for K competencies (even weights, required levels 0.4-0.7)."""
    names = [f"c{i:02d}" for i in range(k)]
    weights = [1.0 / k] * (k - 1) + [1.0 - (k - 1) * (1.0 / k)]
    return {
        "organisation__competencies": names,
        "organisation__strategic_weights": weights,
        "organisation__required_levels": [0.4 + 0.3 * (i % 4) / 3 for i in range(k)],
        "environment__changes": [],
    }


PHASES = (  # (label, owner attribute or None for the model, method name)
    ("environment", "environment", "update"),
    ("lifecycle", "relationships", "lifecycle"),
    ("programme", "programme", "phase"),
    ("formative", "formative", "phase"),
    ("informal", "informal", "phase"),
    ("learn", None, "learn"),
    ("outcomes", "outcomes", "update"),
    ("flows", "workforce", "flow"),
    ("agents", None, "_sync_employees"),
    ("interventions", "interventions", "step"),
    ("collect", "datacollector", "collect"),
)


def timed_phases(model: MentoringModel) -> dict[str, float]:
    """Wrap each phase of ``model``'s week with a timer; returns the running totals."""
    totals: dict[str, float] = defaultdict(float)

    def wrap(label, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - start
        return timed

    for label, owner, name in PHASES:
        target = model if owner is None else getattr(model, owner)
        setattr(target, name, wrap(label, getattr(target, name)))
    model_module.weekly_metrics = wrap("metrics", model_module.weekly_metrics)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--ks", type=int, nargs="+", default=[4, 16, 64])
    parser.add_argument("--warm", type=int, default=12, help="weeks before timing")
    parser.add_argument("--weeks", type=int, default=8, help="weeks timed")
    parser.add_argument("--scenario", default=str(ROOT / "benchmarks" / "scale_1m.toml"))
    args = parser.parse_args()
    configure_threading()
    threads = numba.get_num_threads()
    original_metrics = model_module.weekly_metrics
    lines, breakdowns = [], []
    for k in args.ks:
        before1, before2 = bandwidth()
        model = MentoringModel(args.scenario, rng=1, organisation__headcount=args.n,
                               horizon_weeks=args.warm + args.weeks + 60, **competencies(k))
        for _ in range(args.warm):
            model.step()
        totals = timed_phases(model)
        weeks = []
        for _ in range(args.weeks):
            start = time.perf_counter()
            model.step()
            weeks.append(time.perf_counter() - start)
        model_module.weekly_metrics = original_metrics
        after1, after2 = bandwidth()
        bw = statistics.median(before2 + after2)  # all threads, before and after the model
        floor = args.n * (16 * k + 41) / bw
        week = statistics.median(weeks)

        def gbs(rates):
            return f"{statistics.median(rates) / 1e9:.1f}"

        lines.append(
            f"N={args.n} K={k} threads={threads} | bandwidth RMW (median of 5, before/after "
            f"the model) 1 thread {gbs(before1)}/{gbs(after1)} GB/s, {threads} threads "
            f"{gbs(before2)}/{gbs(after2)} GB/s (all 10: {min(before2 + after2) / 1e9:.1f}-"
            f"{max(before2 + after2) / 1e9:.1f}) | floor {floor * 1e3:.1f} ms at "
            f"{bw / 1e9:.1f} GB/s | week {week * 1e3:.1f} ms (median of {args.weeks}; "
            f"{min(weeks) * 1e3:.1f}-{max(weeks) * 1e3:.1f}) = {week / floor:.1f}x the floor"
        )
        total = sum(totals.values())
        breakdowns.append(f"K={k} phases (ms a week): " + ", ".join(
            f"{label} {1e3 * value / args.weeks:.1f} ({value / total:.0%})"
            for label, value in sorted(totals.items(), key=lambda item: -item[1])))
        del model
    print("\n".join(lines + breakdowns))


if __name__ == "__main__":
    main()
