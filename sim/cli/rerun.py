"""``mentorsim rerun``: run a finished run again and check it reproduces bit for bit.

Reads the run (:func:`sim.experiment.results.read_stored_run`), re-runs it
(:func:`sim.experiment.reproduce.reproduce`) and prints the verdict. Exit code 0:
identical; 1: different (the first differing column and week, and what changed since:
versions, model code, CPU); 2: the directory cannot be read.
"""

from __future__ import annotations

import argparse

from sim.errors import MentorsimError

EXIT_DIFFERENT = 1


def register(subparsers) -> None:
    """Add the ``rerun`` subcommand."""
    rerun = subparsers.add_parser(
        "rerun", help="run a finished run again and check it reproduces bit for bit",
        description="Re-run the run in DIR (a `mentorsim run` results directory, or one run "
                    "of a sweep or comparison directory with --run-id) from its manifest and "
                    "compare the new weekly time series with the stored one. Exit code 0 if "
                    "identical, 1 if not.")
    rerun.add_argument("directory", metavar="DIR",
                       help="results directory of a run, sweep or comparison")
    rerun.add_argument("--run-id", metavar="ID",
                       help="the run of a sweep or comparison directory (a file name in "
                            "DIR/runs/)")
    rerun.add_argument("--out", metavar="DIR2",
                       help="also write the re-run's results (a run results directory)")
    rerun.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Re-run, compare, print the verdict; optionally write the re-run's results."""
    from sim.experiment.paths import check_output_path, write_errors
    from sim.experiment.reproduce import check_out, reproduce
    from sim.experiment.results import read_stored_run

    if not args.directory.strip():
        raise MentorsimError(f"DIR = {args.directory!r}: an empty path; give a results "
                             "directory")
    stored = read_stored_run(args.directory, args.run_id)
    if args.out is not None:
        out = check_output_path(args.out, "--out")
        check_out(stored, args.out)
        if out.resolve().is_relative_to(stored.directory.resolve()):
            raise MentorsimError(f"--out = {args.out}: inside {stored.directory}, the directory "
                                 "being re-run (it would no longer be a results directory); "
                                 "choose a directory outside it")
    reproduction = reproduce(stored)
    shape = f"{len(stored.timeseries)} weeks x {stored.timeseries.shape[1]} columns, " \
        f"seed {stored.seed}"
    if reproduction.reproduced:
        print(f"{stored.label}: reproduced: {stored.path.name} is identical bit for bit "
              f"({shape})")
    else:
        print(f"{stored.label}: NOT reproduced: {reproduction.difference} ({shape})")
        for line in reproduction.changes():
            print(f"  {line}")
    if args.out is not None:
        with write_errors(args.out):
            out = reproduction.write(args.out)
        print(f"wrote {out}/: " + ", ".join(sorted(p.name for p in out.iterdir())))
    return 0 if reproduction.reproduced else EXIT_DIFFERENT
