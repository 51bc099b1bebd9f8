"""``mentorsim scenarios``: list the bundled scenarios, or print one to start your own from."""

from __future__ import annotations

import argparse

from sim.cli.common import print_text


def register(subparsers) -> None:
    """Add the ``scenarios`` subcommand."""
    scenarios = subparsers.add_parser(
        "scenarios", help="list the bundled scenarios with their descriptions",
        description="List the scenarios that ship with mentorsim; any command that takes a "
                    "scenario file also takes one of these names (mentorsim run mentoring). "
                    "With a NAME, print that scenario's TOML, comments included, to start "
                    "your own from (mentorsim scenarios mentoring > my_org.toml).")
    scenarios.add_argument("name", nargs="?", metavar="NAME",
                           help="print this bundled scenario's TOML instead of the list")
    scenarios.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Print the list of bundled scenarios, or the text of the one named."""
    from sim.config import bundled

    if args.name is not None:
        print_text(bundled.text(args.name))
        return 0
    descriptions = bundled.descriptions()
    width = max(map(len, descriptions))
    print("Bundled scenarios (run one by name: mentorsim run NAME):")
    for name, description in descriptions.items():
        print(f"  {name:<{width}}  {description}")
    return 0
