"""Whole runs with and without each speed trick, side by side in one process (issue 11, item 8).

A trick earns its place when it saves at least 5% of a whole run (model set-up and every
week, data collection included) at some size we claim. Each size runs
benchmarks/scale_1m.toml (K = 16, a gap-targeted programme from week 4, turnover, drift,
shocks) with the headcount and horizon overridden, in these arms:

* ``all``: the model as shipped;
* ``no serial twins``: every kernel parallel, whatever the size of its data;
* ``Mesa's collector``: data collection by ``mesa.DataCollector.collect`` (a deep copy of
  every reporter's value every week) instead of ``MetricsCollector``'s.

Arms alternate run by run, each round in another of their orders (every arm before and
after every other alike), so drift in the machine's speed (a shared VM) and whatever a run
leaves behind fall on all of them alike; the last run's model is freed before the next.
Per arm: the median and best wall time, and the median (and range) over rounds of its
time over that round's ``all`` run: above 1, the trick saves time; 1.05 is the bar a
trick must clear at some size. Every arm must give the same numbers; the line says
whether they did. The memory bandwidth (read-modify-write, one and all threads) is
measured in the same process before each size.

The ``llvm.prefetch`` hints in the pair deltas and gap scores were measured here too (with
the time inside those two kernels, the steadier measure on a noisy machine) and removed:
they saved 4-4.5% of a run at 1e5 and 1e6 and nothing at 1,000 (docs/performance.md;
``git checkout b51d243 && python benchmarks/whole_run_tricks.py`` runs those arms).

Usage: python benchmarks/whole_run_tricks.py [--sizes 1000 100000 1000000]
       [--weeks 156 52 26] [--reps 12 6 6] [--arms "no serial twins" ...]
Prints one line of figures per size.
"""

import argparse
import gc
import itertools
import statistics
import sys
import time
from pathlib import Path

import mesa
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_throughput import _stream, _stream_parallel, median_time  # noqa: E402

from sim.config import load_scenario  # noqa: E402
from sim.kernels import configure_threading, set_parallel_min_bytes  # noqa: E402
from sim.model.model import MentoringModel  # noqa: E402
from sim.model.reporters import MetricsCollector  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scale_1m.toml"
OWN_COLLECT = MetricsCollector.collect


def arm(serial_twins: bool = True, own_collector: bool = True):
    """A set-up of the tricks: each on (as shipped) unless switched off."""

    def apply() -> None:
        set_parallel_min_bytes(None if serial_twins else 0)
        MetricsCollector.collect = OWN_COLLECT if own_collector else mesa.DataCollector.collect

    return apply


ARMS = {
    "all": arm(),
    "no serial twins": arm(serial_twins=False),
    "Mesa's collector": arm(own_collector=False),
}


def scenario_of(n: int, weeks: int):
    """benchmarks/scale_1m.toml at ``n`` employees over ``weeks`` (programme cut to fit)."""
    return load_scenario(SCENARIO, {"organisation.headcount": n, "horizon_weeks": weeks,
                                    "programme.duration_weeks": min(52, weeks)})


def whole_run(scenario) -> tuple[float, float, tuple]:
    """Seconds of the whole run and of its set-up, and a fingerprint of the numbers."""
    gc.collect()  # the last run's model (Mesa's agents hold cycles) is freed before this one
    start = time.perf_counter()
    model = MentoringModel(scenario, rng=1)
    setup = time.perf_counter() - start
    model.run()
    seconds = time.perf_counter() - start
    frame = model.timeseries()
    return seconds, setup, (frame.to_numpy().tobytes(), model.workforce.skills.tobytes())


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
    orders = list(itertools.permutations(ARMS))  # each arm before and after each other alike
    runs = {name: [] for name in ARMS}  # (seconds, setup) per round
    prints = {}
    ARMS["all"]()
    whole_run(scenario)  # untimed: the first run of a size also pays for first-touch memory
    for rep in range(reps):
        for name in orders[rep % len(orders)]:
            ARMS[name]()
            *figures, prints[name] = whole_run(scenario)
            runs[name].append(figures)
    ARMS["all"]()
    base = [seconds for seconds, _ in runs["all"]]
    cells = []
    for name, found in runs.items():
        seconds = [s for s, _ in found]
        cell = f"{name} {statistics.median(seconds):.3f} s (min {min(seconds):.3f})"
        if name != "all":  # each run against the run of all tricks in the same round
            ratios = [s / b for s, b in zip(seconds, base, strict=True)]
            cell += (f" x{statistics.median(ratios):.3f} of all "
                     f"({min(ratios):.2f}-{max(ratios):.2f})")
        cells.append(cell)
    same = all(p == prints["all"] for p in prints.values())
    setup = statistics.median(setup for _, setup in runs["all"])
    return (f"N={n:,} K=16 weeks={weeks} reps={reps} | bandwidth RMW {bw_one:.1f} GB/s "
            f"1 thread, {bw_all:.1f} GB/s all | set-up {setup:.3f} s | " + " | ".join(cells)
            + f" | same numbers: {'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    parser.add_argument("--weeks", type=int, nargs="+", default=[156, 52, 26])
    parser.add_argument("--reps", type=int, nargs="+", default=[12, 6, 6],
                        help="rounds per size (a multiple of 6, the orders of 3 arms, is fairest)")
    parser.add_argument("--arms", nargs="+", choices=list(ARMS), default=list(ARMS),
                        help="arms to run (all always runs)")
    args = parser.parse_args()
    if not len(args.sizes) == len(args.weeks) == len(args.reps):
        raise SystemExit("give one --weeks and one --reps per size")
    for name in [name for name in ARMS if name not in {"all", *args.arms}]:
        del ARMS[name]
    configure_threading()  # before the bandwidth stream starts numba's threads
    warm = scenario_of(1000, 8)
    for apply in ARMS.values():  # load every kernel, serial twins and parallel, from the cache
        apply()
        whole_run(warm)
    for n, weeks, reps in zip(args.sizes, args.weeks, args.reps, strict=True):
        print(measure(n, weeks, reps), flush=True)


if __name__ == "__main__":
    main()
