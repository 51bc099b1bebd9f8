"""Regenerate every figure and table excerpt under docs/figures/ from the commands behind them.

They are committed, so the docs build runs no experiment:

    python docs/figures/make_figures.py                   # all of them, about 3 minutes on 2 cores
    python docs/figures/make_figures.py report effect     # some: report, effect, march

Each part runs the commands a reader would run, in a scratch directory, and copies what
the docs show into docs/figures/<part>/, with ``commands.md`` beside it: the commands, the
mentorsim version and git commit, and the date. The pages include that file, so every
figure on the site says how it was made.

* ``report``: ``mentorsim compare baseline mentoring --reps 10``; its trajectory figures
  and the headline rows of its two tables (``decision_report/``).
* ``effect``: ten replications (seeds 1-10) of ``mentoring`` with its control arm
  (``--set evaluation.control=no_programme``), each arm stepped in lockstep through the
  library so that each week the formal mentees can be compared with themselves without
  the programme (``effect/``). One replication is checked against ``mentorsim run``:
  its weekly series and its level-3 evaluation must be the same numbers.
* ``march``: ``python experiments/march1991.py --runs 2000 --seed 1991`` (the run the
  tables of docs/march.md come from); its six PNGs (``march1991/``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "docs" / "figures"

REPORT_REPS = 10
EFFECT_SEEDS = range(1, 11)
HEADLINE_ROWS = (
    "performance", "proficient_share", "skill_gap", "time_to_proficiency_weeks",
    "retention", "annual_quit_rate", "access_gap", "programme_cost",
)


# --- helpers -----------------------------------------------------------------------------
def run(command: list[str], shown: str) -> None:
    """Run a command from the repository root, echoing the form a reader would type."""
    print(f"$ {shown}", flush=True)
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def mentorsim(*args: str) -> tuple[list[str], str]:
    """The command line of a mentorsim subcommand, and how the docs show it."""
    return [sys.executable, "-m", "sim.cli", *args], "mentorsim " + shlex.join(args)


def provenance() -> str:
    """The mentorsim version, git commit and date the figures were made with."""
    import sim

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sim", "scenarios",
                                "experiments"], cwd=ROOT, check=True, capture_output=True,
                               text=True).stdout.strip()
        commit += " (with uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    today = datetime.date.today().isoformat()
    return f"mentorsim {sim.__version__}, commit {commit}, {today}"


def write_commands(part: Path, key: str, commands: list[str], note: str = "") -> None:
    """Write ``commands.md`` beside a part's figures: what made them, and with which code."""
    lines = [f"Made by `python docs/figures/make_figures.py {key}`, which runs", "",
             "```bash", *commands, "```", ""]
    if note:
        lines += [note, ""]
    lines += [f"({provenance()}.)", ""]
    (part / "commands.md").write_text("\n".join(lines), encoding="utf-8")


def fresh(name: str) -> Path:
    """An empty docs/figures/<name>/ (what was there is replaced)."""
    part = FIGURES / name
    if part.exists():
        shutil.rmtree(part)
    part.mkdir(parents=True)
    return part


# --- the decision report -----------------------------------------------------------------
def table_rows(report: str, heading: str) -> list[str]:
    """The header and the headline rows of the Markdown table under ``## heading``."""
    lines = report.split("## " + heading, 1)[1].splitlines()[1:]
    end = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    table = [line for line in lines[:end] if line.startswith("|")]
    header, rows = table[:2], table[2:]
    keep = [row for row in rows if row.split("|")[1].strip() in HEADLINE_ROWS]
    return header + keep


def make_report(scratch: Path) -> None:
    """``mentorsim compare baseline mentoring``: its figures and its tables' headline rows."""
    part = fresh("decision_report")
    out = scratch / "compare"
    command, shown = mentorsim("compare", "baseline", "mentoring", "--reps", str(REPORT_REPS),
                               "--out", str(out), "--quiet")
    run(command, shown.replace(str(out), "results/compare-baseline-mentoring"))
    report = (out / "report.md").read_text(encoding="utf-8")
    for png in sorted(out.glob("trajectory_*.png")):
        shutil.copy2(png, part / png.name)
    results = table_rows(report, "Results")
    differences = table_rows(report, "Differences against")
    advice = report.split("## Replications", 1)[1].split("##", 1)[0].strip()
    excerpt = [
        "**Means over the 10 replications, with 95% intervals** (headline rows of the "
        "report's first table):", "", *results, "",
        "**Differences against the baseline, paired by seed** (headline rows of the "
        "second table; the unpaired interval's half-width in brackets for contrast):", "",
        *differences, "", "**Replications.** " + advice, "",
    ]
    (part / "tables.md").write_text("\n".join(excerpt), encoding="utf-8")
    write_commands(part, "report", [shown.replace(str(out), "results/compare-baseline-mentoring")])


