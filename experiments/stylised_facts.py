"""Stylised facts, split honestly: calibration targets and validation patterns.

Two tables (docs/stylised_facts.md explains both):

**A. Calibration targets.** Figures a parameter is *set* to reproduce. Each is listed with
the parameter(s) it sets and its measured value (at the base scenario's parameters, mean
over ``--reps`` seeds with a 95% interval over seeds) against its target range: "met" or
"NOT met". Meeting a target shows the calibration took, not that the model is valid.

**B. Validation patterns.** Patterns no parameter encodes. Each is checked over the
literature ranges of the uncertain parameters (:data:`UNCERTAIN`): ``--draws`` parameter
sets are drawn by Latin hypercube (seeded), each run with ``--seeds-per-draw`` seeds, and
a pattern *holds* when it holds in at least 80% of the draws (:data:`HOLD_SHARE`). Its
figures at the base parameters (``--reps`` seeds, 95% interval over seeds) are shown too.

Every run is paired with a control arm of the same scenario and seed without the formal
programme (informal mentoring on in both). "Like for like" is the same person in both arms
(same pid, in post in both), at the same weeks since their first formal match (τ); a
standardised difference is the mean difference over the SD (ddof 1) of the control arm's
values of those same people at that τ (:class:`sim.analysis.effect_profile.EffectProfile`).

Per seed (scenarios/mentoring.toml, 1,000 staff; 600 with ``--quick``):

- the *programme* lockstep, 156 weeks: the gap-targeted programme and its control, with
  five variants against the same control (non-targeted meetings; 5%, 15%, 40% of staff in
  pairs; 13- and 26-week matches);
- the *new-hire* lockstep, 260 weeks: a new-hire programme and its control, with two roles
  whose hires start at different skill (:data:`HIRE_ROLES`);
- the *decay* lockstep (calibration runs only): a one-off skill gain on the least-used
  competency for a fifth of the staff, 52 weeks on.

Usage::

    python experiments/stylised_facts.py             # 20 seeds + 10 draws x 2 seeds
    python experiments/stylised_facts.py --quick     # a fast look, 600 staff
    python experiments/stylised_facts.py --reps 40 --draws 20 --workers 4

Writes ``facts.csv`` (table A), ``patterns.csv`` (table B), ``runs.csv`` (one row per
seed and draw) and ``facts.md`` to ``--out``; ends with the two lines
``validation patterns holding: H/T`` and ``calibration targets met: H/T``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import MentoringModel, load_scenario
from sim.analysis.effect_profile import EffectProfile, at
from sim.analysis.evaluation import control_scenario
from sim.analysis.stats import Interval, mean_ci, ratio_ci
from sim.config import Scenario
from sim.model.relationships import FORMAL, INFORMAL

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "mentoring.toml"
FIRST_SEED = 1000
DRAW_SEED_OFFSET = 100_000  # seeds of the draws start here after --first-seed
HOLD_SHARE = 0.8  # a pattern holds over the ranges when it holds in this share of draws


# --- the tables to adjust ------------------------------------------------------------------


@dataclass(frozen=True)
class Uncertain:
    """An uncertain parameter and its literature range.

    Attributes:
        key: Dotted scenario key.
        low: Lower end of the range (a multiple of the base value if ``relative``).
        high: Upper end.
        source: Where the range comes from.
        relative: The range is in multiples of the base scenario's value.

    """

    key: str
    low: float
    high: float
    source: str
    relative: bool = False


#: The uncertain parameters the validation patterns are checked over (Latin hypercube).
UNCERTAIN: tuple[Uncertain, ...] = (
    Uncertain("learning.mentoring_rate_per_hour", 0.5, 2.0,
              "x0.5-x2 of the value derived from the 12-month d ~ 0.2 [S]", relative=True),
    Uncertain("learning.skill_half_life_months", 6.5, 13.0,
              "Arthur et al. 1998; Tatel & Ackerman 2025 [V]"),
    Uncertain("programme.early_ending_share_6_months", 0.1, 0.45, "documented; size [S]"),
    Uncertain("workforce.annual_turnover", 0.05, 0.30,
              "US quit rates 19-31% [V]; professional staff lower [S]"),
    Uncertain("attitudes.mentee_effect_sd", 0.2, 0.6, "Allen et al. 2004 [A]"),
    Uncertain("attitudes.quit_hazard_ratio_per_sd", 0.4, 0.9, "[S]"),
    Uncertain("relationships.similarity_effect", 0.1, 0.5, "Eby et al. 2013 [V]"),
    Uncertain("relationships.quality_sd", 0.1, 0.25, "[S]"),
    Uncertain("relationships.marginal_quality", 0.2, 0.4,
              "Ragins, Cotton & Miller 2000 [V]; size [S]"),
    Uncertain("informal.homophily", 0.2, 0.8, "Thomas 1990 [V]; size [S]"),
)

#: Variants run beside the base programme in the programme lockstep, against its control.
PROGRAMME_ARMS: dict[str, dict[str, Any]] = {
    "base": {},
    "nonspecific": {"programme.targeted": False},
    "share_05": {"programme.max_mentee_share": 0.05},
    "share_15": {"programme.max_mentee_share": 0.15},
    "share_40": {"programme.max_mentee_share": 0.40},
    "weeks_13": {"programme.duration_weeks": 13},
    "weeks_26": {"programme.duration_weeks": 26},
}
SHARE_ARMS = {"share_05": 0.05, "share_15": 0.15, "share_40": 0.40}

#: Two roles for V4: hires of the first start closer to the job than the second's.
HIRE_ROLES = (
    {"name": "short_ramp", "share": 0.5, "hire_skill_mean": 0.45},
    {"name": "long_ramp", "share": 0.5, "hire_skill_mean": 0.30},
)
HIRES_OVERRIDES: dict[str, Any] = {
    "horizon_weeks": 260, "programme.eligibility": "new_hires", "programme.start_week": 0,
    "workforce.roles": list(HIRE_ROLES),
}

PAIR_AGE = 26  # weeks: pairs are compared at this age (V1, V6)
SIX_MONTHS, TWELVE_MONTHS = 26, 52  # τ of the headline like-for-like figures
AFTER_ENDING_WEEKS = 8  # V5: early-ended mentees compared this many weeks after the ending
OBSERVED_PP = 16.0  # new teachers: 80% vs 64% still teaching at 5 years (research notes)
DECAY_START, DECAY_WEEKS, DECAY_BOOST, DECAY_SHARE = 26, 52, 0.1, 0.2

# --- scenarios and draws -------------------------------------------------------------------


def scenario(headcount: int, params: Mapping[str, float] | None = None,
             **overrides: Any) -> Scenario:
    """The base scenario (mentoring.toml) with a parameter set and dotted overrides.

    Args:
        headcount: Staff.
        params: Values of uncertain parameters (dotted keys), e.g. one Latin-hypercube draw.
        **overrides: Further dotted overrides (an arm's design).

    Returns:
        The validated scenario.

    """
    values = {"organisation.headcount": headcount, **(params or {}), **overrides}
    return load_scenario(BASE, values)


def base_value(key: str) -> float:
    """A parameter's value in the base scenario (for ranges relative to it)."""
    node: Any = load_scenario(BASE)
    for part in key.split("."):
        node = getattr(node, part)
    return float(node)


def parameter_ranges(table: Sequence[Uncertain] = UNCERTAIN) -> dict[str, tuple[float, float]]:
    """Absolute (low, high) of each uncertain parameter."""
    ranges = {}
    for p in table:
        scale = base_value(p.key) if p.relative else 1.0
        ranges[p.key] = (p.low * scale, p.high * scale)
    return ranges


def lhs_draws(n: int, seed: int,
              ranges: Mapping[str, tuple[float, float]]) -> list[dict[str, float]]:
    """``n`` parameter sets by Latin hypercube over ``ranges`` (reproducible by seed).

    Args:
        n: Number of draws.
        seed: Seed of :class:`scipy.stats.qmc.LatinHypercube`.
        ranges: Dotted key -> (low, high).

    Returns:
        One dict of key -> value per draw.

    """
    from scipy.stats import qmc

    if n <= 0:
        return []
    keys = list(ranges)
    unit = qmc.LatinHypercube(d=len(keys), rng=np.random.default_rng(seed)).random(n)
    lows = np.array([ranges[k][0] for k in keys])
    highs = np.array([ranges[k][1] for k in keys])
    values = qmc.scale(unit, lows, highs)
    return [{k: float(row[i]) for i, k in enumerate(keys)} for row in values]


# --- running arms in lockstep -------------------------------------------------------------


def same_person(a: MentoringModel, b: MentoringModel) -> np.ndarray:
    """Slots held by the same person in both arms: the same pid, in post in both."""
    wa, wb = a.workforce, b.workforce
    return (wa.pid == wb.pid) & wa.active & wb.active


def lockstep(models: Sequence[MentoringModel],
             before: Callable[[int], None] | None = None,
             after: Callable[[int], None] | None = None) -> None:
    """Step several models together to their horizon, calling hooks around each week."""
    while models[0].running:
        week = models[0].steps
        if before:
            before(week)
        for model in models:
            model.step()
        if after:
            after(week)


def weighted_skill(model: MentoringModel, slots: np.ndarray) -> np.ndarray:
    """Strategy-weighted skill of ``slots``."""
    return model.workforce.skills[slots] @ model.environment.weights


class QuitCounter:
    """Quits of people while in a formal pair, and of the same people in the control arm."""

    def __init__(self, treated: MentoringModel, control: MentoringModel) -> None:
        self.treated, self.control = treated, control
        self.at_risk = np.zeros(treated.workforce.size, dtype=bool)
        self.quits_treated = 0
        self.quits_control = 0

    def before(self, week: int) -> None:
        """Record who is at risk this week: in a formal pair, the same person in both arms."""
        self.at_risk = same_person(self.treated, self.control) & (
            self.treated.workforce.pair_kind == FORMAL)

    def after(self, week: int) -> None:
        """Count this week's quits among those at risk, in each arm."""
        self.quits_treated += int(self.at_risk[self.treated.last_flows.quits].sum())
        self.quits_control += int(self.at_risk[self.control.last_flows.quits].sum())


@dataclass
class PairTracker:
    """Formal pairs' endings and pairs at age 26 weeks, in the treated arm.

    Records every formal pair that ends early or completes (its quality while in the pair,
    its age), the commitment of early-ended mentees against themselves in the control arm
    :data:`AFTER_ENDING_WEEKS` later, and every pair (formal or informal) that reaches
    :data:`PAIR_AGE` weeks: its kind, quality, commitment and (same person) its mentee's
    commitment and skill differences from the control arm.
    """

    treated: MentoringModel
    control: MentoringModel
    horizon: int
    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pid: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    duration: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    quality: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ended: dict[str, list[float]] = field(
        default_factory=lambda: {"early": [], "completed": []})
    started_6m: int = 0
    early_6m: int = 0
    due: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)
    after_early: list[float] = field(default_factory=list)
    at_age: list[tuple[int, float, float, float, float]] = field(default_factory=list)

    def before(self, week: int) -> None:
        """Snapshot the formal pairs before the week."""
        wf = self.treated.workforce
        self.slots = np.flatnonzero(wf.pair_kind == FORMAL)
        self.pid = wf.pid[self.slots].copy()
        self.age = wf.pair_age_weeks[self.slots].astype(np.int64)
        self.duration = wf.pair_duration_weeks[self.slots].astype(np.int64)
        self.quality = wf.quality[self.slots].copy()

    def after(self, week: int) -> None:
        """Classify this week's endings; record follow-ups and pairs reaching age 26."""
        t, c = self.treated, self.control
        wf = t.workforce
        s = self.slots
        formal_now = wf.pair_kind[s] == FORMAL
        kept = wf.pid[s] == self.pid  # a mentee who left ended by departure
        going = kept & formal_now & (wf.pair_age_weeks[s] == self.age + 1)
        ended = kept & ~going
        completed = ended & (self.age + 1 >= self.duration)
        restarted = formal_now & (wf.pair_age_weeks[s] == 0)  # ended and rematched at once
        early = ended & ~completed & (wf.early_ended[s] | restarted)
        self.ended["early"].extend(self.quality[early].tolist())
        self.ended["completed"].extend(self.quality[completed].tolist())
        start = week - (self.age + 1)
        window = start <= self.horizon - 1 - SIX_MONTHS
        self.early_6m += int((early & window & (self.age + 1 <= SIX_MONTHS)).sum())
        new = np.flatnonzero((wf.pair_kind == FORMAL) & (wf.pair_age_weeks == 0))
        if week <= self.horizon - 1 - SIX_MONTHS:
            self.started_6m += int(new.shape[0])
        if early.any():
            self.due.append((week + AFTER_ENDING_WEEKS, s[early], self.pid[early]))
        while self.due and self.due[0][0] == week:
            _, slots, pids = self.due.pop(0)
            still = same_person(t, c)[slots] & (wf.pid[slots] == pids)
            slots = slots[still]
            diff = wf.commitment[slots] - c.workforce.commitment[slots]
            self.after_early.extend(diff.tolist())
        aged = np.flatnonzero((wf.mentor >= 0) & (wf.pair_age_weeks == PAIR_AGE))
        if aged.shape[0]:
            same = same_person(t, c)[aged]
            commit_diff = np.where(same, wf.commitment[aged] - c.workforce.commitment[aged],
                                   np.nan)
            skill_diff = np.where(same, weighted_skill(t, aged) - weighted_skill(c, aged),
                                  np.nan)
            self.at_age.extend(zip(wf.pair_kind[aged].tolist(), wf.quality[aged].tolist(),
                                   wf.commitment[aged].tolist(), commit_diff.tolist(),
                                   skill_diff.tolist(), strict=True))


