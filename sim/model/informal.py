"""Informal mentoring: ties that form by themselves, by similarity and proximity.

Each week an unpaired employee forms a tie with a small probability (lower for
underrepresented groups: they are ignored more often, Milkman et al. 2015); the mentor is
chosen among a few random seniors by deep-level similarity, most often from the mentee's
own group (homophily, Thomas 1990). Informal pairs are of higher quality than assigned
ones (Ragins & Cotton 1999) and carry sponsorship, which underrepresented mentees get
less often (CTI 2019). Runs with or without a formal programme, so a control arm keeps it.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import STREAM_INFORMAL, counter_uniforms
from sim.model import matching
from sim.model.relationships import INFORMAL, Relationships, draw_quality, similarity
from sim.model.workforce import Workforce
from sim.units import WEEKS_PER_MONTH, WEEKS_PER_YEAR


class InformalMentoring:
    """Weekly formation of informal ties.

    Args:
        scenario: The validated scenario (its ``informal`` section).
        workforce: The arrays.
        relationships: The shared pair lifecycle.
        rng: Generator for choices (spawned from the model's).

    """

    def __init__(
        self, scenario: Scenario, workforce: Workforce, relationships: Relationships,
        rng: np.random.Generator,
    ) -> None:
        self.design = scenario.informal
        self.workforce = workforce
        self.relationships = relationships
        self.rng = rng
        self.quality_sd = scenario.programme.quality_sd
        self.base_quality = scenario.relationships.informal_quality
        self.similarity_effect = scenario.relationships.similarity_effect
        self.min_tenure = scenario.programme.mentor_min_tenure_weeks
        self.min_performance = scenario.programme.mentor_min_performance
        self.contact_hours = self.design.meetings_per_month / WEEKS_PER_MONTH
        weekly = 1.0 - (1.0 - min(self.design.ties_per_year, 0.999)) ** (1.0 / WEEKS_PER_YEAR)
        self._weekly = weekly

    def phase(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        """Let this week's informal ties form."""
        d = self.design
        if not d.enabled:
            return
        wf = self.workforce
        seeking = np.flatnonzero(wf.active & (wf.mentor < 0) & (wf.load == 0))
        under = wf.underrepresented[wf.group[seeking]]
        chance = np.where(under, self._weekly * d.underrepresented_tie_ratio, self._weekly)
        draws = counter_uniforms(wf.key, week, wf.pid[seeking], STREAM_INFORMAL)
        mentees = seeking[draws < chance]
        if mentees.shape[0] == 0:
            return
        pool = matching.senior_pool(wf, self.min_tenure, self.min_performance)
        mentors, capacity = matching.free_capacity(wf, pool, d.mentees_per_mentor)
        mentees, chosen = matching.assign(
            "informal", wf, self.rng.permutation(mentees), mentors, capacity, required,
            weights, self.rng, d.candidates_per_mentee, homophily=d.homophily,
        )
        if mentees.shape[0] == 0:
            return
        sim = similarity(wf, mentees, chosen)
        quality = draw_quality(
            self.rng, self.base_quality, sim, self.quality_sd, self.similarity_effect
        )
        under = wf.underrepresented[wf.group[mentees]]
        sponsor_chance = np.where(under, d.underrepresented_sponsorship_ratio, 1.0)
        sponsored = self.rng.random(mentees.shape[0]) < sponsor_chance
        self.relationships.start(
            mentees, chosen, INFORMAL, quality, d.duration_weeks, self.contact_hours,
            sponsored=sponsored,
        )
