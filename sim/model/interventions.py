"""Interventions on the enablers: job aids, tools and incentives, week by week, with costs.

The HPT answer to a cause that is not skill (Gilbert 1978; the ISPI HPT model's
intervention selection): information is addressed by job aids and clear expectations,
resources by tools and time, incentives by aligned incentives. Each
``[[interventions]]`` entry closes a share of its enabler's shortfall, ``1 - level``,
for the competency-group cells it covers: from its first week the share rises linearly
over ``ramp_weeks`` to ``deficit_closed`` and holds until ``end_week`` (or the horizon).
Several interventions on one cell each close their share of what is left. It costs
``fixed_cost`` in its first week and ``cost_per_employee_per_year`` / 52 a week for each
employee of its group (or of the organisation) in post.

Mentoring does not act on the enablers and interventions do not act on skills: this
component only sets the enabler levels that turn skill performance into on-the-job
performance (:func:`sim.model.needs.slot_enablers`).
"""

from __future__ import annotations

import numpy as np

from sim.config.schema import CAUSES, INTERVENTION_CAUSE
from sim.model.needs import cause_levels, cells, slot_enablers
from sim.units import WEEKS_PER_YEAR


class Interventions:
    """The enablers per competency and group, and the interventions acting on them.

    Args:
        scenario: The validated scenario (``[causes]`` and ``[[interventions]]``).
        workforce: The model's workforce (skills, group, active).
        environment: The model's environment (required levels, weights).

    Attributes:
        base: float64 (3, K, G), the enablers' levels from ``[causes]`` (information,
            resources, incentives x competencies x groups).
        levels: The same after this week's interventions.
        slots: float64 (N,), each slot's job-relevant enabler share
            (:func:`~sim.model.needs.slot_enablers`); the model's ``enabler_slots``.
        weeks_run: int (number of interventions,), weeks each has run so far.
        cost_week: Money spent on interventions this week.
        cost_total: Money spent on interventions so far (undiscounted).

    """

    def __init__(self, scenario, workforce, environment) -> None:
        self.items = list(scenario.interventions)
        self.workforce = workforce
        self.environment = environment
        self.base = cause_levels(scenario)
        self.levels = self.base.copy()
        competencies = list(scenario.organisation.competencies)
        groups = [g.name for g in scenario.workforce.groups]
        self._cause = [CAUSES.index(INTERVENTION_CAUSE[item.kind]) for item in self.items]
        self._cells = [cells(competencies, groups, item.competency, item.group)
                       for item in self.items]
        self._group = [None if item.group is None else groups.index(item.group)
                       for item in self.items]
        self.weeks_run = np.zeros(len(self.items), dtype=np.int64)
        self.cost_week = 0.0
        self.cost_total = 0.0
        self.slots = np.ones(workforce.size, dtype=np.float64)
        self.refresh()

    @property
    def enablers(self) -> np.ndarray:
        """float64 (K, G): the product of the three enablers per competency and group."""
        return self.levels.prod(axis=0)

    def running(self, week: int) -> list[int]:
        """Indices of the interventions that run in ``week``."""
        return [i for i, item in enumerate(self.items)
                if item.start_week <= week and (item.end_week is None or week < item.end_week)]

    def step(self, week: int) -> None:
        """Apply this week's interventions to the enablers and accrue their cost.

        Called once a week after the workforce flows (so the employees reached are those
        in post at the week's end); refreshes :attr:`slots`.
        """
        self.levels[...] = self.base
        wf = self.workforce
        cost = 0.0
        for i in self.running(week):
            item = self.items[i]
            self.weeks_run[i] += 1
            ramp = 1.0 if item.ramp_weeks == 0 else min(1.0, self.weeks_run[i] / item.ramp_weeks)
            closed = item.deficit_closed * ramp
            level = self.levels[self._cause[i]]
            mask = self._cells[i]
            level[mask] += closed * (1.0 - level[mask])
            if self.weeks_run[i] == 1:
                cost += item.fixed_cost
            if item.cost_per_employee_per_year > 0:
                group = self._group[i]
                reached = wf.n_active if group is None else int(
                    np.count_nonzero(wf.active & (wf.group == group)))
                cost += item.cost_per_employee_per_year / WEEKS_PER_YEAR * reached
        self.cost_week = cost
        self.cost_total += cost
        self.refresh()

    def refresh(self) -> None:
        """Recompute :attr:`slots` from the current levels, skills and requirements."""
        slot_enablers(self.enablers, self.workforce, self.environment, self.slots)