class ControlTracker:
    """In the control arm: the ramp-up of hires who reach proficiency without ever having
    had a mentor."""

    def __init__(self, control: MentoringModel) -> None:
        self.control = control
        self.ramp_weeks: list[int] = []

    def after(self, week: int) -> None:
        """Record this week's new proficiency."""
        wf = self.control.workforce
        newly = np.flatnonzero(wf.active & (wf.proficient_week == week) & (wf.hire_week >= 0)
                               & ~wf.ever_mentored)
        self.ramp_weeks.extend((week - wf.hire_week[newly]).tolist())


# --- the measurements of one seed ---------------------------------------------------------


def _tercile_means(frame: pd.DataFrame, prefix: str) -> dict[str, float]:
    """Mean commitment and skill differences of formal pairs by quality tercile."""
    out: dict[str, float] = {}
    frame = frame.dropna(subset=["commit_diff"])
    if frame.shape[0] < 6:
        return {f"{prefix}_{m}_t{i}": math.nan for m in ("comm", "skill") for i in (1, 2, 3)}
    cuts = frame.quality.quantile([1 / 3, 2 / 3]).to_numpy()
    tercile = np.digitize(frame.quality.to_numpy(), cuts, right=True) + 1
    for i in (1, 2, 3):
        part = frame[tercile == i]
        out[f"{prefix}_comm_t{i}"] = float(part.commit_diff.mean())
        out[f"{prefix}_skill_t{i}"] = float(part.skill_diff.mean())
    return out


