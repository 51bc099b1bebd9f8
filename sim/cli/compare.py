"""``mentorsim compare``: run scenarios with common random numbers and report differences.

A comparison is a sweep whose factor is the design: it resumes, records failures and
streams its runs to ``--out`` like ``mentorsim sweep`` (see :mod:`sim.experiment.compare`).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from functools import cache
from pathlib import Path

from sim.cli.common import (
    add_executor_options,
    add_set_option,
    out_path,
    overrides,
    positive_float,
)
from sim.errors import MentorsimError

_EVALUATION_RESULT = re.compile(r"^level[1-5]_[a-z]+\.[a-z0-9_]+$")
"""A result of the evaluation against a control arm (``level5_roi.roi_percent``)."""


def register(subparsers) -> None:
    """Add the ``compare`` subcommand."""
    compare = subparsers.add_parser(
        "compare", help="compare scenarios with common random numbers",
        description="Run every scenario with the same N seeds into --out (resumable: "
                    "re-running the same command skips finished runs); report means with "
                    "95% intervals, differences against the first scenario paired by seed, "
                    "trajectory plots, report.md and report.html.")
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                         help="scenario TOML files or bundled scenario names (mentorsim "
                              "scenarios); the first is the reference")
    compare.add_argument("--reps", type=int, default=10,
                         help="replications (default 10): parameter draws, each run with "
                              "--seeds-per-draw seeds, unless --no-uncertainty")
    compare.add_argument("--no-uncertainty", action="store_true",
                         help="fix every parameter at the designs' values (chance only); by "
                              "default each replication draws the designs' priors (or the "
                              "bundled literature set) by Latin hypercube")
    compare.add_argument("--posterior", metavar="DIR",
                         help="a calibration directory (mentorsim calibrate --out): draw its "
                              "calibrated fields from the posterior instead of the priors")
    compare.add_argument("--seeds-per-draw", type=int,
                         help="seeds per parameter draw (default 2, which splits the "
                              "variance into parameters and chance; 1 with "
                              "--no-uncertainty)")
    compare.add_argument("--seed", type=int,
                         help="root seed of the replication seeds (default: the first "
                              "scenario's seed)")
    compare.add_argument("--out", help="results directory (default: results/compare-<names>)")
    compare.add_argument("--width", type=positive_float, default=0.005,
                         help="wanted width of the widest 95%% interval of a paired "
                              "difference, in the metric's units (default 0.005)")
    compare.add_argument("--metric", default="performance",
                         help="metric of the replication advice (default performance)")
    add_set_option(compare)
    add_executor_options(compare)
    compare.add_argument("--force-new", action="store_true",
                         help="if --out holds a sweep's results or results of other model "
                              "code, delete them and start afresh instead of refusing")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    compare.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Load the scenarios, run them (or resume), write the report and print the tables."""
    from sim.analysis import comparison as comparison_tables
    from sim.config import load_scenario
    from sim.experiment import compare
    from sim.experiment.paths import write_errors
    from sim.viz import comparison_report

    if args.scheduler and args.executor != "dask":
        args.executor = "dask"
    names = compare.unique_names(args.scenarios)
    sets = overrides(args.set)
    scenarios = {name: load_scenario(path, sets)
                 for name, path in zip(names, args.scenarios, strict=True)}
    check_metric(args.metric)
    out = out_path(args.out, compare.default_out(names))
    differing = compare.differing_fields(scenarios)
    if differing:
        print(f"warning: the designs differ outside the programme: {', '.join(differing)}",
              file=sys.stderr)
    plan = compare.ComparisonSweep.build(
        scenarios, args.reps, args.seed, dict(zip(names, map(str, args.scenarios), strict=True)),
        uncertainty=not args.no_uncertainty, seeds_per_draw=args.seeds_per_draw,
        posterior=args.posterior)

    def report(comparison, directory: Path) -> None:
        if args.metric not in (*comparison.metrics, compare.PAIRED_ROI):
            raise MentorsimError(
                f"--metric = {args.metric!r}: not a result of this comparison (its runs are "
                f"kept in {out}/runs/; run again with one of: {', '.join(comparison.metrics)})")
        comparison_report.write_report(comparison, directory, args.width, args.metric)

    with write_errors(out):  # stopped (Ctrl-C, SIGTERM): main() says what is on disk
        comparison, outcome = compare.run_comparison(
            plan, out, args.executor, args.workers, args.scheduler,
            progress=not args.quiet, force_new=args.force_new, report=report)
    headline = comparison.headline
    print(comparison_tables.uncertainty_line(comparison))
    print(f"{args.reps} replications each, common random numbers (root seed "
          f"{plan.root_seed}); mean [95% CI]:")
    print(comparison_report.format_table(*comparison_tables.result_table(comparison, headline)))
    if len(names) > 1:
        print(f"\nDifferences against {names[0]}, paired by seed:")
        differences = comparison_tables.difference_table(comparison, headline)
        print(comparison_report.format_table(*differences))
        roi = comparison.stats[comparison.stats["metric"] == compare.PAIRED_ROI]
        for _, row in roi[roi["scenario"] != names[0]].iterrows():
            print(f"ROI of {row['scenario']} against {names[0]} (Phillips, paired by "
                  f"replication): {row['mean']:.4g}% [{row['ci_low']:.4g}, "
                  f"{row['ci_high']:.4g}]")
        print("\nP(B > A) over paired replications [95% Wilson interval]:")
        print(comparison_report.format_table(*comparison_tables.better_table(comparison,
                                                                             headline)))
        if comparison.uncertainty:
            print("\nShare of variance from parameters (the rest is chance):")
            print(comparison_report.format_table(
                *comparison_tables.variance_table(comparison, headline)))
    print("\n" + comparison_tables.replication_advice(comparison, args.width, args.metric))
    rate = f", {outcome.runs_per_second:.2f} runs/s" if outcome.ran else ""
    print(f"{out}: {outcome.done} runs, {outcome.skipped} resumed from disk; ran "
          f"{outcome.ran} in {outcome.seconds:.1f} s{rate} ({args.executor})")
    drawn = ("parameters.parquet, parameters.csv, variance.csv, better.csv, "
             if comparison.uncertainty else "better.csv, ")
    print(f"wrote {out}/: report.md, report.html, summary.parquet, summary.csv, "
          f"stats.parquet, stats.csv, {drawn}trajectory_*.png, runs/, design.parquet, "
          "failures.parquet, sweep.json, manifest.json")
    return 0


