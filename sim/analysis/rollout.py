"""Rollout plan: the hand-off from a programme's design to its implementation.

For the chosen design on the organisation as it is the week before the programme's
first matching (week 0 when the programme matches from the start, else the model is
stepped there), :func:`rollout_plan` gathers what the people who run the programme need
on day one:

* the needs assessment: gaps by group and competency and their causes
  (:func:`sim.model.needs.gap_table`, :func:`~sim.model.needs.cause_table`,
  :func:`~sim.model.needs.recommend`), with the verdict when mentoring is the wrong
  answer;
* the **first cohort**: the mentees the pair budget takes at the first matching
  (:meth:`Programme.needs <sim.model.programme.Programme.needs>` in priority order),
  counted by group, role and tenure band, and how many of them find a mentor;
* the **first pairs**: the programme's own matching
  (:meth:`Programme.propose <sim.model.programme.Programme.propose>`), run once on a
  copy of the model in the week of the first matching, so they are the pairs the model
  starts with the same seed; with each pair the competencies to work on (the mentee's
  largest strategy-weighted gaps where the mentor is ahead). Pairs name people, so they
  are made only when asked for;
* the **mentor supply** per matching over the programme's first year
  (:func:`sim.analysis.forecast.forecast`) and its warnings.

Ids are the scenario's roster ids (``Workforce.roster_ids``, per slot at week 0) when it
has a roster, else the model's person ids (``Workforce.pid``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.forecast import forecast
from sim.config import Scenario, check_seed
from sim.errors import ScenarioError
from sim.model.model import MentoringModel
from sim.model.needs import cause_table, gap_table, recommend
from sim.model.programme import MatchRound
from sim.model.relationships import FORMAL, similarity
from sim.units import WEEKS_PER_YEAR

TENURE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under 6 months"), (26, "6-12 months"), (52, "1-2 years"), (104, "2-5 years"),
    (260, "5 years or more"),
)
"""Tenure bands of the first cohort: (lowest tenure in weeks, label)."""

WORK_ON = 3
"""Competencies listed per pair: the mentee's largest weighted gaps where the mentor is ahead."""

PAIR_COLUMNS = ("mentee", "mentor", "similarity", "teaching_score", "weighted_gap",
                "work_on")
"""Columns of :attr:`Rollout.pairs`, one row per pair of the first matching."""

COHORT_COLUMNS = ("by", "category", "cohort", "paired")
"""Columns of :attr:`Rollout.first_cohort`."""


@dataclass(frozen=True)
class Rollout:
    """A design's rollout plan (see the module docstring).

    Attributes:
        scenario: The scenario as resolved (the design with its overrides).
        seed: The seed of the organisation.
        week: The model week the organisation is read at (the week before the first
            matching).
        first_matching_week: The week of the programme's first matching.
        needs_by_group: Mean gap by group (and ``all``) and competency
            (:func:`~sim.model.needs.gap_table`).
        causes: The gap by cause, group and competency (:func:`~sim.model.needs.cause_table`).
        recommendations: The intervention per cause (:func:`~sim.model.needs.recommend`).
        verdict: One line when cause analysis says mentoring is the wrong answer, else None.
        mentoring_share: Share of the gap's loss due to causes mentoring addresses.
        first_cohort: Counts by ``by`` (``all``, ``group``, ``role``, ``tenure``) and
            ``category``: ``cohort`` (taken by the pair budget) and ``paired`` (of them,
            matched at the first matching). Aggregates only.
        budget: Pairs the design may start at the first matching.
        mentors_needed: The fewest mentors the first cohort needs at the load cap.
        mentors_free: Mentors with a free place at the first matching; ``places_free``
            their places; ``pool`` everyone who may mentor; ``mentors_used`` the mentors
            the first pairs use.
        supply: The forecast's table (:data:`sim.analysis.forecast.COLUMNS`), one row per
            matching in the programme's first year.
        warnings: The forecast's warnings and the first matching's, one line each.
        pairs: The first matching's pairs (:data:`PAIR_COLUMNS`), mentees in priority
            order; None unless asked for (they name people).
        id_source: ``"roster"`` or ``"person ids"`` (what the pairs' ids are).
        notes: Plain lines about the ids and the week read.

    """

    scenario: Scenario = field(repr=False)
    seed: int
    week: int
    first_matching_week: int
    needs_by_group: pd.DataFrame = field(repr=False)
    causes: pd.DataFrame = field(repr=False)
    recommendations: pd.DataFrame = field(repr=False)
    verdict: str | None
    mentoring_share: float
    first_cohort: pd.DataFrame = field(repr=False)
    budget: int
    mentors_needed: int
    mentors_free: int
    places_free: int
    pool: int
    mentors_used: int
    supply: pd.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    pairs: pd.DataFrame | None = field(default=None, repr=False)
    id_source: str = "person ids"
    notes: list[str] = field(default_factory=list)

    @property
    def cohort_size(self) -> int:
        """People in the first cohort."""
        return int(self.first_cohort.loc[self.first_cohort["by"] == "all", "cohort"].sum())

    @property
    def paired(self) -> int:
        """People of the first cohort matched at the first matching."""
        return int(self.first_cohort.loc[self.first_cohort["by"] == "all", "paired"].sum())