def measure_programme(seed: int, headcount: int,
                      params: Mapping[str, float] | None = None) -> dict[str, float]:
    """The programme lockstep: the base programme, five variants and one control arm.

    Args:
        seed: Seed of every arm (common random numbers).
        headcount: Staff.
        params: Uncertain parameters' values (None: the base scenario's).

    Returns:
        The seed's figures (flat dict).

    """
    scenarios = {name: scenario(headcount, params, **arm)
                 for name, arm in PROGRAMME_ARMS.items()}
    arms = {name: MentoringModel(sc, rng=seed) for name, sc in scenarios.items()}
    control = MentoringModel(control_scenario(scenarios["base"]), rng=seed)
    base = arms["base"]
    horizon = base.horizon_weeks
    profiles = {name: EffectProfile.for_model(model) for name, model in arms.items()}
    quits = QuitCounter(base, control)
    pairs = PairTracker(base, control, horizon)
    in_control = ControlTracker(control)
    fill = {name: [] for name in SHARE_ARMS}

    def before(week: int) -> None:
        quits.before(week)
        pairs.before(week)

    def after(week: int) -> None:
        for name, model in arms.items():
            profiles[name].observe(model, control)
        quits.after(week)
        pairs.after(week)
        in_control.after(week)
        if week >= TWELVE_MONTHS:
            for name, share in SHARE_ARMS.items():
                wf = arms[name].workforce
                fill[name].append(np.count_nonzero(wf.pair_kind == FORMAL)
                                  / (share * wf.n_active))

    lockstep([*arms.values(), control], before, after)
    frames = {name: profile.frame() for name, profile in profiles.items()}
    out: dict[str, float] = {}
    b = frames["base"]
    out["perf_d_12m"] = at(b, TWELVE_MONTHS, "performance_d")
    out["perf_diff_12m"] = at(b, TWELVE_MONTHS, "performance_difference")
    for label, tau in (("6m", SIX_MONTHS), ("12m", TWELVE_MONTHS)):
        out[f"comm_d_{label}"] = at(b, tau, "commitment_d")
    out["quits_in_pair"] = quits.quits_treated
    out["quits_same_control"] = quits.quits_control
    out["early_6m"] = pairs.early_6m
    out["started_6m"] = pairs.started_6m
    frame = control.timeseries()
    years = control.steps / 52.0
    out["quit_rate"] = float(frame["quits"].sum() / frame["headcount"].mean() / years)
    cw = control.workforce
    under = cw.underrepresented[cw.group]
    out["access_gap"] = float(cw.ever_mentored[cw.active & ~under].mean()
                              - cw.ever_mentored[cw.active & under].mean())
    # like for like (the same weeks' rates): sim.model.informal.InformalMentoring.access
    access = control.informal.access()
    groups = cw.underrepresented
    out["access_ratio"] = float(np.nanmean(access["access_ratio"][groups]))
    out["sponsorship_ratio"] = float(np.nanmean(access["sponsorship_ratio"][groups]))
    ramp = in_control.ramp_weeks
    out["ramp_weeks"] = float(np.median(ramp)) if ramp else math.nan

    # validation: V1, V6 (pairs at age 26), V5 (endings), V2, V3, V7 (skill gain at 12 months)
    aged = pd.DataFrame(pairs.at_age, columns=["kind", "quality", "commitment", "commit_diff",
                                               "skill_diff"])
    formal = aged[aged.kind == FORMAL]
    informal = aged[aged.kind == INFORMAL]
    out.update(_tercile_means(formal, "v1"))
    top = formal[formal.quality >= formal.quality.quantile(2 / 3)] if len(formal) else formal
    out["v6_informal"] = float(informal.commitment.mean()) if len(informal) else math.nan
    out["v6_formal"] = float(formal.commitment.mean()) if len(formal) else math.nan
    out["v6_formal_top"] = float(top.commitment.mean()) if len(top) else math.nan
    out["v6_informal_minus_formal"] = out["v6_informal"] - out["v6_formal"]
    out["v6_informal_minus_top"] = out["v6_informal"] - out["v6_formal_top"]
    for kind in ("early", "completed"):
        qualities = pairs.ended[kind]
        out[f"v5_quality_{kind}"] = float(np.mean(qualities)) if qualities else math.nan
        out[f"v5_n_{kind}"] = float(len(qualities))
    after_early = pairs.after_early
    out["v5_commitment_after_early"] = (float(np.mean(after_early)) if after_early
                                        else math.nan)
    for name, frame_ in frames.items():
        out[f"gain_{name}"] = at(frame_, TWELVE_MONTHS, "skill_difference")
    for name in SHARE_ARMS:
        out[f"fill_{name}"] = float(np.mean(fill[name])) if fill[name] else math.nan
    return out


