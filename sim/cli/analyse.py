"""``mentorsim analyse``: statistics, Sobol indices and plots of a finished sweep."""

from __future__ import annotations

import argparse


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
    from sim.viz.sweep_report import analyse

    analysis = analyse(args.directory, args.outcomes, args.heatmap, plots=not args.no_plots)
    print(analysis.format())
    print(f"wrote {analysis.directory}/: " + ", ".join(p.name for p in analysis.files))
    return 0
