"""The ``mentorsim`` command.

Each subcommand lives in its own module under :mod:`sim.cli`. Errors the user can
fix (the :class:`~sim.errors.MentorsimError` family) are printed as one line on stderr
with exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from sim.cli import (
    analyse,
    app,
    calibrate,
    compare,
    forecast,
    optimise,
    plan,
    rerun,
    rollout,
    run,
    scenarios,
    sweep,
    validate,
)
from sim.cli.common import stdout_errors
from sim.errors import MentorsimError

EXIT_USER_ERROR = 2
STOPPED = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated (SIGTERM)"}
COMMANDS = (run, validate, forecast, rollout, scenarios, compare, plan, sweep, analyse, calibrate,
            optimise, rerun, app)


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(EXIT_USER_ERROR,
                  f"mentorsim: error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``mentorsim`` command."""
    from sim import __version__

    parser = OneLineErrorParser(
        prog="mentorsim",
        description="Agent-based simulation of mentoring as a performance-improvement programme.",
    )
    parser.add_argument("--version", action="version", version=f"mentorsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    for sub in subparsers.choices.values():  # "> /dev/full" is one line, not a traceback
        sub.set_defaults(func=stdout_errors(sub.get_default("func")))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mentorsim`` command; returns the exit code.

    SIGTERM is handled like Ctrl-C (:func:`sim.experiment.lifetime.handle_signals`): the
    command stops, says on one line what is on disk (``--out``, or the directory the
    command declared: complete, unchanged, incomplete or not written), and exits with
    130 (SIGINT) or 143 (SIGTERM); a second signal stops it at once.
    """
    from sim.experiment import lifetime

    args = build_parser().parse_args(argv)
    lifetime.forget_outputs()
    if getattr(args, "out", None):
        lifetime.declare_output(args.out)
    # the command itself (argv from sys.argv): after a stop the handler stays for the
    # interpreter's exit; called with argv (tests, a notebook) the caller's come back
    with lifetime.handle_signals(lambda signum: lifetime.describe_outputs(),
                                 keep=argv is None):
        try:
            code = args.func(args)
        except MentorsimError as exc:
            print(f"mentorsim: error: {exc}", file=sys.stderr)
            return EXIT_USER_ERROR
        except KeyboardInterrupt:
            signum = lifetime.received() or signal.SIGINT
            on_disk = lifetime.describe_outputs()
            print(f"mentorsim: {STOPPED[signum]}" + (f"; {on_disk}" if on_disk else ""),
                  file=sys.stderr)
            return lifetime.exit_code(signum)
    received = lifetime.received()
    if received is not None and code == lifetime.exit_code(signal.SIGINT):
        return lifetime.exit_code(received)  # a command's own Ctrl-C message, for SIGTERM
    return code


if __name__ == "__main__":
    sys.exit(main())