def measure_hires(seed: int, headcount: int,
                  params: Mapping[str, float] | None = None) -> dict[str, float]:
    """The new-hire lockstep (V4, V8): a new-hire programme over five years, two roles."""
    sc = scenario(headcount, params, **HIRES_OVERRIDES)
    treated = MentoringModel(sc, rng=seed)
    control = MentoringModel(control_scenario(sc), rng=seed)
    first_year: dict[str, list[np.ndarray]] = {"t": [], "c": []}

    def after(week: int) -> None:
        if week < 52:
            for key, model in (("t", treated), ("c", control)):
                first_year[key].append(model.workforce.pid[model.last_flows.hires].copy())

    lockstep([treated, control], after=after)
    out: dict[str, float] = {}
    for key, model in (("t", treated), ("c", control)):
        hired = np.concatenate(first_year[key])
        still = np.isin(hired, model.workforce.pid[model.workforce.active])
        out[f"v8_retained_{key}"] = float(still.mean()) if hired.shape[0] else math.nan
        weeks = np.asarray(model.proficiency_weeks, dtype=float)
        roles = np.asarray(model.proficiency_roles, dtype=int)
        for i, role in enumerate(HIRE_ROLES):
            mine = weeks[roles == i]
            out[f"v4_median_{role['name']}_{key}"] = (float(np.median(mine)) if mine.shape[0]
                                                      else math.nan)
    out["v8_retention_pp"] = 100 * (out["v8_retained_t"] - out["v8_retained_c"])
    for role in HIRE_ROLES:
        name = role["name"]
        out[f"v4_shortening_{name}"] = (out[f"v4_median_{name}_c"]
                                        - out[f"v4_median_{name}_t"])
    return out


def measure_decay(seed: int, headcount: int,
                  params: Mapping[str, float] | None = None) -> dict[str, float]:
    """Calibration target 4: the share of a one-off gain on the least-used competency left
    52 weeks later (a fifth of the staff get +0.1 at week 26; the control arm does not)."""
    sc = scenario(headcount, params, **{"programme.enabled": False,
                                        "horizon_weeks": DECAY_START + DECAY_WEEKS})
    boosted = MentoringModel(sc, rng=seed)
    control = MentoringModel(sc, rng=seed)
    picker = np.random.default_rng(seed)
    state: dict[str, Any] = {}

    def before(week: int) -> None:
        if week != DECAY_START:
            return
        same = np.flatnonzero(same_person(boosted, control))
        cohort = picker.choice(same, size=max(1, int(DECAY_SHARE * same.shape[0])),
                               replace=False)
        k = int(np.argmin(boosted.environment.usage))
        skills = boosted.workforce.skills
        start = skills[cohort, k].copy()
        skills[cohort, k] = np.minimum(start + DECAY_BOOST, 1.0)
        state.update(cohort=cohort, k=k, pid=boosted.workforce.pid[cohort].copy(),
                     added=skills[cohort, k] - start)

    lockstep([boosted, control], before=before)
    cohort, k = state["cohort"], state["k"]
    still = same_person(boosted, control)[cohort] & (boosted.workforce.pid[cohort]
                                                     == state["pid"])
    left = boosted.workforce.skills[cohort, k] - control.workforce.skills[cohort, k]
    added = state["added"][still].sum()
    return {"decay_share_left": float(left[still].sum() / added) if added else math.nan}


