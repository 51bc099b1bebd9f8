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
  every reporter's value every week) instead of ``MetricsCollector``'s.

Arms alternate run by run in a rotating order, so drift in the machine's speed (a shared
VM) falls on all of them alike. The figures: each arm's median and best wall time, and
the median (and range) over rounds of its time over that round's ``all`` run: above 1,
the trick saves time; 1.05 is the bar a trick must clear at some size. Every arm must
give the same numbers; the line says whether they did. The memory bandwidth
(read-modify-write, one and all threads) is measured in the same process before each size.

Usage: python benchmarks/whole_run_tricks.py [--sizes 1000 100000 1000000]
       [--weeks 156 52 13] [--reps 5 3 3]
Prints one line of figures per size.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import mesa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_throughput import _stream, _stream_parallel, median_time  # noqa: E402

from sim.config import load_scenario  # noqa: E402
from sim.kernels import configure_threading, learning, matching, set_parallel_min_bytes  # noqa: E402
from sim.model.model import MentoringModel  # noqa: E402
from sim.model.reporters import MetricsCollector  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scale_1m.toml"


DEFAULTS = {"distance": learning.PREFETCH_DISTANCE, "candidates": matching.PREFETCH_CANDIDATES,
            "collect": MetricsCollector.collect}


def arm(prefetch: bool = True, serial_twins: bool = True, own_collector: bool = True):
    """A set-up of the tricks: each on (as shipped) unless switched off."""

    def apply() -> None:
        learning.PREFETCH_DISTANCE = DEFAULTS["distance"] if prefetch else 0
        matching.PREFETCH_CANDIDATES = DEFAULTS["candidates"] if prefetch else 0
        set_parallel_min_bytes(None if serial_twins else 0)
        MetricsCollector.collect = (DEFAULTS["collect"] if own_collector
                                    else mesa.DataCollector.collect)

    return apply


ARMS = {
    "all": arm(),
    "no prefetch": arm(prefetch=False),
    "no serial twins": arm(serial_twins=False),
    "Mesa's collector": arm(own_collector=False),
}


def scenario_of(n: int, weeks: int):
    """benchmarks/scale_1m.toml at ``n`` employees over ``weeks`` (programme cut to fit)."""
    return load_scenario(SCENARIO, {"organisation.headcount": n, "horizon_weeks": weeks,
                                    "programme.duration_weeks": min(52, weeks)})


def whole_run(scenario) -> tuple[float, tuple]:
    """Wall seconds of set-up and every week, and a fingerprint of the numbers."""
    start = time.perf_counter()
    model = MentoringModel(scenario, rng=1).run()
    seconds = time.perf_counter() - start
    frame = model.timeseries()
    return seconds, (frame.to_numpy().tobytes(), model.workforce.skills.tobytes())


def bandwidth(n_bytes: int = 128 * 2**20, reps: int = 5) -> tuple[float, float]:
    """Read-modify-write GB/s of a plain numba stream, one thread and all threads."""
    buffer = np.random.default_rng(1).random(n_bytes // 8)
    _stream(buffer[:10])
    _stream_parallel(buffer[:10])
    one = 2 * buffer.nbytes / median_time(lambda: _stream(buffer), reps)
    every = 2 * buffer.nbytes / median_time(lambda: _stream_parallel(buffer), reps)
    return one / 1e9, every / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, nargs="+", default=[156, 52, 13])
    parser.add_argument("--reps", type=int, nargs="+", default=[7, 3, 3])
    args = parser.parse_args()
    if not len(args.sizes) == len(args.weeks) == len(args.reps):
        raise SystemExit("give one --weeks and one --reps per size")
    configure_threading()  # before the bandwidth stream starts numba's threads
    warm = scenario_of(1000, 8)
    for arm in ARMS.values():  # load every kernel, serial twins and parallel, from the cache
        arm()
        whole_run(warm)
    for n, weeks, reps in zip(args.sizes, args.weeks, args.reps, strict=True):
        bw_one, bw_all = bandwidth()
        scenario = scenario_of(n, weeks)
        times = {name: [] for name in ARMS}
        prints = {}
        names = list(ARMS)
        for rep in range(reps):
            for name in names[rep % len(names):] + names[:rep % len(names)]:
                ARMS[name]()
                seconds, prints[name] = whole_run(scenario)
                times[name].append(seconds)
        ARMS["all"]()
        cells = []
        for name, found in times.items():
            cell = f"{name} {statistics.median(found):.3f} s (min {min(found):.3f})"
            if name != "all":  # each run against the run of all tricks in the same round
                ratios = [t / base for t, base in zip(found, times["all"], strict=True)]
                cell += (f" x{statistics.median(ratios):.3f} of all "
                         f"({min(ratios):.2f}-{max(ratios):.2f})")
            cells.append(cell)
        same = all(p == prints["all"] for p in prints.values())
        print(f"N={n:,} K=16 weeks={weeks} reps={reps} | bandwidth RMW {bw_one:.1f} GB/s "
              f"1 thread, {bw_all:.1f} GB/s all | " + " | ".join(cells)
              + f" | same numbers: {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
