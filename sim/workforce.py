"""The state of all employees as arrays (structure of arrays), and the workforce flows.

Rows are *slots*: a fixed number equal to the target headcount. A slot is active while an
employee holds it; a leaver empties it and a hire fills it again with a new person (a new
person id). Everything weekly is vectorised over the slots; no Python loop visits all
employees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import kernels
from sim.config import Scenario
from sim.learning import counter_uniforms

WEEKS_PER_YEAR = 52.0
NOT_YET = np.iinfo(np.int32).min  # proficient_week of a hire not yet proficient


@dataclass(frozen=True)
class Flows:
    """Who left and who was hired in one week (slot indices)."""

    quits: np.ndarray
    retirements: np.ndarray
    hires: np.ndarray

    @property
    def leavers(self) -> np.ndarray:
        """All slots vacated this week."""
        return np.concatenate([self.quits, self.retirements])


class Workforce:
    """All employees' state as arrays over slots.

    Attributes:
        skills: float64 (N, K) skill levels in [0, 1].
        aptitude: float64 (N,) individual learning rate multiplier (lognormal, median 1).
        group: int8 (N,) index into ``group_names``.
        tenure_weeks: int32 (N,).
        age_years: float64 (N,).
        active: bool (N,) slot is held by an employee.
        pid: int64 (N,) person id (-1 in a vacant slot); equals the Mesa agent's unique_id.
        hire_week: int32 (N,) week of hire (negative for staff already there at week 0).
        proficient_week: int32 (N,) first week proficient, ``NOT_YET`` until then.
        mentor: int32 (N,) slot of the current mentor, -1 if none.
        quality: float64 (N,) relationship quality of the current pair (mentee's row).
        pair_age_weeks: int32 (N,) age of the current pair (mentee's row).
        load: int16 (N,) current number of mentees (mentor's row).
        ever_mentored: bool (N,), weeks_mentored: int32 (N,).
        early_ended: bool (N,) the last relationship ended early.
        gap_at_match: float64 (N,) the mentee's weighted gap when first matched.
        commitment: float64 (N,) attitude in SD units (0 = baseline); lowers quit hazard.
        performance, gap: float64 (N,) from the last learning pass.

    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator, key: int) -> None:
        self.scenario = scenario
        self.rng = rng
        self.key = key
        wf = scenario.workforce
        n = scenario.organisation.headcount
        k = scenario.n_competencies
        self.size = n
        self.group_names = [g.name for g in wf.groups]
        self.group_shares = np.array([g.share for g in wf.groups])
        self.underrepresented = np.array([g.underrepresented for g in wf.groups])

        self.skills = np.empty((n, k), dtype=np.float64)
        self.aptitude = np.empty(n, dtype=np.float64)
        self.group = np.empty(n, dtype=np.int8)
        self.tenure_weeks = np.zeros(n, dtype=np.int32)
        self.age_years = np.empty(n, dtype=np.float64)
        self.active = np.ones(n, dtype=np.bool_)
        self.pid = np.arange(1, n + 1, dtype=np.int64)
        self.hire_week = np.zeros(n, dtype=np.int32)
        self.proficient_week = np.full(n, NOT_YET, dtype=np.int32)
        self.mentor = np.full(n, -1, dtype=np.int32)
        self.quality = np.zeros(n, dtype=np.float64)
        self.pair_age_weeks = np.zeros(n, dtype=np.int32)
        self.load = np.zeros(n, dtype=np.int16)
        self.ever_mentored = np.zeros(n, dtype=np.bool_)
        self.weeks_mentored = np.zeros(n, dtype=np.int32)
        self.early_ended = np.zeros(n, dtype=np.bool_)
        self.gap_at_match = np.zeros(n, dtype=np.float64)
        self.commitment = np.zeros(n, dtype=np.float64)
        self.performance = np.zeros(n, dtype=np.float64)
        self.gap = np.zeros(n, dtype=np.float64)
        self.next_pid = n + 1

        all_slots = np.arange(n)
        self._draw_people(all_slots, wf.initial_age_mean_years, wf.initial_age_sd_years)
        self.skills[:] = settled_skills(scenario, self.aptitude)
        if wf.initial_skill_sd > 0:
            self.skills += rng.normal(0.0, wf.initial_skill_sd, size=self.skills.shape)
            np.clip(self.skills, 0.01, 0.99, out=self.skills)
        # Staff already in post: tenure up to their working life so far (at most 30 years).
        working_years = np.clip(self.age_years - 22.0, 0.0, 30.0)
        self.tenure_weeks[:] = (rng.random(n) * working_years * WEEKS_PER_YEAR).astype(np.int32)
        self.hire_week[:] = -self.tenure_weeks
        self.proficient_week[:] = self.hire_week  # staff in post count as ramped up
        self._weekly_quit = 1.0 - (1.0 - wf.annual_turnover) ** (1.0 / WEEKS_PER_YEAR)

    @property
    def n_active(self) -> int:
        """Current headcount."""
        return int(np.count_nonzero(self.active))

    def _draw_people(self, slots: np.ndarray, age_mean: float, age_sd: float) -> None:
        """Draw aptitude, group and age for new people in ``slots``."""
        rng = self.rng
        m = slots.shape[0]
        sigma = self.scenario.workforce.aptitude_sd
        self.aptitude[slots] = np.exp(rng.normal(0.0, sigma, size=m))
        self.group[slots] = rng.choice(len(self.group_names), size=m, p=self.group_shares)
        retire = self.scenario.workforce.retirement_age_years
        self.age_years[slots] = np.clip(rng.normal(age_mean, age_sd, size=m), 18.0, retire - 0.5)

    def flow(self, week: int, on_leave) -> Flows:
        """One week of ageing, quitting, retiring and hiring.

        Args:
            week: The simulation week.
            on_leave: Callback given the slots that empty this week, before they are
                reused (the programme ends those employees' pairs).

        Returns:
            The slots that quit, retired and were hired this week.

        """
        wf = self.scenario.workforce
        active = np.flatnonzero(self.active)
        self.age_years[active] += 1.0 / WEEKS_PER_YEAR
        self.tenure_weeks[active] += 1

        retiring = active[self.age_years[active] >= wf.retirement_age_years]
        hazard = np.full(active.shape[0], self._weekly_quit)
        is_mentee = self.mentor[active] >= 0
        hazard[is_mentee] *= wf.mentored_quit_hazard_ratio
        hazard[self.load[active] > 0] *= wf.mentor_quit_hazard_ratio
        hazard *= np.exp(-self.commitment[active])
        draws = counter_uniforms(self.key, week, self.pid[active], kernels.STREAM_QUIT)
        quitting = active[(draws < hazard) & (self.age_years[active] < wf.retirement_age_years)]

        leavers = np.concatenate([quitting, retiring])
        if leavers.shape[0]:
            on_leave(leavers)
            self.active[leavers] = False
            self.pid[leavers] = -1
            self.performance[leavers] = 0.0
            self.gap[leavers] = 0.0

        vacant = np.flatnonzero(~self.active)
        n_hire = int(self.rng.binomial(vacant.shape[0], wf.vacancy_fill_per_week)) if (
            vacant.shape[0]
        ) else 0
        hires = vacant[:n_hire]
        if n_hire:
            self._hire(hires, week)
        return Flows(quits=quitting, retirements=retiring, hires=hires)

    def _hire(self, slots: np.ndarray, week: int) -> None:
        wf = self.scenario.workforce
        m = slots.shape[0]
        k = self.skills.shape[1]
        self.skills[slots] = _beta_draws(self.rng, wf.hire_skill_mean, wf.hire_skill_sd, (m, k))
        self._draw_people(slots, wf.hire_age_mean_years, wf.hire_age_sd_years)
        self.active[slots] = True
        self.pid[slots] = np.arange(self.next_pid, self.next_pid + m, dtype=np.int64)
        self.next_pid += m
        self.tenure_weeks[slots] = 0
        self.hire_week[slots] = week
        self.proficient_week[slots] = NOT_YET
        self.mentor[slots] = -1
        self.quality[slots] = 0.0
        self.pair_age_weeks[slots] = 0
        self.load[slots] = 0
        self.ever_mentored[slots] = False
        self.weeks_mentored[slots] = 0
        self.early_ended[slots] = False
        self.gap_at_match[slots] = 0.0
        self.commitment[slots] = 0.0
        self.performance[slots] = 0.0
        self.gap[slots] = 0.0

    def record_proficiency(self, week: int, threshold: float) -> np.ndarray:
        """Mark hires who reach ``threshold`` performance for the first time.

        Returns:
            Weeks from hire to proficiency of those who got there this week.

        """
        newly = np.flatnonzero(
            self.active & (self.proficient_week == NOT_YET) & (self.performance >= threshold)
        )
        self.proficient_week[newly] = week
        return (week - self.hire_week[newly]).astype(np.int64)


def settled_skills(scenario: Scenario, aptitude: np.ndarray) -> np.ndarray:
    """Skill levels at which learning by doing balances forgetting, per employee.

    With doing rate alpha, aptitude a, usage u = required level r and forgetting rate
    lambda, ``alpha a u (1 - s) = lambda (1 - u) s`` gives
    ``s* = alpha a u / (alpha a u + lambda (1 - u))``; staff already in post start there
    (so a run needs no warm-up), and when alpha = lambda a median employee meets r exactly.
    """
    learning = scenario.learning
    alpha = learning.doing_rate_per_week
    forget = np.log(2.0) / (learning.skill_half_life_months * 52.0 / 12.0)
    usage = np.array(scenario.organisation.required_levels, dtype=np.float64)
    gain = alpha * aptitude[:, None] * usage[None, :]
    loss = forget * (1.0 - usage)[None, :]
    return np.where(gain + loss > 0, gain / np.maximum(gain + loss, 1e-300), 0.0)


def _beta_draws(
    rng: np.random.Generator, mean: float, sd: float, shape: tuple[int, ...]
) -> np.ndarray:
    """Beta-distributed draws in (0, 1) with the given mean and sd (sd capped to be valid)."""
    if sd <= 0:
        return np.full(shape, mean, dtype=np.float64)
    max_var = mean * (1.0 - mean)
    var = min(sd * sd, 0.95 * max_var)
    concentration = max_var / var - 1.0
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=shape)