@dataclass(frozen=True)
class Task:
    """One seed's runs: at the base parameters (``draw = -1``) or at one draw."""

    seed: int
    headcount: int
    draw: int = -1
    params: tuple[tuple[str, float], ...] = ()
    calibration: bool = True

    @property
    def runs(self) -> int:
        """Model runs the task makes (arms of every lockstep)."""
        return len(PROGRAMME_ARMS) + 1 + 2 + (2 if self.calibration else 0)


def replicate(task: Task) -> dict[str, float]:
    """All measurements of one task (one seed at one parameter set)."""
    params = dict(task.params)
    row: dict[str, float] = {"draw": float(task.draw), "seed": float(task.seed), **params}
    row.update(measure_programme(task.seed, task.headcount, params))
    row.update(measure_hires(task.seed, task.headcount, params))
    if task.calibration:
        row.update(measure_decay(task.seed, task.headcount, params))
    return row


# --- figures, targets, patterns, verdicts ------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A measured figure: the mean of a per-seed column, or a ratio of pooled columns."""

    key: str
    label: str
    column: str | None = None
    ratio: tuple[str, str] | None = None

    def value(self, runs: pd.DataFrame) -> float:
        """The figure over some seeds (mean, or ratio of sums), NaN if not measurable."""
        if self.ratio is not None:
            num, den = (runs[c].to_numpy(dtype=float) for c in self.ratio)
            keep = np.isfinite(num) & np.isfinite(den)
            total = den[keep].sum()
            return float(num[keep].sum() / total) if total else math.nan
        values = runs[self.column].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        return float(values.mean()) if values.shape[0] else math.nan

    def interval(self, runs: pd.DataFrame) -> Interval:
        """The figure with its 95% interval over seeds (t, or BCa bootstrap for ratios)."""
        if self.ratio is not None:
            num, den = (runs[c].to_numpy(dtype=float) for c in self.ratio)
            return ratio_ci(num, den)
        return mean_ci(runs[self.column].to_numpy(dtype=float))


@dataclass(frozen=True)
class Check:
    """One check of a calibration target: a figure within (low, high)."""

    figure: Figure
    low: float
    high: float
    expected: str


@dataclass(frozen=True)
class Target:
    """A calibration target: what it sets, and its checks (met when all are met)."""

    id: str
    name: str
    sets: tuple[str, ...]
    checks: tuple[Check, ...]
    note: str = ""


INF = math.inf

#: Table A. The ranges are the literature's; adjust them here.
TARGETS: tuple[Target, ...] = (
    Target("1", "12-month performance d of formal mentees (like for like)",
           ("learning.mentoring_rate_per_hour",),
           (Check(Figure("perf_d", "performance d at τ = 52 wk", "perf_d_12m"), 0.1, 0.35,
                  "0.1-0.35 (d ~ 0.2)"),)),
    Target("2", "commitment d of mentees at 6 and 12 months into the pair",
           ("attitudes.mentee_effect_sd",),
           (Check(Figure("comm_6m", "commitment d at τ = 26 wk", "comm_d_6m"), 0.2, 0.6,
                  "~0.35 (0.2-0.6)"),
            Check(Figure("comm_12m", "commitment d at τ = 52 wk", "comm_d_12m"), 0.2, 0.6,
                  "~0.35 (0.2-0.6)")),
           note="commitment is in SD units already, so its d is the difference"),
    Target("3", "time to proficiency without a mentor (median weeks, new hires)",
           ("learning.novice_boost", "learning.novice_weeks"),
           (Check(Figure("ramp", "median weeks, hires never mentored", "ramp_weeks"), 8, 26,
                  "8-26 (~20)"),)),
    Target("4", "share of a one-off gain on the least-used competency left a year later",
           ("learning.skill_half_life_months",),
           (Check(Figure("decay", "share left after 52 weeks", "decay_share_left"),
                  0.35, 0.65, "~0.5 (0.35-0.65)"),)),
    Target("5", "formal pairs ending early within 6 months",
           ("programme.early_ending_share_6_months",),
           (Check(Figure("early", "share of formal pairs", ratio=("early_6m", "started_6m")),
                  0.1, 0.45, "~0.25 (0.1-0.45)"),)),
    Target("6", "annual quit rate (control arm)",
           ("workforce.annual_turnover", "workforce.first_year_quit_multiplier"),
           (Check(Figure("quit_rate", "quits / mean headcount / year", "quit_rate"),
                  0.09, 0.15, "~0.12 (0.09-0.15)"),)),
    Target("7", "informal access and sponsorship of the underrepresented (control arm)",
           ("workforce.groups.past_hire_share", "informal.homophily",
            "informal.mentor_homophily"),
           (Check(Figure("access_ratio", "ties per request, under / majority, same weeks",
                         "access_ratio"), 0.0, 1.0, "< 1"),
            Check(Figure("sponsorship_ratio", "sponsorship chance per request, under / "
                         "majority, same weeks", "sponsorship_ratio"),
                  0.0, 1.0, "< 1 (~0.25, CTI 2019)")),
           note="no parameter sets it any more: it follows from the senior pool (hiring "
                "history) and homophily on both sides, whose sizes are assumed [S]; the "
                "direction is the test, the size is far from CTI's"),
    Target("8", "mentored quit hazard ratio while in a formal pair (vs same people)",
           ("attitudes.quit_hazard_ratio_per_sd",),
           (Check(Figure("hazard", "quits in pair / same people's quits, control",
                         ratio=("quits_in_pair", "quits_same_control")),
                  0.5, 0.95, "0.5-0.95 (0.5: observed)"),),
           note="0.5 is the observational bound (new teachers), inflated by self-selection"),
)