def first_matching_week(scenario: Scenario) -> int:
    """The model week of the programme's first matching.

    The model's weeks are its steps, 1, 2, ...; the programme matches in the first week
    at or after ``start_week`` that is a whole number of ``cadence_weeks`` after it.
    """
    d = scenario.programme
    week = max(d.start_week, 1)
    return week + (d.start_week - week) % d.cadence_weeks


def rollout_plan(scenario: Scenario, seed: int | None = None, pairs: bool = False,
                 source: str | None = None) -> Rollout:
    """The rollout plan of ``scenario``'s programme.

    Args:
        scenario: The validated scenario (its programme is the design).
        seed: Seed of the organisation (None: the scenario's), as for a run.
        pairs: Make the first matching's pairs (they name people).
        source: How to name the scenario in errors (default: its name).

    Returns:
        The :class:`Rollout`.

    Raises:
        ScenarioError: The programme is off, the first matching is after the horizon, or
            the seed is out of range.

    """
    where = source or scenario.name
    d = scenario.programme
    if not d.enabled:
        raise ScenarioError(f"{where}: programme.enabled is false: nothing to roll out")
    first = first_matching_week(scenario)
    if first > scenario.horizon_weeks:
        raise ScenarioError(
            f"{where}: the first matching (week {first}, programme.start_week = "
            f"{d.start_week}) is after the horizon (horizon_weeks = {scenario.horizon_weeks})")
    seed = scenario.seed if seed is None else check_seed(seed, f"{where}: seed")
    model = MentoringModel(scenario, rng=seed)
    labels = _id_labels(model)  # the roster is per slot at week 0
    while model.steps < first - 1:
        model.step()
    trial, found, score_weights = _first_round(model)
    advice = recommend(model)
    cohort = _cohort_table(trial, found)
    cap = d.mentees_per_mentor
    planned = forecast(scenario, seed)
    supply = planned.table[planned.table["week"] < first + WEEKS_PER_YEAR].reset_index(
        drop=True)
    warnings = list(planned.warnings)
    unmatched = found.cohort.shape[0] - found.mentees.shape[0]
    if unmatched:
        warnings.append(
            f"{unmatched} of the first cohort of {found.cohort.shape[0]} find no mentor "
            f"with a free place at the first matching (week {first}): "
            f"{found.free.shape[0]} mentors have {int(found.places.sum())} places "
            f"(programme.mentees_per_mentor = {cap}, programme.candidates_per_mentee = "
            f"{d.candidates_per_mentee})")
    if found.cohort.shape[0] == 0:
        warnings.append(f"the first matching (week {first}) takes nobody: no eligible "
                        f"mentee is reached or the pair budget is spent "
                        f"(programme.max_mentee_share = {d.max_mentee_share}, "
                        f"programme.min_gap = {d.min_gap}, programme.eligibility = "
                        f"{d.eligibility!r})")
    notes = [_week_note(scenario, model.steps, first)]
    table, id_source = None, "roster" if labels is not None else "person ids"
    if pairs:
        table, id_notes = _pair_table(trial, found, score_weights, labels)
        notes.extend(id_notes)
    return Rollout(
        scenario=scenario, seed=seed, week=int(model.steps), first_matching_week=first,
        needs_by_group=gap_table(model), causes=cause_table(model),
        recommendations=advice.table, verdict=advice.verdict,
        mentoring_share=float(advice.mentoring_share), first_cohort=cohort,
        budget=_budget(trial), mentors_needed=-(-found.cohort.shape[0] // cap),
        mentors_free=int(found.free.shape[0]), places_free=int(found.places.sum()),
        pool=int(found.pool.shape[0]), mentors_used=int(np.unique(found.mentors).shape[0]),
        supply=supply, warnings=warnings, pairs=table, id_source=id_source, notes=notes,
    )


class _Proposed(Exception):  # noqa: N818 - a signal, not an error
    """Stops the trial's week at its first matching, once the pairs are proposed."""


def _first_round(model: MentoringModel) -> tuple[MentoringModel, MatchRound, np.ndarray]:
    """The programme's first matching, run on a copy of ``model`` by the model's own step.

    The copy steps one week as the model would, up to the programme's proposal of its
    pairs (:meth:`~sim.model.programme.Programme.propose`), and stops there: its state is
    the state the pairs were proposed in, and nothing of ``model`` moves.

    Returns:
        (the copy, stopped at the proposal; the proposal; the weights the policy scored
        with).

    """
    trial = copy.deepcopy(model)
    programme = trial.programme
    propose = programme.propose
    found: list[tuple[MatchRound, np.ndarray]] = []

    def recording(week: int, required: np.ndarray, weights: np.ndarray) -> MatchRound:
        proposal = propose(week, required, weights)
        if programme.design.matching == "reverse":
            weights = np.zeros_like(weights)
            weights[programme.reverse_k] = 1.0
        found.append((proposal, weights.copy()))
        raise _Proposed

    programme.propose = recording
    try:
        trial.step()
    except _Proposed:
        pass
    if not found:  # a week that is not a matching: first_matching_week is wrong
        raise RuntimeError(f"no matching in week {trial.steps}")
    proposal, weights = found[0]
    return trial, proposal, weights


def _budget(model: MentoringModel) -> int:
    """Pairs the design may start at this matching (as :meth:`Programme.propose` counts)."""
    p = model.programme
    budget = 0 if p.stopped else int(p.max_mentee_share * model.workforce.n_active * p.support)
    return max(budget - p.relationships.pairs(FORMAL), 0)


def tenure_band(tenure_weeks: np.ndarray) -> np.ndarray:
    """The label of :data:`TENURE_BANDS` each tenure falls in (object array)."""
    lows = np.array([low for low, _ in TENURE_BANDS])
    names = np.array([name for _, name in TENURE_BANDS], dtype=object)
    return names[np.searchsorted(lows, tenure_weeks, side="right") - 1]


def _cohort_table(model: MentoringModel, found: MatchRound) -> pd.DataFrame:
    """The first cohort counted by group, role and tenure band, and how many are paired."""
    wf = model.workforce
    cohort = found.cohort
    paired = np.isin(cohort, found.mentees)
    by = {
        "group": (np.asarray(wf.group_names, dtype=object)[wf.group[cohort]],
                  list(wf.group_names)),
        "role": (np.asarray(wf.role_names, dtype=object)[wf.role[cohort]],
                 list(wf.role_names)),
        "tenure": (tenure_band(wf.tenure_weeks[cohort]), [n for _, n in TENURE_BANDS]),
    }
    rows = [{"by": "all", "category": "all", "cohort": int(cohort.shape[0]),
             "paired": int(paired.sum())}]
    for name, (values, categories) in by.items():
        for category in categories:
            here = values == category
            rows.append({"by": name, "category": category, "cohort": int(here.sum()),
                         "paired": int((here & paired).sum())})
    return pd.DataFrame(rows, columns=list(COHORT_COLUMNS))


def _id_labels(model: MentoringModel) -> dict[int, Any] | None:
    """Roster id by person id, from the roster at week 0 (None without a roster)."""
    wf = model.workforce
    roster = getattr(wf, "roster_ids", None)
    if roster is None:
        return None
    return dict(zip(wf.pid.tolist(), list(roster), strict=True))


def _pair_table(model: MentoringModel, found: MatchRound, weights: np.ndarray,
                labels: dict[int, Any] | None) -> tuple[pd.DataFrame, list[str]]:
    """The first matching's pairs, mentees in priority order, and notes on their ids."""
    wf = model.workforce
    required = model.environment.required
    place = {slot: i for i, slot in enumerate(found.cohort.tolist())}
    order = np.argsort([place[s] for s in found.mentees.tolist()], kind="stable")
    mentees, mentors = found.mentees[order], found.mentors[order]
    s_e, s_m = wf.skills[mentees], wf.skills[mentors]
    need = weights * np.maximum(required - s_e, 0.0)  # strategy-weighted gaps
    teach = (need * np.maximum(s_m - s_e, 0.0)).sum(axis=1)
    names = list(model.environment.competencies)
    work_on = []
    for row, ahead in zip(need, s_m > s_e, strict=True):
        ranked = [k for k in np.argsort(-row, kind="stable") if ahead[k] and row[k] > 0]
        work_on.append(";".join(names[k] for k in ranked[:WORK_ON]))
    notes: list[str] = []
    pids_e, pids_m = wf.pid[mentees].tolist(), wf.pid[mentors].tolist()
    if labels is None:
        ids_e, ids_m = pids_e, pids_m
        notes.append("the scenario has no [roster]: the ids are the model's person ids "
                     "(staff in post at week 0 are 1 .. headcount by slot), not staff ids")
    else:
        missing: set[int] = set()

        def label(pid: int) -> Any:
            found_id = labels.get(pid)
            if found_id is None:
                missing.add(pid)
                return f"person-{pid}"
            return found_id

        ids_e, ids_m = [label(p) for p in pids_e], [label(p) for p in pids_m]
        if missing:
            notes.append(f"{len(missing)} people in the pairs were hired after week 0 and "
                         "have no roster id: written as person-<person id>")
    table = pd.DataFrame({
        "mentee": ids_e, "mentor": ids_m,
        "similarity": similarity(wf, mentees, mentors),
        "teaching_score": teach, "weighted_gap": wf.gap[mentees], "work_on": work_on,
    }, columns=list(PAIR_COLUMNS))
    return table, notes


def _week_note(scenario: Scenario, week: int, first: int) -> str:
    """Which week the organisation is read at, in one line."""
    d = scenario.programme
    if week == 0:
        return (f"the organisation as it is at week 0; the programme's first matching is "
                f"in week {first} (programme.start_week = {d.start_week}, "
                f"programme.cadence_weeks = {d.cadence_weeks})")
    return (f"the organisation at week {week}, the week before the programme's first "
            f"matching in week {first} (programme.start_week = {d.start_week}): the model "
            f"was run to there")


def _counts(frame: pd.DataFrame, by: str) -> str:
    rows = frame[(frame["by"] == by) & (frame["cohort"] > 0)]
    return ", ".join(f"{r.category} {r.cohort}" for r in rows.itertuples()) or "none"


def rollout_markdown(plan: Rollout, pairs_file: str | None = None) -> str:
    """A short plain-language summary of the plan, generated from its numbers.

    Args:
        plan: The rollout plan.
        pairs_file: The file the pairs were written to (None: not written).

    Returns:
        Markdown text (no ids: aggregates only).

    """
    s, d = plan.scenario, plan.scenario.programme
    needs = plan.needs_by_group
    groups = needs.drop(index="all", errors="ignore")
    everyone = needs.loc["all"] if "all" in needs.index else None
    competencies = list(s.organisation.competencies)
    lines = [f"# Rollout plan: {s.name}", "",
             f"Design: {d.matching} matching, {d.format.replace('_', '-')} format, "
             f"eligibility {d.eligibility}, rollout {d.rollout.replace('_', ' ')}, up to "
             f"{d.mentees_per_mentor} mentee(s) per mentor, {d.duration_weeks} weeks; "
             f"seed {plan.seed}.", "",
             f"Read at: {plan.notes[0]}.", "", "## Needs", ""]
    if everyone is not None:
        widest = max(competencies, key=lambda c: float(everyone[c]))
        line = (f"Mean strategy-weighted gap {everyone['weighted']:.3f} over "
                f"{int(everyone['employees'])} staff; the largest mean (unweighted) gap "
                f"is in {widest} ({float(everyone[widest]):.3f})")
        if len(groups) > 1:
            top = groups["weighted"].idxmax()
            line += f"; the group with the largest gap is {top} ({groups.loc[top, 'weighted']:.3f})"
        lines.append(line + " (needs_by_group.csv).")
    lines.append(f"Cause analysis: mentoring addresses {plan.mentoring_share:.0%} of the "
                 "performance gap (skills/knowledge, motives; causes.csv).")
    if plan.verdict is not None:
        lines.append(f"**Verdict: {plan.verdict}.**")
    order = "in random order" if d.eligibility == "all" else "largest gaps first"
    lines += ["", "## First cohort", "",
              f"At the first matching (week {plan.first_matching_week}) the pair budget is "
              f"{plan.budget} (programme.max_mentee_share = {d.max_mentee_share}); the "
              f"programme takes {plan.cohort_size} people first, {order}, and "
              f"{plan.paired} of them are matched (first_cohort.csv).",
              f"- by group: {_counts(plan.first_cohort, 'group')}",
              f"- by role: {_counts(plan.first_cohort, 'role')}",
              f"- by tenure: {_counts(plan.first_cohort, 'tenure')}",
              "", "## Mentors", "",
              f"Needed at the first matching: at least {plan.mentors_needed} mentors "
              f"({plan.cohort_size} mentees, up to {d.mentees_per_mentor} each). Available: "
              f"{plan.mentors_free} with a free place ({plan.places_free} places) of "
              f"{plan.pool} who may mentor; the first pairs use {plan.mentors_used}.", ""]
    supply = plan.supply
    if not supply.empty:
        short = int(supply["supply_limited"].astype(bool).sum())
        lines.append(
            f"Over the programme's first year ({len(supply)} matchings, supply.csv) about "
            f"{supply['started'].sum():.0f} pairs start; free mentor places range "
            f"{supply['mentor_places'].min():.0f}-{supply['mentor_places'].max():.0f}; "
            + (f"{short} matchings are short of mentors." if short
               else "no matching is short of mentors."))
        lines.append("")
    lines += ["## First pairs", ""]
    if pairs_file is not None and plan.pairs is not None:
        lines.append(f"{len(plan.pairs)} recommended pairs of the first matching are in "
                     f"{pairs_file}, mentees in priority order, each with the competencies "
                     f"to work on ({plan.id_source}).")
        lines += [f"Note: {note}." for note in plan.notes[1:]]
    else:
        lines.append("Not written: the pairs name people (personal data). Run with "
                     "--pairs to write pairs.csv.")
    lines += ["", "## Warnings", ""]
    lines += [f"- {w}" for w in plan.warnings] or ["None."]
    return "\n".join(lines) + "\n"
