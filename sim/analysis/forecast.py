"""Forecast before the run: mentor supply against demand, cost and mentor hours (planning).

Human performance technology plans an intervention before it is built: what it is for
(the scenario's ``[plan]`` objectives) and what it may spend (``plan.budget``,
``plan.mentor_hours_budget``). :func:`forecast` builds the model at week 0 (a
:class:`~sim.model.model.MentoringModel` that is constructed, never stepped), reads the
mentor pool and the eligible demand off its arrays, and projects them over the horizon
week by week with simple expected-value bookkeeping (no random draws):

* **Demand** at each matching (every ``cadence_weeks`` from ``start_week``): the pairs the
  design wants to start, ``max_mentee_share`` x headcount x management support minus the
  formal pairs still running, limited by the eligible people the rollout reaches. The
  eligible pool starts at :meth:`Programme.needs` at week 0; hires flow in (vacancies
  open at the staff's leaving rate and fill at ``vacancy_fill_per_week``), leavers and
  people matched flow out; for ``new_hires`` eligibility a hire stays eligible for
  ``new_hire_tenure_weeks``.
* **Supply**: free mentor places, the pool (:func:`sim.model.matching.mentor_pool`)
  times ``mentees_per_mentor`` less the places taken by formal pairs still running, by
  informal ties on the same seniors (informal ties are projected from
  ``informal.ties_per_year`` and last ``informal.duration_weeks``) and by pool members
  who are mentees themselves.
* **Pairs started**: the smaller of the two, less the mentees whose candidate mentors are
  all taken when places run short (a mean-field version of
  :func:`sim.model.matching.assign`'s candidate draw).
* **Survival** of a pair: the early-ending hazard of the relationship model
  (:meth:`Relationships.early_hazard`) averaged over the design's quality distribution,
  the partners' leaving, monitoring, and completion at ``duration_weeks``.
* **Cost**: the weekly hours of every kind (mentor, mentee, coordination, training) and
  pairs started, costed by :func:`sim.analysis.roi.weekly_roi` (fully loaded,
  ``cost_per_pair``, ``fixed_cost``), undiscounted as the run's ``programme_cost``.

Every line of :attr:`Forecast.warnings` names the design fields that cause it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.roi import HOUR_KINDS, RoiAssumptions, weekly_roi
from sim.config import Scenario
from sim.model import matching
from sim.model.informal import informal_base_quality
from sim.model.model import MentoringModel, free_model
from sim.model.relationships import MIN_QUALITY
from sim.units import WEEKS_PER_YEAR

_NODES = 16  # Gauss-Hermite nodes over a pair's quality
_MATCH_STEPS = 64  # Euler steps of the mean-field candidate draw

COLUMNS = ("week", "headcount", "eligible", "wanted", "demand", "mentor_places",
           "informal_on_pool", "started", "formal_pairs", "supply_limited",
           "cost_so_far", "mentor_hours_so_far")
"""Columns of :attr:`Forecast.table`, one row per matching."""


@dataclass(frozen=True)
class Forecast:
    """What a design is expected to do and cost, before it runs.

    Attributes:
        table: One row per matching (:data:`COLUMNS`): the model week, headcount,
            eligible people reached, pairs the design wants (``wanted``), ``demand``
            (wanted, limited by eligible people), free ``mentor_places`` (supply), the
            places informal ties take on the pool, pairs ``started``, formal pairs after
            matching, ``supply_limited`` (places < demand), cost and mentor hours of
            weeks 0 .. that week.
        weekly: One row per model week: formal pairs, pairs started, each kind of hours
            (``hours_mentor``, ...), ``cost_so_far`` and ``mentor_hours_so_far`` to the
            end of that week.
        warnings: One line each, naming the design fields that cause it.
        totals: Over the horizon: ``pairs_started``, ``pairs_started_first_year``,
            ``cost``, ``mentor_hours``; with a budget, ``budget_weeks`` (whole weeks the
            budget covers) and the same for ``mentor_hours_budget_weeks``.

    """

    table: pd.DataFrame
    weekly: pd.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``forecast.json``: warnings, totals and the per-matching table."""
        return {"warnings": list(self.warnings), "totals": dict(self.totals),
                "cadences": json_records(self.table)}


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``frame`` as dicts of plain Python numbers (for JSON)."""
    return [{key: (value.item() if hasattr(value, "item") else value)
             for key, value in row.items()} for row in frame.to_dict(orient="records")]


def forecast(scenario: Scenario, seed: int | None = None) -> Forecast:
    """Forecast supply, demand, cost and mentor hours of ``scenario``'s programme.

    Args:
        scenario: The validated scenario.
        seed: Seed of the week-0 organisation (None: the scenario's), so the forecast of
            a run reads the same people the run starts with.

    Returns:
        The per-matching table, the weekly projection, warnings and totals.

    """
    model = MentoringModel(scenario, rng=seed)  # week 0: built, never stepped
    try:
        if not scenario.programme.enabled:
            empty = pd.DataFrame(columns=list(COLUMNS))
            return Forecast(empty, pd.DataFrame(), ["programme.enabled = false: the "
                                                    "programme starts no pairs"], {})
        weekly, table = _Projection(model).run()
    finally:
        free_model(model)  # its arrays go now, not at the next full collection
    totals, warnings = _budget(scenario, weekly, table)
    return Forecast(table, weekly, warnings, totals)


class _Projection:
    """Expected-value bookkeeping of a programme from a model at week 0."""

    def __init__(self, model: MentoringModel) -> None:
        s = model.scenario
        self.scenario = s
        self.design = d = s.programme
        wf, programme = model.workforce, model.programme
        self.size = wf.size
        self.horizon = s.horizon_weeks
        required = model.environment.required
        pool = matching.mentor_pool(wf, d, programme.threshold, programme.reverse_k)
        needs = programme.needs(0, required)
        self.pool0 = float(pool.shape[0])
        self.eligible0 = needs
        self.tenure0 = wf.tenure_weeks[needs]
        self.mentee_in_pool = float(np.isin(needs, pool).mean()) if needs.shape[0] else 0.0
        seeking = np.flatnonzero(wf.active & (wf.mentor < 0) & (wf.load == 0))
        self.seekers0 = float(seeking.shape[0])
        informal_pool = matching.senior_pool(wf, d.mentor_min_tenure_weeks,
                                             d.mentor_min_performance)
        self.informal_pool0 = float(informal_pool.shape[0])
        common = float(np.intersect1d(pool, informal_pool).shape[0])
        self.informal_on_formal = common / max(self.informal_pool0, 1.0)
        self.formal_on_informal = common / max(self.pool0, 1.0)
        self.pool_among_seekers = (float(np.isin(seeking, pool).sum()) / self.seekers0
                                   if self.seekers0 else 0.0)
        self.leave_all = _weekly_leaving(s, wf, np.flatnonzero(wf.active))
        self.leave_mentor = _weekly_leaving(s, wf, pool)
        self.leave_mentee = _weekly_leaving(s, wf, needs) if needs.shape[0] else self.leave_all
        if d.eligibility == "new_hires":  # in their first year
            w = s.workforce
            self.leave_mentee = (1.0 - (1.0 - w.annual_turnover) ** (1.0 / WEEKS_PER_YEAR)
                                 ) * w.first_year_quit_multiplier
        self.planned_hours = programme.planned_hours
        self.prep_hours = programme.prep_hours
        self.coordination = programme.coordination_hours_per_pair
        rel = s.relationships
        self.formal_survival = _survival(
            model, programme.base_quality + programme.mentee_input_bonus, rel.quality_sd,
            d.duration_weeks, self.leave_mentee + self.leave_mentor,
            d.monitoring_weeks, d.rematch_below_quality)
        informal = s.informal
        self.informal_on = informal.enabled
        self.informal_weekly = 1.0 - (1.0 - min(informal.ties_per_year, 0.999)) ** (
            1.0 / WEEKS_PER_YEAR)
        self.informal_survival = _survival(
            model, informal_base_quality(s), rel.quality_sd, informal.duration_weeks,
            2.0 * self.leave_all, 0, 0.0)[0]
        self.informal_cap = informal.mentees_per_mentor
        self.shortfall = 0.0  # unmet demand at the last matching
        self.pool_path, self.pool_window, self.pool_hire_share = _pool_path(model)

    def support(self, week: int) -> float:
        """Management support at ``week`` (fading with its half-life, if set)."""
        d = self.design
        if d.support_half_life_weeks is None:
            return d.management_support
        return d.management_support * 0.5 ** ((week - d.start_week) / d.support_half_life_weeks)

    def offered(self, week: int) -> float:
        """Share of the eligible people the rollout reaches by ``week``."""
        d = self.design
        elapsed = week - d.start_week
        if d.rollout == "phased":
            return min(1.0, (elapsed + d.cadence_weeks) / d.rollout_weeks)
        if d.rollout == "randomised" and elapsed < d.duration_weeks:
            return d.offered_share
        return 1.0

    def run(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Project every week of the horizon; the weekly frame and the per-matching table."""
        # the model's weeks are its steps, 1 .. horizon (Mesa counts the step before it
        # runs); index 0 is week 0, before the first step, as in the model's series
        d, n = self.design, self.horizon + 1
        alive, monitored = self.formal_survival
        started = np.zeros(n)
        informal_started = np.zeros(n)
        new_hires = d.eligibility == "new_hires"
        # eligible people by the week they stop being eligible (new hires) or one pool
        expiry = np.zeros(n + d.new_hire_tenure_weeks + 3)
        if new_hires:  # a tenure of t at week 0 is t + week - 1 at the needs of a week
            np.add.at(expiry, np.clip(d.new_hire_tenure_weeks + 1 - self.tenure0, 0, None),
                      1.0)
            eligible = 0.0
        else:
            eligible = float(self.eligible0.shape[0])
        hire_share = _hire_share(self.scenario)
        vacancies, trained, hire_pool = 0.0, 0.0, 0.0
        lo, hi = self.pool_window
        joins = np.zeros(n + 1)
        hours = {kind: np.zeros(n) for kind in HOUR_KINDS}
        formal_now = np.zeros(n)
        informal_now = np.zeros(n)
        rows = []
        for week in range(1, n):
            headcount = self.size - vacancies
            hire_pool = hire_pool * (1.0 - self.leave_mentor) + joins[week]
            pool = self.pool_path[week] + hire_pool
            ages = week - np.arange(week)
            formal = float(started[:week] @ alive[ages]) if week else 0.0
            informal = (float(informal_started[:week] @ self.informal_survival[ages])
                        if week else 0.0)
            if new_hires:
                eligible = float(expiry[week + 1:].sum())
            if week >= d.start_week:
                eligible += float(started[:week] @ monitored[ages]) if week else 0.0
            active_programme = week >= d.start_week
            if active_programme and (week - d.start_week) % d.cadence_weeks == 0:
                row, n_started, n_new_mentors = self._match(
                    week, headcount, eligible, formal, informal, trained, pool)
                started[week] = n_started
                trained += n_new_mentors
                hours["coordination"][week] = n_started * self.coordination
                hours["training"][week] = n_new_mentors * d.mentor_training_hours
                rows.append(row)
                if new_hires:
                    _take_newest(expiry, week, n_started)
                else:
                    eligible -= n_started
            formal += started[week]
            formal_now[week] = formal
            informal_now[week] = informal
            if active_programme and formal > 0:
                contact = self.planned_hours * self.support(week)
                hours["mentee"][week] = formal * contact
                sessions = math.ceil(formal / d.mentees_per_mentor) \
                    if d.format == "group" else formal
                hours["mentor"][week] = sessions * (contact + self.prep_hours)
            if self.informal_on:
                informal_started[week] = self._informal_ties(headcount, formal, informal,
                                                             pool)
            # workforce flows: leavers open vacancies that fill at vacancy_fill_per_week
            leavers = headcount * self.leave_all
            vacancies += leavers
            hires = vacancies * self.scenario.workforce.vacancy_fill_per_week
            vacancies -= hires
            trained *= 1.0 - self.leave_mentor
            joining = hires * self.pool_hire_share  # hires reach the pool's tenure window
            if week + 1 + lo < n:
                joins[week + 1 + lo] += joining
            if hi is not None and week + 1 + hi < n:
                joins[week + 1 + hi] -= joining * (1.0 - self.leave_mentor) ** (hi - lo)
            if new_hires:
                expiry *= 1.0 - self.leave_mentee
                expiry[week + d.new_hire_tenure_weeks + 1] += hires  # eligible from next week
            else:
                eligible = max(eligible * (1.0 - self.leave_mentee) + hires * hire_share, 0.0)
        weekly = pd.DataFrame({"formal_pairs": formal_now, "informal_pairs": informal_now,
                               "started": started,
                               **{f"hours_{kind}": h for kind, h in hours.items()}})
        weekly.index.name = "week"
        table = pd.DataFrame(rows, columns=[c for c in COLUMNS if not c.endswith("so_far")])
        return weekly, table

    def _match(self, week: int, headcount: float, eligible: float, formal: float,
               informal: float, trained: float, pool: float
               ) -> tuple[dict[str, Any], float, float]:
        """One matching: demand, supply, pairs started and mentors newly trained."""
        d = self.design
        wanted = max(math.floor(d.max_mentee_share * headcount * self.support(week)) - formal,
                     0.0)
        reached = eligible * self.offered(week) * (1.0 - informal / max(headcount, 1.0))
        demand = min(wanted, max(reached, 0.0))
        informal_on_pool = informal * self.informal_on_formal if self.informal_on else 0.0
        pool_as_mentees = (informal * self.pool_among_seekers
                           + formal * self.mentee_in_pool)
        cap = d.mentees_per_mentor
        places = max((pool - pool_as_mentees) * cap - formal - informal_on_pool, 0.0)
        usable = max(places - demand * self.mentee_in_pool * cap, 0.0)
        n_started = _expected_matches(demand, usable, d.candidates_per_mentee,
                                      d.matching == "random")
        # the mentors of new pairs are untrained in the share of free places that are
        # untrained mentors' (every current mentor is trained); one training per mentor
        untrained_places = max(pool - trained, 0.0) * cap
        n_new = n_started * min(untrained_places / max(usable, 1.0), 1.0) / cap
        self.shortfall = max(demand - n_started, 0.0)
        row = {"week": week, "headcount": headcount, "eligible": reached, "wanted": wanted,
               "demand": demand, "mentor_places": places,
               "informal_on_pool": informal_on_pool, "started": n_started,
               "formal_pairs": formal + n_started, "supply_limited": places < demand}
        return row, n_started, n_new

    def _informal_ties(self, headcount: float, formal: float, informal: float,
                       formal_pool: float) -> float:
        """Informal ties formed this week, limited by the seniors' free places."""
        seekers = max(headcount - 2.0 * (formal + informal), 0.0)
        pool = self.informal_pool0 * formal_pool / max(self.pool0, 1.0)
        free = (pool - informal * self.pool_among_seekers) * self.informal_cap
        free -= informal + formal * self.formal_on_informal
        # places freed while the programme is short of mentors go to its next matching
        # (measured: the informal ties then take few of them)
        free -= self.shortfall * self.informal_on_formal
        return min(seekers * self.informal_weekly, max(free, 0.0))


def _pool_path(model: MentoringModel) -> tuple[np.ndarray, tuple[int, int | None], float]:
    """The mentor pool of the staff in post at week 0, week by week, as tenure grows.

    Standard and peer pools are tenure windows (``[mentor_min_tenure_weeks, inf)``;
    ``[peer_min_tenure_weeks, mentor_min_tenure_weeks)``) with a performance floor: each
    person of week 0 who meets the floor counts in the weeks their tenure is in the
    window, times the chance of still being employed. Performance is held at its week-0
    value. The reverse pool (a top fifth) is held at its week-0 size.

    Returns:
        The pool at weeks 0 .. horizon, the window (lo, hi or None) and the share of
        people at the window's lower tenure who meet the floor (for hires who reach it).

    """
    s, wf = model.scenario, model.workforce
    d, n = s.programme, s.horizon_weeks + 1
    pool = matching.mentor_pool(wf, d, model.programme.threshold, model.programme.reverse_k)
    if d.matching == "reverse":
        return np.full(n, float(pool.shape[0])), (n, None), 0.0
    if d.matching == "peer":
        lo, hi, floor = d.peer_min_tenure_weeks, d.mentor_min_tenure_weeks, \
            model.programme.threshold
    else:
        lo, hi, floor = d.mentor_min_tenure_weeks, None, d.mentor_min_performance
    staff = np.flatnonzero(wf.active & (wf.performance >= floor))
    tenure = wf.tenure_weeks[staff].astype(np.int64)
    # in the window at week t when lo <= tenure + t - 1 < hi (t >= 1); week 0 as it is
    enter = np.clip(lo - tenure + 1, 1, n)
    leave = np.full(staff.shape[0], n) if hi is None else np.clip(hi - tenure + 1, 1, n)
    steps = np.zeros(n + 1)
    keep = enter < leave
    np.add.at(steps, enter[keep], 1.0)
    np.add.at(steps, leave[keep], -1.0)
    path = np.cumsum(steps)[:n]
    path *= (1.0 - _weekly_leaving(s, wf, pool)) ** np.arange(n)
    path[0] = pool.shape[0]
    near = (wf.tenure_weeks >= lo) & (wf.tenure_weeks < lo + WEEKS_PER_YEAR) & wf.active
    share = float((wf.performance[near] >= floor).mean()) if near.any() else 0.0
    return path, (lo, hi), share


def _weekly_leaving(scenario: Scenario, wf, slots: np.ndarray) -> float:
    """Expected weekly leaving probability of the people in ``slots`` (quits + retirements).

    The quit hazard of ``annual_turnover`` (times ``first_year_quit_multiplier`` for those
    in their first year) plus the share within a year of the retirement age, spread over
    the year.
    """
    if slots.shape[0] == 0:
        return 0.0
    w = scenario.workforce
    quit = 1.0 - (1.0 - w.annual_turnover) ** (1.0 / WEEKS_PER_YEAR)
    first_year = float((wf.tenure_weeks[slots] < WEEKS_PER_YEAR).mean())
    quit *= 1.0 + first_year * (w.first_year_quit_multiplier - 1.0)
    retiring = float((wf.age_years[slots] >= w.retirement_age_years - 1.0).mean())
    return min(quit + retiring / WEEKS_PER_YEAR, 1.0)


def _hire_share(scenario: Scenario) -> float:
    """Share of hires who join the eligible pool (other than ``new_hires`` eligibility)."""
    d = scenario.programme
    if d.matching == "reverse":
        return 0.0  # reverse mentees are seniors
    if d.eligibility == "group":
        shares = {g.name: g.share for g in scenario.workforce.groups}
        return shares.get(d.target_group, 0.0)
    return 1.0


def _survival(model: MentoringModel, base: float, sd: float, duration: int, leaving: float,
              monitoring_weeks: int, rematch_below: float) -> tuple[np.ndarray, np.ndarray]:
    """Share of pairs still running ``a`` weeks after they started, a = 0 .. horizon.

    The early-ending hazard of each quality (normal around ``base`` with ``sd``, clipped
    as :func:`~sim.model.relationships.draw_quality` clips it) and the partners' leaving,
    averaged over the qualities; 0 from ``duration``. With monitoring, the pairs below
    ``rematch_below`` end at ``monitoring_weeks``; the second array is the share ended so
    at each age (their mentees are eligible again).
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(_NODES)
    weights = weights / weights.sum()
    quality = np.clip(base + sd * nodes, MIN_QUALITY, 1.0)
    hazard = model.relationships.early_hazard(quality)
    ages = np.arange(model.scenario.horizon_weeks + 1)
    keep = ((1.0 - hazard)[None, :] ** ages[:, None]) * (1.0 - leaving) ** ages[:, None]
    monitored = np.zeros(ages.shape[0])
    if monitoring_weeks and monitoring_weeks < duration:
        failing = quality < rematch_below
        if monitoring_weeks < ages.shape[0]:
            monitored[monitoring_weeks] = float(keep[monitoring_weeks, failing] @ weights[failing])
        keep[monitoring_weeks:, failing] = 0.0
    alive = keep @ weights
    alive[duration:] = 0.0
    return alive, monitored


def _expected_matches(demand: float, places: float, candidates: int, shuffled: bool) -> float:
    """Expected pairs when ``demand`` mentees draw ``candidates`` of ``places`` each.

    A mentee is matched unless every candidate they drew filled up earlier in the round:
    ``dj/di = 1 - (j / places) ** candidates`` (mean field); shuffled places (random
    matching) fill one each while any are left.
    """
    if demand <= 0 or places <= 0:
        return 0.0
    if shuffled:
        return min(demand, places)
    step = demand / _MATCH_STEPS
    filled = 0.0
    for _ in range(_MATCH_STEPS):
        filled = min(filled + step * (1.0 - (filled / places) ** candidates), places)
    return filled


def _take_newest(expiry: np.ndarray, week: int, count: float) -> None:
    """Remove ``count`` eligible new hires, newest first (the largest gaps), in place."""
    for index in range(expiry.shape[0] - 1, week, -1):
        if count <= 0:
            return
        taken = min(expiry[index], count)
        expiry[index] -= taken
        count -= taken


def _budget(scenario: Scenario, weekly: pd.DataFrame, table: pd.DataFrame
            ) -> tuple[dict[str, float], list[str]]:
    """Cost and mentor hours so far (the ROI's undiscounted costs) and their warnings.

    Week ``w`` of the weekly frame holds the cost of weeks 0 .. w, as row ``w`` of the
    run's ``programme_cost`` column does.
    """
    a = RoiAssumptions.from_scenario(scenario)
    hours = {kind: weekly[f"hours_{kind}"].to_numpy() for kind in HOUR_KINDS}
    pairs = weekly["started"].to_numpy()
    n = weekly.shape[0]
    horizon = n - 1

    def cost_to(week: int) -> float:
        """Undiscounted cost of weeks 0 .. week (fixed cost included), by the ROI's rules."""
        zeros = np.zeros(week + 1)
        return weekly_roi(a, zeros, zeros, {k: h[:week + 1] for k, h in hours.items()},
                          pairs[:week + 1])["costs_undiscounted"]

    cost = np.array([cost_to(week) for week in range(n)])
    mentor_hours = np.cumsum(hours["mentor"] + hours["training"])
    weekly["cost_so_far"] = cost
    weekly["mentor_hours_so_far"] = mentor_hours
    weeks = table["week"].to_numpy(dtype=np.int64)
    table["cost_so_far"] = cost[weeks]
    table["mentor_hours_so_far"] = mentor_hours[weeks]
    totals: dict[str, float] = {
        "pairs_started": float(pairs.sum()),
        "pairs_started_first_year": float(pairs[:int(WEEKS_PER_YEAR) + 1].sum()),
        "cost": float(cost[-1]),
        "mentor_hours": float(mentor_hours[-1]),
    }
    warnings = _supply_warnings(scenario, table)
    plan = scenario.plan
    for key, limit, series, unit in (
            ("budget", plan.budget, cost, ""),
            ("mentor_hours_budget", plan.mentor_hours_budget, mentor_hours, " h")):
        if limit is None:
            continue
        over = np.flatnonzero(series > limit)  # the series rise week by week
        covered = horizon if over.shape[0] == 0 else max(int(over[0]) - 1, 0)
        totals[f"{key}_weeks"] = float(covered)
        if over.shape[0]:
            name = "budget" if key == "budget" else "mentor hours budget"
            warnings.append(
                f"{name} covers {covered} of {horizon} weeks: plan.{key} = {limit:,.0f}"
                f"{unit} runs out in week {int(over[0])}, forecast {series[-1]:,.0f}{unit} "
                f"over the horizon ({_cost_fields(scenario)})")
    return totals, warnings


def _cost_fields(scenario: Scenario) -> str:
    """The design fields that drive the cost, with their values."""
    d = scenario.programme
    return (f"programme.max_mentee_share = {d.max_mentee_share}, programme.meetings_per_month"
            f" = {d.meetings_per_month}, programme.meeting_hours = {d.meeting_hours}, "
            f"programme.duration_weeks = {d.duration_weeks}")


def _supply_fields(scenario: Scenario) -> str:
    """The design fields that set the mentor pool and the demand for it, with values."""
    d = scenario.programme
    fields = [f"programme.mentees_per_mentor = {d.mentees_per_mentor}"]
    if d.matching == "peer":
        fields += [f"programme.peer_min_tenure_weeks = {d.peer_min_tenure_weeks}",
                   f"programme.mentor_min_tenure_weeks = {d.mentor_min_tenure_weeks}"]
    elif d.matching == "reverse":
        fields += [f"programme.reverse_competency = {d.reverse_competency!r}",
                   f"programme.mentor_min_tenure_weeks = {d.mentor_min_tenure_weeks}"]
    else:
        fields += [f"programme.mentor_min_tenure_weeks = {d.mentor_min_tenure_weeks}",
                   f"programme.mentor_min_performance = {d.mentor_min_performance}"]
    fields.append(f"programme.max_mentee_share = {d.max_mentee_share}")
    return ", ".join(fields)


def _supply_warnings(scenario: Scenario, table: pd.DataFrame) -> list[str]:
    """One line for the first supply-limited matching, one for eligible-limited."""
    warnings = []
    short = table[table["supply_limited"].astype(bool)]
    if not short.empty:
        row = short.iloc[0]
        informal = (f"; informal ties take {row['informal_on_pool']:.0f} places"
                    if row["informal_on_pool"] >= 1 else "")
        warnings.append(
            f"supply-limited from week {int(row['week'])} ({len(short)} of {len(table)} "
            f"matchings): {row['demand']:.0f} pairs wanted, {row['mentor_places']:.0f} "
            f"mentor places{informal} ({_supply_fields(scenario)})")
    d = scenario.programme
    thin = table[(table["eligible"] < table["wanted"]) & (table["wanted"] >= 1)]
    if not thin.empty:
        row = thin.iloc[0]
        fields = f"programme.eligibility = {d.eligibility!r}"
        if d.eligibility == "new_hires":
            fields += (f", programme.new_hire_tenure_weeks = {d.new_hire_tenure_weeks}, "
                       f"workforce.vacancy_fill_per_week = "
                       f"{scenario.workforce.vacancy_fill_per_week}")
        elif d.eligibility == "group":
            fields += f", programme.target_group = {d.target_group!r}"
        if d.rollout != "all_at_once":
            fields += f", programme.rollout = {d.rollout!r}"
        warnings.append(
            f"eligible-limited from week {int(row['week'])} ({len(thin)} of {len(table)} "
            f"matchings): the design wants {row['wanted']:.0f} pairs, "
            f"{row['eligible']:.0f} eligible people are reached ({fields}, "
            f"programme.min_gap = {d.min_gap})")
    return warnings
