"""Formative evaluation: checks at set intervals that adapt the programme while it runs.

Human performance technology is a cycle: analysis, design, implementation and an
evaluation that feeds back into them (the HPT model of ISPI, Van Tiem, Moseley & Dessinger
2012). Summative evaluation of the programme against its control arm
(:mod:`sim.analysis.evaluation`, Kirkpatrick's four levels and ROI) is made after the
run; *formative* evaluation is made during it. Every ``formative.interval_weeks`` weeks
from ``programme.start_week`` the check computes the interval's figures (level 1 of
Kirkpatrick: relationship quality and early endings; the plan's objectives; the budget
spent) and applies every declared rule (``[[formative.rules]]``) whose condition holds.
Every adaptation is logged in ``model.adaptations`` with its week and reason
(docs/ODD.md 7.12).

The figures at a check in week ``t`` (called after ``programme.phase(t)``):

- ``quality``: mean quality of the formal pairs now (this week's matches included);
  nan when there are none.
- ``early_endings``: of the formal pairs started in the interval (weeks from the previous
  check, or ``start_week``, to ``t - 1``), the share that has ended early by week ``t``;
  nan when none started.
- ``budget_spent``: :func:`sim.model.reporters.programme_cost_so_far` over
  ``plan.budget`` (costs up to the end of week ``t - 1``); nan without a budget.
- each plan objective's value (the reporter named by its ``metric``, as of the end of
  week ``t - 1``: the time-series row ``t - 1``; weeks count from 1) and status: **met**
  when the value is on target (``>= target`` for ``at_least``, ``<= target`` for
  ``at_most``), **missed** when it is off target (or nan) and ``t >= by_week`` (the
  deadline is reached or passed), otherwise **pending**.

All figures are taken before any rule acts, and rules act in the order declared. A rule
fires when its condition holds and its action changes something; a ``stop`` fires once
(the programme stays stopped) and an objective rule fires once a run, at the first check
where its objective is met (or missed). ``stop`` ends matching only: ongoing pairs run to
their end.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.config import Scenario
from sim.config.schema import AdaptationRule
from sim.model.programme import Programme
from sim.model.relationships import FORMAL, MIN_QUALITY, Relationships
from sim.model.reporters import programme_cost_so_far
from sim.model.workforce import Workforce

if TYPE_CHECKING:
    from sim.model.model import MentoringModel

#: The columns of ``adaptations.csv`` (and the keys of each entry of ``model.adaptations``).
ADAPTATION_COLUMNS = ("week", "rule", "condition", "measured", "threshold", "objective",
                      "action", "amount", "before", "after", "reason")

MAX_MENTEE_SHARE = 0.5  # the schema's bound of programme.max_mentee_share
_ONCE = ("objective_met", "objective_missed")  # conditions whose rules fire once a run


def objective_status(value: float, target: float, direction: str, week: int,
                     by_week: int) -> str:
    """Status of a plan objective at a check: ``met``, ``missed`` or ``pending``.

    Args:
        value: The objective's metric now (nan counts as off target).
        target: Its target.
        direction: ``at_least`` or ``at_most``.
        week: The check's week.
        by_week: The objective's deadline.

    Returns:
        ``met`` when on target; ``missed`` when off target at or after ``by_week``;
        ``pending`` otherwise.

    """
    on_target = value >= target if direction == "at_least" else value <= target
    if on_target:  # False for nan
        return "met"
    return "missed" if week >= by_week else "pending"


class FormativeEvaluation:
    """Checks at ``formative.interval_weeks`` that adapt the programme by declared rules.

    Inactive (each week a no-op) without an enabled programme or without rules.

    Args:
        scenario: The validated scenario (its ``formative`` and ``plan`` sections).
        workforce: The workforce arrays.
        relationships: The pair lifecycle (its counters give the early endings).
        programme: The programme the rules adapt.

    Attributes:
        adaptations: One dict per adaptation, keys :data:`ADAPTATION_COLUMNS`.
        checks: The figures of every check (week, quality, early_endings, budget_spent,
            objectives and the indices of the rules that fired).

    """

    def __init__(self, scenario: Scenario, workforce: Workforce,
                 relationships: Relationships, programme: Programme) -> None:
        self.formative = scenario.formative
        self.plan = scenario.plan
        self.workforce = workforce
        self.relationships = relationships
        self.programme = programme
        self.start_week = scenario.programme.start_week
        self.active = scenario.programme.enabled and bool(self.formative.rules)
        self.adaptations: list[dict[str, Any]] = []
        self.checks: list[dict[str, Any]] = []
        self._fired_once: set[int] = set()
        self._started_through: dict[int, int] = {}  # formal pairs started up to each week
        self._last_check = self.start_week

    def is_check_week(self, week: int) -> bool:
        """Whether ``week`` is a check: ``start_week + k x interval_weeks``, k >= 1."""
        elapsed = week - self.start_week
        return elapsed > 0 and elapsed % self.formative.interval_weeks == 0

    def phase(self, week: int, model: MentoringModel) -> None:
        """One week: bookkeeping, and on a check week the check and its rules."""
        if not self.active:
            return
        self._started_through[week] = self.relationships.count(FORMAL, "started")
        if self.is_check_week(week):
            self.check(week, model)

    # --- the check -------------------------------------------------------------------
    def figures(self, week: int, model: MentoringModel) -> dict[str, Any]:
        """The interval's figures at a check in ``week`` (see the module docstring)."""
        wf = self.workforce
        formal = wf.pair_kind == FORMAL
        quality = float(wf.quality[formal].mean()) if formal.any() else math.nan
        first, last = self._last_check, week - 1
        started = (self._started_through.get(last, 0)
                   - self._started_through.get(first - 1, 0))
        by_start = self.relationships.formal_early_by_start
        early = sum(by_start[s] for s in range(first, week))
        budget = self.plan.budget
        spent = programme_cost_so_far(model)
        if budget is None:
            spent_share = math.nan
        elif budget > 0:
            spent_share = spent / budget
        else:
            spent_share = math.inf if spent > 0 else 0.0
        objectives = {}
        for objective in self.plan.objectives:
            value = float(model.metrics[objective.metric])
            objectives[objective.name] = {
                "value": value,
                "status": objective_status(value, objective.target, objective.direction,
                                           week, objective.by_week),
            }
        return {
            "week": week, "quality": quality, "pairs_started": started,
            "pairs_ended_early": early,
            "early_endings": early / started if started else math.nan,
            "budget_spent": spent_share, "objectives": objectives,
        }

    def check(self, week: int, model: MentoringModel) -> None:
        """Compute the figures and apply every rule whose condition holds (in order)."""
        figures = self.figures(week, model)
        fired = []
        for index, rule in enumerate(self.formative.rules):
            if index in self._fired_once:
                continue
            holds, measured, why = self._condition(rule, figures)
            if not holds:
                continue
            done = self._act(rule, week)
            if done is None:  # the action would change nothing
                continue
            before, after, effect = done
            if rule.when in _ONCE:
                self._fired_once.add(index)
            fired.append(index)
            self.adaptations.append({
                "week": week, "rule": index, "condition": rule.when,
                "measured": measured, "threshold": self._threshold(rule),
                "objective": rule.objective or "", "action": rule.action,
                "amount": rule.amount, "before": before, "after": after,
                "reason": f"week {week}: {why}, so {effect} (rule {index}).",
            })
        self.checks.append({**figures, "fired": fired})
        self._last_check = week

    def _threshold(self, rule: AdaptationRule) -> float:
        if rule.when in _ONCE:
            return float(self._objective(rule.objective).target)
        if rule.when == "budget_spent" and rule.threshold is None:
            return 1.0
        return float(rule.threshold)

    def _objective(self, name: str | None):
        return next(o for o in self.plan.objectives if o.name == name)

    def _condition(self, rule: AdaptationRule, figures: dict[str, Any]
                   ) -> tuple[bool, float, str]:
        """Whether ``rule``'s condition holds, the value measured, and why, in words."""
        when = rule.when
        if when == "quality_below":
            value = figures["quality"]
            return (value < rule.threshold, value,
                    f"the formal pairs' mean quality {value:.3f} is below {rule.threshold:g}")
        if when == "early_endings_above":
            value = figures["early_endings"]
            return (value > rule.threshold, value,
                    f"{figures['pairs_ended_early']} of the {figures['pairs_started']} "
                    f"formal pairs started since week {self._last_check} ended early "
                    f"({value:.3f}, above {rule.threshold:g})")
        if when == "budget_spent":
            value = figures["budget_spent"]
            threshold = self._threshold(rule)
            return (value >= threshold, value,
                    f"the programme has spent {value:.3f} of its budget {self.plan.budget:g} "
                    f"(at least {threshold:g})")
        objective = self._objective(rule.objective)
        status = figures["objectives"][objective.name]
        value = status["value"]
        wanted = "met" if when == "objective_met" else "missed"
        sign = ">=" if objective.direction == "at_least" else "<="
        return (status["status"] == wanted, value,
                f"objective {objective.name!r} ({objective.metric} {sign} {objective.target:g} "
                f"by week {objective.by_week}) is {wanted}: {objective.metric} is "
                f"{value:.3f}")

    # --- the actions -------------------------------------------------------------------
    def _act(self, rule: AdaptationRule, week: int) -> tuple[float, float, str] | None:
        """Apply ``rule``'s action: (before, after, what was done), or None if no change."""
        programme = self.programme
        if rule.action == "rematch":
            return self._rematch()
        if rule.action == "train":
            return self._train(rule.amount)
        if rule.action == "stop":
            if programme.stopped:
                return None
            programme.stopped = True
            ongoing = self.relationships.pairs(FORMAL)
            return (1.0, 0.0, f"the programme stops matching new pairs; its {ongoing} "
                    "ongoing formal pairs run to their end")
        sign = 1.0 if rule.action == "widen_eligibility" else -1.0
        before = programme.max_mentee_share
        after = float(np.clip(before + sign * rule.amount, 0.0, MAX_MENTEE_SHARE))
        if after == before:
            return None
        programme.max_mentee_share = after
        verb = "widened" if sign > 0 else "narrowed"
        return (before, after, f"the share of staff in formal pairs is {verb} from "
                f"{before:g} to {after:g}")

    def _rematch(self) -> tuple[float, float, str] | None:
        """End every formal pair below ``programme.rematch_below_quality``, for re-matching."""
        wf = self.workforce
        programme = self.programme
        below = programme.design.rematch_below_quality
        failing = np.flatnonzero((wf.pair_kind == FORMAL) & (wf.quality < below))
        if failing.shape[0] == 0:
            return None
        before = self.relationships.pairs(FORMAL)
        programme.rematch(failing)
        then = ("their mentees are not re-matched (matching is stopped)" if programme.stopped
                else "their mentees are re-matched")
        return (float(before), float(before - failing.shape[0]),
                f"its {failing.shape[0]} formal pairs below quality {below:g} end and {then}")

    def _train(self, hours: float) -> tuple[float, float, str]:
        """Add ``hours`` of mentor training: every trained mentor now, every new one later.

        New pairs' base quality rises by the saturating training gain; the current formal
        pairs rise by the same difference (their mentors are trained too), clipped to
        [MIN_QUALITY, 1]; the hours of every mentor trained so far and still employed are
        costed this week (``programme.hours_week["training"]``).
        """
        wf = self.workforce
        programme = self.programme
        before = programme.training_hours
        old_base = programme.base_quality
        programme.training_hours = before + hours
        programme.base_quality = programme.base_quality_for(programme.training_hours)
        gain = programme.base_quality - old_base
        formal = wf.pair_kind == FORMAL
        wf.quality[formal] = np.clip(wf.quality[formal] + gain, MIN_QUALITY, 1.0)
        trained = int(np.count_nonzero(wf.trained & wf.active))
        programme.hours_week["training"] += trained * hours
        return (before, programme.training_hours,
                f"{trained} mentors get {hours:g} more hours of training ({before:g} -> "
                f"{programme.training_hours:g} h); new pairs' base quality rises "
                f"{old_base:.3f} -> {programme.base_quality:.3f} and the "
                f"{int(np.count_nonzero(formal))} current formal pairs' by {gain:.3f}")


def adaptations_frame(adaptations: list[dict[str, Any]]) -> pd.DataFrame:
    """The adaptations log as a table, columns :data:`ADAPTATION_COLUMNS` (empty if none)."""
    return pd.DataFrame(list(adaptations), columns=list(ADAPTATION_COLUMNS))
