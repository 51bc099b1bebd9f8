"""Helpers shared by the subcommands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
