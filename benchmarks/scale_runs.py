"""Whole runs at scale: wall time and peak memory of `mentorsim run` (issue 5, target 3).

Runs the CLI in a fresh process per size (so peak memory is that run's own), on
benchmarks/scale_1m.toml with the headcount, K and horizon overridden, and reads the peak
resident memory from the child's rusage. One line of figures per size, then a summary.

Usage:
  python benchmarks/scale_runs.py --sizes 1000 10000 100000 1000000 --weeks 520
  python benchmarks/scale_runs.py --ks 4 16 64 --sizes 100000 --weeks 52
  python benchmarks/scale_runs.py --plot results/benchmarks/scaling.png ...
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def competencies_overrides(k: int) -> list[str]:
    names = ",".join(f'"c{i:02d}"' for i in range(k))
    weights = ",".join([repr(1.0 / k)] * (k - 1) + [repr(1.0 - (k - 1) * (1.0 / k))])
    levels = ",".join(repr(0.4 + 0.3 * (i % 4) / 3) for i in range(k))
    return [
        "--set", f"organisation.competencies=[{names}]",
        "--set", f"organisation.strategic_weights=[{weights}]",
        "--set", f"organisation.required_levels=[{levels}]",
        "--set", "environment.changes=[]",
    ]


def run_once(scenario: str, n: int, k: int | None, weeks: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.cli", "run", scenario, "--quiet", "--out",
               str(Path(tmp) / "out"), "--set", f"organisation.headcount={n}",
               "--set", f"horizon_weeks={weeks}"]
        if k is not None:
            cmd += competencies_overrides(k)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            raise SystemExit(f"run failed for n={n}: {proc.stderr.strip()[-500:]}")
    return {"n": n, "k": k, "weeks": weeks, "wall_s": wall,
            "peak_mb": max(peak_kb, before) / 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", default="benchmarks/scale_1m.toml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--ks", type=int, nargs="+", default=[None])
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--plot", help="PNG of time and memory against N (and K)")
    parser.add_argument("--json", help="append the figures to this JSON-lines file")
    args = parser.parse_args()
    rows = []
    for k in args.ks:
        for n in args.sizes:
            row = run_once(args.scenario, n, k, args.weeks)
            rows.append(row)
            print(f"N={n} K={k or 16} weeks={args.weeks}: wall {row['wall_s']:.1f} s, "
                  f"peak {row['peak_mb']:.0f} MB, "
                  f"{row['wall_s'] / args.weeks * 1e3:.1f} ms/week", flush=True)
            if args.json:
                with open(args.json, "a") as fh:
                    fh.write(json.dumps(row) + "\n")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
        by_k = len(args.sizes) == 1 and len(args.ks) > 1  # one size, several K: x is K
        groups = [(f"N={args.sizes[0]:,}", rows)] if by_k else [
            (f"K={k or 16}", [r for r in rows if r["k"] == k]) for k in args.ks]
        x_name, x_label = ("k", "competencies K") if by_k else ("n", "employees N")
        for label, sel in groups:
            xs = [r[x_name] or 16 for r in sel]
            draw = "plot" if by_k else "loglog"  # few K values: linear axes read best
            getattr(axes[0], draw)(xs, [r["wall_s"] for r in sel], "o-", label=label)
            getattr(axes[1], draw)(xs, [r["peak_mb"] for r in sel], "o-", label=label)
        axes[0].set(xlabel=x_label, ylabel="wall time (s)",
                    title=f"mentorsim run, {args.weeks} weeks")
        axes[1].set(xlabel=x_label, ylabel="peak memory (MB)", title="peak resident memory")
        for ax in axes:
            ax.grid(alpha=0.3, which="both")
            ax.legend()
            if by_k:  # a few K values: label them plainly
                ax.set_xticks(args.ks, [str(k) for k in args.ks])
                ax.set_ylim(bottom=0)
        os.makedirs(os.path.dirname(args.plot) or ".", exist_ok=True)
        fig.savefig(args.plot, dpi=110)
        print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