def _finite(values: Mapping[str, float]) -> bool:
    return all(math.isfinite(v) for v in values.values())


@dataclass(frozen=True)
class Pattern:
    """A validation pattern: its figures and the rule that says it holds.

    ``rule`` takes the figures' values by key; a pattern with a non-finite figure does not
    hold.
    """

    id: str
    statement: str
    figures: tuple[Figure, ...]
    rule: Callable[[Mapping[str, float]], bool]
    comparison: str = ""

    def holds(self, values: Mapping[str, float]) -> bool:
        """Whether the pattern holds for these figure values."""
        return _finite(values) and bool(self.rule(values))


def _terciles(measure: str, what: str) -> tuple[Figure, ...]:
    names = {1: "bottom", 2: "middle", 3: "top"}
    return tuple(Figure(f"{measure}_t{i}", f"{what}, {names[i]} quality tercile",
                        f"v1_{measure}_t{i}") for i in (1, 2, 3))


def _v1(f: Mapping[str, float]) -> bool:
    rising = f["comm_t1"] < f["comm_t2"] < f["comm_t3"] and (
        f["skill_t1"] < f["skill_t2"] < f["skill_t3"])
    return rising and f["comm_t3"] > 0 and f["comm_t1"] < f["comm_t3"] / 3


#: Table B. Each rule reads its pattern's figures by key.
PATTERNS: tuple[Pattern, ...] = (
    Pattern("V1", "quality-outcome dose curve; marginal pairs near zero",
            _terciles("comm", "commitment diff at pair age 26")
            + _terciles("skill", "skill diff at pair age 26"),
            _v1, "rising bottom -> top; bottom < top / 3 on commitment"),
    Pattern("V2", "targeted mentoring beats non-specific",
            (Figure("targeted", "skill gain at τ = 52, targeted", "gain_base"),
             Figure("nonspecific", "skill gain at τ = 52, non-specific", "gain_nonspecific"),
             Figure("ratio", "ratio targeted / non-specific",
                    ratio=("gain_base", "gain_nonspecific"))),
            lambda f: f["targeted"] > 0 and f["targeted"] > f["nonspecific"],
            "ratio > 1; Christensen et al. 2020 ~2 (a comparison, not a pass mark)"),
    Pattern("V3", "diminishing returns to programme size",
            tuple(Figure(f"gain_{n}", f"skill gain at τ = 52, {s:.0%} of staff", f"gain_{n}")
                  for n, s in SHARE_ARMS.items())
            + tuple(Figure(f"fill_{n}", f"formal pairs / budget, {s:.0%} of staff",
                           f"fill_{n}") for n, s in SHARE_ARMS.items()),
            lambda f: f["gain_share_05"] > f["gain_share_15"] > f["gain_share_40"],
            "gain falls 5% -> 15% -> 40%"),
    Pattern("V4", "a new-hire programme helps more where the ramp-up is longer",
            (Figure("short", "weeks saved, hires at skill 0.45", "v4_shortening_short_ramp"),
             Figure("long", "weeks saved, hires at skill 0.30", "v4_shortening_long_ramp"),
             Figure("short_c", "median weeks, control, skill 0.45",
                    "v4_median_short_ramp_c"),
             Figure("long_c", "median weeks, control, skill 0.30", "v4_median_long_ramp_c")),
            lambda f: f["long"] > 0 and f["long"] > f["short"],
            "more weeks saved for the longer ramp"),
    Pattern("V5", "early-ending harm emerges from low quality",
            (Figure("q_early", "quality of pairs ended early", "v5_quality_early"),
             Figure("q_done", "quality of completed pairs", "v5_quality_completed"),
             Figure("after", f"early-ended mentees' commitment vs same people, "
                             f"{AFTER_ENDING_WEEKS} wk on", "v5_commitment_after_early")),
            lambda f: f["q_early"] < f["q_done"] and f["after"] < 0,
            "early < completed quality; commitment below control"),
    Pattern("V6", "informal beats formal on average; top-tercile formal as good",
            (Figure("inf_formal", "commitment at pair age 26: informal - formal",
                    "v6_informal_minus_formal"),
             Figure("inf_top", "informal - top-tercile formal", "v6_informal_minus_top"),
             Figure("informal", "commitment, informal pairs", "v6_informal"),
             Figure("formal", "commitment, formal pairs", "v6_formal")),
            # "highly satisfying formal relationships were as effective as informal ones"
            # (Ragins, Cotton & Miller 2000): not worse, so one-sided
            lambda f: f["inf_formal"] > 0 and f["inf_top"] < 0.1,
            "informal - formal > 0; informal - top < 0.1 SD (top not worse)"),
    Pattern("V7", "longer matches do better",
            tuple(Figure(f"gain_{w}", f"skill gain at τ = 52, {w}-week matches", col)
                  for w, col in ((13, "gain_weeks_13"), (26, "gain_weeks_26"),
                                 (52, "gain_base"))),
            lambda f: f["gain_52"] > f["gain_26"] > f["gain_13"], "52 > 26 > 13 weeks"),
    Pattern("V8", "mentored new hires retained better at 5 years, within the bound",
            (Figure("pp", "first-year hires in post at 5 yrs, pp difference",
                    "v8_retention_pp"),),
            lambda f: 0 < f["pp"] < OBSERVED_PP,
            f"0 < difference < +{OBSERVED_PP:.0f} pp (observational upper bound)"),
)


