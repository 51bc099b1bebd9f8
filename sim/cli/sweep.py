"""``mentorsim sweep``: run (or resume) a sweep file, then analyse it."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import add_executor_options, out_path
from sim.errors import ScenarioError


def register(subparsers) -> None:
    """Add the ``sweep`` subcommand."""
    sweep = subparsers.add_parser(
        "sweep", help="run a parameter sweep (resumable), then analyse it",
        description="Run every design point of SWEEP with every replication seed into "
                    "--out; re-running the same command resumes where it stopped. A --out "
                    "holding another sweep's results, or results of other model code, is "
                    "refused unless --force-new.")
    sweep.add_argument("sweep", help="sweep TOML file (see docs/experiments.md)")
    sweep.add_argument("--out", help="results directory (default: results/<sweep file stem>)")
    add_executor_options(sweep)
    sweep.add_argument("--force-new", action="store_true",
                       help="if --out holds results of another sweep (the sweep file changed) "
                            "or of other model code, delete them and start afresh instead "
                            "of refusing (a directory that is not a sweep's is still "
                            "refused)")
    sweep.add_argument("--no-analysis", action="store_true", help="skip the analysis")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the sweep, print counts, then the analysis."""
    from sim.experiment.designs import load_sweep
    from sim.experiment.paths import check_output_path, write_errors
    from sim.experiment.runner import run_sweep
    from sim.viz.sweep_report import ANALYSIS, analyse

    if args.scheduler and args.executor != "dask":
        args.executor = "dask"
    if not args.sweep.strip():  # Path("") would be the directory "."
        raise ScenarioError(f"SWEEP = {args.sweep!r}: an empty path; give a sweep file")
    sweep = load_sweep(args.sweep)
    out = out_path(args.out, Path("results") / Path(args.sweep).stem)
    if not args.no_analysis:
        check_output_path(out / ANALYSIS, "the analysis directory")
    with write_errors(out):  # stopped (Ctrl-C, SIGTERM): main() says what is on disk
        outcome = run_sweep(sweep, out, args.executor, args.workers, args.scheduler,
                            progress=not args.quiet, force_new=args.force_new)
    rate = f", {outcome.runs_per_second:.2f} runs/s" if outcome.ran else ""
    print(f"{out}: {outcome.done} of {outcome.runs} runs done, {outcome.failed} failed, "
          f"{outcome.skipped} resumed from disk; ran {outcome.ran} in "
          f"{outcome.seconds:.1f} s{rate} ({args.executor})")
    if outcome.failed:
        first = outcome.failures.iloc[0]
        print(f"  failures in {out}/failures.parquet, e.g. {first['id']}: "
              f"{first['error_type']}: {first['error_message']}")
    if not args.no_analysis and outcome.done:
        with write_errors(out / ANALYSIS):
            analysis = analyse(out)
        print(analysis.format())
        print(f"wrote {analysis.directory}/: " + ", ".join(p.name for p in analysis.files))
    return 0
