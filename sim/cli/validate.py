"""``mentorsim validate``: check a scenario file and say what is wrong."""

from __future__ import annotations

import argparse

from sim.cli.common import add_set_option, overrides, print_text


def register(subparsers) -> None:
    """Add the ``validate`` subcommand."""
    validate = subparsers.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario",
                          help="scenario TOML file or bundled scenario name")
    add_set_option(validate)
    validate.add_argument("--show", action="store_true",
                          help="print the scenario as resolved, with all defaults")
    validate.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Validate the scenario; print a one-line verdict (and the resolved TOML with --show)."""
    from sim.config import load_scenario

    scenario = load_scenario(args.scenario, overrides(args.set))
    org = scenario.organisation
    state = "on" if scenario.programme.enabled else "off"
    print(
        f"{args.scenario}: ok — {scenario.name!r}: {org.headcount} employees, "
        f"{scenario.n_competencies} competencies, {scenario.horizon_weeks} weeks, "
        f"programme {state}"
    )
    if args.show:
        print_text(scenario.to_toml())
    return 0
