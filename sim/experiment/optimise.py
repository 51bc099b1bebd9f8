"""Search the design space under a budget: the Pareto front of effect, equity and cost.

:func:`optimise` lets Optuna's multi-objective TPE sampler (constrained by the budget)
choose programme levers — eligibility, share of staff in pairs, matching, format,
duration, meetings a month, mentor training — and scores each design by running it with
its control arm on the same replication seeds (common random numbers, so designs are
compared on the same luck):

- **effect**: ``level4_results.performance_difference``, the organisation's mean
  performance gain over its control arm (maximise);
- **equity**: the absolute access gap, ``|access_gap|`` (share ever mentored, majority
  minus underrepresented; minimise);
- **cost**: ``level5_roi.costs``, fully loaded and discounted (minimise), constrained to
  at most the budget.

Noise must not pick the winner: the designs on the front found with ``reps`` seeds are
run again with ``confirm_reps`` fresh seeds, and the front is recomputed from those runs
with 95% intervals. The result is written as ``trials.csv``, ``front.csv``,
``front.png`` and ``top_designs.toml`` (the front's designs as ready-to-run plan entries,
``[designs.NAME]`` tables of ``programme.*`` keys).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.config import Scenario, with_overrides
from sim.experiment import lifetime
from sim.experiment.designs import replication_seeds
from sim.experiment.limits import check_runs, check_workers

#: The programme levers searched: name -> ("categorical", choices) or ("float"/"int", lo, hi).
LEVERS: dict[str, tuple] = {
    "eligibility": ("categorical", ("new_hires", "largest_gaps", "all")),
    "max_mentee_share": ("float", 0.02, 0.2),
    "matching": ("categorical", ("random", "gap_targeted", "similarity", "mentee_choice")),
    "format": ("categorical", ("one_to_one", "group", "e_mentoring")),
    "duration_weeks": ("int", 13, 104),
    "meetings_per_month": ("float", 1.0, 4.0),
    "mentor_training_hours": ("float", 0.0, 16.0),
}
#: (name, summary key, direction) of the three objectives.
OBJECTIVES: tuple[tuple[str, str, str], ...] = (
    ("effect", "level4_results.performance_difference", "maximize"),
    ("equity_gap", "access_gap", "minimize"),
    ("cost", "level5_roi.costs", "minimize"),
)


@dataclass(frozen=True)
class OptimisationResult:
    """What :func:`optimise` found.

    Attributes:
        trials: One row per trial: its levers, the objectives' means over ``reps`` seeds,
            whether it kept to the budget.
        front: The confirmed Pareto front: levers, each objective's mean and 95%
            interval over ``confirm_reps`` fresh seeds, sorted by effect.
        budget: The budget the cost was held to (None: no limit).

    """

    trials: pd.DataFrame
    front: pd.DataFrame
    budget: float | None


def design_overrides(levers: dict[str, Any]) -> dict[str, Any]:
    """The scenario overrides of one design (``programme.*`` keys, programme on)."""
    overrides = {f"programme.{name}": value for name, value in levers.items()}
    overrides["programme.enabled"] = True
    if levers.get("format") == "group":  # a group needs places for more than one
        overrides["programme.mentees_per_mentor"] = 6
    return overrides


def _scenario_for(base: Scenario, levers: dict[str, Any]) -> Scenario:
    scenario = with_overrides(base, {"evaluation.control": "no_programme"}, "<optimise>")
    changes = design_overrides(levers)
    if scenario.programme.start_week + levers.get("duration_weeks", 0) > scenario.horizon_weeks:
        changes["programme.duration_weeks"] = max(
            1, scenario.horizon_weeks - scenario.programme.start_week)
    return with_overrides(scenario, changes, "<optimise>")


def _objectives(scenario: Scenario, seed: int) -> tuple[float, ...]:
    """One run with its control arm: the objectives' values (a worker's job)."""
    from sim.experiment.run import run_scenario

    summary = run_scenario(scenario, seed=seed).summary
    effect = float(summary.get(OBJECTIVES[0][1], math.nan))
    gap = abs(float(summary.get(OBJECTIVES[1][1], math.nan)))
    cost = float(summary.get(OBJECTIVES[2][1], math.nan))
    return effect, gap, cost


def _worker_start() -> None:
    from sim.kernels import set_threads

    set_threads(1)  # the processes are the parallelism


class _Evaluator:
    """Runs a design on a list of seeds, in this process or in a pool of processes."""

    def __init__(self, workers: int) -> None:
        self.pool = None
        if workers > 1:
            check_workers(workers)
            self.pool = ProcessPoolExecutor(  # workers die with this process
                max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=lifetime.init_worker,
                initargs=(os.getpid(), lifetime.by_name(_worker_start)))

    def __call__(self, scenario: Scenario, seeds: Sequence[int]) -> np.ndarray:
        if self.pool is None:
            rows = [_objectives(scenario, seed) for seed in seeds]
        else:
            rows = list(self.pool.map(_objectives, [scenario] * len(seeds), seeds))
        return np.array(rows, dtype=np.float64)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _suggest(trial, levers: dict[str, tuple]) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for name, spec in levers.items():
        if spec[0] == "categorical":
            chosen[name] = trial.suggest_categorical(name, list(spec[1]))
        elif spec[0] == "int":
            chosen[name] = trial.suggest_int(name, spec[1], spec[2])
        else:
            chosen[name] = trial.suggest_float(name, spec[1], spec[2])
    return chosen


def pareto_mask(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Which rows of ``values`` (n x objectives) no other row dominates.

    A row dominates another when it is at least as good on every objective and better on
    one (``directions`` say which way is better). Rows with a nan are never on the front.
    """
    signs = np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    scores = values * signs
    finite = np.all(np.isfinite(scores), axis=1)
    keep = finite.copy()
    for i in np.flatnonzero(finite):
        others = scores[finite]
        dominated = np.any(np.all(others <= scores[i], axis=1) & np.any(others < scores[i],
                                                                        axis=1))
        keep[i] = not dominated
    return keep


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    values = values[np.isfinite(values)]
    if values.shape[0] == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.shape[0] < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, values.shape[0] - 1) * values.std(ddof=1)
                 / math.sqrt(values.shape[0]))
    return mean, mean - half, mean + half


