"""Small-run throughput through every runner, side by side (issue 16, target 2).

The bundled ``mentoring`` scenario at 1,000 employees x 156 weeks
(``organisation.headcount=1000``, ``horizon_weeks=156``), in one process, after numba's
cache is warmed on every design measured (so no run compiles). The first line says
whether a run is one model or two (a control arm, ``evaluation.control``). Measured:

1. the model alone: ``MentoringModel(...).run()`` in a loop, serial: runs/s, and ms to
   build a model and per simulated week (the ceiling without orchestration);
2. ``run_sweep`` (a two-level factor x replications) with the serial, processes and dask
   (LocalCluster) executors, into temporary directories: runs/s over the whole call
   (executor start-up, every run's file, the tables and the manifest) and the steady rate
   from two sweep sizes, (n - m) / (t_n - t_m), so start-up cancels; beside it the
   parent's and the workers' CPU per run (the same difference; workers' CPU is counted
   when they are reaped, at the executor's shutdown);
3. the compare runner (``run_comparison``, 2 designs: gap-targeted and random matching,
   processes), with parameters fixed and with parameter uncertainty (the literature
   priors, 2 seeds a draw): runs/s over the whole call and over its runner;
4. the calibration sampler: ``SeededSampler`` evaluating the calibration ``Simulator``
   inside pyabc's ABCSMC, one generation of P particles with epsilon infinite (each
   evaluation accepted: P evaluations, counted from pyabc's history), first with the
   pool's start, then with the same sampler's pool warm;
5. the cost split of one run as a warm worker makes it (in this process): the scenario
   resolved from the plan's JSON, the model built, its weeks, run_scenario's other work
   (summary, time series, manifest, needs tables), the outcome pickled to the parent and
   unpickled, and the parent's share (its identity and Parquet file); then the functions
   with the most own time in one run (cProfile, which inflates Python-heavy parts).

Usage: python benchmarks/small_runs.py [--runs 200] [--workers 2] [--parts 1 2 3 4 5]
       [--executors serial processes dask] [--headcount 1000] [--weeks 156]
Prints one line per figure, with the CPU count and the load average at start and end
(other jobs may share the machine: the figures are then low).
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pickle
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sim.experiment.run as run_module
import sim.experiment.runner as runner_module
from sim import MentoringModel
from sim.analysis.evaluation import control_scenario, has_control_arm
from sim.config import Scenario, apply_draw, load_scenario, prior_set, with_overrides
from sim.errors import MentorsimError
from sim.experiment.compare import ComparisonSweep, run_comparison
from sim.experiment.designs import Sweep, parameter_draws, sweep_from_dict
from sim.experiment.resources import check_memory
from sim.experiment.runner import SweepStore, run_chunk, run_sweep

ROOT = Path(__file__).resolve().parents[1]
TARGET = 150.0  # runs/s on 2 cores (issue 16, target 2)


# --- measuring ----------------------------------------------------------------------------
def load() -> str:
    """The load averages (1, 5, 15 minutes) of /proc/loadavg."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def usable_cores() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's reaped children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def clock() -> Iterator[dict[str, float]]:
    """Wall, this process's CPU and its reaped children's CPU of the block, in seconds."""
    figures: dict[str, float] = {}
    wall, own, kids = time.perf_counter(), time.process_time(), children_cpu()
    try:
        yield figures
    finally:
        figures["wall"] = time.perf_counter() - wall
        figures["cpu"] = time.process_time() - own
        figures["children"] = children_cpu() - kids


def steady(small: dict[str, float], large: dict[str, float], m: int, n: int,
           key: str = "wall") -> float:
    """Seconds per run between two sizes ``m < n``: start-up and shutdown cancel."""
    return (large[key] - small[key]) / (n - m)


def workers_text(n: int) -> str:
    """``"1 worker"``, ``"2 workers"``."""
    return f"{n} worker{'' if n == 1 else 's'}"


def rate(runs: int, seconds: float) -> str:
    """Runs per second as text (n/a for no time)."""
    return f"{runs / seconds:.1f}" if seconds > 0 else "n/a"


# --- the scenario and the plans ------------------------------------------------------------
def scenario(headcount: int, weeks: int) -> Scenario:
    """The bundled ``mentoring`` scenario at ``headcount`` employees x ``weeks`` weeks."""
    return load_scenario("mentoring", {"organisation.headcount": headcount,
                                       "horizon_weeks": weeks})


