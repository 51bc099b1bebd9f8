"""Whole runs with and without each speed trick, side by side in one process (issue 11, item 8).

A trick earns its place when it saves at least 5% of a whole run (model set-up and every
week, data collection included) at some size we claim. Each size runs
benchmarks/scale_1m.toml (K = 16, a gap-targeted programme from week 4, turnover, drift,
shocks) with the headcount and horizon overridden, in these arms:

* ``all``: the model as shipped;
* ``no prefetch``: the ``llvm.prefetch`` hints off (pair deltas and gap scores; the
  distance 0 skips them, the kernels are otherwise the same);
* ``no serial twins``: every kernel parallel, whatever the size of its data;
* ``Mesa's collector``: data collection by ``mesa.DataCollector.collect`` (a deep copy of
  every reporter's value every week) instead of ``MetricsCollector``'s;
* on request (``--arms``): ``no prefetch in pair deltas``, ``no prefetch in gap scores``.

Arms alternate run by run in a rotating order, so drift in the machine's speed (a shared
VM) falls on all of them alike. Per arm: the median and best wall time, and the median
(and range) over rounds of its time over that round's ``all`` run: above 1, the trick
saves time; 1.05 is the bar a trick must clear at some size. On a noisy machine a whole
run varies by more than a small trick saves, so the prefetch is also judged by the time
inside the two kernels that prefetch (their calls are timed in every run): each one's
share of an ``all`` run and how much slower it runs without the hints, and ``saved``, the
median over rounds of (their time without prefetch - with) / the ``all`` run: the share
of a run the hints save.
Every arm must give the same numbers; the line says whether they did. The memory bandwidth
(read-modify-write, one and all threads) is measured in the same process before each size.

Usage: python benchmarks/whole_run_tricks.py [--sizes 1000 100000 1000000]
       [--weeks 156 52 26] [--reps 8 4 4] [--arms "no prefetch" ...]
Prints one line of figures per size.
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import mesa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_throughput import _stream, _stream_parallel, median_time  # noqa: E402

from sim.config import load_scenario  # noqa: E402
from sim.kernels import (  # noqa: E402
    configure_threading,
    learning,
    matching,
    set_parallel_min_bytes,
    threads,
)
from sim.model.model import MentoringModel  # noqa: E402
from sim.model.reporters import MetricsCollector  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scale_1m.toml"
DEFAULTS = {"distance": learning.PREFETCH_DISTANCE, "candidates": matching.PREFETCH_CANDIDATES,
            "collect": MetricsCollector.collect}
PREFETCHING = {learning._pair_deltas: "pair deltas", matching._gap_scores: "gap scores"}
_in_kernel = dict.fromkeys(PREFETCHING.values(), 0.0)  # seconds in each, this run


def arm(prefetch_pairs: bool = True, prefetch_gaps: bool = True, serial_twins: bool = True,
        own_collector: bool = True):
    """A set-up of the tricks: each on (as shipped) unless switched off."""

    def apply() -> None:
        learning.PREFETCH_DISTANCE = DEFAULTS["distance"] if prefetch_pairs else 0
        matching.PREFETCH_CANDIDATES = DEFAULTS["candidates"] if prefetch_gaps else 0
        set_parallel_min_bytes(None if serial_twins else 0)
        MetricsCollector.collect = (DEFAULTS["collect"] if own_collector
                                    else mesa.DataCollector.collect)

    return apply


ARMS = {
    "all": arm(),
    "no prefetch": arm(prefetch_pairs=False, prefetch_gaps=False),
    "no serial twins": arm(serial_twins=False),
    "Mesa's collector": arm(own_collector=False),
}
MORE_ARMS = {  # on request (--arms): each site of the prefetch alone
    "no prefetch in pair deltas": arm(prefetch_pairs=False),
    "no prefetch in gap scores": arm(prefetch_gaps=False),
}


def timed_kernel_for(kernel, n_rows: int, bytes_per_row: int):
    """``kernel_for``, with the calls of the prefetching kernels timed."""
    chosen = threads.kernel_for(kernel, n_rows, bytes_per_row)
    if kernel not in PREFETCHING:
        return chosen
    name = PREFETCHING[kernel]

    def call(*args):
        start = time.perf_counter()
        out = chosen(*args)
        _in_kernel[name] += time.perf_counter() - start
        return out

    return call


learning.kernel_for = matching.kernel_for = timed_kernel_for  # the wrappers look it up


def scenario_of(n: int, weeks: int):
    """benchmarks/scale_1m.toml at ``n`` employees over ``weeks`` (programme cut to fit)."""
    return load_scenario(SCENARIO, {"organisation.headcount": n, "horizon_weeks": weeks,
                                    "programme.duration_weeks": min(52, weeks)})


def whole_run(scenario) -> tuple[float, float, dict, tuple]:
    """Seconds of the whole run, of its set-up and in each prefetching kernel; a fingerprint."""
    for name in _in_kernel:
        _in_kernel[name] = 0.0
    gc.collect()  # the last run's model (Mesa's agents hold cycles) is freed before this one
    start = time.perf_counter()
    model = MentoringModel(scenario, rng=1)
    setup = time.perf_counter() - start
    model.run()
    seconds = time.perf_counter() - start
    frame = model.timeseries()
    fingerprint = (frame.to_numpy().tobytes(), model.workforce.skills.tobytes())
    return seconds, setup, dict(_in_kernel), fingerprint


def bandwidth(n_bytes: int = 128 * 2**20, reps: int = 5) -> tuple[float, float]:
    """Read-modify-write GB/s of a plain numba stream, one thread and all threads."""
    buffer = np.random.default_rng(1).random(n_bytes // 8)
    _stream(buffer[:10])
    _stream_parallel(buffer[:10])
    one = 2 * buffer.nbytes / median_time(lambda: _stream(buffer), reps)
    every = 2 * buffer.nbytes / median_time(lambda: _stream_parallel(buffer), reps)
    return one / 1e9, every / 1e9


def measure(n: int, weeks: int, reps: int) -> str:
    """One line of figures for ``n`` employees over ``weeks``, ``reps`` rounds of the arms."""
    bw_one, bw_all = bandwidth()
    scenario = scenario_of(n, weeks)
    names = list(ARMS)
    runs = {name: [] for name in names}  # (seconds, setup, in prefetching kernels) per round
    prints = {}
    ARMS["all"]()
    whole_run(scenario)  # untimed: the first run of a size also pays for first-touch memory
    for rep in range(reps):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            ARMS[name]()
            *figures, prints[name] = whole_run(scenario)
            runs[name].append(figures)
    ARMS["all"]()
    base = [seconds for seconds, _, _ in runs["all"]]
    cells = []
    for name, found in runs.items():
        seconds = [s for s, _, _ in found]
        cell = f"{name} {statistics.median(seconds):.3f} s (min {min(seconds):.3f})"
        if name != "all":  # each run against the run of all tricks in the same round
            ratios = [s / b for s, b in zip(seconds, base, strict=True)]
            cell += (f" x{statistics.median(ratios):.3f} of all "
                     f"({min(ratios):.2f}-{max(ratios):.2f})")
        cells.append(cell)
    kernels = []
    for kernel in PREFETCHING.values():
        share = statistics.median(p[kernel] / s for s, _, p in runs["all"])
        speedup = statistics.median(
            without[2][kernel] / with_[2][kernel]
            for with_, without in zip(runs["all"], runs["no prefetch"], strict=True))
        kernels.append(f"{kernel} {share:.1%} of a run, x{speedup:.2f} slower without")
    saved = [(sum(without[2].values()) - sum(with_[2].values())) / with_[0]
             for with_, without in zip(runs["all"], runs["no prefetch"], strict=True)]
    same = all(p == prints["all"] for p in prints.values())
    setup = statistics.median(setup for _, setup, _ in runs["all"])
    return (f"N={n:,} K=16 weeks={weeks} reps={reps} | bandwidth RMW {bw_one:.1f} GB/s "
            f"1 thread, {bw_all:.1f} GB/s all | set-up {setup:.3f} s | " + " | ".join(cells)
            + " | " + ", ".join(kernels) + " | prefetch saved "
            f"{statistics.median(saved):+.2%} of a run ({min(saved):+.2%} to {max(saved):+.2%})"
            + f" | same numbers: {'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, nargs="+", default=[156, 52, 26])
    parser.add_argument("--reps", type=int, nargs="+", default=[8, 4, 4],
                        help="rounds per size (a multiple of the number of arms is fairest)")
    parser.add_argument("--arms", nargs="+", choices=[*ARMS, *MORE_ARMS], default=list(ARMS),
                        help="arms to run (all and no prefetch always run)")
    args = parser.parse_args()
    ARMS.update(MORE_ARMS)
    for name in [name for name in ARMS if name not in {"all", "no prefetch", *args.arms}]:
        del ARMS[name]
    if not len(args.sizes) == len(args.weeks) == len(args.reps):
        raise SystemExit("give one --weeks and one --reps per size")
    configure_threading()  # before the bandwidth stream starts numba's threads
    warm = scenario_of(1000, 8)
    for apply in ARMS.values():  # load every kernel, serial twins and parallel, from the cache
        apply()
        whole_run(warm)
    for n, weeks, reps in zip(args.sizes, args.weeks, args.reps, strict=True):
        print(measure(n, weeks, reps), flush=True)


if __name__ == "__main__":
    main()
