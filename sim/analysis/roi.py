"""Return on investment by the guiding principles of Phillips' ROI Methodology.

Phillips & Phillips (*Return on Investment Basics*; the ROI Institute's twelve guiding
principles) ask an evaluation to take the conservative alternative, to count fully
loaded costs including the participants' time, to claim only benefits inside the
evaluation horizon (no extrapolation) and to give a benefit-cost ratio beside the ROI.
Here:

* **Time is valued the same way on both sides.** An hour of a mentor, a mentee, the
  programme staff (coordination) or mentor training costs the fully loaded hourly
  employment cost, salary / (52 x hours_per_week) x (1 + ``employment_cost_loading``);
  a full-time equivalent's output for a week is valued at the same loaded cost of a
  week x ``output_value_multiplier`` (default 1.0: output worth what it costs, the
  conservative choice; ``output_value_range`` gives the ROI at two other values).
* **A quit avoided** saves ``replacement_cost_share`` x salary (Boushey & Glynn 2012).
* **Costs** are the hours above, ``cost_per_pair`` per formal pair started and the
  ``fixed_cost`` at week 0; and, a line of their own (``cost_interventions``), the money
  spent on the interventions on the enablers (``[[interventions]]``: job aids, tools,
  incentives; the weekly :data:`INTERVENTION_COST_COLUMN`), discounted like the rest.
  The control arm has neither the programme nor the interventions, so a run with only
  an intervention gives the intervention's return.
* **Only the horizon counts**, week by week: benefits are the differences between the
  arms' weekly series (output FTE, quits), costs the treated arm's weekly hours and
  pairs started, each discounted by (1 + ``discount_rate_per_year``) ** (-week / 52)
  (HM Treasury Green Book, 3.5%) before summing.

BCR = benefits / costs; ROI = (benefits - costs) / costs x 100, nan when costs are 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.config import Scenario
from sim.units import WEEKS_PER_YEAR

HOUR_KINDS: tuple[str, ...] = ("mentor", "mentee", "coordination", "training")
"""The kinds of programme time, each costed at the loaded hourly employment cost."""

HOURS_COLUMNS: dict[str, str] = {kind: f"programme_hours_{kind}" for kind in HOUR_KINDS}
"""The weekly series' column of each kind of programme hours (this week's)."""

PAIRS_COLUMN = "formal_pairs_started"
"""The weekly series' column of formal pairs started so far (cumulative)."""

INTERVENTION_COST_COLUMN = "intervention_cost"
"""The weekly series' column of money spent on interventions this week."""


@dataclass(frozen=True)
class RoiAssumptions:
    """The money values and the discount rate an ROI rests on.

    Attributes:
        hourly_cost: Fully loaded employment cost of an hour (money units).
        weekly_cost: Fully loaded employment cost of a full-time week.
        output_value_multiplier: Value of a week of full-time output per ``weekly_cost``.
        output_value_range: Low and high ``output_value_multiplier``.
        replacement_cost: Cost of a leaver, saved by each quit avoided.
        cost_per_pair: Money per formal pair started.
        fixed_cost: Spent at week 0 (not discounted).
        discount_rate_per_year: Annual discount rate.

    """

    hourly_cost: float
    weekly_cost: float
    output_value_multiplier: float
    output_value_range: tuple[float, float]
    replacement_cost: float
    cost_per_pair: float
    fixed_cost: float
    discount_rate_per_year: float

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RoiAssumptions:
        """The assumptions of a scenario's ``[organisation]`` and ``[evaluation]``.

        The fixed cost counts only when the scenario's programme is enabled (as the
        model's running ``programme_cost``).
        """
        org, ev = scenario.organisation, scenario.evaluation
        loaded_salary = org.salary_per_year * (1.0 + ev.employment_cost_loading)
        return cls(
            hourly_cost=loaded_salary / (WEEKS_PER_YEAR * org.hours_per_week),
            weekly_cost=loaded_salary / WEEKS_PER_YEAR,
            output_value_multiplier=ev.output_value_multiplier,
            output_value_range=(float(ev.output_value_range[0]),
                                float(ev.output_value_range[1])),
            replacement_cost=ev.replacement_cost_share * org.salary_per_year,
            cost_per_pair=ev.cost_per_pair,
            fixed_cost=ev.fixed_cost if scenario.programme.enabled else 0.0,
            discount_rate_per_year=ev.discount_rate_per_year,
        )


