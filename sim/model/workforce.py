"""The state of all employees as arrays (structure of arrays), and the workforce flows.

Rows are *slots*: a fixed number equal to the target headcount. A slot is active while an
employee holds it; a leaver empties it and a hire fills it again with a new person (a new
person id). Everything weekly is vectorised over the slots; no Python loop visits all
employees.

Hiring uses counter-based draws only (:mod:`sim.kernels.random`): whether a vacant slot
fills in a week is keyed by (run key, week, slot), the hire's person id is a function of
(week, slot) (:func:`hire_pids`), and every attribute the hire arrives with is keyed by
(run key, week, that id). So a programme run and its control arm (same seed) that both
fill a slot in the same week hire the same person with the same attributes, however far
their quits have diverged (common random numbers; :func:`same_people` pairs them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from sim.config import Scenario
from sim.config.roster import Roster, read_roster
from sim.kernels import (
    STREAM_HIRE_AGE,
    STREAM_HIRE_APTITUDE,
    STREAM_HIRE_GROUP,
    STREAM_HIRE_ROLE,
    STREAM_HIRE_SKILL,
    STREAM_HIRE_TRAIT,
    STREAM_VACANCY,
    STREAM_WILLING,
    age_and_leave,
    beta_quantiles,
    counter_uniform_columns,
    counter_uniforms,
)
from sim.units import MONTHS_PER_YEAR, WEEKS_PER_YEAR

NOT_YET = np.iinfo(np.int32).min  # proficient_week of a hire not yet proficient
TRAIT_DIMENSIONS = 2  # latent deep-level traits (values, work style) for similarity
ROW_BLOCK = 65_536  # rows per block where a whole-organisation step would need N x K scratch
HIRING_HISTORY_YEARS = 30.0  # a group's past_hire_share is its share of hires this long ago
_LOWEST_UNIFORM = 2.0**-54  # counter uniforms are in [0, 1); inverse CDFs need (0, 1)

# Per-person state that a hire starts afresh with: name -> (dtype, value at hire).
_PERSON_STATE: dict[str, tuple[type, float]] = {
    "tenure_weeks": (np.int32, 0),
    "mentor": (np.int32, -1),
    "pair_kind": (np.int8, 0),
    "quality": (np.float64, 0.0),
    "pair_age_weeks": (np.int32, 0),
    "pair_duration_weeks": (np.int32, 0),
    "contact_hours": (np.float64, 0.0),
    "focus_competency": (np.int16, -1),
    "sponsored": (np.bool_, False),
    "psychosocial": (np.float64, 1.0),
    "load": (np.int16, 0),
    "ever_mentored": (np.bool_, False),
    "ever_formal": (np.bool_, False),
    "rematch_due": (np.bool_, False),
    "trained": (np.bool_, False),
    "weeks_mentored": (np.int32, 0),
    "early_ended": (np.bool_, False),
    "gap_at_match": (np.float64, 0.0),
    "commitment": (np.float64, 0.0),
    "level": (np.int8, 0),
    "promotions": (np.int16, 0),
    "performance": (np.float64, 0.0),
    "gap": (np.float64, 0.0),
}


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
        aptitude: float64 (N,) individual learning-rate multiplier (lognormal, median 1).
        trait: float64 (N, 2) latent deep-level traits; similar traits, better pairs.
        group: int8 (N,) index into ``group_names``; role: int8 (N,) into ``role_names``.
        tenure_weeks: int32 (N,); age_years: float64 (N,).
        active: bool (N,) slot is held by an employee.
        pid: int64 (N,) person id (-1 in a vacant slot); equals the Mesa agent's unique_id.
            Staff in post at week 0 have ``slot + 1``; a hire ``hire_pids(N, week, slot)``.
        hire_week: int32 (N,) week of hire (negative for staff in post at week 0).
        proficient_week: int32 (N,) first week proficient, ``NOT_YET`` until then.
        willingness: float64 (N,) a lasting uniform per person (keyed by the person id): who
            takes informal protégés (below ``informal.willing_share``).
        mentor: int32 (N,) slot of the current mentor, -1 if none.
        pair_kind: int8 (N,) 0 none, 1 formal (programme), 2 informal.
        quality, pair_age_weeks, pair_duration_weeks, contact_hours, focus_competency, sponsored:
            the mentee's current pair (hidden quality, age, planned length, weekly contact
            hours, single competency worked on or -1, whether the mentor sponsors the
            mentee).
        load: int16 (N,) current number of mentees (a mentor's row); trained: bool.
        ever_mentored, ever_formal, rematch_due, weeks_mentored, early_ended, gap_at_match:
            mentoring history.
        commitment: float64 (N,) attitude in SD units (0 = baseline).
        level, promotions: career level and promotions so far.
        performance, gap: float64 (N,) skill performance and weighted gap, last pass.
        roster_ids: object (N,) with a ``[roster]``: the roster id of each slot's holder
            (None for a hire or a vacant slot); None without a roster. Personal data: it
            stays in the process (results carry aggregates only).

    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator, key: int) -> None:
        self.scenario = scenario
        self.rng = rng
        self.key = key
        wf = scenario.workforce
        roster = read_roster(scenario) if scenario.roster is not None else None
        n = roster.size if roster is not None else scenario.organisation.headcount
        k = scenario.n_competencies
        self.size = n
        self.group_names = [g.name for g in wf.groups]
        self.group_shares = np.array([g.share for g in wf.groups])
        self.underrepresented = np.array([g.underrepresented for g in wf.groups])
        self.group_quit_ratio = np.array([g.quit_rate_ratio for g in wf.groups],
                                         dtype=np.float64)
        self.past_group_shares = (
            np.array([g.past_hire_share for g in wf.groups], dtype=np.float64)
            if wf.groups[0].past_hire_share is not None else None
        )
        roles = wf.roles or []
        self.role_names = [r.name for r in roles] or ["all"]
        self.role_shares = np.array([r.share for r in roles] or [1.0])
        self.role_hire_skill = np.array([r.hire_skill_mean for r in roles] or
                                        [wf.hire_skill_mean])
        self._group_cdf = np.cumsum(self.group_shares)
        self._role_cdf = np.cumsum(self.role_shares)

        self.skills = np.empty((n, k), dtype=np.float64)
        self.aptitude = np.empty(n, dtype=np.float64)
        self.trait = np.empty((n, TRAIT_DIMENSIONS), dtype=np.float64)
        self.group = np.empty(n, dtype=np.int8)
        self.role = np.empty(n, dtype=np.int8)
        self.age_years = np.empty(n, dtype=np.float64)
        self.active = np.ones(n, dtype=np.bool_)
        self.pid = np.arange(1, n + 1, dtype=np.int64)
        self.hire_week = np.zeros(n, dtype=np.int32)
        self.proficient_week = np.full(n, NOT_YET, dtype=np.int32)
        for name, (dtype, value) in _PERSON_STATE.items():
            setattr(self, name, np.full(n, value, dtype=dtype))
        # each person's lasting willingness to take informal protégés, a uniform keyed by
        # the person id (sim.model.informal compares it with informal.willing_share)
        self.willingness = counter_uniforms(key, 0, self.pid, STREAM_WILLING)
        self.initial_staff_quits = 0  # quits among the staff in post at week 0 (pid <= n)
        self._quit_mask = np.zeros(n, dtype=np.bool_)
        self._retire_mask = np.zeros(n, dtype=np.bool_)

        self._draw_people(np.arange(n), wf.initial_age_mean_years, wf.initial_age_sd_years)
        # the roster's id of each slot's holder (personal data: never written out); None
        # for a hire or a vacancy, and no array at all without a roster
        self.roster_ids: np.ndarray | None = None
        if roster is not None:
            self._take_roster(roster)
        else:
            # in blocks of rows, so that building a large organisation needs no N x K
            # temporaries (the draws are the same as in one call: the stream is sequential)
            for rows in row_blocks(n):
                self.skills[rows] = settled_skills(scenario, self.aptitude[rows])
            if wf.initial_skill_sd > 0:
                for rows in row_blocks(n):
                    block = self.skills[rows]
                    block += rng.normal(0.0, wf.initial_skill_sd, size=block.shape)
                np.clip(self.skills, 0.01, 0.99, out=self.skills)
            # Staff already in post: tenure up to their working life so far (at most 30
            # years).
            working_years = np.clip(self.age_years - 22.0, 0.0, 30.0)
            self.tenure_weeks[:] = (rng.random(n) * working_years
                                    * WEEKS_PER_YEAR).astype(np.int32)
            if self.past_group_shares is not None:
                self.group[:] = self._groups_by_hiring_history(self.tenure_weeks,
                                                               self._group_draw)
        self.level[:] = np.minimum(self.tenure_weeks // int(5 * WEEKS_PER_YEAR), 4)
        self.hire_week[:] = -self.tenure_weeks
        self.proficient_week[:] = self.hire_week  # staff in post count as ramped up
        self._weekly_quit = 1.0 - (1.0 - wf.annual_turnover) ** (1.0 / WEEKS_PER_YEAR)

    def _take_roster(self, roster: Roster) -> None:
        """The staff in post at week 0 from a roster: skills, tenure, age, group, role.

        Aptitude and traits stay drawn (:meth:`_draw_people`); so is the role when the
        roster has none. The skills are the ratings mapped onto [0, 1], the tenure the
        roster's in whole weeks.
        """
        self.skills[:] = roster.skills
        self.tenure_weeks[:] = np.round(roster.tenure_years * WEEKS_PER_YEAR).astype(np.int32)
        self.age_years[:] = roster.age_years
        self.group[:] = roster.group
        if roster.role is not None:
            self.role[:] = roster.role
        self.roster_ids = roster.ids.copy()

    @property
    def n_active(self) -> int:
        """Current headcount."""
        return int(np.count_nonzero(self.active))

    def _draw_people(self, slots: np.ndarray, age_mean: float, age_sd: float) -> None:
        """Draw aptitude, traits, group, role and age of the staff in post at week 0.

        These come from the workforce's sequential Generator; hires are drawn from
        counter-keyed streams instead (:meth:`_hire`).
        """
        rng = self.rng
        m = slots.shape[0]
        wf = self.scenario.workforce
        self.aptitude[slots] = np.exp(rng.normal(0.0, wf.aptitude_sd, size=m))
        self.trait[slots] = rng.normal(0.0, 1.0, size=(m, TRAIT_DIMENSIONS))
        self._group_draw = rng.random(m)
        self.group[slots] = _category(self._group_cdf, self._group_draw)
        self.role[slots] = _categorical(rng, self._role_cdf, m)
        self.age_years[slots] = np.clip(
            rng.normal(age_mean, age_sd, size=m), 18.0, wf.retirement_age_years - 0.5
        )

    def group_shares_at_hire(self, tenure_weeks: np.ndarray) -> np.ndarray:
        """Each group's share of the hires made ``tenure_weeks`` before week 0.

        The share moves linearly from ``past_hire_share`` (30 years back,
        :data:`HIRING_HISTORY_YEARS`) to today's ``share``; without a history, today's.

        Returns:
            float64 (len(tenure_weeks), G), rows summing to 1.

        """
        now = self.group_shares[None, :]
        if self.past_group_shares is None:
            return np.repeat(now, tenure_weeks.shape[0], axis=0)
        back = np.clip(tenure_weeks / (HIRING_HISTORY_YEARS * WEEKS_PER_YEAR), 0.0, 1.0)
        return now + (self.past_group_shares - self.group_shares)[None, :] * back[:, None]

    def _groups_by_hiring_history(self, tenure_weeks: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Groups of the staff in post at week 0 from the hiring shares when they were hired."""
        cdf = np.cumsum(self.group_shares_at_hire(tenure_weeks), axis=1)
        index = (u[:, None] * cdf[:, -1:] >= cdf).sum(axis=1)
        return np.minimum(index, cdf.shape[1] - 1).astype(np.int8)

    def flow(
        self,
        week: int,
        commitment_coef: float,
        on_leave: Callable[[np.ndarray], None],
        requirement_scale: np.ndarray | None = None,
    ) -> Flows:
        """One week of ageing, quitting, retiring and hiring.

        Args:
            week: The simulation week.
            commitment_coef: How strongly commitment (in SD) lowers the quit hazard.
            on_leave: Callback given the slots that empty this week, before they are
                reused (pairs of leavers end there).
            requirement_scale: Current required levels over those at week 0, per
                competency: the labour market follows the work, so hires' skills scale
                with it (default 1).

        Returns:
            The slots that quit, retired and were hired this week.

        """
        wf = self.scenario.workforce
        age_and_leave(
            self.active, self.pid, self.age_years, self.tenure_weeks, self.commitment,
            self.group, self.group_quit_ratio, wf.retirement_age_years, self._weekly_quit,
            wf.first_year_quit_multiplier,
            commitment_coef, self.key, week,
            self._quit_mask, self._retire_mask,
            check=week == 0,  # the arrays keep their dtypes and shapes
        )
        quitting = np.flatnonzero(self._quit_mask)
        retiring = np.flatnonzero(self._retire_mask)
        self.initial_staff_quits += int(np.count_nonzero(self.pid[quitting] <= self.size))
        leavers = np.concatenate([quitting, retiring])
        if leavers.shape[0]:
            on_leave(leavers)
            self.active[leavers] = False
            self.pid[leavers] = -1
            if self.roster_ids is not None:
                self.roster_ids[leavers] = None
            self.performance[leavers] = 0.0
            self.gap[leavers] = 0.0

        # Each vacant slot fills on its own draw keyed by (week, slot): the same vacancy in
        # a control arm fills in the same week.
        vacant = np.flatnonzero(~self.active).astype(np.int64, copy=False)
        fill = counter_uniforms(self.key, week, vacant, STREAM_VACANCY)
        hires = vacant[fill < wf.vacancy_fill_per_week]
        if hires.shape[0]:
            self._hire(hires, week, requirement_scale)
        return Flows(quits=quitting, retirements=retiring, hires=hires)

    def _hire(self, slots: np.ndarray, week: int, requirement_scale: np.ndarray | None) -> None:
        """Fill ``slots`` with new people, each drawn from streams keyed by their person id.

        Every attribute has its own stream (one per column for traits and skills, see
        :mod:`sim.kernels.random`), turned into its distribution by the inverse CDF.
        """
        wf = self.scenario.workforce
        k = self.skills.shape[1]
        pids = hire_pids(self.size, week, slots)

        def normal(stream: int) -> np.ndarray:
            return ndtri(_open_unit(counter_uniforms(self.key, week, pids, stream)))

        def uniform(stream: int) -> np.ndarray:
            return counter_uniforms(self.key, week, pids, stream)

        self.aptitude[slots] = np.exp(wf.aptitude_sd * normal(STREAM_HIRE_APTITUDE))
        self.trait[slots] = ndtri(_open_unit(counter_uniform_columns(
            self.key, week, pids, STREAM_HIRE_TRAIT, TRAIT_DIMENSIONS)))
        self.group[slots] = _category(self._group_cdf, uniform(STREAM_HIRE_GROUP))
        self.role[slots] = _category(self._role_cdf, uniform(STREAM_HIRE_ROLE))
        self.age_years[slots] = np.clip(
            wf.hire_age_mean_years + wf.hire_age_sd_years * normal(STREAM_HIRE_AGE),
            18.0, wf.retirement_age_years - 0.5,
        )
        means = np.repeat(self.role_hire_skill[self.role[slots]][:, None], k, axis=1)
        if requirement_scale is not None:
            means = np.clip(means * requirement_scale[None, :], 0.02, 0.95)
        u = counter_uniform_columns(self.key, week, pids, STREAM_HIRE_SKILL, k)
        self.skills[slots] = beta_quantiles(_open_unit(u), means, wf.hire_skill_sd)
        for name, (_, value) in _PERSON_STATE.items():
            getattr(self, name)[slots] = value
        self.active[slots] = True
        self.pid[slots] = pids
        self.willingness[slots] = counter_uniforms(self.key, 0, pids, STREAM_WILLING)
        self.hire_week[slots] = week
        self.proficient_week[slots] = NOT_YET

    def record_proficiency(self, week: int, threshold: float) -> np.ndarray:
        """Mark hires who reach ``threshold`` performance for the first time.

        Returns:
            Slots of those who got there this week (their hire week gives the ramp).

        """
        newly = np.flatnonzero(
            self.active & (self.proficient_week == NOT_YET) & (self.performance >= threshold)
        )
        self.proficient_week[newly] = week
        return newly


