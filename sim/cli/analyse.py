"""``mentorsim analyse``: statistics, Sobol indices and plots of a finished sweep."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import MentorsimError


def register(subparsers) -> None:
    """Add the ``analyse`` subcommand."""
    analyse = subparsers.add_parser(
        "analyse", help="analyse a finished sweep's results directory",
        description="Per-point statistics with 95% confidence intervals, Sobol indices "
                    "(Sobol designs) and plots, written to DIR/analysis/.")
    analyse.add_argument("directory", metavar="DIR", help="results directory of a sweep")
    analyse.add_argument("--outcome", action="append", dest="outcomes", metavar="NAME",
                         help="outcome to analyse (repeatable; default: the headline results)")
    analyse.add_argument("--heatmap", nargs=2, metavar=("X", "Y"),
                         help="the two factors of the heat-map (default: the first two)")
    analyse.add_argument("--no-plots", action="store_true", help="tables only")
    analyse.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Analyse the directory and print a short report."""
    from sim.experiment.paths import check_output_path, write_errors
    from sim.viz.sweep_report import ANALYSIS, analyse

    if not args.directory.strip():
        raise MentorsimError(f"DIR = {args.directory!r}: an empty path; give a sweep's results "
                             "directory")
    if args.heatmap and args.heatmap[0] == args.heatmap[1]:
        raise MentorsimError(f"--heatmap {args.heatmap[0]} {args.heatmap[1]}: give two "
                             "different factors")
    directory = Path(args.directory)
    if directory.is_dir():  # else analyse says the directory is missing
        check_output_path(directory / ANALYSIS, "the analysis directory")
    with write_errors(directory / ANALYSIS):
        analysis = analyse(directory, args.outcomes, args.heatmap, plots=not args.no_plots)
    print(analysis.format())
    print(f"wrote {analysis.directory}/: " + ", ".join(p.name for p in analysis.files))
    return 0