def discount_factors(n_weeks: int, rate_per_year: float) -> np.ndarray:
    """(1 + r) ** (-week / 52) for weeks 0 .. n_weeks - 1.

    Args:
        n_weeks: How many weeks (rows of a weekly series, week 0 first).
        rate_per_year: The annual discount rate r (0: all ones).

    Returns:
        float64 (n_weeks,); week 0 has factor 1.

    """
    weeks = np.arange(n_weeks, dtype=np.float64)
    return (1.0 + rate_per_year) ** (-weeks / WEEKS_PER_YEAR)


def _ratio(benefits: float, costs: float) -> tuple[float, float]:
    """Benefit-cost ratio and ROI percent; both nan when costs are not positive."""
    if not costs > 0:
        return float("nan"), float("nan")
    return benefits / costs, (benefits - costs) / costs * 100.0


def weekly_roi(
    assumptions: RoiAssumptions,
    output_fte_difference: ArrayLike,
    quits_avoided: ArrayLike,
    hours: Mapping[str, ArrayLike],
    pairs_started: ArrayLike,
    intervention_costs: ArrayLike | None = None,
) -> dict[str, float]:
    """ROI from weekly arrays (week 0 first, all of one length).

    Args:
        assumptions: Money values and the discount rate.
        output_fte_difference: Output in full-time equivalents, treated minus control.
        quits_avoided: Quits, control minus treated.
        hours: Programme hours of each kind in :data:`HOUR_KINDS` (missing kinds: 0).
        pairs_started: Formal pairs started in each week.
        intervention_costs: Money spent on interventions on the enablers in each week
            (None: 0).

    Returns:
        Present values (discounted): ``benefits`` = ``output_benefit`` +
        ``retention_benefit``; ``costs`` = ``cost_mentor_time`` + ``cost_mentee_time`` +
        ``cost_coordination_time`` + ``cost_training_time`` + ``cost_pairs`` +
        ``cost_fixed`` + ``cost_interventions``; ``net_benefit``,
        ``benefit_cost_ratio``, ``roi_percent``;
        ``roi_percent_low`` and ``roi_percent_high`` at the ends of
        ``output_value_range``; ``benefits_undiscounted``, ``costs_undiscounted`` and
        ``roi_percent_undiscounted`` for reference; and the assumptions
        ``output_value_multiplier``, ``output_value_low``, ``output_value_high``,
        ``discount_rate_per_year``, ``hourly_cost``.

    Raises:
        ValueError: If the arrays differ in length or an hours kind is unknown.

    """
    a = assumptions
    output = np.asarray(output_fte_difference, dtype=np.float64)
    quits = np.asarray(quits_avoided, dtype=np.float64)
    pairs = np.asarray(pairs_started, dtype=np.float64)
    n = output.shape[0]
    interventions = (np.zeros(n) if intervention_costs is None
                     else np.asarray(intervention_costs, dtype=np.float64))
    unknown = set(hours) - set(HOUR_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds of hours {sorted(unknown)}; expected {HOUR_KINDS}")
    hour_arrays = {kind: np.asarray(hours.get(kind, np.zeros(n)), dtype=np.float64)
                   for kind in HOUR_KINDS}
    lengths = {quits.shape[0], pairs.shape[0], interventions.shape[0],
               *(h.shape[0] for h in hour_arrays.values())}
    if lengths != {n}:
        raise ValueError(f"weekly arrays differ in length: {sorted(lengths | {n})}")

    def totals(factors: np.ndarray) -> dict[str, float]:
        parts = {f"cost_{kind}_time": a.hourly_cost * float(factors @ hour_arrays[kind])
                 for kind in HOUR_KINDS}
        parts["cost_pairs"] = a.cost_per_pair * float(factors @ pairs)
        parts["cost_fixed"] = a.fixed_cost  # at week 0, factor 1
        parts["cost_interventions"] = float(factors @ interventions)
        return {
            "output_value_per_multiplier": a.weekly_cost * float(factors @ output),
            "retention_benefit": a.replacement_cost * float(factors @ quits),
            "costs": sum(parts.values()),
            **parts,
        }

    def roi_at(values: dict[str, float], multiplier: float) -> float:
        benefits = values["output_value_per_multiplier"] * multiplier
        return _ratio(benefits + values["retention_benefit"], values["costs"])[1]

    pv = totals(discount_factors(n, a.discount_rate_per_year))
    plain = totals(np.ones(n))
    output_benefit = pv["output_value_per_multiplier"] * a.output_value_multiplier
    benefits = output_benefit + pv["retention_benefit"]
    costs = pv["costs"]
    bcr, roi_percent = _ratio(benefits, costs)
    low, high = a.output_value_range
    benefits_plain = (plain["output_value_per_multiplier"] * a.output_value_multiplier
                      + plain["retention_benefit"])
    return {
        "benefits": benefits,
        "output_benefit": output_benefit,
        "retention_benefit": pv["retention_benefit"],
        "costs": costs,
        **{key: pv[key] for key in pv if key.startswith("cost_")},
        "net_benefit": benefits - costs,
        "benefit_cost_ratio": bcr,
        "roi_percent": roi_percent,
        "roi_percent_low": roi_at(pv, low),
        "roi_percent_high": roi_at(pv, high),
        "benefits_undiscounted": benefits_plain,
        "costs_undiscounted": plain["costs"],
        "roi_percent_undiscounted": _ratio(benefits_plain, plain["costs"])[1],
        "output_value_multiplier": a.output_value_multiplier,
        "output_value_low": low,
        "output_value_high": high,
        "discount_rate_per_year": a.discount_rate_per_year,
        "hourly_cost": a.hourly_cost,
    }


def roi(scenario: Scenario, t_frame: pd.DataFrame, c_frame: pd.DataFrame) -> dict[str, float]:
    """Phillips ROI of a programme from the weekly series of its two arms.

    Args:
        scenario: The treated arm's scenario (its ``[organisation]`` salary and hours and
            its ``[evaluation]`` money values and discount rate).
        t_frame: The treated arm's weekly series (``MentoringModel.timeseries()``, week 0
            first): ``output_fte``, ``quits``, the ``programme_hours_*`` columns and
            ``formal_pairs_started`` (and ``intervention_cost``, if there; else 0).
        c_frame: The control arm's, over the same weeks (``output_fte``, ``quits``).

    Returns:
        As :func:`weekly_roi`.

    Raises:
        ValueError: If the two series differ in length.

    """
    if len(t_frame) != len(c_frame):
        raise ValueError(f"the arms' series differ in length: {len(t_frame)} and "
                         f"{len(c_frame)} weeks")
    pairs_so_far = t_frame[PAIRS_COLUMN].to_numpy(dtype=np.float64)
    return weekly_roi(
        RoiAssumptions.from_scenario(scenario),
        output_fte_difference=(t_frame["output_fte"].to_numpy(dtype=np.float64)
                               - c_frame["output_fte"].to_numpy(dtype=np.float64)),
        quits_avoided=(c_frame["quits"].to_numpy(dtype=np.float64)
                       - t_frame["quits"].to_numpy(dtype=np.float64)),
        hours={kind: t_frame[column].to_numpy(dtype=np.float64)
               for kind, column in HOURS_COLUMNS.items()},
        pairs_started=np.diff(pairs_so_far, prepend=0.0),
        intervention_costs=(t_frame[INTERVENTION_COST_COLUMN].to_numpy(dtype=np.float64)
                            if INTERVENTION_COST_COLUMN in t_frame else None),
    )
