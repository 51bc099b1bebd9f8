"""Synthetic recovery: does calibration find parameter values we know?

For each repetition: run the model with known values of ``workforce.annual_turnover`` and
``learning.skill_half_life_months`` (drawn from their literature priors), take its
annual quit rate, proficient share and median weeks to proficiency as targets (sd: the
statistics' spread over seeds at the known values), calibrate from the literature priors
and check whether each known value lies inside its 90% posterior interval. Over many
repetitions a calibrated posterior covers the truth about 90% of the time; far less
means the posterior is overconfident.

    python experiments/calibration/recovery.py [--repetitions 5] [--workers 2]

prints each repetition and the coverage (docs/experiments.md, "Calibration").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.calibration import Targets, simulate_statistics
from sim.config import Scenario, load_scenario
from sim.config.uncertainty import apply_draw, prior_set
from sim.experiment.calibrate import run_calibration

PARAMETERS = ("workforce.annual_turnover", "learning.skill_half_life_months")
STATISTICS = ("annual_quit_rate", "proficient_share", "median_weeks_to_proficiency")


def recovery_scenario(headcount: int = 200, weeks: int = 40) -> Scenario:
    """The mentoring scenario, small and short, with the two priors to recover."""
    priors = prior_set("literature")
    return load_scenario("mentoring", {
        "organisation.headcount": headcount, "horizon_weeks": weeks,
        "programme.duration_weeks": min(26, weeks),
        "uncertainty.priors": {name: priors[name].model_dump() for name in PARAMETERS},
    })


def synthetic_targets(scenario: Scenario, truth: dict[str, float], seed: int,
                      spread_runs: int = 8) -> Targets:
    """Targets made by the model at ``truth``: one run's statistics, sd over seeds."""
    week = scenario.horizon_weeks
    shell = Targets.model_validate({name: {"value": 0.0, "sd": 1.0, "week": week}
                                    for name in STATISTICS})
    at_truth = apply_draw(scenario, truth)
    observed = simulate_statistics(at_truth, seed, shell)
    runs = [simulate_statistics(at_truth, seed + 1 + i, shell) for i in range(spread_runs)]
    return Targets.model_validate({
        name: {"value": observed[name], "week": week,
               "sd": max(float(np.std([r[name] for r in runs], ddof=1)), 1e-3),
               "source": "synthetic: the model at known parameter values"}
        for name in STATISTICS})


def recover(seed: int, population: int = 60, generations: int = 4, workers: int = 1,
            headcount: int = 200, weeks: int = 40, out: Path | None = None
            ) -> dict[str, Any]:
    """One repetition: known values, targets, calibration, whether each is covered."""
    scenario = recovery_scenario(headcount, weeks)
    rng = np.random.default_rng(seed)
    priors = prior_set("literature")
    truth = {name: float(priors[name].frozen().ppf(rng.uniform(0.15, 0.85)))
             for name in PARAMETERS}
    targets = synthetic_targets(scenario, truth, seed=10_000 + seed)
    with tempfile.TemporaryDirectory() as tmp:
        result = run_calibration(
            scenario, targets, out or Path(tmp) / "calibration", population=population,
            generations=generations, workers=workers, seed=seed, predictive_runs=10,
            progress=False)
    summary = result.info["posterior"]
    return {"seed": seed, "truth": truth,
            "interval": {n: (summary[n]["q05"], summary[n]["q95"]) for n in PARAMETERS},
            "covered": {n: summary[n]["q05"] <= truth[n] <= summary[n]["q95"]
                        for n in PARAMETERS}}


def main() -> None:
    """Run the repetitions and print the coverage of the 90% intervals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--population", type=int, default=60)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    covered = {name: 0 for name in PARAMETERS}
    start = time.perf_counter()
    for seed in range(args.repetitions):
        rep = recover(seed, args.population, args.generations, args.workers)
        for name in PARAMETERS:
            covered[name] += rep["covered"][name]
            lo, hi = rep["interval"][name]
            print(f"seed {seed}: {name} = {rep['truth'][name]:.4g}, 90% interval "
                  f"[{lo:.4g}, {hi:.4g}] {'covered' if rep['covered'][name] else 'MISSED'}",
                  flush=True)
    total = args.repetitions * len(PARAMETERS)
    print(f"coverage of the 90% intervals: {sum(covered.values())}/{total} "
          + ", ".join(f"{n} {c}/{args.repetitions}" for n, c in covered.items())
          + f" ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
