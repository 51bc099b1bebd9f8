"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from sim.experiment.executors import KINDS


def overrides(pairs: Sequence[str] | None) -> dict[str, Any]:
    """Parse repeated ``--set key=value`` options into a dotted-key dict."""
    from sim.config import parse_override

    return dict(parse_override(text) for text in pairs or ())


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
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a "
                             "local cluster)")
