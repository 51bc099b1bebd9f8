"""``mentorsim run``: run one scenario and write its results directory."""

from __future__ import annotations

import argparse
import atexit
import gc
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import add_set_option, out_path, overrides

if TYPE_CHECKING:
    from sim.viz.drawing import FigureProcess


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
    from sim.viz.drawing import FigureProcess

    # At the interpreter's exit, its last collections need not walk every object of
    # pandas, Mesa, numba and the run (0.3-1 s of wall time): nothing left matters then
    # (files are closed, the results directory is in place). Once per process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)

    # forked first: its child imports matplotlib while this process imports the model
    with FigureProcess(enabled=not args.no_plots) as drawer:
        return _execute(args, drawer)


def _execute(args: argparse.Namespace, drawer: FigureProcess) -> int:
    from sim.config import check_seed, load_scenario

    scenario = load_scenario(args.scenario, overrides(args.set))
    seed = scenario.seed if args.seed is None else check_seed(args.seed, "--seed")
    # Mesa first, from a shallow stack: importing mesa.model walks the whole call stack
    # (its logger's inspect.stack()), ~0.1 s from deep inside the model's imports
    import mesa  # noqa: F401

    from sim.experiment.resources import check_memory

    check_memory(scenario, str(args.scenario))  # before any directory is made
    out = out_path(args.out, Path("results") / Path(args.scenario).stem)

    from sim.experiment.paths import write_errors
    from sim.experiment.results import RUN_FILES, write_run_files
    from sim.experiment.run import run_scenario
    from sim.experiment.store import staged_directory
    from sim.viz import run_report

    # staged_directory refuses a foreign --out on entering, before the run
    with write_errors(out), staged_directory(out, RUN_FILES) as staging, drawer:
        planned = None
        if scenario.programme.enabled:  # planning: say what the design cannot do first
            from sim.analysis.forecast import forecast

            planned = forecast(scenario, seed)
            for line in planned.warnings:
                print(f"warning: {line}", flush=True)
        result = run_scenario(
            scenario, seed=seed, progress=not args.quiet, source=str(args.scenario),
            forecast=planned,
        )
        figures = drawer.submit(run_report.RunFigureData.of(result), staging)
        write_run_files(staging, result, figures)  # waits for the figures, then the manifest
    main = {k: v for k, v in result.summary.items() if "." not in k}
    print(run_report.format_summary(main, f"{scenario.name} (seed {seed}), last quarter:"))
    if result.evaluation is not None:
        print(run_report.format_evaluation(result.evaluation))
    if result.verdict is not None:
        print(f"cause analysis: {result.verdict} (recommendations.csv)")
    written = sorted(p.name for p in out.iterdir())
    print(f"wrote {out}/: {', '.join(written)}")
    return 0