def optimise(
    scenario: Scenario,
    budget: float | None = None,
    trials: int = 40,
    reps: int = 3,
    confirm_reps: int = 6,
    seed: int | None = None,
    workers: int = 1,
    levers: dict[str, tuple] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OptimisationResult:
    """Search the programme levers for the Pareto front of effect, equity and cost.

    Args:
        scenario: The organisation (its programme section is the starting design; the
            levers searched replace its values).
        budget: Most the design may cost (``level5_roi.costs``); None: no limit.
        trials: Designs Optuna tries.
        reps: Seeds each trial is run with (the same seeds for every trial).
        confirm_reps: Fresh seeds the front's designs are run with again.
        seed: Seed of the sampler and of the replication seeds (default: the scenario's).
        workers: Processes that run a trial's replications.
        levers: The levers searched (default :data:`LEVERS`).
        progress: Called with (trials done, trials) after each trial.

    Returns:
        The trials and the confirmed front.

    Raises:
        ValueError: ``trials``, ``reps`` or ``confirm_reps`` below 1 (2 for confirm_reps).

    """
    import optuna

    if trials < 1 or reps < 1 or confirm_reps < 2:
        raise ValueError(f"optimise: trials = {trials}, reps = {reps}, confirm_reps = "
                         f"{confirm_reps}: need trials, reps >= 1 and confirm_reps >= 2")
    check_runs(trials * reps, f"--trials = {trials} x --reps = {reps}")  # before any seed
    check_runs(confirm_reps, f"--confirm-reps = {confirm_reps}: per design of the front")
    levers = dict(levers or LEVERS)
    root = scenario.seed if seed is None else seed
    search_seeds, confirm_seeds = (replication_seeds(root, reps),
                                   replication_seeds(root + 1, confirm_reps))
    directions = [d for _, _, d in OBJECTIVES]
    evaluate = _Evaluator(workers)
    rows: list[dict[str, Any]] = []

    def objective(trial) -> tuple[float, ...]:
        chosen = _suggest(trial, levers)
        values = np.nanmean(evaluate(_scenario_for(scenario, chosen), search_seeds), axis=0)
        over = 0.0 if budget is None or not np.isfinite(values[2]) else values[2] - budget
        trial.set_constraint("budget", float(over))  # <= 0: within the budget
        rows.append({"trial": trial.number, **chosen,
                     **{name: float(v) for (name, _, _), v in zip(OBJECTIVES, values,
                                                                  strict=True)},
                     "within_budget": over <= 0})
        if progress is not None:
            progress(len(rows), trials)
        return tuple(float(v) if np.isfinite(v) else (-1e9 if d == "maximize" else 1e9)
                     for v, d in zip(values, directions, strict=True))

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=int(root % 2**32))
    study = optuna.create_study(directions=directions, sampler=sampler)
    try:
        study.optimize(objective, n_trials=trials)
        table = pd.DataFrame(rows)
        feasible = table[table["within_budget"]]
        names = [name for name, _, _ in OBJECTIVES]
        candidates = feasible[pareto_mask(feasible[names].to_numpy(), directions)]
        confirmed = []
        for _, row in candidates.iterrows():
            chosen = {name: _plain(row[name]) for name in levers}
            values = evaluate(_scenario_for(scenario, chosen), confirm_seeds)
            entry: dict[str, Any] = {"trial": int(row["trial"]), **chosen}
            for j, name in enumerate(names):
                entry[name], entry[f"{name}_low"], entry[f"{name}_high"] = _interval(values[:, j])
            entry["within_budget"] = budget is None or entry["cost"] <= budget
            confirmed.append(entry)
    finally:
        evaluate.close()
    front = pd.DataFrame(confirmed)
    if not front.empty:
        front = front[front["within_budget"]]
        front = front[pareto_mask(front[names].to_numpy(), directions)]
        front = front.sort_values("effect", ascending=False).reset_index(drop=True)
    return OptimisationResult(trials=table, front=front, budget=budget)


