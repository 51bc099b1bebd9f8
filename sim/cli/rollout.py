"""``mentorsim rollout``: the hand-off from a design to its implementation."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import add_set_option, out_path, overrides


def register(subparsers) -> None:
    """Add the ``rollout`` subcommand."""
    rollout = subparsers.add_parser(
        "rollout", help="write a design's rollout plan: needs, first cohort, mentor "
                        "supply (and, with --pairs, the first pairs)")
    rollout.add_argument("scenario",
                         help="scenario TOML file or bundled scenario name (its programme "
                              "is the design)")
    add_set_option(rollout)
    rollout.add_argument("--out",
                         help="directory to write (default: results/<scenario>-rollout)")
    rollout.add_argument("--pairs", action="store_true",
                         help="also write pairs.csv, the first matching's mentor-mentee "
                              "pairs with ids (personal data)")
    rollout.add_argument("--seed", type=int,
                         help="seed of the organisation (default: the scenario's)")
    rollout.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Write the rollout directory and say what is in it (one line each)."""
    from sim.analysis.rollout import rollout_plan
    from sim.config import check_seed, load_scenario
    from sim.experiment.paths import write_errors
    from sim.experiment.resources import check_memory
    from sim.experiment.rollout import write_rollout_directory

    scenario = load_scenario(args.scenario, overrides(args.set))
    seed = None if args.seed is None else check_seed(args.seed, "--seed")
    check_memory(scenario, str(args.scenario))
    out = out_path(args.out, Path("results") / f"{Path(args.scenario).stem}-rollout")
    plan = rollout_plan(scenario, seed, pairs=args.pairs, source=str(args.scenario))
    with write_errors(out):
        write_rollout_directory(out, plan, source=str(args.scenario))
    print(f"{scenario.name} (seed {plan.seed}): {plan.notes[0]}")
    print(f"first cohort: {plan.cohort_size} people (pair budget {plan.budget}), "
          f"{plan.paired} matched; mentors needed at least {plan.mentors_needed}, "
          f"{plan.mentors_free} with a free place ({plan.places_free} places)")
    if plan.verdict is not None:
        print(f"cause analysis: {plan.verdict} (recommendations.csv)")
    if plan.pairs is not None:
        print(f"pairs: {len(plan.pairs)} written to pairs.csv ({plan.id_source}; personal "
              "data)")
        for note in plan.notes[1:]:
            print(f"note: {note}")
    else:
        print("pairs: not written (they name people); use --pairs to write pairs.csv")
    for line in plan.warnings:
        print(f"warning: {line}")
    print(f"wrote {out}/: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return 0