# --- the effect's time profile -----------------------------------------------------------
def lockstep(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, float, float]:
    """One replication of ``mentoring`` and its control arm, stepped together.

    Each week, the formal mentees who are the same people in both arms (in post since
    week 0; as :mod:`sim.analysis.evaluation` defines them) are compared with themselves
    without the programme, by weeks since their first formal match.

    Returns:
        The mentees' mean difference by weeks since the match (``since_match``,
        ``mentees``, ``difference``); both arms' weekly series (long, with ``design``);
        the same mentees' difference at the horizon computed here and by
        :func:`sim.analysis.evaluation.evaluate` (level 3), which must agree.

    """
    from sim.analysis.effect_profile import run_in_lockstep
    from sim.analysis.evaluation import control_scenario, evaluate
    from sim.config import load_scenario
    from sim.model import MentoringModel
    from sim.model.workforce import same_people

    scenario = load_scenario("mentoring", {"evaluation.control": "no_programme"})
    treated = MentoringModel(scenario, rng=seed)
    control = MentoringModel(control_scenario(scenario), rng=seed)
    collected = run_in_lockstep(treated, control)  # the library's like-for-like profile
    # the same people in both arms (staff in post and hires alike) ever formally mentored
    mentees = same_people(treated.workforce, control.workforce) & treated.workforce.ever_formal
    end = float((treated.job_performance()[mentees] - control.job_performance()[mentees]).mean())
    level3 = evaluate(treated, control, collected)["level3_behaviour"]["performance_difference"]
    frame = collected.frame()
    frame = frame[frame["n"] > 0]
    profile = pd.DataFrame({"since_match": frame.index.to_numpy(), "mentees": frame["n"],
                            "difference": frame["performance_difference"]})
    arms = pd.concat([treated.timeseries().reset_index().assign(design="programme"),
                      control.timeseries().reset_index().assign(design="control")])
    return profile, arms, end, level3


def check_against_cli(seed: int, arms: pd.DataFrame, level3: float, scratch: Path) -> None:
    """``mentorsim run`` with a control arm gives the lockstep replication's numbers."""
    out = scratch / f"run-{seed}"
    command, shown = mentorsim("run", "mentoring", "--set", "evaluation.control=no_programme",
                               "--seed", str(seed), "--no-plots", "--quiet")
    run(command + ["--out", str(out)], shown)
    programme = pd.read_parquet(out / "timeseries.parquet").reset_index()
    control = pd.read_parquet(out / "control_timeseries.parquet").reset_index()
    for name, frame in (("programme", programme), ("control", control)):
        mine = arms[arms["design"] == name].drop(columns="design").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[frame.columns], frame, check_dtype=False)
    evaluation = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    cli_level3 = evaluation["level3_behaviour"]["performance_difference"]
    if not np.isclose(cli_level3, level3, rtol=0, atol=1e-12):
        raise AssertionError(f"level 3: mentorsim run {cli_level3} != lockstep {level3}")


