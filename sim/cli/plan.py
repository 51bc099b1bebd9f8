"""``mentorsim plan``: decide between programme designs from a plan file.

The plan file names an organisation, the designs and what to decide on (see
:mod:`sim.config.plan_file`); every design runs against the organisation without a
programme with the same seeds and parameter draws (:mod:`sim.experiment.plan`), and the
decision report is ``decision.md`` / ``decision.html`` (:mod:`sim.viz.decision_report`),
beside the comparison's own report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import add_executor_options, out_path
from sim.errors import MentorsimError


def register(subparsers) -> None:
    """Add the ``plan`` subcommand."""
    plan = subparsers.add_parser(
        "plan", help="decide between programme designs from a plan file",
        description="Run every design of a plan file and the organisation without a "
                    "programme with the same seeds and parameter draws into --out "
                    "(resumable), then write decision.md and decision.html: the decision "
                    "metrics with 95% intervals, the probability that each design is best, "
                    "budget and objective flags, a cost-effect plane and the assumptions "
                    "that matter most.")
    plan.add_argument("plan", metavar="PLAN", help="a plan file (TOML), e.g. "
                                                   "experiments/plans/example_plan.toml")
    plan.add_argument("--reps", type=int,
                      help="replications (default: the plan's reps, else 10): parameter "
                           "draws, each run with --seeds-per-draw seeds, unless "
                           "--no-uncertainty")
    plan.add_argument("--no-uncertainty", action="store_true",
                      help="fix every parameter at the organisation's values (chance only)")
    plan.add_argument("--seeds-per-draw", type=int,
                      help="seeds per parameter draw (default 2; 1 with --no-uncertainty)")
    plan.add_argument("--out", help="results directory (default: results/plan-<name>)")
    plan.add_argument("--sensitivity", metavar="DIR",
                      help="a Sobol-over-priors result directory (mentorsim sweep "
                           "experiments/sweeps/sobol_priors.toml, then mentorsim analyse): "
                           "its top three priors go into the report")
    add_executor_options(plan)
    plan.add_argument("--force-new", action="store_true",
                      help="if --out holds other results, delete them and start afresh")
    plan.add_argument("--quiet", action="store_true", help="no progress bar")
    plan.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the plan (or resume it), write the reports and print the headline."""
    from sim.config.plan_file import load_plan_file
    from sim.experiment import plan as planning
    from sim.experiment.paths import write_errors
    from sim.viz import comparison_report, decision_report

    if args.scheduler and args.executor != "dask":
        args.executor = "dask"
    if args.reps is not None and args.reps < 2:  # not 0 taken for "the plan's reps"
        raise MentorsimError(f"--reps = {args.reps}: need at least 2 replications for an "
                             "interval")
    out = out_path(args.out, planning.default_plan_out(load_plan_file(args.plan), args.plan))

    def report(decision: planning.Decision, directory: Path) -> None:
        comparison_report.write_report(decision.comparison, directory)
        decision_report.write_decision(decision, directory)

    with write_errors(out):  # stopped (Ctrl-C, SIGTERM): main() says what is on disk
        decision, outcome, _ = planning.run_decision(
            args.plan, args.reps, out, not args.no_uncertainty, args.seeds_per_draw,
            args.executor, args.workers, args.scheduler, progress=not args.quiet,
            force_new=args.force_new, sensitivity=args.sensitivity, report=report)
    header, rows, notes = decision_report.headline_table(decision)
    print(decision.title)
    print(decision_report.summary_paragraph(decision))
    print()
    print(comparison_report.format_table(header, rows))
    for note in notes:
        print(note)
    print("\nP(best) [95% Wilson interval]:")
    print(comparison_report.format_table(*decision_report.p_best_table(decision)))
    rate = f", {outcome.runs_per_second:.2f} runs/s" if outcome.ran else ""
    print(f"\n{out}: {outcome.done} runs, {outcome.skipped} resumed from disk; ran "
          f"{outcome.ran} in {outcome.seconds:.1f} s{rate} ({args.executor})")
    print(f"wrote {out}/: decision.md, decision.html, cost_effect.png, p_best.csv, "
          "budget.csv, objectives.csv, effect_profile.csv, plan.json, and the comparison's "
          "report.md, report.html, summary.csv, stats.csv, runs/, manifest.json")
    return 0