def draw_share(flags: Sequence[bool]) -> float:
    """Share of draws in which a pattern held (NaN with no draws)."""
    return float(np.mean(flags)) if len(flags) else math.nan


def holds_over_ranges(share: float, threshold: float = HOLD_SHARE) -> bool:
    """A pattern holds over the ranges when it holds in at least ``threshold`` of draws."""
    return math.isfinite(share) and share >= threshold - 1e-12


def pattern_values(pattern: Pattern, runs: pd.DataFrame) -> dict[str, float]:
    """The pattern's figures over the seeds in ``runs``."""
    return {fig.key: fig.value(runs) for fig in pattern.figures}


def draw_verdicts(runs: pd.DataFrame) -> pd.DataFrame:
    """Whether each pattern holds in each draw (its seeds pooled); rows: draws."""
    draws = runs[runs["draw"] >= 0]
    rows = []
    for draw, seeds in draws.groupby("draw"):
        row: dict[str, Any] = {"draw": int(draw)}
        for pattern in PATTERNS:
            row[pattern.id] = pattern.holds(pattern_values(pattern, seeds))
        rows.append(row)
    return pd.DataFrame(rows, columns=["draw", *(p.id for p in PATTERNS)])


def target_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Table A: one row per check, at the base parameters, with its target's verdict."""
    base = runs[runs["draw"] < 0]
    rows = []
    for target in TARGETS:
        met = []
        for check in target.checks:
            ci = check.figure.interval(base)
            ok = bool(math.isfinite(ci.estimate) and check.low < ci.estimate < check.high)
            met.append(ok)
            rows.append({"target": target.id, "name": target.name, "check": check.figure.label,
                         "sets": ", ".join(target.sets), "mean": ci.estimate,
                         "ci_low": ci.low, "ci_high": ci.high, "expected": check.expected,
                         "check_met": ok, "note": target.note})
        for row in rows[-len(target.checks):]:
            row["verdict"] = "met" if all(met) else "NOT met"
    return pd.DataFrame(rows)


