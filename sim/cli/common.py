"""Helpers shared by the subcommands: shared options and the checks of their values.

The ``type=`` functions below raise :class:`argparse.ArgumentTypeError`, so a bad value
is a one-line usage error (exit code 2) naming the flag, before any work.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim.experiment.executors import KINDS

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a process killed by it
DASK_SCHEMES = ("tcp", "tls", "ucx", "ws", "wss", "inproc")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)$")


def overrides(pairs: Sequence[str] | None) -> dict[str, Any]:
    """Parse repeated ``--set key=value`` options into a dotted-key dict."""
    from sim.config import parse_override

    return dict(parse_override(text) for text in pairs or ())


def out_path(given: str | None, default: Path | str, flag: str = "--out") -> Path:
    """The results directory: ``given`` (an empty one refused) or ``default``, checked.

    A default whose last name is too long for the file system (a comparison of many
    long-named scenarios) is shortened deterministically
    (:func:`sim.experiment.paths.fit_name`).

    Raises:
        OutputPathError: The path cannot be written (see
            :func:`sim.experiment.paths.check_output_path`); checked before any work.

    """
    from sim.experiment.lifetime import declare_output
    from sim.experiment.paths import check_output_path, fit_name

    if given is not None:  # declared: the message of a stopped command says what is there
        return declare_output(check_output_path(given, flag))
    default = Path(default)
    return declare_output(check_output_path(default.with_name(fit_name(default.name)),
                                    f"{flag} (default)"))


def positive_float(text: str) -> float:
    """A finite number above zero (``--width``, ``--budget``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a finite number above 0")
    return value


def port_number(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a port from 0 to 65535 (0 = any "
                                         "free port)")
    return value


def scheduler_address(text: str) -> str:
    """A Dask scheduler address, ``[SCHEME://]HOST:PORT`` (``inproc://NAME`` too)."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    if scheme not in DASK_SCHEMES:
        raise argparse.ArgumentTypeError(
            f"{text!r}: unknown scheme {scheme!r}; expected {', '.join(DASK_SCHEMES)} "
            "(e.g. tcp://10.0.0.5:8786)")
    if scheme == "inproc":
        if not rest or any(c.isspace() for c in rest):
            raise argparse.ArgumentTypeError(f"{text!r}: expected inproc://NAME")
        return text
    host, colon, port = rest.rpartition(":")
    if not colon or not _HOST.match(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected HOST:PORT with a port from 1 to 65535, e.g. "
            "tcp://10.0.0.5:8786")
    return text


def print_text(text: str) -> None:
    """Write ``text`` to standard output now (a failure is one line under a command)."""
    sys.stdout.write(text)
    sys.stdout.flush()


class _GuardedStdout:
    """Standard output whose write faults (``> /dev/full``, a closed pipe) are one line."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            _stdout_failed(self._stream, exc)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            _stdout_failed(self._stream, exc)


def _stdout_failed(stream, exc: OSError) -> NoReturn:
    from sim.errors import MentorsimError

    with contextlib.suppress(OSError, ValueError, AttributeError):  # the exit flushes again
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            os.dup2(devnull.fileno(), stream.fileno())
    if isinstance(exc, BrokenPipeError):  # "| head" read what it wanted: quiet, as cat is
        raise SystemExit(EXIT_BROKEN_PIPE)
    raise MentorsimError(f"standard output: cannot write ({exc.strerror or exc})") from None


def stdout_errors(func: Callable[[argparse.Namespace], int]
                  ) -> Callable[[argparse.Namespace], int]:
    """Wrap a command so that failing to write standard output is one line, exit 2."""

    @functools.wraps(func)
    def command(args: argparse.Namespace) -> int:
        real = sys.stdout
        sys.stdout = guarded = _GuardedStdout(real)
        try:
            code = func(args)
            sys.stdout.flush()
            return code
        finally:
            if sys.stdout is guarded:
                sys.stdout = real

    return command


def add_set_option(parser) -> None:
    """Add the repeatable ``--set KEY=VALUE`` option to ``parser``."""
    parser.add_argument(
        "--set", action="append", metavar="KEY=VALUE",
        help="override a scenario field, e.g. programme.duration_weeks=26 (repeatable)",
    )


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--executor``, ``--workers`` and ``--scheduler`` to ``parser``."""
    parser.add_argument("--executor", choices=KINDS, default="serial",
                        help="where runs go: this process, a local process pool, or Dask "
                             "(default: serial)")
    parser.add_argument("--workers", type=int,
                        help="worker processes (processes; local Dask cluster); default: CPUs")
    parser.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_address,
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a "
                             "local cluster)")
