"""The two outcome channels besides skills: attitude/commitment and careers.

*Commitment* (in SD units, 0 = baseline) rises while someone is mentored, towards an
effect proportional to relationship quality (attitudes d ~ 0.35 for an average pair,
Allen et al. 2004), less for e-mentoring (less psychosocial support); mentors gain a
little too. It fades with a half-life once the pair ends, and drops below baseline after
an early ending (in :mod:`sim.model.relationships`). The quit hazard is multiplied by
``exp(-coef x commitment)``, with ``coef`` set so that an average mentee's commitment
gives the mentored quit hazard ratio (0.8). Commitment also lifts performance a little
(motivation), which mentoring acts on and tools do not.

*Careers*: proficient employees with ``workforce.promotion_min_tenure_weeks`` of tenure
(two years) are promoted at a base rate; an active sponsor (formal pairs while management
backs the programme; informal pairs, less often for underrepresented mentees) multiplies
that chance.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import update_outcomes
from sim.model.relationships import FORMAL
from sim.model.workforce import Workforce
from sim.units import WEEKS_PER_YEAR

MAX_LEVEL = 10  # highest career level (levels are int8)


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
        self.reference_quality = scenario.relationships.reference_quality
        self.mentor_target = (
            float(np.log(1.0 / a.mentor_quit_hazard_ratio) / self.coef) if self.coef else 0.0
        )
        self.rise = 1.0 / a.weeks_to_effect
        self.fade = 0.5 ** (1.0 / a.half_life_weeks)
        self.psychosocial = (
            a.e_mentoring_psychosocial if scenario.programme.format == "e_mentoring" else 1.0
        )
        wf_cfg = scenario.workforce
        self.promotion_weekly = 1.0 - (1.0 - wf_cfg.promotion_rate_per_year) ** (
            1.0 / WEEKS_PER_YEAR
        )
        self.sponsorship_multiplier = wf_cfg.sponsorship_multiplier
        self.promotion_min_tenure_weeks = wf_cfg.promotion_min_tenure_weeks
        self.threshold = scenario.organisation.proficiency_threshold
        self.promotions_week = 0

    def update(self, week: int) -> None:
        """Move commitment towards this week's targets; draw promotions."""
        wf = self.workforce
        self.promotions_week = update_outcomes(
            wf.active, wf.mentor, wf.load, wf.quality, wf.pair_kind, wf.commitment,
            wf.tenure_weeks, wf.performance, wf.level, wf.promotions, wf.sponsored, wf.pid,
            self.mentee_effect / self.reference_quality, FORMAL if self.psychosocial < 1 else -1,
            self.psychosocial, self.mentor_target, self.rise, self.fade, self.threshold,
            self.promotion_min_tenure_weeks, MAX_LEVEL, self.promotion_weekly,
            self.sponsorship_multiplier, wf.key, week,
            check=week == 0,  # the arrays keep their dtypes and shapes
        )
