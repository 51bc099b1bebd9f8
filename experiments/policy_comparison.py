"""Which matching policy should the programme use, and whom should it take?

Question: on the baseline organisation (scenarios/mentoring.toml's 1,000 employees and
three years), what does each main design buy against running no programme at all —
random matching, gap-targeted matching (mentors strongest where the mentee's gaps matter
most), and gap-targeted matching offered to different eligible groups (largest gaps, new
hires, everyone, the underrepresented group)? Every design is run with the same
replication seeds (common random numbers), so the differences against "no_programme" are
paired by seed and their 95% intervals are narrow.

Run it:
    python experiments/policy_comparison.py                 # quick: 5 replications
    python experiments/policy_comparison.py --reps 30 --executor processes --workers 2
    python experiments/policy_comparison.py --set organisation.headcount=300   # smaller

Writes results/policy_comparison/ (or --out), resumable (re-running skips finished runs):
report.md and report.html (tables of means and paired differences with 95% intervals,
trajectory plots), summary.parquet/.csv (one row per run), stats.parquet/.csv,
trajectory_*.png, the runs (runs/<id>.parquet) and manifest.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.analysis import comparison as comparison_tables
from sim.cli.common import overrides
from sim.config import load_scenario, with_overrides
from sim.errors import MentorsimError
from sim.experiment import compare
from sim.experiment.executors import KINDS
from sim.viz import comparison_report

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = {
    "no_programme": {"programme.enabled": False},
    "random": {"programme.matching": "random", "programme.targeted": False},
    "gap_targeted": {"programme.matching": "gap_targeted"},
    "new_hires": {"programme.eligibility": "new_hires"},
    "all_staff": {"programme.eligibility": "all"},
    "underrepresented": {"programme.eligibility": "group",
                         "programme.target_group": "underrepresented"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="replications (default 5)")
    parser.add_argument("--seed", type=int, default=20260101, help="root seed")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/mentoring.toml"))
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="override of every design, e.g. organisation.headcount=300")
    parser.add_argument("--executor", choices=KINDS, default="processes")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--scheduler")
    parser.add_argument("--out", default="results/policy_comparison")
    parser.add_argument("--width", type=float, default=0.005)
    args = parser.parse_args(argv)
    try:
        base = load_scenario(args.scenario, overrides(args.set))
        scenarios = {name: with_overrides(base, changes, f"design {name}")
                     for name, changes in DESIGNS.items()}
        out = Path(args.out)
        comparison = compare.compare_scenarios(
            scenarios, args.reps, args.seed, args.executor, args.workers, args.scheduler,
            out=out, sources={n: args.scenario for n in DESIGNS},
            report=lambda c, directory: comparison_report.write_report(c, directory,
                                                                       args.width))
    except MentorsimError as exc:
        print(f"policy_comparison: error: {exc}", file=sys.stderr)
        return 2
    headline = comparison.headline
    print(comparison_report.format_table(*comparison_tables.result_table(comparison, headline)))
    print(f"\nDifferences against {comparison.names[0]}, paired by seed:")
    differences = comparison_tables.difference_table(comparison, headline)
    print(comparison_report.format_table(*differences))
    print("\n" + comparison_tables.replication_advice(comparison, args.width))
    print(f"wrote {out}/report.md and report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