def sweep(runs: int, headcount: int, weeks: int, seed: int) -> Sweep:
    """``runs`` runs (rounded up to even): two levels of the programme's duration.

    The levels are 26 and 52 weeks, so ``weeks`` must be at least 52.
    """
    return sweep_from_dict({
        "name": "small-runs", "base": "mentoring", "design": "grid",
        "replications": max(math.ceil(runs / 2), 1), "seed": seed,
        "set": {"organisation": {"headcount": headcount}, "horizon_weeks": weeks},
        "factors": {"programme.duration_weeks": [26, 52]},
    }, "<benchmark>", ROOT)


def designs(base: Scenario) -> dict[str, Scenario]:
    """The two designs compared: gap-targeted matching (the scenario's) and random."""
    random = with_overrides(base, {"programme.matching": "random", "name": "random"},
                            "<benchmark>")
    return {"gap_targeted": base, "random": random}


def warm(base: Scenario) -> None:
    """Run every design measured once, so numba's cache holds every kernel they call."""
    from sim.experiment.run import run_scenario

    run_scenario(base, seed=1)
    for design in designs(base).values():
        MentoringModel(design, rng=2).run()
    if has_control_arm(base):
        MentoringModel(control_scenario(base), rng=3).run()
    for draw in parameter_draws(prior_set("literature"), 2, 4):
        MentoringModel(apply_draw(base, draw), rng=5).run()


# --- 1. the model alone --------------------------------------------------------------------
def part_model(base: Scenario, runs: int) -> None:
    """Serial ``MentoringModel(...).run()``: runs/s, build and week times."""
    build = weeks = 0.0
    with clock() as total:
        for seed in range(runs):
            start = time.perf_counter()
            model = MentoringModel(base, rng=seed)
            built = time.perf_counter()
            model.run()
            build += built - start
            weeks += time.perf_counter() - built
    per_week = 1000 * weeks / (runs * base.horizon_weeks)
    print(f"1. model alone, serial ({runs} runs): {rate(runs, total['wall'])} runs/s; "
          f"{1000 * total['wall'] / runs:.1f} ms a run ({1000 * build / runs:.1f} ms to "
          f"build, {per_week:.3f} ms a simulated week); CPU {1000 * total['cpu'] / runs:.1f}"
          f" ms a run", flush=True)


