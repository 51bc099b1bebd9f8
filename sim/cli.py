"""The ``mentorsim`` command.

Errors the user can fix (the :class:`~sim.errors.MentorsimError` family) are printed as
one line on stderr with exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.config import load_scenario, parse_override
from sim.errors import MentorsimError

EXIT_USER_ERROR = 2
RUN_FILES = {"timeseries.parquet", "summary.json", "plot.png", "scenario.toml"}


def _overrides(pairs: Sequence[str] | None) -> dict:
    return dict(parse_override(text) for text in pairs or ())


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.report import format_summary, plot_run
    from sim.run import run_scenario
    from sim.store import (
        MANIFEST,
        commit_directory,
        prepare_directory,
        write_json,
        write_parquet,
    )

    scenario = load_scenario(args.scenario, _overrides(args.set))
    seed = scenario.seed if args.seed is None else args.seed
    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem
    staging = prepare_directory(out, RUN_FILES)
    try:
        result = run_scenario(
            scenario, seed=seed, progress=not args.quiet, source=str(args.scenario)
        )
        write_parquet(staging / "timeseries.parquet", result.timeseries)
        write_json(staging / "summary.json", result.summary)
        (staging / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        plot_run(result.timeseries, staging / "plot.png", f"{scenario.name}, seed {seed}")
        write_json(staging / MANIFEST, result.manifest)
        commit_directory(staging, out)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(format_summary(result.summary, f"{scenario.name} (seed {seed}), last quarter:"))
    print(f"wrote {out}/: timeseries.parquet, summary.json, plot.png, scenario.toml, {MANIFEST}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, _overrides(args.set))
    org = scenario.organisation
    state = "on" if scenario.programme.enabled else "off"
    print(
        f"{args.scenario}: ok — {scenario.name!r}: {org.headcount} employees, "
        f"{scenario.n_competencies} competencies, {scenario.horizon_weeks} weeks, "
        f"programme {state}"
    )
    if args.show:
        print(scenario.to_toml(), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``mentorsim`` command."""
    parser = argparse.ArgumentParser(
        prog="mentorsim",
        description="Agent-based simulation of mentoring as a performance-improvement programme.",
    )
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"mentorsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one scenario and write its results")
    run.add_argument("scenario", help="scenario TOML file")
    run.add_argument("--seed", type=int, help="seed (default: the scenario's seed)")
    run.add_argument("--out", help="results directory (default: results/<scenario name>)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE",
                     help="override a scenario field, e.g. programme.duration_weeks=26")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    validate = commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario", help="scenario TOML file")
    validate.add_argument("--set", action="append", metavar="KEY=VALUE")
    validate.add_argument("--show", action="store_true",
                          help="print the scenario as resolved, with all defaults")
    validate.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mentorsim`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except MentorsimError as exc:
        print(f"mentorsim: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("mentorsim: interrupted; no results were written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
