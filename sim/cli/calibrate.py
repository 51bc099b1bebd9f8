"""``mentorsim calibrate``: fit a scenario's priors to observed figures by ABC-SMC (pyabc)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import add_set_option, out_path, overrides, scheduler_address
from sim.errors import MentorsimError


def register(subparsers) -> None:
    """Add the ``calibrate`` subcommand."""
    cal = subparsers.add_parser(
        "calibrate", help="fit the scenario's priors to targets (ABC-SMC; needs "
                          "mentorsim[calibration])")
    cal.add_argument("scenario", help="scenario TOML file or bundled scenario name")
    cal.add_argument("--targets", required=True, metavar="TARGETS.toml",
                     help="observed statistics with sd and week (see "
                          "experiments/calibration/example_targets.toml)")
    cal.add_argument("--out", help="calibration directory (default: "
                                   "results/calibration/<scenario stem>)")
    cal.add_argument("--population", type=int, default=100,
                     help="particles per generation (default: 100)")
    cal.add_argument("--generations", type=int, default=5,
                     help="generations of ABC-SMC (default: 5)")
    cal.add_argument("--workers", type=int, default=1,
                     help="processes evaluating particles (default: 1)")
    cal.add_argument("--scheduler", metavar="ADDRESS", type=scheduler_address,
                     help="sample on a Dask cluster (pyabc's DaskDistributedSampler; "
                          "reproducible only in distribution)")
    cal.add_argument("--seed", type=int, default=0, help="seed of the calibration (default 0)")
    cal.add_argument("--parameters", metavar="A,B,...",
                     help="calibrate only these of the scenario's priors (dotted names)")
    cal.add_argument("--predictive", type=int, default=100,
                     help="posterior predictive runs (default: 100)")
    add_set_option(cal)
    cal.add_argument("--quiet", action="store_true", help="no per-generation log")
    cal.add_argument("--no-plots", action="store_true", help="no PNGs")
    cal.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the calibration, write its directory, print the posterior summary."""
    from sim.analysis.calibration import load_targets
    from sim.config import check_seed, load_scenario
    from sim.experiment.calibrate import run_calibration
    from sim.experiment.paths import write_errors
    from sim.experiment.resources import check_memory

    counts = {"--population": (args.population, 2), "--generations": (args.generations, 1),
              "--workers": (args.workers, 1), "--predictive": (args.predictive, 1)}
    for flag, (value, least) in counts.items():
        if value < least:
            raise MentorsimError(f"{flag} = {value}: expected at least {least}")
    scenario = load_scenario(args.scenario, overrides(args.set))
    targets = load_targets(args.targets)
    seed = check_seed(args.seed, "--seed")
    check_memory(scenario, str(args.scenario))
    figures = None
    if not args.no_plots:
        from sim.viz.calibration import write_calibration_figures as figures
    out = out_path(args.out, Path("results") / "calibration" / Path(args.scenario).stem)
    parameters = [p.strip() for p in args.parameters.split(",")] if args.parameters else None
    with write_errors(out):
        result = run_calibration(
            scenario, targets, out, population=args.population, generations=args.generations,
            workers=args.workers, seed=seed, parameters=parameters, scheduler=args.scheduler,
            predictive_runs=args.predictive, source=str(args.scenario),
            targets_source=str(args.targets), figures=figures, progress=not args.quiet)
    print(format_calibration(result.info))
    print(f"wrote {out}/: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return 0


def format_calibration(info: dict) -> str:
    """Generations, the posterior's 90% intervals and the predictive check, as text."""
    lines = ["generation  epsilon   evaluations  acceptance"]
    for g in info["generations"]:
        lines.append(f"{g['t']:>10}  {g['epsilon']:>8.3g}  {g['samples']:>11}  "
                     f"{g['acceptance']:>10.2f}")
    lines.append("posterior (weighted): median [5%, 95%]")
    width = max(len(name) for name in info["posterior"])
    for name, s in info["posterior"].items():
        lines.append(f"  {name:<{width}}  {s['q50']:.4g} [{s['q05']:.4g}, {s['q95']:.4g}]")
    lines.append("posterior predictive: target +- sd | runs' 5%-95% | share within 1 sd")
    for name, s in info["predictive"].items():
        lines.append(f"  {name}: {s['target']:.4g} +- {s['sd']:.3g} | {s['q05']:.4g}-"
                     f"{s['q95']:.4g} | {s['within_one_sd']:.2f}")
    return "\n".join(lines)
