"""``mentorsim run``: run one scenario and write its results directory."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from sim.cli.common import add_set_option, overrides

RUN_FILES = {
    "timeseries.parquet", "summary.json", "plot.png", "scenario.toml", "gaps_by_group.csv",
    "causes.csv", "gaps.png", "evaluation.json", "control_timeseries.parquet",
    "programme_vs_control.png",
}


def register(subparsers) -> None:
    """Add the ``run`` subcommand."""
    run = subparsers.add_parser("run", help="run one scenario and write its results")
    run.add_argument("scenario",
                     help="scenario TOML file or bundled scenario name (mentorsim scenarios)")
    run.add_argument("--seed", type=int, help="seed (default: the scenario's seed)")
    run.add_argument("--out",
                     help="results directory (default: results/<scenario name or file stem>)")
    add_set_option(run)
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--no-plots", action="store_true",
                     help="write the data files only, no PNGs (drawing them is most of a "
                          "small run's time)")
    run.set_defaults(func=execute)


def execute(args: argparse.Namespace) -> int:
    """Run the scenario, write the results directory atomically, print the summary."""
    from sim.config import check_seed, load_scenario
    from sim.experiment.resources import check_memory

    scenario = load_scenario(args.scenario, overrides(args.set))
    seed = scenario.seed if args.seed is None else check_seed(args.seed, "--seed")
    check_memory(scenario, str(args.scenario))  # before any directory is made

    from sim.experiment.run import run_scenario
    from sim.experiment.store import (
        MANIFEST,
        commit_directory,
        prepare_directory,
        write_json,
        write_parquet,
    )
    from sim.viz import report

    out = Path(args.out) if args.out else Path("results") / Path(args.scenario).stem
    staging = prepare_directory(out, RUN_FILES)
    try:
        result = run_scenario(
            scenario, seed=seed, progress=not args.quiet, source=str(args.scenario)
        )
        write_parquet(staging / "timeseries.parquet", result.timeseries)
        write_json(staging / "summary.json", result.summary)
        (staging / "scenario.toml").write_text(scenario.to_toml(), encoding="utf-8")
        if not args.no_plots:
            report.plot_run(result.timeseries, staging / "plot.png",
                            f"{scenario.name}, seed {seed}")
        _write_tables(result, scenario, staging, plots=not args.no_plots)
        write_json(staging / MANIFEST, result.manifest)
        commit_directory(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    main = {k: v for k, v in result.summary.items() if "." not in k}
    print(report.format_summary(main, f"{scenario.name} (seed {seed}), last quarter:"))
    if result.evaluation is not None:
        print(report.format_evaluation(result.evaluation))
    written = sorted(p.name for p in out.iterdir())
    print(f"wrote {out}/: {', '.join(written)}")
    return 0


def _write_tables(result, scenario, directory: Path, plots: bool = True) -> None:
    """Needs-assessment tables and plots, and the evaluation against the control arm."""
    from sim.experiment.store import write_json, write_parquet
    from sim.viz import report

    gaps = result.tables["gaps_by_group"]
    gaps.to_csv(directory / "gaps_by_group.csv", index_label="group")
    result.tables["causes"].to_csv(directory / "causes.csv", index=False)
    if plots:
        report.plot_gap_heatmap(gaps, scenario.organisation.competencies,
                                directory / "gaps.png")
    if result.evaluation is not None:
        write_json(directory / "evaluation.json", result.evaluation)
        write_parquet(directory / "control_timeseries.parquet", result.control_timeseries)
    if result.evaluation is not None and plots:
        report.plot_programme_vs_control(
            result.timeseries, result.control_timeseries, directory / "programme_vs_control.png",
            f"{scenario.name}: programme vs control",
        )
