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

from typing import NamedTuple

import numpy as np

from sim.config import Scenario
from sim.kernels import STREAM_ROLLOUT, counter_uniforms
from sim.model import matching
from sim.model.relationships import (
    FORMAL,
    Relationships,
    design_base_quality,
    draw_quality,
    psychosocial_share,
    similarity,
    sponsorship_chance,
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


class MatchRound(NamedTuple):
    """One matching's pairs, before they start (:meth:`Programme.propose`).

    Attributes:
        cohort: The mentees the pair budget takes, in priority order (``needs``).
        mentees: Those of them matched (the policy's order; with ``match_within_role``,
            role by role).
        mentors: Their mentors, one per mentee.
        pool: Who may mentor under the design (capacity not checked).
        free: The members of ``pool`` with a free place; places: how many each has.

    """

    cohort: np.ndarray
    mentees: np.ndarray
    mentors: np.ndarray
    pool: np.ndarray
    free: np.ndarray
    places: np.ndarray


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
        rel = self.relationship_settings = scenario.relationships
        self.similarity_effect = rel.similarity_effect
        self.quality_sd = rel.quality_sd
        # what formative evaluation (sim.model.formative) may change while the programme
        # runs; the design itself stays frozen
        self.training_hours = d.mentor_training_hours
        self.max_mentee_share = d.max_mentee_share
        self.stopped = False
        self.base_quality = self.base_quality_for(self.training_hours)
        self.format_psychosocial = (
            scenario.attitudes.e_mentoring_psychosocial if d.format == "e_mentoring" else 1.0
        )
        self.mentee_input_bonus = (
            rel.mentee_choice_bonus_sd * rel.quality_sd if d.matching == "mentee_choice" else 0.0
        )
        self.support = d.management_support
        self.coordination_hours_per_pair = scenario.evaluation.coordination_hours_per_pair
        self.rematched = 0
        self.hours_week = {"mentor": 0.0, "mentee": 0.0, "coordination": 0.0, "training": 0.0}

    def base_quality_for(self, training_hours: float) -> float:
        """Mean quality of a new formal pair whose mentor had ``training_hours`` of training.

        :func:`~sim.model.relationships.design_base_quality` with the format's factors
        (group: attention and cohesion; e-mentoring: its quality share), clipped to [0, 1].
        """
        d = self.design
        rel = self.relationship_settings
        base = design_base_quality(rel, d.meetings_per_month, d.voluntary, training_hours)
        if d.format == "group":
            base = rel.group_attention * base + rel.group_cohesion
        elif d.format == "e_mentoring":
            base *= rel.e_mentoring_quality
        return float(np.clip(base, 0.0, 1.0))

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
        self.rematch(due)

    def rematch(self, mentees: np.ndarray) -> None:
        """End the formal pairs of ``mentees`` and put the mentees back on the needs list.

        Used by monitoring (at the pair's check-in) and by formative evaluation's
        ``rematch`` rule (every failing pair at once).
        """
        if mentees.shape[0]:
            self.relationships.end(mentees, "rematched")
            self.workforce.rematch_due[mentees] = True
            self.rematched += mentees.shape[0]

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

    def propose(self, week: int, required: np.ndarray, weights: np.ndarray) -> MatchRound:
        """The pairs one matching would start, without starting them (see :class:`MatchRound`).

        Draws from the programme's Generator as the matching itself does (``_match``
        starts exactly these pairs), so call it only where a matching happens or on a copy
        of the model (``sim.analysis.rollout``).
        """
        wf = self.workforce
        d = self.design
        empty = np.empty(0, dtype=np.int64)
        budget = 0 if self.stopped else int(self.max_mentee_share * wf.n_active * self.support)
        budget -= self.relationships.pairs(FORMAL)
        if budget <= 0:
            return MatchRound(empty, empty, empty, empty, empty, empty)
        cohort = self.needs(week, required, budget)
        pool = matching.mentor_pool(wf, d, self.threshold, self.reverse_k)
        free, places = mentors, capacity = matching.free_capacity(wf, pool, d.mentees_per_mentor)
        if d.format == "group":
            mentors, capacity = self._fill_groups_first(mentors, capacity, cohort.shape[0])
        score_weights = weights
        if d.matching == "reverse":
            score_weights = np.zeros_like(weights)
            score_weights[self.reverse_k] = 1.0
        mentees, chosen = self._assign(cohort, mentors, capacity, required, score_weights)
        return MatchRound(cohort, mentees, chosen, pool, free, places)

    def _match(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        wf = self.workforce
        d = self.design
        mentees, chosen, pool = self.propose(week, required, weights)[1:4]
        if mentees.shape[0] == 0:
            return
        sim = similarity(wf, mentees, chosen)
        quality = draw_quality(
            self.rng, self.base_quality + self.mentee_input_bonus, sim, self.quality_sd,
            self.similarity_effect,
        )
        rel = self.relationship_settings
        chance = sponsorship_chance(wf, chosen, rel.sponsorship_per_level)
        same_group_support = None
        if d.format == "network":
            chance, same_group_support = self._network(mentees, pool, chance)
        sponsored = self.rng.random(mentees.shape[0]) < chance * self.support
        psychosocial = psychosocial_share(
            wf, rel, mentees, chosen, self.training_hours, self.format_psychosocial,
            same_group_support,
        )
        self.relationships.start(
            mentees, chosen, FORMAL, quality, d.duration_weeks, self.contact_hours,
            self.reverse_k, sponsored, psychosocial,
        )
        new_mentors = np.unique(chosen)
        untrained = new_mentors[~wf.trained[new_mentors]]
        wf.trained[untrained] = True
        self.hours_week["training"] += untrained.shape[0] * self.training_hours
        self.hours_week["coordination"] += mentees.shape[0] * self.coordination_hours_per_pair

    def _assign(
        self, mentees: np.ndarray, mentors: np.ndarray, capacity: np.ndarray,
        required: np.ndarray, weights: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Match by the design's policy; with ``match_within_role``, role by role.

        Within a role the mentees keep their priority order; each role's mentors are
        offered only to its own mentees (peers who share a course, Loyo 2015).
        """
        d = self.design
        wf = self.workforce
        if not d.match_within_role:
            return matching.assign(d.matching, wf, mentees, mentors, capacity, required,
                                   weights, self.rng, d.candidates_per_mentee)
        matched, chosen = [], []
        for role in range(len(wf.role_names)):
            own_mentees = mentees[wf.role[mentees] == role]
            own = wf.role[mentors] == role
            m, c = matching.assign(d.matching, wf, own_mentees, mentors[own], capacity[own],
                                   required, weights, self.rng, d.candidates_per_mentee)
            matched.append(m)
            chosen.append(c)
        return np.concatenate(matched), np.concatenate(chosen)

    def _network(
        self, mentees: np.ndarray, pool: np.ndarray, primary_chance: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Network format: the other members of each new mentee's mentoring network.

        Besides the primary mentor (the pair: contact time and learning), each mentee gets
        ``network_size - 1`` seniors: the first from the mentee's own group where the pool
        has one (the design's point: Zambrana et al. 2015), the rest at random. Any member
        may sponsor (chance by standing, as for the primary mentor), and a same-group
        member gives the support a cross-group pair lacks. The members' time is costed
        (``network_hours_share`` of the contact hours each) but not tracked per person.

        Returns:
            (the chance that someone in the network sponsors, whether someone of the
            mentee's own group is in it), one per mentee.

        """
        wf = self.workforce
        d = self.design
        n, extra = mentees.shape[0], d.network_size - 1
        if pool.shape[0] == 0:
            return primary_chance, np.zeros(n, dtype=np.bool_)
        members = pool[self.rng.integers(0, pool.shape[0], size=(n, extra))]
        own = wf.group[mentees]
        groups_of_pool = wf.group[pool]
        for g in np.unique(own).tolist():
            same = pool[groups_of_pool == g]
            rows = np.flatnonzero(own == g)
            if same.shape[0]:
                members[rows, 0] = same[self.rng.integers(0, same.shape[0], rows.shape[0])]
        real = members != mentees[:, None]
        member_chance = sponsorship_chance(wf, members.ravel(),
                                           self.relationship_settings.sponsorship_per_level)
        member_chance = np.where(real, member_chance.reshape(n, extra), 0.0)
        nobody = (1.0 - primary_chance) * np.prod(1.0 - member_chance, axis=1)
        same_group = np.any(real & (wf.group[members] == own[:, None]), axis=1)
        return 1.0 - nobody, same_group

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
        if self.design.format == "network":
            others = (self.design.network_size - 1) * self.design.network_hours_share
            per_session += others * self.contact_hours
        return float(n_pairs * per_session)
