"""Reproduce March (1991), "Exploration and exploitation in organizational learning".

What it reproduces (Organization Science 2(1):71-87; n = 50 individuals, m = 30
dimensions; rules in sim/march/model.py and docs/march.md):

* Fig. 1 — equilibrium code knowledge over socialisation rate p1 = 0.1..0.9 and
  code-learning rate p2 in {0.1, 0.5, 0.9}, printed beside the published table with the
  difference (``fig1.csv``, ``fig1.png``);
* Fig. 2 — a mix of fast (p1 = 0.9) and slow (p1 = 0.1) learners against a uniform rate
  with the same mean, equilibrium code knowledge, p2 = 0.5 (``fig2.csv``, ``fig2.png``);
* Fig. 3 — knowledge at period 20 against the number of fast learners in the same mix:
  the code, the fast and the slow learners (``fig3.csv``, ``fig3.png``);
* Fig. 4 — turnover p3: code knowledge at period 100 over p3 for p1 in {0.1, 0.5, 0.9},
  p2 = 0.5 (``fig4.csv``, ``fig4.png``);
* Fig. 5 — turbulence p4 = 0.02: code knowledge over 200 periods without turnover and
  with p3 = 0.02 and 0.1, p1 = p2 = 0.5 (``fig5.csv``, ``fig5.png``);
* interpersonal learning (Miller, Zhao & Calantone 2006, our rule in sim/march/model.py):
  equilibrium code knowledge and periods to equilibrium over p5, for random peers and
  ring neighbours, p1 in {0.1, 0.5, 0.9}, p2 = 0.5 (``interpersonal.csv``, ``.png``).

How to run::

    python experiments/march1991.py                 # 80 runs per point, as March
    python experiments/march1991.py --runs 2000 --seed 1991 --out results/march1991_2000

Every point uses the same root seed, so the replications of two points share their
initial reality and beliefs (common random numbers). Writes the CSV tables and PNG plots
above and ``manifest.json`` (runs, seed, command, parameters, timings) into ``--out``
(default ``results/march1991/``); each table carries ``runs`` and ``seed`` columns and each
plot title the run count and seed. Takes seconds at 80 runs on two cores (plus numba's
first compilation).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.march.model import simulate  # noqa: E402
from sim.march.published import FIG1_CODE_KNOWLEDGE, FIG1_P2  # noqa: E402

N, M = 50, 30
FIG1_P1 = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
FIG1_PUBLISHED = FIG1_CODE_KNOWLEDGE  # read off the figure, about +-0.003
FAST, SLOW = 0.9, 0.1
N_FAST = tuple(range(0, N + 1, 5))
FIG3_PERIOD = 20
FIG4_PERIOD = 100
FIG4_P3 = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2)
FIG5_PERIODS = 200
FIG5_P4 = 0.02
FIG5_P3 = (0.0, 0.02, 0.1)
# p5 = 1 is left out: with slow socialisation a few runs then stay for thousands of periods
# in a metastable state (docs/march.md), imitation undoing socialisation period after period.
P5_VALUES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(np.mean(x)), float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0


def write_csv(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def mix(n_fast: int) -> np.ndarray:
    return np.array([FAST] * n_fast + [SLOW] * (N - n_fast))


def fig1(runs: int, seed: int, out: Path, tag: str) -> list[dict]:
    rows = []
    for p1 in FIG1_P1:
        for j, p2 in enumerate(FIG1_P2):
            res = simulate(runs, p1=p1, p2=p2, seed=seed)
            k, se = mean_se(res.code_knowledge)
            published = FIG1_PUBLISHED[p1][j]
            rows.append(dict(p1=p1, p2=p2, knowledge=round(k, 4), se=round(se, 4),
                             published=published, difference=round(k - published, 4),
                             mean_periods=round(float(res.periods.mean()), 1),
                             all_at_equilibrium=bool(res.at_equilibrium.all()),
                             runs=runs, seed=seed))
    write_csv(out / "fig1.csv", rows)
    print(f"\nFig. 1: equilibrium code knowledge, measured (published, difference); {tag}")
    print("p1   " + "".join(f"{'p2 = ' + str(p2):<26}" for p2 in FIG1_P2))
    for p1 in FIG1_P1:
        cells = [r for r in rows if r["p1"] == p1]
        print(f"{p1:<5}" + "".join(
            f"{r['knowledge']:.3f} ({r['published']:.3f}, {r['difference']:+.3f})    "
            for r in cells))
    diffs = np.array([r["difference"] for r in rows])
    print(f"mean |difference| {np.abs(diffs).mean():.3f}, max {np.abs(diffs).max():.3f}, "
          f"rms {np.sqrt((diffs**2).mean()):.3f}")
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for p2, colour in zip(FIG1_P2, ("C0", "C1", "C2"), strict=True):
        cells = [r for r in rows if r["p2"] == p2]
        ax.errorbar([r["p1"] for r in cells], [r["knowledge"] for r in cells],
                    yerr=[2 * r["se"] for r in cells], color=colour, marker="o",
                    capsize=2, label=f"measured, p2 = {p2}")
        ax.plot([r["p1"] for r in cells], [r["published"] for r in cells], color=colour,
                linestyle="--", marker="x", label=f"March (1991), p2 = {p2}")
    ax.set_xlabel("socialisation rate p1")
    ax.set_ylabel("equilibrium code knowledge")
    ax.set_title(f"Fig. 1: learning rates and equilibrium knowledge\n{tag}", fontsize=10)
    ax.legend(fontsize=7)
    save(fig, out / "fig1.png")
    return rows


def fig2_and_3(runs: int, seed: int, out: Path, tag: str) -> None:
    rows2, rows3 = [], []
    for n_fast in N_FAST:
        p1 = mix(n_fast)
        mixed = simulate(runs, p1=p1, p2=0.5, seed=seed).code_knowledge
        uniform = simulate(runs, p1=float(p1.mean()), p2=0.5, seed=seed).code_knowledge
        (km, sm), (ku, su) = mean_se(mixed), mean_se(uniform)
        rows2.append(dict(n_fast=n_fast, mean_p1=round(float(p1.mean()), 3),
                          mixed=round(km, 4), mixed_se=round(sm, 4), uniform=round(ku, 4),
                          uniform_se=round(su, 4), difference=round(km - ku, 4), runs=runs,
                          seed=seed))
        groups = np.array([0] * n_fast + [1] * (N - n_fast))
        res = simulate(runs, FIG3_PERIOD, p1=p1, p2=0.5, seed=seed, record=True,
                       groups=groups)
        code, code_se = mean_se(res.code_path[:, FIG3_PERIOD])
        group = res.group_path[:, FIG3_PERIOD, :]
        fast = float(group[:, 0].mean()) if n_fast > 0 else float("nan")
        slow = float(group[:, 1].mean()) if n_fast < N else float("nan")
        rows3.append(dict(n_fast=n_fast, period=FIG3_PERIOD, code=round(code, 4),
                          code_se=round(code_se, 4), fast_learners=round(fast, 4),
                          slow_learners=round(slow, 4),
                          all_individuals=round(float(res.individual_path[:, FIG3_PERIOD]
                                                      .mean()), 4), runs=runs, seed=seed))
    write_csv(out / "fig2.csv", rows2)
    write_csv(out / "fig3.csv", rows3)
    print(f"\nFig. 2: equilibrium code knowledge, {FAST}/{SLOW} mix vs uniform rate with "
          f"the same mean, p2 = 0.5; {tag}")
    print("n_fast  mean_p1  mixed   uniform  difference")
    for r in rows2:
        print(f"{r['n_fast']:<7} {r['mean_p1']:<8} {r['mixed']:.3f}   {r['uniform']:.3f}"
              f"    {r['difference']:+.3f}")
    print(f"\nFig. 3: knowledge at period {FIG3_PERIOD} vs number of fast learners; {tag}")
    print("n_fast  code    fast    slow")
    for r in rows3:
        print(f"{r['n_fast']:<7} {r['code']:.3f}   {r['fast_learners']:.3f}   "
              f"{r['slow_learners']:.3f}")
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    x = [r["mean_p1"] for r in rows2]
    ax.errorbar(x, [r["mixed"] for r in rows2], yerr=[2 * r["mixed_se"] for r in rows2],
                marker="o", capsize=2, label=f"mix of p1 = {FAST} and {SLOW}")
    ax.errorbar(x, [r["uniform"] for r in rows2], yerr=[2 * r["uniform_se"] for r in rows2],
                marker="s", capsize=2, label="uniform p1 (same mean)")
    ax.set_xlabel("mean socialisation rate p1")
    ax.set_ylabel("equilibrium code knowledge")
    ax.set_title(f"Fig. 2: heterogeneous vs homogeneous socialisation, p2 = 0.5\n{tag}",
                 fontsize=10)
    ax.legend(fontsize=8)
    save(fig, out / "fig2.png")
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    x = [r["n_fast"] for r in rows3]
    ax.plot(x, [r["code"] for r in rows3], marker="o", label="code")
    ax.plot(x, [r["fast_learners"] for r in rows3], marker="^", label=f"fast learners "
            f"(p1 = {FAST})")
    ax.plot(x, [r["slow_learners"] for r in rows3], marker="v", label=f"slow learners "
            f"(p1 = {SLOW})")
    ax.set_xlabel(f"number of fast learners (of {N})")
    ax.set_ylabel(f"knowledge at period {FIG3_PERIOD}")
    ax.set_title(f"Fig. 3: fast and slow learners, p2 = 0.5, period {FIG3_PERIOD}\n{tag}",
                 fontsize=10)
    ax.legend(fontsize=8)
    save(fig, out / "fig3.png")


def fig4(runs: int, seed: int, out: Path, tag: str) -> None:
    rows = []
    for p1 in (0.1, 0.5, 0.9):
        for p3 in FIG4_P3:
            k, se = mean_se(simulate(runs, FIG4_PERIOD, p1=p1, p2=0.5, p3=p3,
                                     seed=seed).code_knowledge)
            rows.append(dict(p1=p1, p3=p3, period=FIG4_PERIOD, knowledge=round(k, 4),
                             se=round(se, 4), runs=runs, seed=seed))
    write_csv(out / "fig4.csv", rows)
    print(f"\nFig. 4: code knowledge at period {FIG4_PERIOD} over turnover p3, p2 = 0.5; {tag}")
    print("p3     " + "".join(f"p1 = {p1:<6}" for p1 in (0.1, 0.5, 0.9)))
    for p3 in FIG4_P3:
        print(f"{p3:<7}" + "".join(f"{r['knowledge']:.3f}     " for r in rows
                                   if r["p3"] == p3))
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for p1 in (0.1, 0.5, 0.9):
        cells = [r for r in rows if r["p1"] == p1]
        ax.errorbar([r["p3"] for r in cells], [r["knowledge"] for r in cells],
                    yerr=[2 * r["se"] for r in cells], marker="o", capsize=2,
                    label=f"p1 = {p1}")
    ax.set_xlabel("turnover rate p3 (per period)")
    ax.set_ylabel(f"code knowledge at period {FIG4_PERIOD}")
    ax.set_title(f"Fig. 4: turnover and socialisation, p2 = 0.5\n{tag}", fontsize=10)
    ax.legend(fontsize=8)
    save(fig, out / "fig4.png")


def fig5(runs: int, seed: int, out: Path, tag: str) -> None:
    rows = []
    paths = {}
    for p3 in FIG5_P3:
        res = simulate(runs, FIG5_PERIODS, p1=0.5, p2=0.5, p3=p3, p4=FIG5_P4, seed=seed,
                       record=True)
        paths[p3] = res.code_path
        for t in range(FIG5_PERIODS + 1):
            k, se = mean_se(res.code_path[:, t])
            rows.append(dict(p3=p3, p4=FIG5_P4, period=t, knowledge=round(k, 4),
                             se=round(se, 4), runs=runs, seed=seed))
    write_csv(out / "fig5.csv", rows)
    print(f"\nFig. 5: code knowledge over time under turbulence p4 = {FIG5_P4}, "
          f"p1 = p2 = 0.5; {tag}")
    marks = (10, 20, 50, 100, 150, 200)
    print("p3     " + "".join(f"t={t:<6}" for t in marks))
    for p3, path in paths.items():
        print(f"{p3:<7}" + "".join(f"{path[:, t].mean():<8.3f}" for t in marks))
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for p3, path in paths.items():
        label = "no turnover (p3 = 0)" if p3 == 0 else f"turnover p3 = {p3}"
        ax.plot(np.arange(FIG5_PERIODS + 1), path.mean(axis=0), label=label)
    ax.set_xlabel("period")
    ax.set_ylabel("code knowledge")
    ax.set_title(f"Fig. 5: turbulence p4 = {FIG5_P4} with and without turnover, "
                 f"p1 = p2 = 0.5\n{tag}", fontsize=10)
    ax.legend(fontsize=8)
    save(fig, out / "fig5.png")


def interpersonal(runs: int, seed: int, out: Path, tag: str) -> None:
    rows = []
    for peer in ("random", "neighbours"):
        for p1 in (0.1, 0.5, 0.9):
            for p5 in P5_VALUES:
                res = simulate(runs, p1=p1, p2=0.5, p5=p5, peer=peer, seed=seed)
                k, se = mean_se(res.code_knowledge)
                rows.append(dict(peer=peer, p1=p1, p5=p5, knowledge=round(k, 4),
                                 se=round(se, 4),
                                 mean_periods=round(float(res.periods.mean()), 1),
                                 all_at_equilibrium=bool(res.at_equilibrium.all()),
                                 runs=runs, seed=seed))
    write_csv(out / "interpersonal.csv", rows)
    print(f"\nInterpersonal learning: equilibrium code knowledge (mean periods to it) over "
          f"p5, p2 = 0.5; {tag}")
    print("peer        p1   " + "".join(f"p5={p5:<13}" for p5 in P5_VALUES))
    for peer in ("random", "neighbours"):
        for p1 in (0.1, 0.5, 0.9):
            cells = [r for r in rows if r["peer"] == peer and r["p1"] == p1]
            print(f"{peer:<11} {p1:<4} " + "".join(
                f"{r['knowledge']:.3f} ({r['mean_periods']:>5})  " for r in cells))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    x = np.arange(len(P5_VALUES))
    for ax, peer in zip(axes, ("random", "neighbours"), strict=True):
        for p1 in (0.1, 0.5, 0.9):
            cells = [r for r in rows if r["peer"] == peer and r["p1"] == p1]
            ax.errorbar(x, [r["knowledge"] for r in cells], yerr=[2 * r["se"] for r in cells],
                        marker="o", capsize=2, label=f"p1 = {p1}")
        ax.set_xticks(x, [str(p) for p in P5_VALUES])
        ax.set_xlabel("interpersonal learning rate p5")
        ax.set_title(f"peers: {peer}", fontsize=10)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("equilibrium code knowledge")
    fig.suptitle(f"Interpersonal learning (Miller, Zhao & Calantone 2006), p2 = 0.5; {tag}",
                 fontsize=10)
    save(fig, out / "interpersonal.png")


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=80, help="replications per point (80)")
    parser.add_argument("--seed", type=int, default=1991, help="root seed (1991)")
    parser.add_argument("--out", type=Path, default=Path("results/march1991"),
                        help="output directory (results/march1991)")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    if args.seed < 0:
        parser.error("--seed must be non-negative")
    args.out.mkdir(parents=True, exist_ok=True)
    tag = f"{args.runs} runs per point, seed {args.seed}"
    manifest = dict(
        reproduces="March (1991) Figs. 1-5 and Miller, Zhao & Calantone (2006) "
                   "interpersonal learning",
        command=" ".join([Path(sys.argv[0]).name, *(argv if argv is not None
                                                    else sys.argv[1:])]),
        runs=args.runs, seed=args.seed, n=N, m=M, git_commit=git_commit(),
        figures=dict(
            fig1=dict(p1=FIG1_P1, p2=FIG1_P2, outcome="equilibrium code knowledge"),
            fig2=dict(p1_fast=FAST, p1_slow=SLOW, n_fast=N_FAST, p2=0.5,
                      outcome="equilibrium code knowledge"),
            fig3=dict(p1_fast=FAST, p1_slow=SLOW, n_fast=N_FAST, p2=0.5,
                      outcome=f"knowledge at period {FIG3_PERIOD}"),
            fig4=dict(p1=(0.1, 0.5, 0.9), p2=0.5, p3=FIG4_P3,
                      outcome=f"code knowledge at period {FIG4_PERIOD}"),
            fig5=dict(p1=0.5, p2=0.5, p3=FIG5_P3, p4=FIG5_P4, periods=FIG5_PERIODS,
                      outcome="code knowledge per period"),
            interpersonal=dict(p1=(0.1, 0.5, 0.9), p2=0.5, p5=P5_VALUES,
                               peer=("random", "neighbours"),
                               outcome="equilibrium code knowledge"),
        ),
        seconds={},
    )
    for name, fn in (("fig1", fig1), ("fig2_fig3", fig2_and_3), ("fig4", fig4),
                     ("fig5", fig5), ("interpersonal", interpersonal)):
        start = time.perf_counter()
        fn(args.runs, args.seed, args.out, tag)
        manifest["seconds"][name] = round(time.perf_counter() - start, 2)
        (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"\nwrote {args.out}/ (CSV, PNG, manifest.json) in "
          f"{sum(manifest['seconds'].values()):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