def hire_pids(size: int, week: int, slots: np.ndarray) -> np.ndarray:
    """Person ids of the people hired into ``slots`` in ``week``: ``size + 1 + week * size + slot``.

    Unique over a run (a slot fills at most once a week) and above every id of the staff
    in post at week 0 (``1 .. size``); the same in any run, so a control arm that fills the
    same slot in the same week hires the same person.

    Args:
        size: Number of slots (the target headcount).
        week: The simulation week (>= 0).
        slots: Slot indices in ``0 .. size - 1``.

    Returns:
        int64 array of person ids, one per slot.

    """
    return np.int64(size + 1) + np.int64(week) * np.int64(size) + np.asarray(slots, np.int64)


def same_people(a: Workforce, b: Workforce) -> np.ndarray:
    """Slots held, in both workforces, by the same person (hires included).

    With counter-keyed hiring a person id names the same person, with the same attributes
    at entry, in a programme run and its control arm, so these are the pairs to compare.

    Args:
        a: One arm's workforce.
        b: The other arm's (same scenario size and seed).

    Returns:
        bool array over slots: active in both and the same person id.

    Raises:
        ValueError: If the two workforces have different numbers of slots.

    """
    if a.pid.shape != b.pid.shape:
        raise ValueError(f"workforces of {a.pid.shape[0]} and {b.pid.shape[0]} slots cannot "
                         "be paired")
    return a.active & b.active & (a.pid == b.pid)


