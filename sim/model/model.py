"""MentoringModel: the organisation, its environment, workforce and programme, week by week.

One step is one week, in the order of the ODD schedule (docs/ODD.md):
environment update -> relationship lifecycle -> programme phase -> formative check (every
``formative.interval_weeks``, rules adapt the programme) -> informal ties -> learning
kernel over the whole skill matrix -> outcomes (commitment, promotions) -> workforce flows
(quit, retire, hire) -> data collection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.allocator import keep_freed_memory
from sim.config import Scenario, load_scenario, with_overrides
from sim.kernels import LearningRates, learn_week
from sim.model import Employee
from sim.model.environment import Environment
from sim.model.formative import FormativeEvaluation
from sim.model.informal import InformalMentoring
from sim.model.interventions import Interventions
from sim.model.needs import enabler_factor
from sim.model.outcomes import Outcomes
from sim.model.peers import peer_gains
from sim.model.programme import Programme
from sim.model.relationships import Relationships
from sim.model.reporters import REPORTERS, MetricsCollector, reporter, weekly_metrics
from sim.model.service import ServiceLoad
from sim.model.workforce import Flows, Workforce, row_blocks
from sim.units import WEEKS_PER_MONTH, WEEKS_PER_YEAR


class MentoringModel(mesa.Model):
    """An organisation whose employees learn, mentor and are mentored, week by week.

    Args:
        scenario: A :class:`~sim.config.Scenario`, the name of a bundled scenario
            (``"mentoring"``; ``mentorsim scenarios`` lists them), a path to a TOML
            scenario, or None for the built-in defaults.
        rng: Seed or Generator for all randomness; None uses the scenario's ``seed``, so
            the same scenario gives the same numbers unless a seed is passed.
        **overrides: Any scenario field with ``__`` for the dots, e.g.
            ``programme__duration_weeks=26`` (for ``mesa.batch_run`` and SolaraViz).

    Attributes:
        scenario: The scenario as resolved (overrides applied).
        environment, workforce, relationships, programme, formative, informal, outcomes:
            The model's parts.
        adaptations: The formative evaluation's log, one dict per adaptation of the
            programme (week, rule, condition, measured value, action, reason; see
            :mod:`sim.model.formative`).
        interventions: The enablers per competency and group and the interventions on
            them (:class:`sim.model.interventions.Interventions`).
        enabler_slots: float64 (N,), each slot's job-relevant share of skill
            performance the enablers let through (refreshed every week).
        metrics: This week's reporters (see :data:`sim.model.reporters.REPORTERS`).
        proficiency_weeks: Weeks from hire to proficiency of every hire who got there.

    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        rng: Any = None,
        **overrides: Any,
    ) -> None:
        resolved = _resolve_scenario(scenario, overrides)
        keep_freed_memory()  # weekly arrays reuse last week's memory (sim.allocator)
        super().__init__(rng=resolved.seed if rng is None else _check_rng(rng))
        self.scenario = resolved
        env_rng, workforce_rng, programme_rng, informal_rng = self.rng.spawn(4)
        self.key = int(self.rng.integers(0, 2**63 - 1))

        self.environment = Environment(resolved, env_rng)
        self.workforce = Workforce(resolved, workforce_rng, self.key)
        self.relationships = Relationships(resolved, self.workforce)
        self.programme = Programme(resolved, self.workforce, self.relationships, programme_rng)
        self.formative = FormativeEvaluation(
            resolved, self.workforce, self.relationships, self.programme
        )
        self.adaptations = self.formative.adaptations
        self.informal = InformalMentoring(
            resolved, self.workforce, self.relationships, informal_rng
        )
        self.outcomes = Outcomes(resolved, self.workforce)
        self.service = ServiceLoad(resolved, self.workforce)
        self.busy_hours = np.zeros(self.workforce.size, dtype=np.float64)
        self.enablers = enabler_factor(resolved)  # organisation-wide, without the deficits
        org = resolved.organisation
        self.hourly_wage = org.salary_per_year / (WEEKS_PER_YEAR * org.hours_per_week)
        self.programme_cost = resolved.evaluation.fixed_cost if resolved.programme.enabled else 0.0
        self.knowledge_lost_week = 0.0
        self.proficient_leavers_week = 0
        self.initial_headcount = self.workforce.size
        self.time_share_buffer = np.zeros(self.workforce.size, dtype=np.float64)
        learning = resolved.learning
        self.rates = LearningRates.from_half_life(
            doing=learning.doing_rate_per_week,
            novice_boost=learning.novice_boost,
            novice_weeks=learning.novice_weeks,
            mentoring=learning.mentoring_rate_per_hour,
            reciprocal=learning.reciprocal_rate_per_hour,
            half_life_weeks=learning.skill_half_life_months * WEEKS_PER_MONTH,
            noise_sd=learning.weekly_noise_sd,
        )
        self._timeseries: tuple | None = None  # (steps, frame) of the last timeseries()
        self.horizon_weeks = resolved.horizon_weeks
        self.proficiency_weeks: list[int] = []
        self.proficiency_roles: list[int] = []
        self.last_flows: Flows | None = None

        self._employees: list[Employee | None] = [None] * self.workforce.size
        self._assess(np.arange(self.workforce.size))
        # the enablers per competency and group, the interventions on them, and each
        # slot's job-relevant share of them (refreshed every week after the flows)
        self.interventions = Interventions(resolved, self.workforce, self.environment)
        self.enabler_slots = self.interventions.slots

        self.metrics = weekly_metrics(self)
        self.datacollector = MetricsCollector(
            model_reporters={name: reporter(name) for name in REPORTERS}
        )
        self.datacollector.collect(self)

    # --- the weekly schedule -------------------------------------------------------
    def step(self) -> None:
        """Advance one week."""
        week = self.steps
        env = self.environment
        env.update(week)
        self.relationships.lifecycle(week)
        self.programme.phase(week, env.required, env.weights)
        self.formative.phase(week, self)
        self.informal.phase(week, env.required, env.weights)
        self.learn(week)
        self.outcomes.update(week)
        self.last_flows = self.workforce.flow(
            week, self.outcomes.coef, self._on_leave, env.required / env.initial_required
        )
        self._sync_employees(self.last_flows)
        self.interventions.step(week)
        self.programme_cost += self.hourly_wage * sum(self.programme.hours_week.values())
        self.metrics = weekly_metrics(self)
        self.datacollector.collect(self)
        if self.steps >= self.horizon_weeks:
            self.running = False

    def learn(self, week: int) -> None:
        """Run the learning kernel over the whole skill matrix and record proficiency."""
        wf = self.workforce
        env = self.environment
        design = self.scenario.programme
        hours_per_week = self.scenario.organisation.hours_per_week
        # hours away from the work itself: mentoring as the weekly sums last counted it (a
        # mentor's new pair counts from next week; a mentee's own meetings at once) and
        # service (sim.model.service)
        busy = np.multiply(self.time_share_buffer, hours_per_week, out=self.busy_hours)
        np.maximum(busy, wf.contact_hours, out=busy)
        busy += self.service.update()
        peers = None
        if design.enabled and design.format == "group":
            peers = peer_gains(wf, self.scenario.learning.peer_rate_per_hour)
        wf.performance, wf.gap = learn_week(
            wf.skills, wf.active, wf.pid, wf.aptitude, wf.tenure_weeks, wf.mentor, wf.pair_kind,
            wf.quality,
            wf.contact_hours, wf.focus_competency, env.usage, env.required, env.weights,
            self.rates, design.targeted, hours_per_week, self.key, week,
            check=week == 0,  # the arrays keep their dtypes and shapes
            busy_hours=busy,
        )
        if peers is not None and peers[0].shape[0]:  # group members learn from each other
            members, gains = peers
            np.clip(wf.skills[members] + gains, 0.0, 1.0, out=gains)
            wf.skills[members] = gains
            self._assess(members)
        threshold = self.scenario.organisation.proficiency_threshold
        newly = wf.record_proficiency(week, threshold)
        self.proficiency_weeks.extend((week - wf.hire_week[newly]).tolist())
        self.proficiency_roles.extend(wf.role[newly].tolist())

    def _on_leave(self, leavers: np.ndarray) -> None:
        """Record the knowledge that leaves, then end the leavers' pairs."""
        wf = self.workforce
        threshold = self.scenario.organisation.proficiency_threshold
        self.knowledge_lost_week = float((wf.skills[leavers] @ self.environment.weights).sum())
        self.proficient_leavers_week = int(np.count_nonzero(wf.performance[leavers] >= threshold))
        self.relationships.on_leave(leavers)

    def job_performance(self) -> np.ndarray:
        """On-the-job performance per slot: skill performance x enablers x motivation.

        The enablers are the slot's job-relevant share (``enabler_slots``: the enablers of
        each competency for the slot's group, weighted by its skill performance in them).
        """
        wf = self.workforce
        motivation = 1.0 + self.scenario.attitudes.motivation_effect * wf.commitment
        return wf.performance * self.enabler_slots * motivation

    def time_share(self) -> np.ndarray:
        """Share of each slot's working week spent in mentoring (as of the last report)."""
        return self.time_share_buffer

    def initial_staff_retained(self) -> int:
        """How many of the staff in post at week 0 have not quit (retirees count as kept)."""
        return self.initial_headcount - self.workforce.initial_staff_quits

    def _assess(self, slots: np.ndarray) -> None:
        """Performance and gap of ``slots`` without learning (for hires and at start).

        In blocks of rows (:func:`~sim.model.workforce.row_blocks`), so that assessing a
        whole large organisation needs no N x K temporaries.
        """
        wf = self.workforce
        required = self.environment.required
        weights = self.environment.weights
        for rows in row_blocks(slots.shape[0]):
            block = slots[rows]
            skills = wf.skills[block]
            wf.performance[block] = (np.minimum(skills / required, 1.0) * weights).sum(axis=1)
            wf.gap[block] = (np.maximum(required - skills, 0.0) * weights).sum(axis=1)
            wf.performance[block] *= wf.active[block]
            wf.gap[block] *= wf.active[block]

    # --- agents over the arrays --------------------------------------------------
    # Employees are Mesa agents, but their state lives in the workforce arrays, so the
    # Agent objects are made when first asked for (and kept while the person stays) and
    # the model's agent registry is the ``active`` array itself: hiring and leaving cost
    # no per-agent Python work, and a million employees need no million objects until
    # someone looks at them. Other agent types a user adds register with Mesa as usual.
    def register_agent(self, agent: mesa.Agent) -> None:
        """Register a non-employee agent with Mesa; employees live in the arrays."""
        if not isinstance(agent, Employee):
            super().register_agent(agent)

    def deregister_agent(self, agent: mesa.Agent) -> None:
        """Deregister a non-employee agent; an employee leaves through the arrays."""
        if not isinstance(agent, Employee):
            super().deregister_agent(agent)

    def _sync_employees(self, flows: Flows) -> None:
        for slot in flows.leavers.tolist():
            self._employees[slot] = None
        if flows.hires.shape[0]:
            self._assess(flows.hires)

    def employee_at(self, slot: int) -> Employee:
        """The employee agent holding ``slot`` of the workforce arrays.

        Raises:
            KeyError: ``slot`` is vacant or outside ``0 .. workforce.size - 1`` (a negative
                slot does not count from the end).

        """
        if not 0 <= slot < self.workforce.size:
            raise KeyError(f"slot {slot} is outside 0..{self.workforce.size - 1}")
        if not self.workforce.active[slot]:
            raise KeyError(f"slot {slot} is vacant")
        employee = self._employees[slot]
        if employee is None:
            employee = Employee(self, slot)
            employee.unique_id = int(self.workforce.pid[slot])
            self._employees[slot] = employee
        return employee

    def _agent_set(self, slots: np.ndarray) -> mesa.agent.AgentSet:
        return mesa.agent.AgentSet(
            [self.employee_at(s) for s in slots.tolist()], random=self.random
        )

    @property
    def employees(self) -> mesa.agent.AgentSet:
        """AgentSet of everyone employed now."""
        return self._agent_set(np.flatnonzero(self.workforce.active))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents: the employees, plus any other agents registered with Mesa."""
        employees = self.employees
        others = list(super().agents)
        if not others:
            return employees
        return mesa.agent.AgentSet([*employees, *others], random=self.random)

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Agents by type, employees included."""
        by_type = dict(super().agents_by_type)
        by_type[Employee] = self.employees
        return by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent types in the model."""
        return list(self.agents_by_type)

    @property
    def mentors(self) -> mesa.agent.AgentSet:
        """AgentSet of the employees who mentor someone now."""
        return self._agent_set(np.flatnonzero(self.workforce.load > 0))

    @property
    def mentees(self) -> mesa.agent.AgentSet:
        """AgentSet of the employees who have a mentor now."""
        return self._agent_set(np.flatnonzero(self.workforce.mentor >= 0))

    # --- results -------------------------------------------------------------------
    def run(self) -> MentoringModel:
        """Run to the scenario's horizon and return the model."""
        while self.running:
            self.step()
        return self

    def timeseries(self):
        """The model reporters as a pandas DataFrame indexed by week (a fresh copy)."""
        cached = self._timeseries
        if cached is None or cached[0] != self.steps:
            frame = self.datacollector.get_model_vars_dataframe()
            frame.index.name = "week"
            self._timeseries = cached = (self.steps, frame)
        return cached[1].copy()


