"""The mentoring programme: needs assessment, matching, and the relationship lifecycle.

On its cadence the programme assesses needs (strategy-weighted skill gaps from the last
learning pass), picks eligible mentees within its size limit, finds available mentors
(tenure, performance, free capacity) and matches them, randomly or gap-targeted. Each
pair gets a hidden relationship quality; pairs end when their duration is complete, when
either person leaves, or early, with a hazard that falls as quality rises. An early ending
leaves the mentee's commitment below where it started (Grossman & Rhodes 2002).
"""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.config import Scenario
from sim.learning import counter_uniforms, match_gap_targeted
from sim.workforce import Workforce

WEEKS_PER_MONTH = 52.0 / 12.0
INFORMAL_QUALITY = 0.8  # mean quality of a self-selected (informal) pair [S]
TRAINING_QUALITY_GAIN = 0.1  # quality gained from mentor training, saturating [S]
TRAINING_SCALE_HOURS = 8.0
REFERENCE_QUALITY = 0.5  # quality at which the early-ending hazard is the scenario's
EARLY_WINDOW_WEEKS = 26


class Programme:
    """A formal mentoring programme run on a workforce.

    Args:
        scenario: The validated scenario (its ``programme`` section).
        workforce: The workforce whose pair arrays the programme manages.
        rng: The programme's own Generator (spawned from the model's).

    """

    def __init__(self, scenario: Scenario, workforce: Workforce, rng: np.random.Generator):
        self.design = scenario.programme
        self.threshold = scenario.organisation.proficiency_threshold
        self.hours_per_week = scenario.organisation.hours_per_week
        self.workforce = workforce
        self.rng = rng
        d = self.design
        self.contact_hours = d.meetings_per_month * d.meeting_hours / WEEKS_PER_MONTH
        self.mentor_hours_per_mentee = self.contact_hours + (
            d.mentor_prep_hours_per_month / WEEKS_PER_MONTH
        )
        training = 1.0 - np.exp(-d.mentor_training_hours / TRAINING_SCALE_HOURS)
        self.mean_quality = float(np.clip(
            d.formal_quality * INFORMAL_QUALITY + TRAINING_QUALITY_GAIN * training, 0.0, 1.0
        ))
        self._early_hazard = 1.0 - (1.0 - d.early_ending_share_6_months) ** (
            1.0 / EARLY_WINDOW_WEEKS
        )
        self.matched = 0
        self.completed = 0
        self.ended_early = 0
        self.ended_by_departure = 0

    @property
    def active(self) -> bool:
        """Whether the programme is switched on in this scenario."""
        return self.design.enabled

    def pairs(self) -> int:
        """Number of current pairs."""
        return int(np.count_nonzero(self.workforce.mentor >= 0))

    def phase(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        """One week of the programme: relationship lifecycle, then matching on cadence."""
        self._lifecycle(week)
        d = self.design
        if d.enabled and week >= d.start_week and (week - d.start_week) % d.cadence_weeks == 0:
            self._match(required, weights)

    def _lifecycle(self, week: int) -> None:
        wf = self.workforce
        mentees = np.flatnonzero(wf.mentor >= 0)
        if mentees.shape[0] == 0:
            return
        wf.pair_age_weeks[mentees] += 1
        wf.weeks_mentored[mentees] += 1
        done = mentees[wf.pair_age_weeks[mentees] >= self.design.duration_weeks]
        self._end(done)
        self.completed += done.shape[0]

        ongoing = mentees[wf.pair_age_weeks[mentees] < self.design.duration_weeks]
        hazard = self._early_hazard * (1.0 - wf.quality[ongoing]) / (1.0 - REFERENCE_QUALITY)
        draws = counter_uniforms(wf.key, week, wf.pid[ongoing], kernels.STREAM_EARLY_ENDING)
        early = ongoing[draws < hazard]
        if early.shape[0]:
            self._end(early)
            wf.early_ended[early] = True
            wf.commitment[early] -= self.design.early_ending_penalty
            self.ended_early += early.shape[0]

    def _end(self, mentees: np.ndarray) -> None:
        wf = self.workforce
        if mentees.shape[0] == 0:
            return
        np.subtract.at(wf.load, wf.mentor[mentees], 1)
        wf.mentor[mentees] = -1
        wf.quality[mentees] = 0.0
        wf.pair_age_weeks[mentees] = 0

    def on_leave(self, leavers: np.ndarray) -> None:
        """End the pairs of employees who leave (as mentee or as mentor)."""
        wf = self.workforce
        leaving = np.zeros(wf.size, dtype=np.bool_)
        leaving[leavers] = True
        mentees = np.flatnonzero(wf.mentor >= 0)
        hit = mentees[leaving[mentees] | leaving[wf.mentor[mentees]]]
        self.ended_by_departure += hit.shape[0]
        self._end(hit)
        wf.load[leavers] = 0

    def needs(self) -> np.ndarray:
        """Eligible mentees in priority order (largest strategy-weighted gap first)."""
        wf = self.workforce
        d = self.design
        eligible = wf.active & (wf.mentor < 0) & (wf.load == 0) & (wf.gap >= d.min_gap)
        eligible &= ~wf.ever_mentored
        if d.eligibility == "new_hires":
            eligible &= wf.tenure_weeks < d.new_hire_tenure_weeks
        slots = np.flatnonzero(eligible)
        if d.eligibility == "all":
            return self.rng.permutation(slots)
        return slots[np.argsort(-wf.gap[slots], kind="stable")]

    def available_mentors(self) -> tuple[np.ndarray, np.ndarray]:
        """Slots of employees who can mentor now, and their free capacity."""
        wf = self.workforce
        d = self.design
        ok = (
            wf.active
            & (wf.mentor < 0)
            & (wf.tenure_weeks >= d.mentor_min_tenure_weeks)
            & (wf.performance >= d.mentor_min_performance)
            & (wf.load < d.mentees_per_mentor)
        )
        slots = np.flatnonzero(ok)
        return slots, (d.mentees_per_mentor - wf.load[slots]).astype(np.int64)

    def _match(self, required: np.ndarray, weights: np.ndarray) -> None:
        wf = self.workforce
        d = self.design
        budget = int(d.max_mentee_share * wf.n_active) - self.pairs()
        if budget <= 0:
            return
        mentees = self.needs()[:budget]
        mentors, capacity = self.available_mentors()
        if mentees.shape[0] == 0 or mentors.shape[0] == 0:
            return
        if d.matching == "random":
            places = self.rng.permutation(np.repeat(mentors, capacity))
            n = min(places.shape[0], mentees.shape[0])
            mentees, chosen = mentees[:n], places[:n].astype(np.int32)
        else:
            candidates = self.rng.integers(
                0, mentors.shape[0], size=(mentees.shape[0], d.candidates_per_mentee)
            )
            chosen = match_gap_targeted(
                wf.skills, required, weights, mentees, mentors, capacity, candidates
            )
            keep = chosen >= 0
            mentees, chosen = mentees[keep], chosen[keep]
        self._start(mentees, chosen)

    def _start(self, mentees: np.ndarray, mentors: np.ndarray) -> None:
        wf = self.workforce
        if mentees.shape[0] == 0:
            return
        wf.mentor[mentees] = mentors
        np.add.at(wf.load, mentors, 1)
        quality = self.rng.normal(self.mean_quality, self.design.quality_sd, mentees.shape[0])
        wf.quality[mentees] = np.clip(quality, 0.05, 1.0)
        wf.pair_age_weeks[mentees] = 0
        first = mentees[~wf.ever_mentored[mentees]]
        wf.gap_at_match[first] = wf.gap[first]
        wf.ever_mentored[mentees] = True
        wf.early_ended[mentees] = False
        self.matched += mentees.shape[0]

    def time_share(self) -> np.ndarray:
        """Share of each employee's working week spent in mentoring this week."""
        wf = self.workforce
        share = wf.load * (self.mentor_hours_per_mentee / self.hours_per_week)
        share[wf.mentor >= 0] += self.contact_hours / self.hours_per_week
        return share
