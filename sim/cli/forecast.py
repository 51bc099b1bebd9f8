"""``mentorsim forecast``: mentor supply against demand, cost and budget, before a run."""

from __future__ import annotations

import argparse

from sim.cli.common import add_set_option, overrides


def register(subparsers) -> None:
    """Add the ``forecast`` subcommand."""
    forecast = subparsers.add_parser(
        "forecast", help="forecast a programme's mentor supply, demand and cost (no run)")
    forecast.add_argument("scenario",
                          help="scenario TOML file or bundled scenario name")
    add_set_option(forecast)
    forecast.add_argument("--seed", type=int,
                          help="seed of the week-0 organisation (default: the scenario's)")
    forecast.set_defaults(func=execute)


def format_forecast_table(table) -> str:
    """The per-matching table as fixed-width text (counts rounded to whole pairs)."""
    shown = table.copy()
    for column in ("headcount", "eligible", "wanted", "demand", "mentor_places",
                   "informal_on_pool", "started", "formal_pairs", "cost_so_far",
                   "mentor_hours_so_far"):
        shown[column] = shown[column].round().astype("int64")
    shown["supply_limited"] = shown["supply_limited"].map({True: "yes", False: ""})
    return shown.to_string(index=False)


def execute(args: argparse.Namespace) -> int:
    """Print the forecast's table, its totals and its warnings (one line each)."""
    from sim.analysis.forecast import forecast
    from sim.config import check_seed, load_scenario
    from sim.experiment.resources import check_memory

    scenario = load_scenario(args.scenario, overrides(args.set))
    seed = None if args.seed is None else check_seed(args.seed, "--seed")
    check_memory(scenario, str(args.scenario))
    result = forecast(scenario, seed)
    print(f"{scenario.name}: forecast over {scenario.horizon_weeks} weeks, one row per "
          "matching")
    if not result.table.empty:
        print(format_forecast_table(result.table))
        totals = result.totals
        print(f"pairs started: {totals['pairs_started']:.0f} "
              f"({totals['pairs_started_first_year']:.0f} in the first year); cost "
              f"{totals['cost']:,.0f}; mentor hours {totals['mentor_hours']:,.0f}")
    for line in result.warnings:
        print(f"warning: {line}")
    return 0
