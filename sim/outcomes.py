"""The two outcome channels besides skills: attitude/commitment and careers.

*Commitment* (in SD units, 0 = baseline) rises while someone is mentored, towards an
effect proportional to relationship quality (attitudes d ~ 0.35 for an average pair,
Allen et al. 2004), less for e-mentoring (less psychosocial support); mentors gain a
little too. It fades with a half-life once the pair ends, and drops below baseline after
an early ending (in :mod:`sim.relationships`). The quit hazard is multiplied by
``exp(-coef x commitment)``, with ``coef`` set so that an average mentee's commitment
gives the mentored quit hazard ratio (0.8). Commitment also lifts performance a little
(motivation), which mentoring acts on and tools do not.

*Careers*: proficient employees with two years' tenure are promoted at a base rate; an
active sponsor (formal pairs while management backs the programme; informal pairs, less
often for underrepresented mentees) multiplies that chance.
"""

from __future__ import annotations

import numpy as np

from sim import kernels
from sim.config import Scenario
from sim.learning import counter_uniforms
from sim.relationships import REFERENCE_QUALITY
from sim.workforce import Workforce

WEEKS_PER_YEAR = 52.0
PROMOTION_MIN_TENURE_WEEKS = 104
MAX_LEVEL = 10


def commitment_coefficient(scenario: Scenario) -> float:
    """How strongly one SD of commitment lowers the log quit hazard."""
    a = scenario.attitudes
    if a.mentee_effect_sd <= 0:
        return 0.0
    return float(np.log(1.0 / a.mentored_quit_hazard_ratio) / a.mentee_effect_sd)


class Outcomes:
    """Weekly update of commitment and promotions.

    Args:
        scenario: The validated scenario.
        workforce: The arrays.

    """

    def __init__(self, scenario: Scenario, workforce: Workforce) -> None:
        self.workforce = workforce
        a = scenario.attitudes
        self.coef = commitment_coefficient(scenario)
        self.mentee_effect = a.mentee_effect_sd
        self.mentor_target = (
            float(np.log(1.0 / a.mentor_quit_hazard_ratio) / self.coef) if self.coef else 0.0
        )
        self.rise = 1.0 / a.weeks_to_effect
        self.fade = 0.5 ** (1.0 / a.half_life_weeks)
        self.psychosocial = (
            a.e_mentoring_psychosocial if scenario.programme.format == "e_mentoring" else 1.0
        )
        self.formal_format_is_e = scenario.programme.format == "e_mentoring"
        wf_cfg = scenario.workforce
        self.promotion_weekly = 1.0 - (1.0 - wf_cfg.promotion_rate_per_year) ** (
            1.0 / WEEKS_PER_YEAR
        )
        self.sponsorship_multiplier = wf_cfg.sponsorship_multiplier
        self.threshold = scenario.organisation.proficiency_threshold
        self.promotions_week = 0

    def update(self, week: int) -> None:
        """Move commitment towards this week's targets; draw promotions."""
        wf = self.workforce
        mentee = wf.mentor >= 0
        target = np.zeros(wf.size, dtype=np.float64)
        effect = self.mentee_effect * wf.quality / REFERENCE_QUALITY
        if self.formal_format_is_e:
            effect = np.where(wf.pair_kind == 1, effect * self.psychosocial, effect)
        target[mentee] = effect[mentee]
        mentor = wf.load > 0
        target[mentor] = np.maximum(target[mentor], self.mentor_target)
        engaged = mentee | mentor
        wf.commitment[engaged] += (target[engaged] - wf.commitment[engaged]) * self.rise
        wf.commitment[~engaged] *= self.fade
        self._promote(week)

    def _promote(self, week: int) -> None:
        wf = self.workforce
        ready = np.flatnonzero(
            wf.active & (wf.tenure_weeks >= PROMOTION_MIN_TENURE_WEEKS)
            & (wf.performance >= self.threshold) & (wf.level < MAX_LEVEL)
        )
        chance = np.where(
            wf.sponsored[ready], self.promotion_weekly * self.sponsorship_multiplier,
            self.promotion_weekly,
        )
        draws = counter_uniforms(wf.key, week, wf.pid[ready], kernels.STREAM_PROMOTION)
        promoted = ready[draws < chance]
        wf.level[promoted] += 1
        wf.promotions[promoted] += 1
        self.promotions_week = int(promoted.shape[0])