def _plain(value: Any) -> Any:
    """A numpy scalar from a table as a plain Python value (for overrides and TOML)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def top_designs_toml(front: pd.DataFrame, levers: Sequence[str] = tuple(LEVERS)) -> str:
    """The front's designs as ``[designs.NAME]`` plan entries (programme overrides)."""
    from sim.config.toml import dumps_toml

    designs = {}
    for i, row in front.iterrows():
        chosen = {name: _plain(row[name]) for name in levers}
        designs[f"front_{i + 1}"] = {
            key: (round(value, 4) if isinstance(value, float) else value)
            for key, value in design_overrides(chosen).items()}
    header = ("# The confirmed Pareto front of mentorsim optimise, best effect first: paste\n"
              "# these into a plan file's designs (each a table of programme overrides).\n")
    return header + dumps_toml({"designs": designs})


#: The files of an optimisation directory (besides ``manifest.json``).
OPTIMISE_FILES = frozenset({"trials.csv", "front.csv", "front.png", "top_designs.toml"})


def write_optimisation(out: str | Path, result: OptimisationResult, scenario: Scenario,
                       settings: dict[str, Any], source: str,
                       plot: Callable[[OptimisationResult, Path], Any] | None = None) -> Path:
    """Write a search's tables, the front's designs, the figure and a manifest.

    Everything goes through a staging directory, so an interrupted search leaves nothing
    that looks complete.

    Args:
        out: The directory to write.
        result: What :func:`optimise` found.
        scenario: The organisation searched on (recorded in the manifest).
        settings: The search's settings (trials, reps, budget, seed, ...).
        source: Where the scenario or plan came from.
        plot: Draws ``front.png`` (None: no figure).

    Returns:
        The directory written.

    """
    from sim.experiment.provenance import fingerprint
    from sim.experiment.store import MANIFEST, staged_directory, write_json

    out = Path(out)
    with staged_directory(out, OPTIMISE_FILES) as staging:
        result.trials.to_csv(staging / "trials.csv", index=False)
        result.front.to_csv(staging / "front.csv", index=False)
        (staging / "top_designs.toml").write_text(top_designs_toml(result.front),
                                                  encoding="utf-8")
        if plot is not None:
            plot(result, staging / "front.png")
        write_json(staging / MANIFEST, {
            "kind": "optimise", "source": source, "settings": settings,
            "objectives": [{"name": n, "summary_key": k, "direction": d}
                           for n, k, d in OBJECTIVES],
            "levers": {name: list(spec) for name, spec in LEVERS.items()},
            "scenario": scenario.model_dump(mode="json"), **fingerprint()})
    return out