def free_model(model: mesa.Model) -> None:
    """Let ``model``'s arrays be freed as soon as its last reference goes.

    Mesa wraps ``step`` in ``Model.__init__`` by storing the model's own bound methods on
    it (``step``, ``_user_step``): a reference cycle, so a dropped model waits for the
    next full garbage collection, and a large one keeps its arrays (0.4 kB an employee)
    while the next one is built. This removes the two wrappers; call it when a model is
    finished with (it must not be stepped again).
    """
    model.__dict__.pop("step", None)
    model.__dict__.pop("_user_step", None)


def _resolve_scenario(scenario: Scenario | str | Path | None, overrides: dict) -> Scenario:
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    if scenario is None or isinstance(scenario, str | Path):
        return load_scenario(scenario, dotted)
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, dotted, f"<scenario {scenario.name}>")
    raise TypeError(f"scenario must be a Scenario, a path or None, got {type(scenario).__name__}")


def _check_rng(rng: Any) -> Any:
    """Refuse an ``rng`` the model cannot draw independent streams from, in one line."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        if not hasattr(rng.bit_generator.seed_seq, "spawn"):
            raise TypeError("rng: a Generator whose bit generator was made from a "
                            "SeedSequence is needed (np.random.default_rng(seed))")
        return rng
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise TypeError(f"rng must be None, an int seed, a numpy Generator or a SeedSequence,"
                        f" got {type(rng).__name__}")
    # a numpy integer as a plain int: Mesa seeds its stdlib generator from an int directly
    # but draws a seed for it from the numpy stream otherwise, which would shift every
    # draw, so np.int64(5) would not give the run of 5
    return int(rng)

