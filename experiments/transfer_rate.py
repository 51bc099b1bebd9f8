"""Derive the mentoring transfer rate from the meta-analytic 12-month effect (docs/ODD.md 7.1).

The per-hour rate ``learning.mentoring_rate_per_hour`` is not tuned until a fact passes: it
is derived from what a year of meetings must close of the gap between mentor and mentee if
mentees are to end a year on d ~ 0.2 above themselves without a mentor. This script
measures the inputs of that derivation on a scenario, with its control arm, and then the
like-for-like d that the derived rate gives:

* ``Delta``: mean performance gap, mentor minus mentee, when a formal pair starts;
* ``sigma``: SD of the comparison group's job performance (the same people in the control
  arm) a year after their match;
* ``q``, ``h``: mean quality and weekly contact hours of new formal pairs;
* ``rho``: weekly relaxation of a gain above the settled level, ``alpha u a + lambda (1 - u)``
  at the mean required level and aptitude 1.

``S = d sigma / Delta`` is the share of the gap a year must close; the weekly transfer ``c``
solves ``c / (c + rho) (1 - exp(-52 (c + rho))) = S``; ``beta = c / (q h)``.

Usage::

    python experiments/transfer_rate.py              # mentoring.toml, 4 seeds, d = 0.2
    python experiments/transfer_rate.py --seeds 8 --target-d 0.2 --scenario mentoring
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq

from sim import MentoringModel, load_scenario
from sim.analysis.effect_profile import at, run_in_lockstep
from sim.analysis.evaluation import control_scenario
from sim.model.relationships import FORMAL
from sim.units import WEEKS_PER_MONTH, WEEKS_PER_YEAR

PROFILE_WEEKS = (26, 52, 104)  # weeks since the first formal match


def measure(scenario_name: str, seed: int) -> dict[str, float]:
    """Derivation inputs and the like-for-like 12-month d of one seed."""
    scenario = load_scenario(scenario_name, {"evaluation.control": "no_programme"})
    treated = MentoringModel(scenario, rng=seed)
    control = MentoringModel(control_scenario(scenario), rng=seed)
    gaps: list[np.ndarray] = []
    quality: list[np.ndarray] = []
    hours: list[np.ndarray] = []

    def record_new_pairs() -> None:
        wf = treated.workforce
        new = np.flatnonzero((wf.pair_kind == FORMAL) & (wf.pair_age_weeks == 0))
        gaps.append(wf.performance[wf.mentor[new]] - wf.performance[new])
        quality.append(wf.quality[new])
        hours.append(wf.contact_hours[new])

    profile = run_in_lockstep(treated, control, after_week=record_new_pairs)
    frame = profile.frame()
    row = {
        "delta": float(np.concatenate(gaps).mean()),
        "sigma": at(frame, 52, "performance_sd_control"),
        "quality": float(np.concatenate(quality).mean()),
        "hours": float(np.concatenate(hours).mean()),
        "d_12m": at(frame, 52, "performance_d"),
        "commitment_12m": at(frame, 52, "commitment_d"),
    }
    for tau in PROFILE_WEEKS:  # the time profile: build-up, end of the pair, a year after
        row[f"d_{tau}"] = at(frame, tau, "performance_d")
        row[f"commitment_{tau}"] = at(frame, tau, "commitment_d")
    return row


def relaxation(scenario_name: str) -> float:
    """Weekly decay of a gain above the settled level at the mean requirement."""
    sc = load_scenario(scenario_name)
    usage = float(np.mean(sc.organisation.required_levels))
    forget = np.log(2.0) / (sc.learning.skill_half_life_months * WEEKS_PER_MONTH)
    return sc.learning.doing_rate_per_week * usage + forget * (1.0 - usage)


def weekly_transfer(share: float, rho: float) -> float:
    """The constant weekly transfer that closes ``share`` of the gap in a year."""
    def closed(c: float) -> float:
        return c / (c + rho) * (1.0 - np.exp(-WEEKS_PER_YEAR * (c + rho))) - share

    return float(brentq(closed, 1e-9, 1.0))


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the inputs, print the derivation and the d the current rate gives."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="mentoring")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--target-d", type=float, default=0.2)
    args = parser.parse_args(argv)
    rows = [measure(args.scenario, seed) for seed in range(1, args.seeds + 1)]
    mean = {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}
    rho = relaxation(args.scenario)
    share = args.target_d * mean["sigma"] / mean["delta"]
    c = weekly_transfer(share, rho)
    beta = c / (mean["quality"] * mean["hours"])
    rate = load_scenario(args.scenario).learning.mentoring_rate_per_hour
    print(f"scenario {args.scenario}, seeds 1..{args.seeds}")
    print(f"Delta (mentor - mentee performance at match) {mean['delta']:.3f}")
    print(f"sigma (comparison group's job performance, 12 months on) {mean['sigma']:.3f}")
    print(f"q {mean['quality']:.3f}, h {mean['hours']:.3f} contact hours a week, "
          f"rho {rho:.4f} a week")
    print(f"S = d sigma / Delta = {share:.3f}; weekly transfer c = {c:.5f}; "
          f"derived beta = {beta:.4f} per contact hour")
    for tau in PROFILE_WEEKS:
        print(f"tau = {tau:3d} weeks since match: performance d {mean[f'd_{tau}']:.3f}, "
              f"commitment d {mean[f'commitment_{tau}']:.3f}")
    per_seed = ", ".join(f"{row['d_12m']:.3f}" for row in rows)
    print(f"with the scenario's beta {rate}: like-for-like d at 12 months "
          f"{mean['d_12m']:.3f}, commitment {mean['commitment_12m']:.3f} (per seed: {per_seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
