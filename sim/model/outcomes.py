"""The two outcome channels besides skills: attitude/commitment and careers.

*Commitment* (in SD units, 0 = baseline) moves, while someone is mentored, towards a
target proportional to how far the relationship's quality is above the marginal level:
``mentee_effect_sd x (q - q_marginal) / (q_ref - q_marginal)``, so a pair of reference
quality gives the meta-analytic attitude effect (d ~ 0.35, Allen et al. 2004; a
calibration target), a marginal pair none (Ragins, Cotton & Miller 2000) and a
dysfunctional one harm (Eby et al. 2000, 2004); times the pair's psychosocial share, less
for e-mentoring and for pairs across group lines (Thomas 1990; set when the pair starts,
:func:`~sim.model.relationships.psychosocial_share`); mentors gain a little too. It fades
with a half-life once the pair ends: an early ending leaves behind what the poor pair
did, no penalty is added. The quit hazard is multiplied by ``exp(-coef x commitment)``,
``coef = -ln(quit_hazard_ratio_per_sd)``, so the mentored hazard ratio is an outcome of
the relationships people had. Commitment also lifts performance a little (motivation),
which mentoring acts on and tools do not.

*Careers*: proficient employees with ``workforce.promotion_min_tenure_weeks`` of tenure
(two years) are promoted at a base rate; an active sponsor multiplies that chance. A
mentor sponsors with a chance that grows with the mentor's career level (standing), so
who gets sponsored follows from who mentors whom, not from the mentee's group.
"""

from __future__ import annotations

import numpy as np

from sim.config import Scenario
from sim.kernels import update_outcomes
from sim.model.workforce import Workforce
from sim.units import WEEKS_PER_YEAR

MAX_LEVEL = 10  # highest career level (levels are int8)


def commitment_coefficient(scenario: Scenario) -> float:
    """How strongly one SD of commitment lowers the log quit hazard."""
    return float(-np.log(scenario.attitudes.quit_hazard_ratio_per_sd))


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
        rel = scenario.relationships
        self.marginal_quality = rel.marginal_quality
        self.effect_per_quality = a.mentee_effect_sd / max(
            rel.reference_quality - rel.marginal_quality, 1e-9
        )
        self.mentor_target = (
            float(np.log(1.0 / a.mentor_quit_hazard_ratio) / self.coef) if self.coef else 0.0
        )
        self.rise = 1.0 / a.weeks_to_effect
        self.fade = 0.5 ** (1.0 / a.half_life_weeks)
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
            wf.active, wf.mentor, wf.load, wf.quality, wf.commitment,
            wf.tenure_weeks, wf.performance, wf.level, wf.promotions, wf.sponsored,
            wf.psychosocial, wf.pid, self.effect_per_quality, self.marginal_quality,
            self.mentor_target, self.rise, self.fade, self.threshold,
            self.promotion_min_tenure_weeks, MAX_LEVEL, self.promotion_weekly,
            self.sponsorship_multiplier, wf.key, week,
            check=week == 0,  # the arrays keep their dtypes and shapes
        )
