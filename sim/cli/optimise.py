"""``mentorsim optimise``: search the programme levers for the Pareto front under a budget."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.cli.common import add_set_option, out_path, overrides


def register(subparsers) -> None:
    """Add the ``optimise`` subcommand."""
    optimise = subparsers.add_parser(
        "optimise", help="search programme designs for the Pareto front of effect, equity "
                         "and cost within a budget (Optuna)",
        description="Optuna's multi-objective TPE sampler chooses the programme levers "
                    "(eligibility, share, matching, format, duration, meetings, training); "
                    "each design runs with its control arm on the same seeds; the front "
                    "is confirmed on fresh seeds with 95% intervals.")
    optimise.add_argument("source", metavar="PLAN_OR_SCENARIO",
                          help="a plan file (its organisation and budget) or a scenario")
    optimise.add_argument("--budget", type=float,
                          help="most a design may cost, fully loaded and discounted "
                               "(default: the plan's or the scenario's plan.budget)")
    optimise.add_argument("--trials", type=int, default=40, help="designs tried (default 40)")
    optimise.add_argument("--reps", type=int, default=3,
                          help="seeds each design runs with (default 3)")
    optimise.add_argument("--confirm-reps", type=int, default=6,
                          help="fresh seeds the front is run with again (default 6)")
    optimise.add_argument("--workers", type=int, default=1,
                          help="processes that run a design's seeds (default 1)")
    optimise.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    optimise.add_argument("--out", help="results directory (default: results/optimise-<name>)")
    add_set_option(optimise)
    optimise.add_argument("--quiet", action="store_true", help="no progress line")
    optimise.set_defaults(func=execute)


def _organisation(source: str, sets: dict):
    """The scenario and budget of a plan file (its organisation), or of a scenario."""
    from sim.config import load_scenario, read_toml
    from sim.config.plan_file import load_plan_file, organisation_source

    path = Path(source)
    if path.is_file() and path.suffix == ".toml" and {"organisation", "designs"} <= set(
            read_toml(path)):
        plan = load_plan_file(path)
        return load_scenario(organisation_source(plan, path), sets), plan.budget
    scenario = load_scenario(source, sets)
    return scenario, scenario.plan.budget


def execute(args: argparse.Namespace) -> int:
    """Search, write the directory and print the confirmed front."""
    from sim.config import check_seed
    from sim.errors import MentorsimError
    from sim.experiment.lock import locked
    from sim.experiment.optimise import optimise, write_optimisation
    from sim.experiment.paths import safe_name, write_errors
    from sim.experiment.resources import check_memory
    from sim.viz.optimise import plot_front

    scenario, budget = _organisation(args.source, overrides(args.set))
    budget = args.budget if args.budget is not None else budget
    if budget is not None and not 0 < budget < math.inf:  # nan too
        raise MentorsimError(f"--budget = {budget}: must be a finite number above 0")
    seed = None if args.seed is None else check_seed(args.seed, "--seed")
    check_memory(scenario, str(args.source))
    if min(args.trials, args.reps) < 1 or args.confirm_reps < 2 or args.workers < 1:
        raise MentorsimError(f"--trials = {args.trials}, --reps = {args.reps}, --confirm-reps "
                             f"= {args.confirm_reps}, --workers = {args.workers}: need "
                             "trials, reps, workers >= 1 and confirm-reps >= 2")
    out = out_path(args.out, Path("results") / safe_name(f"optimise-{scenario.name}"))

    def progress(done: int, total: int) -> None:
        if not args.quiet:
            print(f"\rtrial {done}/{total}", end="" if done < total else "\n", flush=True)

    with locked(out):  # one writer of out for the whole search, not only its writing
        result = optimise(scenario, budget, args.trials, args.reps, args.confirm_reps, seed,
                          args.workers, progress=progress)
        settings = {"budget": budget, "trials": args.trials, "reps": args.reps,
                    "confirm_reps": args.confirm_reps, "seed": seed if seed is not None
                    else scenario.seed}
        with write_errors(out):
            write_optimisation(out, result, scenario, settings, str(args.source), plot_front)
    front = result.front
    shown = ["eligibility", "max_mentee_share", "matching", "format", "duration_weeks",
             "effect", "effect_low", "effect_high", "equity_gap", "cost"]
    print(f"{len(result.trials)} designs tried, {int(result.trials['within_budget'].sum())} "
          f"within the budget; confirmed front: {len(front)} designs")
    if not front.empty:
        print(front[shown].round(4).to_string())
    print(f"wrote {out}/: trials.csv, front.csv, front.png, top_designs.toml, manifest.json")
    return 0
