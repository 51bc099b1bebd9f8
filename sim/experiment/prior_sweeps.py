"""Sobol sweeps over priors: which assumptions drive a design's effect and ROI.

A Sobol sweep file may vary, besides (or instead of) design levers in ``[factors]``, the
model's uncertain assumptions, each over its prior distribution::

    design = "sobol"
    samples = 32
    second_order = false

    [set]
    "evaluation.control" = "no_programme"   # the effect is against the control arm

    [sobol]
    priors = "literature"      # a bundled prior set (sim.config.uncertainty.PRIOR_SETS) ...
    # priors = ["learning.mentoring_rate_per_hour", "workforce.annual_turnover"]
    #                          # ... or dotted fields with a prior in the scenario's
    #                          # resolved priors ([uncertainty] include / priors)
    outcomes = ["level5_roi.roi_percent"]   # default: EFFECT_OUTCOMES

A named set takes the scenario's own prior for a field where it has one (as
:func:`~sim.config.uncertainty.resolved_priors` does). Saltelli's sample is drawn on the
unit cube and each prior's column is mapped through the prior's ppf
(:func:`~sim.config.uncertainty.prior_values`): SALib's own ``dists`` cover only a few
distributions, while inverse-transform sampling gives any prior's marginal exactly and
leaves Sobol's estimators (which work on the unit cube) untouched.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sim.config import Prior, Scenario, prior_set, resolved_priors
from sim.config.uncertainty import PRIOR_SETS
from sim.errors import ScenarioError

# What a prior sweep analyses by default: the programme's effect against its control arm
# (Kirkpatrick-Phillips levels 3-5 of the run summary) and its return on investment.
EFFECT_OUTCOMES: tuple[str, ...] = (
    "level3_behaviour.effect_size_d",
    "level4_results.performance_difference",
    "level4_results.retention_difference",
    "level5_roi.roi_percent",
)


class SobolOptions(BaseModel):
    """The ``[sobol]`` table of a sweep file: priors to vary and outcomes to analyse."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    priors: str | list[str] = Field(
        default_factory=list, description="a bundled prior set's name, or dotted fields "
        "with a prior in the scenario's resolved priors")
    outcomes: list[str] = Field(
        default_factory=list, description="summary keys analysed by mentorsim analyse "
        "(default with priors: EFFECT_OUTCOMES)")


def select_priors(options: SobolOptions, scenario: Scenario, source: str) -> dict[str, Prior]:
    """The priors a sweep varies, by dotted field name, in file (or set) order.

    Args:
        options: The sweep file's ``[sobol]`` table.
        scenario: The base scenario with the sweep's fixed overrides applied.
        source: The sweep file, for messages.

    Returns:
        The priors (empty when the table names none).

    Raises:
        ScenarioError: One line: an unknown prior set, a field without a prior, a field
            named twice, or effect outcomes without a control arm.

    """
    own = resolved_priors(scenario)
    if isinstance(options.priors, str):
        if options.priors not in PRIOR_SETS:
            raise ScenarioError(
                f"{source}: sobol.priors = {options.priors!r}: not a bundled prior set "
                f"(bundled: {', '.join(sorted(PRIOR_SETS))}; or list dotted fields)")
        chosen = {name: own.get(name, prior) for name, prior in prior_set(options.priors).items()}
    else:
        chosen = {}
        for name in options.priors:
            if name in chosen:
                raise ScenarioError(f"{source}: sobol.priors: {name!r} is named twice")
            if name not in own:
                have = ", ".join(own) or "none; add [uncertainty] include = [\"literature\"] " \
                                        "to the scenario or name a prior set"
                raise ScenarioError(f"{source}: sobol.priors: {name!r} has no prior in the "
                                    f"scenario's resolved priors (have: {have})")
            chosen[name] = own[name]
    if chosen and not options.outcomes and scenario.evaluation.control == "none":
        raise ScenarioError(
            f"{source}: sobol.priors: the effect outcomes need a control arm; add "
            "\"evaluation.control\" = \"no_programme\" under [set] (or list sobol.outcomes)")
    return chosen


def sobol_outcomes(options: SobolOptions | None, has_priors: bool) -> list[str]:
    """The outcomes ``mentorsim analyse`` analyses by default (empty: the headline ones)."""
    if options is None:
        return []
    if options.outcomes:
        return list(options.outcomes)
    return list(EFFECT_OUTCOMES) if has_priors else []