def make_effect(scratch: Path) -> None:
    """The effect's time profile: mentees and organisation against the control arm."""
    from sim.config import load_scenario
    from sim.viz import band_statistics, draw_bands, paired_differences
    from sim.viz.style import figure, house_style, save

    part = fresh("effect")
    profiles, arms, ends = [], [], []
    first, last = EFFECT_SEEDS[0], EFFECT_SEEDS[-1]
    print(f"$ (library) mentoring and its control arm in lockstep, seeds {first}-{last}",
          flush=True)
    for replication, seed in enumerate(EFFECT_SEEDS):
        profile, both, end, level3 = lockstep(seed)
        if not np.isclose(end, level3, rtol=0, atol=1e-12):
            raise AssertionError(f"seed {seed}: mentees at the horizon {end} != level 3 {level3}")
        profiles.append(profile.assign(replication=replication, design="formal mentees"))
        arms.append(both.assign(replication=replication))
        ends.append(end)
    check_against_cli(first, arms[0].drop(columns="replication"), ends[0], scratch)
    profile = pd.concat(profiles, ignore_index=True)
    arms = pd.concat(arms, ignore_index=True)
    n = len(EFFECT_SEEDS)
    # weeks since the match that every replication reaches with at least 20 mentees
    reach = profile[profile["mentees"] >= 20].groupby("replication")["since_match"].max()
    profile = profile[profile["since_match"] <= reach.min()]
    mentee_band = band_statistics(profile, "difference", "design", "since_match")
    diff = paired_differences(arms, "job_performance", "programme", "control")
    diff["design"] = "whole organisation"
    org_band = band_statistics(diff, "job_performance", "design", "week")
    duration = load_scenario("mentoring").programme.duration_weeks

    # 1. the mentees' effect by weeks since their match, the organisation's by week
    with house_style():
        fig, axes = figure(2, 1, (7.2, 6.2))
        top, bottom = axes[0, 0], axes[1, 0]
        for ax, band, x in ((top, mentee_band, "since_match"), (bottom, org_band, "week")):
            ax.axhline(0.0, color="black", linewidth=0.8)
            draw_bands(ax, band, "design", x)
            ax.legend(loc="lower right", title=f"mean, 95% interval over {n} replications")
            ax.set_ylabel("on-the-job performance,\nprogramme − control (0-1)")
        top.axvline(duration, color="grey", linestyle=":", linewidth=1.0)
        top.annotate("planned end of the pair", (duration, 0), xytext=(4, 4),
                     textcoords="offset points", fontsize=8, color="grey")
        top.set_title("Formal mentees against themselves without the programme")
        top.set_xlabel("weeks since the mentee's first formal match")
        bottom.set_title("Whole organisation: programme arm − control arm, paired by seed")
        bottom.set_xlabel("week of the run")
        fig.suptitle(f"scenario mentoring, {n} replications (seeds {first}-{last}), "
                     "fixed parameters")
        save(fig, part / "effect_by_week.png")

    # 2. both arms and their difference, in the house report figure
    from sim.viz import plot_programme_vs_control

    plot_programme_vs_control(
        arms, ["job_performance", "proficient_share"], path=part / "programme_vs_control.png",
        title=f"mentoring vs its control arm, {n} replications (same seeds in both arms)")

    # 3. the numbers behind the curves
    def cell(band: pd.DataFrame, x: str, at: int) -> str:
        row = band[band[x] == at]
        if row.empty:
            return "—"
        row = row.iloc[0]
        return f"{row['mean']:.4f} [{row['lower']:.4f}, {row['upper']:.4f}]"

    mentees = profile.groupby("since_match")["mentees"].mean()
    lines = ["| weeks | mentees, weeks since their match: programme − control [95% CI] "
             "(mentees per replication) | organisation, week of the run: programme − "
             "control [95% CI] |", "|---|---|---|"]
    for at in (13, 26, 52, 78, 104, 156):
        count = f" ({mentees[at]:.0f})" if at in mentees.index else ""
        lines.append(f"| {at} | {cell(mentee_band, 'since_match', at)}{count} | "
                     f"{cell(org_band, 'week', at)} |")
    lines += ["", "At the end of the run, the formal mentees' difference from themselves in the "
              "control arm, over everyone matched so far, is the evaluation's level-3 "
              "performance difference (`level3_behaviour.performance_difference` in "
              f"`evaluation.json`): {np.mean(ends):.4f} on average over the {n} "
              "replications (the script checks the two agree in every replication).", ""]
    (part / "table.md").write_text("\n".join(lines), encoding="utf-8")
    _, shown = mentorsim("run", "mentoring", "--set", "evaluation.control=no_programme",
                         "--seed", "$seed", "--out", "results/effect-$seed")
    write_commands(
        part, "effect",
        [f"for seed in $(seq {first} {last}); do", "  " + shown.replace("'", ""), "done"],
        note=("and, to follow the mentees week by week, steps the two arms of each "
              "replication together through the library (`MentoringModel` and "
              "`sim.analysis.evaluation.control_scenario`); for seed 1 it checks that "
              "`mentorsim run` gives the same weekly series and the same level-3 "
              "evaluation."),
    )


# --- March (1991) ------------------------------------------------------------------------
def make_march(scratch: Path) -> None:
    """The figures of ``experiments/march1991.py`` at 2000 runs per point."""
    import contextlib
    import io
    import runpy

    import matplotlib
    from cycler import cycler

    from sim.viz import style

    part = fresh("march1991")
    out = scratch / "march1991"
    args = ["experiments/march1991.py", "--runs", "2000", "--seed", "1991", "--out", str(out)]
    shown = "python " + shlex.join(args).replace(str(out), "results/march1991_2000")
    print(f"$ {shown}   (in this process, in the house style)", flush=True)
    saved = sys.argv
    sys.argv = args
    # Run as a script, but inside sim.viz's style so the figures look like the others;
    # colours only in the cycle, because the script draws March's published values dashed
    # and the measured ones solid.
    colours_only = {"axes.prop_cycle": cycler(color=list(style.COLOURS))}
    try:
        with (style.house_style(), matplotlib.rc_context(colours_only),
              contextlib.redirect_stdout(io.StringIO())):
            runpy.run_path(str(ROOT / args[0]), run_name="__main__")
    except SystemExit as stop:
        if stop.code:
            raise
    finally:
        sys.argv = saved
    for png in sorted(out.glob("*.png")):
        shutil.copy2(png, part / png.name)
    write_commands(part, "march", [shown],
                   note=("in this process, inside `sim.viz.style.house_style()` (the house style, "
                         "with a colour-only cycle); "
                         "error bars are ±2 standard errors of the mean over the runs."))


PARTS = {"report": make_report, "effect": make_effect, "march": make_march}


def main(argv: list[str] | None = None) -> int:
    """Make the parts asked for (all by default) in a scratch directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help=f"which figures to make: {', '.join(PARTS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="mentorsim-figures-") as scratch:
        for name in args.parts or PARTS:
            PARTS[name](Path(scratch))
    print(f"wrote {', '.join(sorted(p.name for p in FIGURES.iterdir() if p.is_dir()))} "
          f"under {FIGURES.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
