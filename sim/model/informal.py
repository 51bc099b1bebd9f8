"""Informal mentoring: ties that form by themselves, by similarity and proximity.

Each week an unpaired employee seeks a mentor with a small probability, the same for
everyone. Only some seniors take informal protégés (``willing_share``, a lasting trait
of the person), each ``mentees_per_mentor`` at a time. The would-be mentee asks among a
few of those with a free place, with chance
``homophily`` only among their own group's (Thomas 1990; Ibarra 1992); a senior of
another group turns them down with chance ``mentor_homophily``; among the willing they
take the one whose pair looks best (similarity and the visible part of fit), and nobody
willing and free means no tie this week. So a group with few seniors of its own gets
fewer ties once those seniors' places fill: the access gap follows from the senior
pool's composition (which follows from the hiring history, leaving and promotion),
preferences on both sides and mentor capacity, not from a group rate. Because the
partners choose each other, informal pairs come out better than assigned ones (Ragins &
Cotton 1999) without a base of their own. A mentor sponsors with a chance that grows
with the mentor's career level (standing); a pair across group lines gives less
psychosocial support (Thomas 1990). On in both arms of an evaluation by default.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import free_seniors, informal_seekers
from sim.model import matching
from sim.model.relationships import (
    INFORMAL,
    Relationships,
    design_base_quality,
    draw_quality,
    psychosocial_share,
    similarity,
    sponsorship_chance,
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
        rel = self.relationship_settings = scenario.relationships
        self.quality_sd = rel.quality_sd
        self.visibility = rel.fit_visibility
        self.similarity_effect = rel.similarity_effect
        self.base_quality = informal_base_quality(scenario)
        self.min_tenure = scenario.programme.mentor_min_tenure_weeks
        self.min_performance = scenario.programme.mentor_min_performance
        self.contact_hours = self.design.meetings_per_month / WEEKS_PER_MONTH
        weekly = 1.0 - (1.0 - min(self.design.ties_per_year, 0.999)) ** (1.0 / WEEKS_PER_YEAR)
        self._weekly = weekly
        # access by group: requests made, ties found, sponsored ties, the sponsorship
        # chance the mentors' standing gave; and, like for like (the same weeks), what a
        # group would have had at the reference groups' rates of each week
        g = self.n_groups = len(workforce.group_names)
        self.reference = ~workforce.underrepresented
        self.sought_by_group = np.zeros(g, dtype=np.int64)
        self.found_by_group = np.zeros(g, dtype=np.int64)
        self.sponsored_by_group = np.zeros(g, dtype=np.int64)
        self.sponsor_chance_by_group = np.zeros(g, dtype=np.float64)
        self.found_at_reference_rate = np.zeros(g, dtype=np.float64)
        self.found_in_reference_weeks = np.zeros(g, dtype=np.float64)
        self.chance_at_reference_rate = np.zeros(g, dtype=np.float64)
        self.chance_in_reference_weeks = np.zeros(g, dtype=np.float64)

    def access(self) -> dict[str, np.ndarray]:
        """Access by group so far.

        Returns:
            float64 (G,) arrays, nan where undefined: ``found_per_request`` and
            ``sponsor_chance_per_tie`` (the mean chance of sponsorship the chosen mentors'
            standing gave: the comparison without the noise of the draws) over the run,
            ``sponsored_per_tie`` (the draws); and like for like, week by week against the
            reference (not underrepresented) groups: ``access_ratio`` (ties found over the
            ties the same requests would have found at the reference groups' rate of
            their week) and ``sponsorship_ratio`` (the same for the sponsorship chance per
            request).

        """
        return {
            "found_per_request": _share(self.found_by_group, self.sought_by_group),
            "sponsored_per_tie": _share(self.sponsored_by_group, self.found_by_group),
            "sponsor_chance_per_tie": _share(self.sponsor_chance_by_group, self.found_by_group),
            **self.like_for_like(),
        }

    def like_for_like(self) -> dict[str, np.ndarray]:
        """The like-for-like part of :meth:`access`: ``access_ratio`` and ``sponsorship_ratio``."""
        return {
            "access_ratio": _share(self.found_in_reference_weeks, self.found_at_reference_rate),
            "sponsorship_ratio": _share(self.chance_in_reference_weeks,
                                        self.chance_at_reference_rate),
        }

    def _record(self, sought: np.ndarray, found: np.ndarray, chance: np.ndarray) -> None:
        """Add one week's requests, ties and sponsorship chances by group."""
        self.sought_by_group += sought
        self.found_by_group += found
        self.sponsor_chance_by_group += chance
        ref_sought = sought[self.reference].sum()
        if ref_sought == 0:
            return
        self.found_at_reference_rate += sought * (found[self.reference].sum() / ref_sought)
        self.found_in_reference_weeks += found
        self.chance_at_reference_rate += sought * (chance[self.reference].sum() / ref_sought)
        self.chance_in_reference_weeks += chance

    def phase(self, week: int, required: np.ndarray, weights: np.ndarray) -> None:
        """Let this week's informal ties form."""
        d = self.design
        if not d.enabled:
            return
        wf = self.workforce
        # this week's seekers (free people whose draw is below the rate), and the willing
        # seniors with places: one compiled pass each (sim.kernels.pools)
        mentees = informal_seekers(wf.active, wf.mentor, wf.load, wf.pid, wf.key, week,
                                   self._weekly, check=week == 0)
        if mentees.shape[0] == 0:
            return
        sought = np.bincount(wf.group[mentees], minlength=self.n_groups)
        none = np.zeros(self.n_groups, dtype=np.int64)
        mentors, capacity = free_seniors(
            wf.active, wf.mentor, wf.tenure_weeks, wf.performance, wf.load, wf.willingness,
            self.min_tenure, self.min_performance, d.willing_share, d.mentees_per_mentor,
            check=week == 0,
        )
        mentees, chosen, seen = matching.choose_informal(
            wf, self.rng.permutation(mentees), mentors, capacity, self.rng,
            d.candidates_per_mentee, d.homophily, d.mentor_homophily, self.similarity_effect,
            self.quality_sd * np.sqrt(self.visibility),
        )
        if mentees.shape[0] == 0:
            self._record(sought, none, none.astype(np.float64))
            return
        sim = similarity(wf, mentees, chosen)
        quality = draw_quality(
            self.rng, self.base_quality, sim, self.quality_sd, self.similarity_effect,
            visible_fit=seen, visibility=self.visibility,
        )
        rel = self.relationship_settings
        chance = sponsorship_chance(wf, chosen, rel.sponsorship_per_level)
        sponsored = self.rng.random(mentees.shape[0]) < chance
        self.sponsored_by_group += np.bincount(wf.group[mentees[sponsored]],
                                               minlength=self.n_groups)
        self._record(sought, np.bincount(wf.group[mentees], minlength=self.n_groups),
                     np.bincount(wf.group[mentees], weights=chance, minlength=self.n_groups))
        self.relationships.start(
            mentees, chosen, INFORMAL, quality, d.duration_weeks, self.contact_hours,
            sponsored=sponsored, psychosocial=psychosocial_share(wf, rel, mentees, chosen),
        )


def _share(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` by group, nan where ``bottom`` is not positive."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def informal_base_quality(scenario: Scenario) -> float:
    """Mean quality of an informal pair before similarity and fit.

    The design's parts of every pair (:func:`~sim.model.relationships.design_base_quality`)
    for a voluntary, untrained tie meeting ``informal.meetings_per_month``.
    """
    base = design_base_quality(scenario.relationships, scenario.informal.meetings_per_month,
                               voluntary=True, training_hours=0.0)
    return float(np.clip(base, 0.0, 1.0))