def row_blocks(n: int, rows: int | None = None) -> Iterator[slice]:
    """Slices of ``rows`` (default :data:`ROW_BLOCK`) rows covering ``0 .. n - 1`` in order."""
    rows = ROW_BLOCK if rows is None else rows
    for start in range(0, n, rows):
        yield slice(start, min(start + rows, n))


def settled_skills(scenario: Scenario, aptitude: np.ndarray) -> np.ndarray:
    """Skill levels at which learning by doing balances forgetting, per employee.

    With doing rate alpha, aptitude a, usage u = required level r and forgetting rate
    lambda, ``alpha a u (1 - s) = lambda (1 - u) s`` gives
    ``s* = alpha a u / (alpha a u + lambda (1 - u))``; staff already in post start there
    (so a run needs no warm-up), and when alpha = lambda a median employee meets r exactly.
    """
    learning = scenario.learning
    alpha = learning.doing_rate_per_week
    forget = np.log(2.0) / (learning.skill_half_life_months * WEEKS_PER_YEAR / MONTHS_PER_YEAR)
    usage = np.array(scenario.organisation.required_levels, dtype=np.float64)
    gain = alpha * aptitude[:, None] * usage[None, :]
    loss = forget * (1.0 - usage)[None, :]
    return np.where(gain + loss > 0, gain / np.maximum(gain + loss, 1e-300), 0.0)


def _categorical(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """``size`` category indices drawn with the probabilities whose running sum is ``cdf``."""
    return _category(cdf, rng.random(size))


def _category(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category indices for uniforms ``u`` in [0, 1) (inverse CDF of the running sum ``cdf``)."""
    return np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), cdf.shape[0] - 1)


def _open_unit(u: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) moved off 0, so that inverse CDFs stay finite."""
    return np.maximum(u, _LOWEST_UNIFORM)
