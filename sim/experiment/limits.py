"""Limits checked up front: how many runs, how many workers, how much memory.

A plan that cannot finish on this machine is refused with one line naming the flag or
field, its value and the limit, before anything is claimed on disk (the results directory
is not made or touched) and before the design is built (a 16-million-run grid is refused
from the sizes of its factors, not by listing its points):

* **Runs** of one sweep, comparison or plan: at most :data:`DEFAULT_MAX_RUNS` (100,000:
  about a day of small runs on two cores; a design that big is usually a typo, e.g. a
  Sobol ``samples`` of 2^19). Set ``MENTORSIM_MAX_RUNS`` to allow more.
* **Workers** of the process pool or a local Dask cluster: at most
  :data:`WORKERS_PER_CPU` per CPU this process may use (at least
  :data:`MIN_MAX_WORKERS`); more only queue for the same CPUs, each holding ~350 MB.
  Set ``MENTORSIM_MAX_WORKERS`` to allow more. A remote ``--scheduler``'s workers are
  not counted.
* **Memory**: the largest run of the plan (the largest level or bound of every factor,
  see :func:`peak_run_bytes`), times the runs that go at once (the workers, or the runs
  if fewer), must fit in 80% of the memory available
  (:func:`sim.experiment.resources.check_memory`'s rule). Not checked for a remote
  ``--scheduler`` (its machines' memory is theirs).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from typing import Any

from sim.config import Scenario, scenario_from_dict, with_overrides
from sim.errors import MentorsimError
from sim.experiment.resources import (
    MAX_SHARE,
    ResourceLimitError,
    arms,
    available_memory_bytes,
    estimate_bytes,
    format_bytes,
)

DEFAULT_MAX_RUNS = 100_000
WORKERS_PER_CPU = 4
MIN_MAX_WORKERS = 8
RUNS_VARIABLE = "MENTORSIM_MAX_RUNS"
WORKERS_VARIABLE = "MENTORSIM_MAX_WORKERS"


def _from_environment(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise MentorsimError(f"{name} = {text!r}: expected a whole number") from None
    if value < 1:
        raise MentorsimError(f"{name} = {value}: expected at least 1")
    return value


def max_runs() -> int:
    """Most runs one plan may have (``MENTORSIM_MAX_RUNS``, default 100,000)."""
    return _from_environment(RUNS_VARIABLE, DEFAULT_MAX_RUNS)


def max_workers() -> int:
    """Most worker processes (``MENTORSIM_MAX_WORKERS``, default 4 per CPU, at least 8)."""
    from sim.experiment.executors import default_workers

    default = max(WORKERS_PER_CPU * default_workers(), MIN_MAX_WORKERS)
    return _from_environment(WORKERS_VARIABLE, default)


def check_workers(workers: int, flag: str = "--workers") -> None:
    """Refuse more worker processes than :func:`max_workers`.

    Raises:
        ResourceLimitError: One line with the value and the limit.

    """
    limit = max_workers()
    if workers > limit:
        raise ResourceLimitError(
            f"{flag} = {workers}: more than the limit of {limit} worker processes on this "
            f"machine ({WORKERS_PER_CPU} per CPU); set {WORKERS_VARIABLE} to allow more"
        )


def check_runs(runs: int, what: str) -> None:
    """Refuse a plan of more than :func:`max_runs` runs.

    Args:
        runs: How many runs the plan has.
        what: Which flag or field makes them and how, e.g. ``"SWEEP: samples = 524288:
            a Sobol design of 5,242,880 points x 1 replication"``.

    Raises:
        ResourceLimitError: One line: ``what``, the runs and the limit.

    """
    limit = max_runs()
    if runs > limit:
        raise ResourceLimitError(
            f"{what}: {runs:,} runs, more than the limit of {limit:,}; make the design "
            f"smaller, or set {RUNS_VARIABLE} to allow more"
        )


def check_comparison_size(designs: int, reps: int, seeds_per_draw: int) -> None:
    """Refuse a comparison of more than :func:`max_runs` runs (before any seed is made).

    Raises:
        ResourceLimitError: One line naming ``--reps`` (or ``--seeds-per-draw``).

    """
    runs = designs * reps * seeds_per_draw
    flag = f"--reps = {reps}" if seeds_per_draw == 1 else (
        f"--reps = {reps} with --seeds-per-draw = {seeds_per_draw}")
    check_runs(runs, f"{flag}: {designs} designs x {reps:,} replications x "
                     f"{seeds_per_draw:,} seeds each")


def design_size(design: str, samples: int | None, levels: Iterable[int], factors: int,
                second_order: bool = True) -> int:
    """Design points of a sweep, from its sizes (without making them).

    Args:
        design: ``"grid"``, ``"lhs"`` or ``"sobol"``.
        samples: The base sample size N (lhs, sobol).
        levels: The number of levels of every grid factor.
        factors: How many factors (sobol).
        second_order: Sobol: Saltelli's sample for second-order indices too.

    Returns:
        Grid: the product of the level counts; lhs: N; sobol: N·(2D+2), or N·(D+2).

    """
    if design == "grid":
        return math.prod(levels)
    if design == "lhs":
        return int(samples or 0)
    return int(samples or 0) * ((2 * factors + 2) if second_order else (factors + 2))


# --- memory ------------------------------------------------------------------------------
def peak_run_bytes(plan: Any) -> tuple[int, str]:
    """An upper bound of the memory of the largest run of ``plan``, and what makes it.

    A sweep: the base scenario, and the base with each factor at each of its levels (or
    both bounds) alone. The bound takes the largest headcount, competencies, weeks and
    arms found among them together (each drives the estimate up, and a design point
    takes each from one factor), so a 40-million-employee level is seen whatever the
    other factors are. A comparison: its designs.

    Returns:
        ``(bytes, where)``: ``where`` names the field and value with the largest
        headcount, e.g. ``"factors.organisation.headcount: level 40000000"``.

    """
    candidates = list(_candidates(plan))
    if not candidates:
        return 0, ""
    largest, where = max(candidates, key=lambda c: c[0].organisation.headcount)
    bound = estimate_bytes(
        largest.organisation.headcount,
        max(s.n_competencies for s, _ in candidates),
        max(s.horizon_weeks for s, _ in candidates),
        max(arms(s) for s, _ in candidates),
    )
    return bound, where


def _candidates(plan: Any) -> Iterable[tuple[Scenario, str]]:
    factors = getattr(plan, "factors", None)
    base = getattr(plan, "scenario", None)
    if isinstance(base, Scenario) and factors is not None:
        yield base, f"organisation.headcount = {base.organisation.headcount}"
        for factor in factors:
            if factor.prior is not None:
                continue  # a prior's column is on [0, 1], mapped later: not a headcount
            levels = factor.levels if factor.levels is not None else [
                round(b) if factor.integer else float(b) for b in (factor.bounds or ())]
            for level in levels:
                try:
                    scenario = with_overrides(base, {factor.name: level}, "<level>")
                except MentorsimError:
                    continue  # checked (and refused) by the sweep file's validation
                yield scenario, f"factors.{factor.name}: level {level!r}"
        return
    scenarios = getattr(plan, "scenarios", None)
    if isinstance(scenarios, dict):
        for name, scenario in scenarios.items():
            yield scenario, (f"{name}: organisation.headcount = "
                             f"{scenario.organisation.headcount}")
        return
    seen: set[str] = set()
    for spec in plan.runs():  # any other plan: its distinct base scenarios
        text, _ = plan.job(spec)
        if text not in seen:
            seen.add(text)
            scenario = scenario_from_dict(json.loads(text), plan.source)
            yield scenario, f"organisation.headcount = {scenario.organisation.headcount}"


def check_plan_memory(plan: Any, at_once: int, flag: str = "--workers",
                      available: int | None = None) -> int:
    """Refuse a plan whose largest run, ``at_once`` at a time, would not fit in memory.

    Args:
        plan: A sweep, a comparison or any runner plan.
        at_once: Runs that go at once (the workers; 1 serial).
        flag: The flag that sets ``at_once``, for the message.
        available: Bytes available (default: what this machine has now).

    Returns:
        The bound of one run in bytes.

    Raises:
        ResourceLimitError: One line: the field and value, the memory per run and in
            all, what is available.

    """
    peak, where = peak_run_bytes(plan)
    available = available_memory_bytes() if available is None else available
    total = peak * at_once
    if total > MAX_SHARE * available:
        times = f", x {at_once} at once ({flag}) = {format_bytes(total)}" if at_once > 1 \
            else ""
        advice = "use fewer workers, " if at_once > 1 and peak <= MAX_SHARE * available \
            else ""
        raise ResourceLimitError(
            f"{plan.source}: {where} needs about {format_bytes(peak)} of memory per "
            f"run{times}, but {format_bytes(available)} is available (at most "
            f"{int(MAX_SHARE * 100)}% may be used); {advice}reduce the headcount, or use "
            "a larger machine"
        )
    return peak


def check_plan(plan: Any, executor: str, workers: int | None,
               scheduler: str | None = None) -> None:
    """Every up-front check of a runner plan: executor options, runs and memory.

    Called by :func:`sim.experiment.runner.run_plan` before the results directory is
    claimed.

    Raises:
        MentorsimError: Unknown executor, too few or too many workers.
        ResourceLimitError: Too many runs, or the largest run times the workers does
            not fit in memory.

    """
    from sim.experiment.executors import check_options, default_workers

    check_options(executor, workers)
    runs = len({spec.id for spec in plan.runs()})
    check_runs(runs, f"{plan.source}: the plan")
    if executor == "dask" and scheduler is not None:
        return  # the workers are other machines
    at_once = 1 if executor == "serial" else min(workers or default_workers(), max(runs, 1))
    check_plan_memory(plan, at_once)
