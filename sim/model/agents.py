"""Mesa agents: thin views onto the workforce arrays.

An :class:`Employee` holds no state of its own beyond its slot: its skills, job role,
mentoring role, tenure, group and mentor are properties that read the model's arrays, so
the weekly step never loops over agents in Python. The model makes an Employee object when
one is first asked for (``model.agents``, ``model.mentors``, ``employee.mentor`` ...) and
drops it when the person leaves; ``unique_id`` equals the person id in the arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from sim.model import MentoringModel


class Employee(mesa.Agent):
    """An employee of the organisation, viewed through the model's arrays.

    Args:
        model: The model the employee belongs to.
        slot: Row of the workforce arrays this employee occupies.

    """

    model: MentoringModel

    def __init__(self, model: MentoringModel, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def employed(self) -> bool:
        """Whether this person still holds their slot (False once they have left)."""
        return self.model._employees[self.slot] is self

    @property
    def _wf(self):
        return self.model.workforce

    @property
    def skills(self) -> np.ndarray:
        """Skill levels over the competencies (a read-only copy)."""
        return self._wf.skills[self.slot].copy()

    @property
    def skill_profile(self) -> dict[str, float]:
        """Skills by competency name."""
        names = self.model.environment.competencies
        return dict(zip(names, self._wf.skills[self.slot].tolist(), strict=True))

    @property
    def aptitude(self) -> float:
        """Individual learning-rate multiplier."""
        return float(self._wf.aptitude[self.slot])

    @property
    def group(self) -> str:
        """Name of the employee's group."""
        return self._wf.group_names[int(self._wf.group[self.slot])]

    @property
    def job_role(self) -> str:
        """Name of the employee's job family (``workforce.roles``; ``"all"`` without roles)."""
        return self._wf.role_names[int(self._wf.role[self.slot])]

    @property
    def tenure_weeks(self) -> int:
        """Weeks since hire."""
        return int(self._wf.tenure_weeks[self.slot])

    @property
    def age_years(self) -> float:
        """Age in years."""
        return float(self._wf.age_years[self.slot])

    @property
    def performance(self) -> float:
        """Strategy-weighted skill performance in [0, 1] after the last week's learning."""
        return float(self._wf.performance[self.slot])

    @property
    def gap(self) -> float:
        """Strategy-weighted skill gap after the last week's learning."""
        return float(self._wf.gap[self.slot])

    @property
    def mentor(self) -> Employee | None:
        """The current mentor, or None."""
        m = int(self._wf.mentor[self.slot])
        return None if m < 0 else self.model.employee_at(m)

    @property
    def mentees(self) -> list[Employee]:
        """The current mentees (empty unless the employee mentors)."""
        if self._wf.load[self.slot] == 0:
            return []
        slots = np.flatnonzero(self._wf.mentor == self.slot)
        return [self.model.employee_at(int(s)) for s in slots]

    @property
    def relationship_quality(self) -> float | None:
        """Quality of the current relationship with a mentor, or None."""
        return float(self._wf.quality[self.slot]) if self._wf.mentor[self.slot] >= 0 else None

    @property
    def relationship_age_weeks(self) -> int | None:
        """Age of the current relationship with a mentor, or None."""
        if self._wf.mentor[self.slot] < 0:
            return None
        return int(self._wf.pair_age_weeks[self.slot])

    @property
    def mentoring_role(self) -> str:
        """Where the employee stands in mentoring now.

        ``"mentor"``, ``"mentee"``, ``"mentor and mentee"`` or ``"employee"`` (neither). Not
        the job family, which is :attr:`job_role` (``Workforce.role`` holds its index).
        """
        is_mentor = self._wf.load[self.slot] > 0
        is_mentee = self._wf.mentor[self.slot] >= 0
        if is_mentor and is_mentee:
            return "mentor and mentee"
        return "mentor" if is_mentor else "mentee" if is_mentee else "employee"

    @property
    def ever_mentored(self) -> bool:
        """Whether the employee has ever had a mentor in the programme."""
        return bool(self._wf.ever_mentored[self.slot])

    def __repr__(self) -> str:
        return (f"Employee(id={self.unique_id}, mentoring_role={self.mentoring_role}, "
                f"group={self.group})")