# --- 2. the sweep runner --------------------------------------------------------------------
def sweep_sizes(runs: int) -> tuple[int, int]:
    """The two sweep sizes (even: two design points), the smaller a quarter of the larger.

    The smaller is 0 when ``runs`` is too small for two sizes (no steady rate then).
    """
    n = max(2, math.ceil(runs / 2) * 2)
    m = (n // 4) // 2 * 2
    return (m if 2 <= m < n else 0), n


def part_sweep(args: argparse.Namespace) -> None:
    """``run_sweep`` with each executor at two sizes: whole-call and steady runs/s."""
    m, n = sweep_sizes(args.runs)
    for kind in args.executors:
        figures = []
        for size, seed in ((m, 11), (n, 12)):
            if not size:
                figures.append({"wall": math.nan, "cpu": math.nan, "children": math.nan})
                continue
            plan = sweep(size, args.headcount, args.weeks, seed)
            with tempfile.TemporaryDirectory(prefix="small-runs-") as tmp, clock() as took:
                outcome = run_sweep(plan, Path(tmp) / "out", executor=kind,
                                    workers=args.workers, progress=False)
            if outcome.done != size:
                raise SystemExit(f"sweep {kind}: {outcome.done} of {size} runs done")
            figures.append(took)
        small, large = figures
        if m:
            per_run = steady(small, large, m, n)
            parent = 1000 * steady(small, large, m, n, "cpu")
            kids = 1000 * steady(small, large, m, n, "children")
            how = "steady"
        else:  # one size: the whole call's figures
            per_run, parent, kids = (large["wall"] / n, 1000 * large["cpu"] / n,
                                     1000 * large["children"] / n)
            how = "whole call, start-up included"
        workers = "1 process" if kind == "serial" else workers_text(args.workers)
        cores = 1 if kind == "serial" else min(args.workers + 1, usable_cores())
        bound = rate(cores * 1000, parent + kids)
        rest = f"steady {rate(1, per_run)} runs/s ({n} - {m} runs)" if m else \
            "no steady rate (too few runs for two sizes)"
        print(f"2. sweep {kind} ({workers}): {rate(n, large['wall'])} runs/s over the "
              f"whole call ({n} runs in {large['wall']:.1f} s), {rest}; CPU a run "
              f"({how}): parent {parent:.1f} ms, workers {kids:.1f} ms ({bound} runs/s if "
              f"{cores} core{'s' if cores > 1 else ''} were all the sweep's)", flush=True)


# --- 3. the compare runner -----------------------------------------------------------------
def part_compare(args: argparse.Namespace, base: Scenario) -> None:
    """``run_comparison`` of 2 designs on processes, parameters fixed and drawn."""
    for uncertainty in (False, True):
        reps = max(2, math.ceil(args.runs / (4 if uncertainty else 2)))
        plan = ComparisonSweep.build(designs(base), reps=reps, seed=13,
                                     uncertainty=uncertainty)
        n = len(plan.runs())
        with tempfile.TemporaryDirectory(prefix="small-runs-") as tmp, clock() as took:
            _, outcome = run_comparison(plan, Path(tmp) / "compare", executor="processes",
                                        workers=args.workers, progress=False)
        what = (f"parameter uncertainty ({len(plan.draws)} draws of "
                f"{len(plan.priors)} priors x {plan.seeds_per_draw} seeds)"
                if uncertainty else "parameters fixed")
        print(f"3. compare processes ({workers_text(args.workers)}), 2 designs, {what}: "
              f"{rate(n, took['wall'])} runs/s over the whole call ({n} runs in "
              f"{took['wall']:.1f} s), {rate(outcome.ran, outcome.seconds)} runs/s over its "
              f"runner; CPU a run: parent {1000 * took['cpu'] / n:.1f} ms, workers "
              f"{1000 * took['children'] / n:.1f} ms (with start-up)", flush=True)


# --- 4. the calibration sampler ------------------------------------------------------------
def calibration_targets(weeks: int):
    """Targets of the bundled example's kind, at the horizon (no control arm needed)."""
    from sim.analysis.calibration import Targets

    data: dict[str, Any] = {
        "annual_quit_rate": {"value": 0.13, "sd": 0.02, "week": weeks},
        "median_weeks_to_proficiency": {"value": 16, "sd": 3, "week": weeks},
        "proficient_share": {"value": 0.78, "sd": 0.04, "week": weeks},
    }
    if weeks > 26:
        data["early_ending_share"] = {"value": 0.22, "sd": 0.05, "week": weeks}
    return Targets.model_validate(data)


def part_calibration(args: argparse.Namespace, base: Scenario) -> None:
    """One ABC-SMC generation of accepted particles through ``SeededSampler``, twice."""
    import logging

    import pyabc

    from sim.experiment.abc_sampler import SeededSampler
    from sim.experiment.calibrate import (
        Distance,
        Simulator,
        calibration_priors,
        pyabc_prior,
    )

    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    targets = calibration_targets(args.weeks)
    priors = calibration_priors(base)
    simulator = Simulator(base, targets)
    observed = {name: target.value for name, target in targets.items().items()}
    population = max(2, args.runs // 2)
    arms = ("two models an evaluation (effect_size_d: a control arm)" if targets.needs_control
            else "one model an evaluation")
    sampler = SeededSampler(17, args.workers)
    try:
        labels = (("first, with the pool's start", "second, pool warm")
                  if args.workers > 1 else ("first", "second"))
        for label in labels:
            with tempfile.TemporaryDirectory(prefix="small-runs-") as tmp, clock() as took:
                abc = pyabc.ABCSMC(simulator, pyabc_prior(priors), Distance(targets),
                                   population_size=population, sampler=sampler,
                                   eps=pyabc.epsilon.ListEpsilon([math.inf]))
                abc.new(f"sqlite:///{Path(tmp) / 'abc.db'}", observed)
                history = abc.run(max_nr_populations=1)
                populations = history.get_all_populations()
                evaluations = int(populations[populations["t"] >= 0]["samples"].sum())
            print(f"4. calibration SeededSampler ({workers_text(args.workers)}), "
                  f"{len(priors)} priors, {arms}, 1 generation of {population} particles, "
                  f"{label}: "
                  f"{rate(evaluations, took['wall'])} evaluations/s ({evaluations} in "
                  f"{took['wall']:.1f} s); parent CPU {1000 * took['cpu'] / evaluations:.1f}"
                  " ms an evaluation", flush=True)
    finally:
        with clock() as took:
            sampler.close()
        if args.workers > 1:
            print(f"4. calibration workers' CPU over both generations and start-up: "
                  f"{1000 * took['children'] / (2 * population):.1f} ms an evaluation",
                  flush=True)


# --- 5. the cost split of one run -----------------------------------------------------------
class Timers:
    """Wraps module-level functions with timers that add up their CPU time by label.

    CPU time (``time.process_time``) rather than wall time: on a shared machine a piece's
    wall time includes the time other jobs held the core. At 1,000 employees the kernels
    run on one thread, so on a quiet machine the two agree.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, module: Any, name: str, label: str) -> None:
        """Time every call of ``module.name`` under ``label`` (until :meth:`restore`)."""
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.process_time() - start

        self._undo.append((module, name, original))
        setattr(module, name, timed)

    def restore(self) -> None:
        """Put the original functions back."""
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)
        self._undo.clear()


def _median_ms(values: list[float]) -> float:
    return 1000 * statistics.median(values)


def part_split(args: argparse.Namespace) -> None:
    """Each piece of one run, from the plan's JSON to its file, in this (warm) process."""
    plan = sweep(2, args.headcount, args.weeks, 19)
    reps = max(3, min(10, args.runs // 10))
    timers = Timers()
    for module, name, label in (
        (runner_module, "with_overrides", "scenario resolved"),
        (runner_module, "run_scenario", "run_scenario"),
        (runner_module, "cpu", "cpu record"),
        (run_module, "MentoringModel", "model built"),
        (run_module, "_run_model", "model built and run"),
        (run_module, "run_summary", "summary"),
        (run_module, "make_manifest", "manifest"),
        (run_module, "gap_table", "needs tables"),
        (run_module, "cause_table", "needs tables"),
        (run_module, "recommend", "needs tables"),
        (run_module, "adaptations_frame", "needs tables"),
        (runner_module, "write_run_file", "parent: run file"),
    ):
        timers.wrap(module, name, label)
    pieces: dict[str, list[float]] = defaultdict(list)
    spec = plan.runs()[0]
    base, overrides = plan.job(spec)
    try:
        with tempfile.TemporaryDirectory(prefix="small-runs-") as tmp:
            store = SweepStore(Path(tmp) / "out", plan)
            for r in range(reps):
                timers.seconds.clear()
                wall = time.perf_counter()
                start = time.process_time()
                outcomes = run_chunk(base, [(spec.id, overrides, 1000 + r)])
                worker = time.process_time() - start
                start = time.process_time()
                data = pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL)
                outcome = pickle.loads(data)[0]
                transfer = time.process_time() - start
                start = time.process_time()
                store.write_run(spec, outcome["timeseries"], outcome["summary"],
                                outcome["cpu"])
                parent = time.process_time() - start
                pieces["wall"].append(time.perf_counter() - wall)
                s = dict(timers.seconds)
                weeks = s["model built and run"] - s["model built"]
                named = sum(s[k] for k in ("model built and run", "summary", "manifest",
                                           "needs tables"))
                pieces["worker call"].append(worker)
                pieces["scenario resolved"].append(s["scenario resolved"])
                pieces["model built"].append(s["model built"])
                pieces["model weeks"].append(weeks)
                pieces["summary"].append(s["summary"])
                pieces["manifest"].append(s["manifest"])
                pieces["needs tables"].append(s["needs tables"])
                pieces["run_scenario, rest (time series, ...)"].append(
                    s["run_scenario"] - named)
                pieces["cpu record"].append(s["cpu record"])
                pieces["pickled and unpickled"].append(transfer)
                pieces["parent: run file"].append(s["parent: run file"])
                pieces["parent: identity and rest"].append(parent - s["parent: run file"])
                pieces["total"].append(worker + transfer + parent)
                pieces["bytes"].append(len(data))
    finally:
        timers.restore()
    total = _median_ms(pieces["total"])
    weeks = _median_ms(pieces["model weeks"])
    names = [k for k in pieces if k not in ("worker call", "total", "bytes", "wall")]
    parts = ", ".join(f"{k} {_median_ms(pieces[k]):.2f}" for k in names)
    print(f"5. one run in a warm process, CPU medians of {reps} (ms): {parts}; total "
          f"{total:.1f} ms CPU, {_median_ms(pieces['wall']):.1f} ms wall "
          f"({weeks / args.weeks:.3f} ms CPU a simulated week; outcome "
          f"{statistics.median(pieces['bytes']) / 1024:.0f} KiB pickled)", flush=True)
    share = 100 * weeks / total
    cores = min(args.workers, usable_cores())
    print(f"5. model weeks are {share:.0f}% of a run's CPU; {TARGET:.0f} runs/s on {cores} "
          f"core{'s' if cores > 1 else ''} is {1000 * cores / TARGET:.1f} ms of CPU a run "
          f"(parent included), this run costs {total:.1f} ms: at best "
          f"{1000 * cores / total:.0f} runs/s", flush=True)
    profile_one(base, overrides, spec.id)
    fresh_worker(base, overrides, spec.id)


def fresh_worker(base: str, overrides: dict[str, Any], run_id: str) -> None:
    """A new pool worker's start-up, first run and second run (wall, from this process)."""
    from sim.experiment.executors import make_executor

    start = time.perf_counter()
    with make_executor("processes", 1, warm_up=runner_module.warm_up) as pool:
        pool.submit(os.getpid).result()
        started = time.perf_counter()
        pool.submit(run_chunk, base, [(run_id, overrides, 3000)]).result()
        first = time.perf_counter()
        pool.submit(run_chunk, base, [(run_id, overrides, 3001)]).result()
        second = time.perf_counter()
    print(f"5. a fresh pool worker (wall): started and warmed in {started - start:.2f} s, "
          f"first run {1000 * (first - started):.0f} ms (loading the kernels from numba's "
          f"cache), second run {1000 * (second - first):.0f} ms", flush=True)


def profile_one(base: str, overrides: dict[str, Any], run_id: str, top: int = 10) -> None:
    """The functions with the most own time in one worker call (cProfile)."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_chunk(base, [(run_id, overrides, 2000)])
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    total = sum(row[2] for row in stats.stats.values())
    listed = ", ".join(
        f"{Path(file).name}:{line}({name}) {1000 * own:.1f} ms x{calls}"
        for (file, line, name), (_, calls, own, _, _) in rows)
    print(f"5. own time under cProfile ({1000 * total:.0f} ms in all): {listed}", flush=True)


# --- main -----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3, 4, 5],
                        choices=[1, 2, 3, 4, 5])
    parser.add_argument("--executors", nargs="+", default=["serial", "processes", "dask"],
                        choices=["serial", "processes", "dask"])
    parser.add_argument("--headcount", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=156)
    args = parser.parse_args()
    for flag, value, least in (("--runs", args.runs, 1), ("--workers", args.workers, 1),
                               ("--headcount", args.headcount, 2), ("--weeks", args.weeks, 52)):
        if value < least:  # 52: the sweep's factor, programme.duration_weeks = 26, 52
            parser.error(f"{flag} {value}: must be at least {least}")
    try:
        base = scenario(args.headcount, args.weeks)
        check_memory(base, "small_runs.py")
    except MentorsimError as exc:
        parser.exit(2, f"{parser.prog}: {exc}\n")
    arms = ("two models a run (a control arm: evaluation.control = \"no_programme\")"
            if has_control_arm(base) else
            f"one model a run (evaluation.control = {base.evaluation.control!r}: no control "
            "arm)")
    print(f"small runs: {base.name} at {args.headcount:,} employees x {args.weeks} weeks, "
          f"{arms}; {args.runs} runs a figure, {args.workers} workers; target "
          f"{TARGET:.0f} runs/s", flush=True)
    print(f"machine: {os.cpu_count()} CPUs ({usable_cores()} usable); load average at start "
          f"{load()} (other jobs may share the machine)", flush=True)
    with clock() as warmed:
        warm(base)
    print(f"warm-up (numba's cache, every design): {warmed['wall']:.1f} s", flush=True)
    parts: dict[int, Callable[[], None]] = {
        1: lambda: part_model(base, args.runs),
        2: lambda: part_sweep(args),
        3: lambda: part_compare(args, base),
        4: lambda: part_calibration(args, base),
        5: lambda: part_split(args),
    }
    with clock() as took:
        for part in sorted(set(args.parts)):
            parts[part]()
    print(f"load average at end {load()}; {took['wall']:.0f} s in all", flush=True)


if __name__ == "__main__":
    try:
        main()
    except MentorsimError as error:  # e.g. a failed run of a comparison: one line
        sys.exit(f"small_runs.py: {error}")