def pattern_table(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table B: the figures at the base parameters, and one row per pattern."""
    base = runs[runs["draw"] < 0]
    verdicts = draw_verdicts(runs)
    figure_rows, pattern_rows = [], []
    for pattern in PATTERNS:
        intervals = {fig.key: fig.interval(base) for fig in pattern.figures}
        for fig in pattern.figures:
            ci = intervals[fig.key]
            figure_rows.append({"pattern": pattern.id, "figure": fig.label,
                                "mean": ci.estimate, "ci_low": ci.low, "ci_high": ci.high})
        at_base = pattern.holds({k: ci.estimate for k, ci in intervals.items()})
        flags = verdicts[pattern.id].tolist() if len(verdicts) else []
        share = draw_share(flags)
        pattern_rows.append({
            "pattern": pattern.id, "statement": pattern.statement,
            "rule": pattern.comparison, "holds_at_base": at_base,
            "draws_holding": int(sum(flags)), "draws": len(flags), "share": share,
            "verdict": "holding" if holds_over_ranges(share) else "not holding",
        })
    return pd.DataFrame(figure_rows), pd.DataFrame(pattern_rows)


# --- output ----------------------------------------------------------------------------


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "nan"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def _cell(mean: float, low: float, high: float) -> str:
    return f"{_fmt(mean)} [{_fmt(low)}, {_fmt(high)}]"


def summary_lines(targets: pd.DataFrame, patterns: pd.DataFrame) -> list[str]:
    """The two closing lines: patterns holding and targets met."""
    per_target = targets.groupby("target", sort=False)["verdict"].first()
    held = int((patterns["verdict"] == "holding").sum())
    met = int((per_target == "met").sum())
    return [f"validation patterns holding: {held}/{len(patterns)}",
            f"calibration targets met: {met}/{len(per_target)}"]


def render(targets: pd.DataFrame, figures: pd.DataFrame, patterns: pd.DataFrame,
           draws: Sequence[Mapping[str, float]], verdicts: pd.DataFrame,
           info: Mapping[str, Any]) -> tuple[str, str]:
    """The plain-text report for the terminal and the markdown report."""
    text = ["A. Calibration targets (base parameters; mean [95% CI over seeds])", ""]
    md = ["# Stylised facts: calibration targets and validation patterns", "",
          f"Command: `{info['command']}`", "",
          f"{info['runs']} model runs ({info['tasks']} seeds x parameter sets), "
          f"{info['headcount']} staff, base scenario scenarios/mentoring.toml, "
          f"{info['seconds']:.0f} s. Base parameters: seeds {info['seeds']}; "
          f"{len(draws)} Latin-hypercube draws x {info['seeds_per_draw']} seeds "
          f"(LHS seed {info['lhs_seed']}).", "",
          "## A. Calibration targets", "",
          "A target is met when the mean over seeds of each of its checks lies inside its "
          "range. Meeting one shows the parameter it sets is calibrated, not that the model "
          "is valid.", "",
          "| target | sets | check | measured [95% CI] | target range | check |",
          "|---|---|---|---|---|---|"]
    for target_id, rows in targets.groupby("target", sort=False):
        first = rows.iloc[0]
        note = f"; {first.note}" if first.note else ""
        text.append(f"{target_id}. {first['name']}: {first.verdict}")
        text.append(f"   sets {first.sets}{note}")
        for i, row in enumerate(rows.itertuples()):
            cell = _cell(row.mean, row.ci_low, row.ci_high)
            mark = "met" if row.check_met else "NOT met"
            text.append(f"     {row.check:<48}{cell:<30}{row.expected:<30}{mark}")
            head = ((f"{target_id}. {row.name} (**{row.verdict}**{note})", f"`{row.sets}`")
                    if i == 0 else ("", ""))
            md.append(f"| {head[0]} | {head[1]} | {row.check} | {cell} | {row.expected} | "
                      f"{mark} |")
    text += ["", f"B. Validation patterns (figures at base parameters; holding = holds in "
                 f">= {HOLD_SHARE:.0%} of {len(draws)} draws)", ""]
    md += ["", "## B. Validation patterns", "",
           f"A pattern is *holding* when it holds in at least {HOLD_SHARE:.0%} of the "
           "parameter draws (each draw's seeds pooled). The figures are at the base "
           "parameters.", "",
           "| pattern | figure | at base [95% CI] |", "|---|---|---|"]
    for pattern in patterns.itertuples():
        text.append(f"{pattern.pattern}  {pattern.statement}  [{pattern.rule}]")
        for row in figures[figures.pattern == pattern.pattern].itertuples():
            cell = _cell(row.mean, row.ci_low, row.ci_high)
            text.append(f"      {row.figure:<58}{cell}")
            md.append(f"| {row.pattern} | {row.figure} | {cell} |")
        base = "yes" if pattern.holds_at_base else "no"
        text.append(f"      holds at base: {base}; in {pattern.draws_holding}/{pattern.draws} "
                    f"draws -> {pattern.verdict}")
    md += ["", "| pattern | statement | rule | holds at base | draws holding | verdict |",
           "|---|---|---|---|---|---|"]
    for p in patterns.itertuples():
        md.append(f"| {p.pattern} | {p.statement} | {p.rule} | "
                  f"{'yes' if p.holds_at_base else 'no'} | {p.draws_holding}/{p.draws} | "
                  f"{p.verdict} |")
    md += ["", "### The draws", "",
           "| draw | " + " | ".join(f"`{u.key}`" for u in UNCERTAIN) + " | patterns failing |",
           "|---|" + "---|" * (len(UNCERTAIN) + 1)]
    for i, params in enumerate(draws):
        row = verdicts[verdicts.draw == i]
        failing = ([p.id for p in PATTERNS if not bool(row[p.id].iloc[0])]
                   if len(row) else [])
        md.append(f"| {i} | " + " | ".join(_fmt(params[u.key]) for u in UNCERTAIN)
                  + f" | {', '.join(failing) or '-'} |")
    md += ["", "### Ranges of the uncertain parameters", "",
           "| parameter | range | source |", "|---|---|---|"]
    for u in UNCERTAIN:
        span = f"x{u.low:g}-x{u.high:g} of base" if u.relative else f"{u.low:g}-{u.high:g}"
        md.append(f"| `{u.key}` | {span} | {u.source} |")
    closing = summary_lines(targets, patterns)
    elapsed = f"{info['runs']} model runs in {info['seconds']:.0f} s"
    text += ["", elapsed, *closing]
    md += ["", *closing, ""]
    return "\n".join(text), "\n".join(md)


def run_tasks(tasks: Sequence[Task], workers: int) -> pd.DataFrame:
    """Run every task, in parallel processes (spawn) when ``workers`` > 1."""
    if workers <= 1:
        return pd.DataFrame([replicate(t) for t in tasks])
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return pd.DataFrame(list(pool.map(replicate, tasks)))


def plan(reps: int, draws: Sequence[Mapping[str, float]], seeds_per_draw: int,
         headcount: int, first_seed: int) -> list[Task]:
    """The tasks: ``reps`` seeds at the base parameters, then each draw's seeds."""
    tasks = [Task(first_seed + i, headcount) for i in range(reps)]
    for d, params in enumerate(draws):
        for j in range(seeds_per_draw):
            seed = first_seed + DRAW_SEED_OFFSET + d * seeds_per_draw + j
            tasks.append(Task(seed, headcount, d, tuple(params.items()), calibration=False))
    return tasks


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything, print both tables and write the csv files and facts.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, help="seeds at the base parameters (20; quick 4)")
    parser.add_argument("--draws", type=int, help="Latin-hypercube draws (10; quick 5)")
    parser.add_argument("--seeds-per-draw", type=int, help="seeds per draw (2; quick 1)")
    parser.add_argument("--quick", action="store_true", help="few seeds and draws, 600 staff")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--first-seed", type=int, default=FIRST_SEED)
    parser.add_argument("--out", default="results/stylised_facts")
    args = parser.parse_args(argv)
    quick = args.quick
    reps = args.reps or (4 if quick else 20)
    n_draws = args.draws if args.draws is not None else (5 if quick else 10)
    per_draw = args.seeds_per_draw or (1 if quick else 2)
    headcount = 600 if quick else 1000
    lhs_seed = args.first_seed
    draws = lhs_draws(n_draws, lhs_seed, parameter_ranges())
    tasks = plan(reps, draws, per_draw, headcount, args.first_seed)
    start = time.perf_counter()
    runs = run_tasks(tasks, args.workers)
    seconds = time.perf_counter() - start
    targets = target_table(runs)
    figures, patterns = pattern_table(runs)
    verdicts = draw_verdicts(runs)
    command = "python experiments/stylised_facts.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    info = {"command": command.strip(), "runs": sum(t.runs for t in tasks),
            "tasks": len(tasks), "headcount": headcount, "seconds": seconds,
            "seeds": f"{args.first_seed}..{args.first_seed + reps - 1}",
            "seeds_per_draw": per_draw, "lhs_seed": lhs_seed}
    text, md = render(targets, figures, patterns, draws, verdicts, info)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    targets.to_csv(out / "facts.csv", index=False)
    patterns.merge(figures, on="pattern").to_csv(out / "patterns.csv", index=False)
    runs.to_csv(out / "runs.csv", index=False)
    (out / "facts.md").write_text(md, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
