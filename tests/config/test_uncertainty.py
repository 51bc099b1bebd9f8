"""Priors over scenario fields ([uncertainty]) and their Latin-hypercube draws."""

import numpy as np
import pytest

from sim.config import apply_draw, draw_parameters, load_scenario, prior_set, resolved_priors
from sim.config.schema import numeric_field
from sim.errors import ScenarioError

RATE = "learning.mentoring_rate_per_hour"


def test_the_literature_set_covers_the_research_notes_ranges_with_the_default_as_mode():
    priors = prior_set("literature")
    assert len(priors) >= 10
    defaults = load_scenario()
    for dotted, prior in priors.items():
        section, name = dotted.split(".")
        default = getattr(getattr(defaults, section), name)
        low, high = prior.frozen().ppf([0.0, 1.0])
        assert low <= default <= high, dotted  # the default inside the range
        assert prior.source, dotted
        if prior.dist == "triang":  # ... and at the mode
            assert prior.loc + prior.c * prior.scale == pytest.approx(default, rel=1e-3), dotted


def test_scenario_priors_replace_included_ones():
    own = {"dist": "uniform", "loc": 0.005, "scale": 0.002}
    scenario = load_scenario(None, {"uncertainty.include": ["literature"],
                                    "uncertainty.priors": {RATE: own}})
    priors = resolved_priors(scenario)
    assert priors[RATE].dist == "uniform" and len(priors) == len(prior_set("literature"))
    assert resolved_priors(load_scenario()) == {}


def test_latin_hypercube_draws_are_stratified_reproducible_and_in_range():
    priors = prior_set("literature")
    draws = draw_parameters(priors, 40, seed=7)
    assert draws == draw_parameters(priors, 40, seed=7)
    assert draws != draw_parameters(priors, 40, seed=8)
    for dotted, prior in priors.items():
        values = np.array([d[dotted] for d in draws])
        # one draw in each of 40 equal-probability strata
        strata = np.floor(prior.frozen().cdf(values) * 40).astype(int)
        assert sorted(np.minimum(strata, 39).tolist()) == list(range(40)), dotted
        _, lo, _, hi, _ = numeric_field(dotted)
        assert (lo is None or values.min() >= lo) and (hi is None or values.max() <= hi)


def test_a_draw_applies_as_an_override_and_out_of_range_draws_are_clipped():
    scenario = load_scenario("mentoring")
    priors = {"workforce.annual_turnover": load_scenario(None, {"uncertainty.priors": {
        "workforce.annual_turnover": {"dist": "triang", "c": 0.0, "loc": 0.0, "scale": 0.98}}}
    ).uncertainty.priors["workforce.annual_turnover"]}
    draws = draw_parameters(priors, 50, seed=1)
    assert all(0 <= d["workforce.annual_turnover"] < 1 for d in draws)
    applied = apply_draw(scenario, draws[0])
    assert applied.workforce.annual_turnover == draws[0]["workforce.annual_turnover"]
    assert applied.programme == scenario.programme


@pytest.mark.parametrize("prior, fragment", [
    ({"learning.nope": {"dist": "uniform"}}, "'learning.nope' is not a scenario field"),
    ({"workforce.groups": {"dist": "uniform"}}, "is not a numeric scenario field"),
    ({RATE: {"dist": "norm", "loc": 0.0, "scale": 1.0}}, "1%-99% range"),
    ({RATE: {"dist": "beta", "a": 2.0}}, "a beta prior needs b"),
    ({RATE: {"dist": "uniform", "c": 0.5}}, "a uniform prior takes no c"),
    ({RATE: {"dist": "gamma"}}, "dist"),
    ({RATE: {"dist": "uniform", "scale": -1.0}}, "scale"),
])
def test_bad_priors_are_one_line_errors(prior, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario(None, {"uncertainty.priors": prior})
    message = str(info.value)
    assert "\n" not in message and fragment in message and "uncertainty.priors" in message


def test_an_unknown_prior_set_is_refused():
    with pytest.raises(ScenarioError, match="uncertainty.include"):
        load_scenario(None, {"uncertainty.include": ["folklore"]})
