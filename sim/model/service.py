"""Service work that takes time from one's own development ("cultural taxation").

Committees, selection panels, outreach: work that asks for a member of each group is
shared among that group's seniors, so the fewer seniors a group has, the more each one
carries (Padilla 1994; Zambrana et al. 2015 on underrepresented minority faculty). The
demand is ``service.representation_hours_per_100_staff`` hours a week per 100 staff for
every group; a senior's share is that over the group's seniors, capped at
``service.max_share_of_week`` of the working week. The hours are taken from learning by
doing, with the hours spent in mentoring (:meth:`MentoringModel.learn`). No parameter is
set per group: the load follows from the senior pool's composition.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import service_hours
from sim.model.workforce import Workforce


class ServiceLoad:
    """Weekly service hours of every slot.

    Args:
        scenario: The validated scenario (its ``service`` section; seniors are those with
            ``programme.mentor_min_tenure_weeks`` of tenure, as for mentoring).
        workforce: The arrays.

    Attributes:
        hours: float64 (N,), this week's service hours per slot (0 for non-seniors).

    """

    def __init__(self, scenario: Scenario, workforce: Workforce) -> None:
        self.workforce = workforce
        service = scenario.service
        self.hours_per_100 = service.representation_hours_per_100_staff
        self.cap = service.max_share_of_week * scenario.organisation.hours_per_week
        self.min_tenure = scenario.programme.mentor_min_tenure_weeks
        self.hours = np.zeros(workforce.size, dtype=np.float64)
        self._checked = False  # the arrays are validated on the first update
        self.per_senior = np.zeros(len(workforce.group_names), dtype=np.float64)

    def update(self) -> np.ndarray:
        """Compute the service hours of every slot this week (also kept in :attr:`hours`).

        One compiled pass counts each group's seniors, one fills the hours
        (:func:`sim.kernels.service_hours`); with no demand every slot carries 0.
        """
        wf = self.workforce
        if self.hours_per_100 <= 0:
            self.hours[:] = 0.0
            return self.hours
        demand = self.hours_per_100 * wf.n_active / 100.0
        checked, self._checked = self._checked, True
        return service_hours(wf.active, wf.tenure_weeks, wf.group, self.min_tenure, demand,
                             self.cap, self.per_senior, self.hours, check=not checked)
