"""Which programme parameters drive the programme's effect on performance?

Question: over plausible ranges of meeting frequency, meeting length, mentor training,
the share of staff in pairs and the programme's length, which parameters explain most of
the variance of the programme's effect on performance? The effect of a design point is
its performance minus that of the same organisation without a programme, run with the
same seed (common random numbers: the control differs only by the programme), averaged
over the replications. Sobol first-order and total indices (SALib, Saltelli sample) are
computed on that effect, with 95% bootstrap intervals, and on performance itself. (The
control is the same at every point, so the indices of both agree; the effect table gives
the size of what the programme buys at each point.)

Run it:
    python experiments/sensitivity.py                        # quick: N=8, 2 replications
    python experiments/sensitivity.py --samples 64 --reps 5  # for a paper
Both use the local process pool; --executor dask --scheduler ADDRESS uses a cluster.

Writes results/sensitivity/ (or --out): sweep/ and control/ (resumable sweep results
directories, see docs/experiments.md; re-running resumes), sobol_effect.parquet/.csv
(outcome, factor, S1, S1_conf, ST, ST_conf), effect_points.csv (effect per design point)
and tornado_effect.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.analysis.sensitivity import point_statistics, sobol_indices
from sim.errors import MentorsimError
from sim.experiment.designs import sweep_from_dict
from sim.experiment.executors import KINDS
from sim.experiment.runner import run_sweep
from sim.experiment.store import write_parquet
from sim.viz.sweep_report import analyse, plot_tornado

ROOT = Path(__file__).resolve().parents[1]
FACTORS = {
    "programme.meetings_per_month": [0.5, 4.0],
    "programme.meeting_hours": [0.5, 2.0],
    "programme.mentor_training_hours": [0, 16],
    "programme.max_mentee_share": [0.02, 0.2],
    "programme.duration_weeks": [13, 78],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=8, help="Sobol N, a power of 2")
    parser.add_argument("--reps", type=int, default=2, help="replications per point")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--headcount", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--executor", choices=KINDS, default="processes")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--scheduler")
    parser.add_argument("--out", default="results/sensitivity")
    args = parser.parse_args(argv)
    out = Path(args.out)
    fixed = {"organisation.headcount": args.headcount, "horizon_weeks": args.weeks}
    common = {"base": str(ROOT / "scenarios/mentoring.toml"), "seed": args.seed,
              "replications": args.reps}
    try:
        sweep = sweep_from_dict({**common, "name": "sensitivity", "design": "sobol",
                                 "samples": args.samples, "set": fixed, "factors": FACTORS},
                                "experiments/sensitivity.py", ROOT)
        control = sweep_from_dict({**common, "name": "control",
                                   "set": {**fixed, "programme.enabled": False}},
                                  "experiments/sensitivity.py (control)", ROOT)
        runner = {"executor": args.executor, "workers": args.workers,
                  "scheduler": args.scheduler}
        run_sweep(control, out / "control", **runner)
        run_sweep(sweep, out / "sweep", **runner)
        analysis = analyse(out / "sweep", ["performance"], plots=False)
    except MentorsimError as exc:
        print(f"sensitivity: error: {exc}", file=sys.stderr)
        return 2
    # effect = performance(point, seed) - performance(control, seed): same seeds (CRN)
    base = pd.read_parquet(out / "control/summary.parquet").set_index("seed")["performance"]
    summary = pd.read_parquet(out / "sweep/summary.parquet")
    summary["effect"] = summary["performance"] - summary["seed"].map(base)
    design = pd.read_parquet(out / "sweep/design.parquet")
    points = point_statistics(design, summary, list(FACTORS), ["effect"])
    sobol = sobol_indices(sweep.problem, points, ["effect"], sweep.spec.second_order,
                          args.seed)
    sobol = pd.concat([sobol, analysis.sobol], ignore_index=True)
    write_parquet(out / "sobol_effect.parquet", sobol)
    sobol.to_csv(out / "sobol_effect.csv", index=False)
    points.to_csv(out / "effect_points.csv", index=False)
    plot_tornado(sobol, out / "tornado_effect.png")
    effect = points["mean"]
    print(f"programme effect on performance over {len(points)} design points: "
          f"mean {effect.mean():.4f}, range [{effect.min():.4f}, {effect.max():.4f}]")
    for name, group in sobol.groupby("outcome", sort=False):
        print(f"Sobol indices of {name} (± 95% half-width):")
        for _, row in group.sort_values("ST", ascending=False).iterrows():
            print(f"  {row['factor']:<34} S1 {row['S1']:6.3f} ± {row['S1_conf']:.3f}   "
                  f"ST {row['ST']:6.3f} ± {row['ST_conf']:.3f}")
    print(f"wrote {out}/sobol_effect.csv, effect_points.csv, tornado_effect.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
