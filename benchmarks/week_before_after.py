"""Whole weeks of two checkouts side by side: this one and another commit (issue 16).

Runs ``benchmarks/scale_1m.toml`` at N employees in a child process per checkout, the
two alternating round by round (so both see the same machine), and prints each
checkout's median week and the ratio. The other checkout must have its own working tree
(``git worktree add /tmp/before COMMIT``); its numba cache is warmed by a first round
that is not counted.

Usage: python benchmarks/week_before_after.py /tmp/before [--n 1000000] [--warm 10]
       [--weeks 6] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from sim.model.model import MentoringModel
n, warm, weeks = (int(x) for x in sys.argv[2:5])
model = MentoringModel(sys.argv[5], rng=1, organisation__headcount=n,
                       horizon_weeks=warm + weeks + 60)
for _ in range(warm):
    model.step()
times = []
for _ in range(weeks):
    start = time.perf_counter()
    model.step()
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def weeks_of(checkout: Path, args) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(checkout), str(args.n), str(args.warm),
         str(args.weeks), str(ROOT / "benchmarks" / "scale_1m.toml")],
        capture_output=True, text=True, check=True, cwd="/")
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path, help="working tree of the other commit")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    checkouts = {"before": args.before.resolve(), "after": ROOT}
    small = argparse.Namespace(n=2000, warm=2, weeks=1)
    for path in checkouts.values():  # fill each checkout's numba cache, not counted
        weeks_of(path, small)
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(args.rounds):
        for name, path in checkouts.items():
            times[name].extend(weeks_of(path, args))
    before, after = (statistics.median(times[name]) for name in ("before", "after"))
    print(f"N={args.n}, {args.rounds} rounds x {args.weeks} weeks after {args.warm}: "
          f"before {before * 1e3:.1f} ms a week, after {after * 1e3:.1f} ms "
          f"({before / after:.2f}x)")


if __name__ == "__main__":
    main()
