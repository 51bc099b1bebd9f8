"""The formal mentoring programme, run through the phases of human performance technology.

- *Needs assessment* (:mod:`sim.model.needs`): strategy-weighted skill gaps from the last
  learning pass decide who is eligible and in which order.
- *Design* (the scenario's ``[programme]`` section): eligibility and targeting, matching
  policy, format (one-to-one, group, e-mentoring), load cap, duration, contact time,
  mentor training, voluntary or assigned.
- *Implementation*: rollout (all at once, phased, or randomised with a wait-list),
  matching on a cadence, monitoring and re-matching of failing pairs, management support
  that can fade (meetings lapse, fewer new pairs).
- *Evaluation* reads the counters and costs kept here (:mod:`sim.analysis.evaluation`).
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import STREAM_ROLLOUT, counter_uniforms
from sim.model import matching
from sim.model.relationships import (
    FORMAL,
    Relationships,
    design_base_quality,
    draw_quality,
    similarity,
)
from sim.model.workforce import Workforce
from sim.units import WEEKS_PER_MONTH


def largest_first(slots: np.ndarray, values: np.ndarray, limit: int | None = None
                  ) -> np.ndarray:
    """``slots`` by ``values``, largest first, ties in slot order; the first ``limit``.

    Equal to ``slots[np.argsort(-values, kind="stable")][:limit]``, but when ``limit`` is
    a small part of ``slots`` only the candidates at or above the limit-th largest value
    are sorted (a partition, then a sort of a few), not the whole workforce.
    """
    if limit is None or limit >= slots.shape[0]:
        return slots[np.argsort(-values, kind="stable")][:limit]
    if limit <= 0:
        return slots[:0]
    cutoff = np.partition(values, values.shape[0] - limit)[values.shape[0] - limit]
    keep = values >= cutoff
    slots, values = slots[keep], values[keep]
    return slots[np.argsort(-values, kind="stable")][:limit]


class Programme:
    """A formal mentoring programme run on a workforce.

    Args:
        scenario: The validated scenario (its ``programme`` section).
        workforce: The workforce whose pairs the programme manages.
        relationships: The shared pair lifecycle.
        rng: The programme's own Generator (spawned from the model's).

    """

    def __init__(
        self,
        scenario: Scenario,
        workforce: Workforce,
        relationships: Relationships,
        rng: np.random.Generator,
    ) -> None:
        self.design = d = scenario.programme
        self.threshold = scenario.organisation.proficiency_threshold
        self.workforce = workforce
        self.relationships = relationships
        self.rng = rng
        competencies = scenario.organisation.competencies
        self.reverse_k = (
            competencies.index(d.reverse_competency) if d.reverse_competency else -1
        )
        groups = [g.name for g in scenario.workforce.groups]
        self.target_group = groups.index(d.target_group) if d.target_group in groups else -1
        self.planned_hours = d.meetings_per_month * d.meeting_hours / WEEKS_PER_MONTH
        self.prep_hours = d.mentor_prep_hours_per_month / WEEKS_PER_MONTH
        if d.format == "e_mentoring":
            self.prep_hours *= d.e_mentoring_prep_share
        rel = scenario.relationships
        self.similarity_effect = rel.similarity_effect
        self.quality_sd = rel.quality_sd
        base = design_base_quality(rel, d.meetings_per_month, d.voluntary,
                                   d.mentor_training_hours)
        if d.format == "group":
            base = rel.group_attention * base + rel.group_cohesion
        elif d.format == "e_mentoring":
            base *= rel.e_mentoring_quality
        self.base_quality = float(np.clip(base, 0.0, 1.0))
        self.mentee_input_bonus = (
            rel.mentee_choice_bonus_sd * rel.quality_sd if d.matching == "mentee_choice" else 0.0
        )
        self.support = d.management_support
        self.coordination_hours_per_pair = scenario.evaluation.coordination_hours_per_pair
        self.rematched = 0
        self.hours_week = {"mentor": 0.0, "mentee": 0.0, "coordination": 0.0, "training": 0.0}

    @property
    def enabled(self) -> bool:
        """Whether the programme is switched on in this scenario."""
        return self.design.enabled

    @property
    def contact_hours(self) -> float:
        """Realised contact hours per pair per week (planned x management support)."""
        return self.planned_hours * self.support

    def phase(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        """One week of implementation: support, monitoring, then matching on cadence."""
        d = self.design
        for key in self.hours_week:
            self.hours_week[key] = 0.0
        if not d.enabled or week < d.start_week:
            return
        if d.support_half_life_weeks is not None:
            elapsed = week - d.start_week
            self.support = d.management_support * 0.5 ** (elapsed / d.support_half_life_weeks)
            formal = self.workforce.pair_kind == FORMAL
            self.workforce.contact_hours[formal] = self.contact_hours
        if d.monitoring_weeks:
            self._monitor()
        if (week - d.start_week) % d.cadence_weeks == 0:
            self._match(week, required, weights)
        self._account_time()

    def _monitor(self) -> None:
        """End formal pairs found failing at their check-in so the mentee can be re-matched."""
        wf = self.workforce
        d = self.design
        due = np.flatnonzero(
            (wf.pair_kind == FORMAL) & (wf.pair_age_weeks == d.monitoring_weeks)
            & (wf.quality < d.rematch_below_quality)
        )
        if due.shape[0]:
            self.relationships.end(due, "rematched")
            wf.rematch_due[due] = True
            self.rematched += due.shape[0]

    def offered(self, week: int, slots: np.ndarray) -> np.ndarray:
        """Which of ``slots`` the rollout reaches by ``week`` (bool mask)."""
        d = self.design
        if d.rollout == "all_at_once":
            return np.ones(slots.shape[0], dtype=np.bool_)
        wf = self.workforce
        place = counter_uniforms(wf.key, 0, wf.pid[slots], STREAM_ROLLOUT)
        elapsed = week - d.start_week
        if d.rollout == "phased":
            return place < min(1.0, (elapsed + d.cadence_weeks) / d.rollout_weeks)
        # randomised: the offered share now; the wait-list once the first cohort is done
        return (place < d.offered_share) | (elapsed >= d.duration_weeks)

    def needs(self, week: int, required: np.ndarray, limit: int | None = None) -> np.ndarray:
        """Eligible mentees reached by the rollout, in priority order (largest gap first).

        With ``limit``, only the first ``limit`` of that order (the same as slicing the
        whole order, without sorting everyone).
        """
        wf = self.workforce
        d = self.design
        eligible = wf.active & (wf.mentor < 0) & (wf.load == 0) & (wf.gap >= d.min_gap)
        eligible &= ~wf.ever_formal | wf.rematch_due
        if d.eligibility == "new_hires":
            eligible &= wf.tenure_weeks < d.new_hire_tenure_weeks
        elif d.eligibility == "group":
            eligible &= wf.group == self.target_group
        if d.matching == "reverse":
            k = self.reverse_k
            eligible &= wf.tenure_weeks >= d.mentor_min_tenure_weeks
            eligible &= wf.skills[:, k] < required[k]
        slots = np.flatnonzero(eligible)
        slots = slots[self.offered(week, slots)]
        if d.eligibility == "all":
            return self.rng.permutation(slots)[:limit]
        return largest_first(slots, wf.gap[slots], limit)

    def _match(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        wf = self.workforce
        d = self.design
        budget = int(d.max_mentee_share * wf.n_active * self.support)
        budget -= self.relationships.pairs(FORMAL)
        if budget <= 0:
            return
        mentees = self.needs(week, required, budget)
        pool = matching.mentor_pool(wf, d, self.threshold, self.reverse_k)
        mentors, capacity = matching.free_capacity(wf, pool, d.mentees_per_mentor)
        if d.format == "group":
            mentors, capacity = self._fill_groups_first(mentors, capacity, mentees.shape[0])
        score_weights = weights
        if d.matching == "reverse":
            score_weights = np.zeros_like(weights)
            score_weights[self.reverse_k] = 1.0
        mentees, chosen = matching.assign(
            d.matching, wf, mentees, mentors, capacity, required, score_weights, self.rng,
            d.candidates_per_mentee,
        )
        if mentees.shape[0] == 0:
            return
        sim = similarity(wf, mentees, chosen)
        quality = draw_quality(
            self.rng, self.base_quality + self.mentee_input_bonus, sim, self.quality_sd,
            self.similarity_effect,
        )
        sponsored = self.rng.random(mentees.shape[0]) < self.support
        self.relationships.start(
            mentees, chosen, FORMAL, quality, d.duration_weeks, self.contact_hours,
            self.reverse_k, sponsored,
        )
        new_mentors = np.unique(chosen)
        untrained = new_mentors[~wf.trained[new_mentors]]
        wf.trained[untrained] = True
        self.hours_week["training"] += untrained.shape[0] * d.mentor_training_hours
        self.hours_week["coordination"] += mentees.shape[0] * self.coordination_hours_per_pair

    def _fill_groups_first(
        self, mentors: np.ndarray, capacity: np.ndarray, n_mentees: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Group format: open only as many new groups as the places left in open ones need.

        Candidates drawn from every mentor with a free place would spread mentees one or
        two per mentor and lose the economy of a shared session.
        """
        open_groups = self.workforce.load[mentors] > 0
        free_in_open = int(capacity[open_groups].sum())
        size = self.design.mentees_per_mentor
        new_needed = max(0, -(-(n_mentees - free_in_open) // size))
        fresh = np.flatnonzero(~open_groups)
        chosen = self.rng.permutation(fresh)[:new_needed]
        keep = np.sort(np.concatenate([np.flatnonzero(open_groups), chosen]))
        return mentors[keep], capacity[keep]

    def _account_time(self) -> None:
        """Hours spent this week by mentees and mentors in formal pairs."""
        wf = self.workforce
        formal = wf.pair_kind == FORMAL
        n_pairs = int(np.count_nonzero(formal))
        if n_pairs == 0:
            return
        self.hours_week["mentee"] += n_pairs * self.contact_hours
        self.hours_week["mentor"] += self._mentor_hours(formal, n_pairs)

    def _mentor_hours(self, formal: np.ndarray, n_pairs: int) -> float:
        """Weekly hours of the mentors of formal pairs (a group session counts once)."""
        per_session = self.contact_hours + self.prep_hours
        if self.design.format == "group":
            mentors = self.workforce.mentor[formal]
            return float(np.count_nonzero(np.bincount(mentors)) * per_session)
        return float(n_pairs * per_session)
