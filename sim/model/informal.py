"""Informal mentoring: ties that form by themselves, by similarity and proximity.

Each week an unpaired employee forms a tie with a small probability (lower for
underrepresented groups: they are ignored more often, Milkman et al. 2015); the mentor is
chosen among a few random seniors by what the would-be mentee can see of the pair's
quality (deep-level similarity and the visible part of fit), most often from their own
group (homophily, Thomas 1990). Because the partners choose each other, informal pairs
come out better than assigned ones (Ragins & Cotton 1999) without a base of their own.
They carry sponsorship, which underrepresented mentees get less often (CTI 2019; an
imposed ratio until issue 13). On in both arms of an evaluation by default.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import STREAM_INFORMAL, counter_uniforms
from sim.model import matching
from sim.model.relationships import (
    INFORMAL,
    Relationships,
    design_base_quality,
    draw_quality,
    similarity,
)
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
        rel = scenario.relationships
        self.quality_sd = rel.quality_sd
        self.visibility = rel.fit_visibility
        self.similarity_effect = rel.similarity_effect
        self.base_quality = informal_base_quality(scenario)
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
        mentees, chosen, seen = matching.choose_informal(
            wf, self.rng.permutation(mentees), mentors, capacity, self.rng,
            d.candidates_per_mentee, d.homophily, self.similarity_effect,
            self.quality_sd * np.sqrt(self.visibility),
        )
        if mentees.shape[0] == 0:
            return
        sim = similarity(wf, mentees, chosen)
        quality = draw_quality(
            self.rng, self.base_quality, sim, self.quality_sd, self.similarity_effect,
            visible_fit=seen, visibility=self.visibility,
        )
        under = wf.underrepresented[wf.group[mentees]]
        sponsor_chance = np.where(under, d.underrepresented_sponsorship_ratio, 1.0)
        sponsored = self.rng.random(mentees.shape[0]) < sponsor_chance
        self.relationships.start(
            mentees, chosen, INFORMAL, quality, d.duration_weeks, self.contact_hours,
            sponsored=sponsored,
        )


def informal_base_quality(scenario: Scenario) -> float:
    """Mean quality of an informal pair before similarity and fit.

    The design's parts of every pair (:func:`~sim.model.relationships.design_base_quality`)
    for a voluntary, untrained tie meeting ``informal.meetings_per_month``.
    """
    base = design_base_quality(scenario.relationships, scenario.informal.meetings_per_month,
                               voluntary=True, training_hours=0.0)
    return float(np.clip(base, 0.0, 1.0))