def check_metric(metric: str) -> None:
    """Refuse a ``--metric`` that no run reports, before any run.

    The names are the end-of-run results of a run (:func:`sim.model.reporters.run_summary`,
    read off a one-week run of ten employees, about 0.2 s, only for a name outside
    :data:`~sim.model.reporters.HEADLINE`), a comparison's ``paired_roi_percent``, and the
    evaluation's ``levelN_section.result`` (whose presence depends on the control arm, so
    it is checked again once the runs are in, before the report is written).

    Raises:
        MentorsimError: ``metric`` is none of these.

    """
    from sim.experiment.compare import PAIRED_ROI
    from sim.model.reporters import HEADLINE

    if metric in HEADLINE or metric == PAIRED_ROI or _EVALUATION_RESULT.match(metric):
        return
    names = _run_results()
    if metric not in names:
        close = difflib.get_close_matches(metric, names, n=3)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise MentorsimError(f"--metric = {metric!r}: not a result of a run{hint}; the results "
                             f"are {', '.join(names)} and the evaluation's levelN_....NAME")


@cache
def _run_results() -> tuple[str, ...]:
    """The names of a run's end-of-run results (headline first)."""
    from sim.config import load_scenario
    from sim.experiment.compare import PAIRED_ROI
    from sim.model.model import MentoringModel
    from sim.model.reporters import HEADLINE, run_summary

    scenario = load_scenario("baseline", {"organisation.headcount": 10, "horizon_weeks": 1})
    model = MentoringModel(scenario=scenario, rng=0)
    model.step()
    names = [*run_summary(model), "adaptations", "roi_percent", "effect_size_d", PAIRED_ROI]
    return tuple([h for h in HEADLINE if h in names] + [n for n in names if n not in HEADLINE])
