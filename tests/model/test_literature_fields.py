"""The literature constants are read from the scenario: changing one moves the model.

Each test changes one field of ``[relationships]`` (or ``programme.e_mentoring_prep_share``,
``workforce.promotion_min_tenure_weeks``, ``informal.candidates_per_mentee``) and checks
the model's state moves the way the field says, by an amount the formula fixes; each would
fail if the model ignored the field. Pair qualities are read with ``relationships.quality_sd
= 0`` and ``relationships.similarity_effect = 0`` where that makes them exact.
"""

import numpy as np
import pytest

from sim import MentoringModel
from sim.config import load_scenario
from sim.model.relationships import FORMAL, INFORMAL, similarity
from sim.units import WEEKS_PER_MONTH
from tests.paths import MENTORING

SMALL = {"organisation.headcount": 400, "horizon_weeks": 30, "programme.start_week": 1,
         "programme.duration_weeks": 26}
EXACT = {"relationships.quality_sd": 0.0, "relationships.similarity_effect": 0.0}


def model_after(weeks: int, overrides: dict, seed: int = 11) -> MentoringModel:
    model = MentoringModel(scenario=load_scenario(MENTORING, {**SMALL, **overrides}), rng=seed)
    for _ in range(weeks):
        model.step()
    return model


def formal_qualities(**fields) -> np.ndarray:
    """Qualities of the formal pairs matched in the first week, keyed by ``section__name``."""
    overrides = {**EXACT, **{k.replace("__", "."): v for k, v in fields.items()}}
    wf = model_after(1, overrides).workforce
    quality = wf.quality[wf.pair_kind == FORMAL]
    assert quality.shape[0] >= 10
    return quality


def formal_quality(**fields) -> float:
    """The one quality every formal pair starts with when noise and similarity are off."""
    quality = formal_qualities(**fields)
    assert np.ptp(quality) == 0.0
    return float(quality[0])


def test_base_quality_sets_formal_pairs():
    low = formal_quality(relationships__base_quality=0.3)
    high = formal_quality(relationships__base_quality=0.6)
    assert high - low == pytest.approx(0.3)  # the design's gains add on top


def test_base_quality_sets_informal_pairs_with_voluntariness_and_frequency():
    def started(value):
        model = model_after(10, {**EXACT, "programme.enabled": False, "informal.enabled": True,
                                 "informal.ties_per_year": 2.0,
                                 "relationships.base_quality": value})
        rel = model.relationships
        assert rel.count(INFORMAL, "started") >= 20
        return rel.quality_sum[INFORMAL].sum() / rel.started_by_group[INFORMAL].sum()

    # base + voluntary 0.05 + 0.025 x (1 meeting a month - 2): no fit, no similarity
    assert started(0.5) == pytest.approx(0.5 + 0.05 - 0.025)
    assert started(0.8) == pytest.approx(0.8 + 0.05 - 0.025)


def test_similarity_effect_ties_quality_to_similarity():
    def pairs(effect):
        model = model_after(1, {"relationships.quality_sd": 0.0,
                                "relationships.similarity_effect": effect})
        wf = model.workforce
        mentees = np.flatnonzero(wf.pair_kind == FORMAL)
        return model, similarity(wf, mentees, wf.mentor[mentees]), wf.quality[mentees]

    model, _, flat = pairs(0.0)
    assert np.ptp(flat) == 0.0
    model, sim, quality = pairs(0.8)
    base = model.programme.base_quality
    np.testing.assert_allclose(quality, np.clip(base + 0.8 * (sim - 0.5), 0.05, 1.0))
    assert np.corrcoef(sim, quality)[0, 1] > 0.99


def test_training_gain_and_its_saturation_scale():
    no_gain = formal_quality(relationships__training_quality_gain=0.0)
    gain = formal_quality(relationships__training_quality_gain=0.3)
    assert gain - no_gain == pytest.approx(0.3 * (1 - np.exp(-4 / 8)))  # 4 training hours
    fast = formal_quality(relationships__training_scale_hours=2.0)
    slow = formal_quality(relationships__training_scale_hours=32.0)
    assert fast - slow == pytest.approx(0.1 * (np.exp(-4 / 32) - np.exp(-4 / 2)))


def test_meeting_frequency_effect_and_its_reference():
    four = {"programme__meetings_per_month": 4.0}
    flat = formal_quality(relationships__quality_per_extra_meeting_per_month=0.0, **four)
    steep = formal_quality(relationships__quality_per_extra_meeting_per_month=0.05, **four)
    assert steep - flat == pytest.approx(0.05 * (4 - 2))
    at_two = formal_quality()
    above = formal_quality(relationships__reference_meetings_per_month=4.0)
    assert at_two - above == pytest.approx(0.025 * 2)  # two meetings now count as too few


def test_voluntary_bonus_only_when_voluntary():
    assert (formal_quality(relationships__voluntary_bonus=0.2)
            - formal_quality(relationships__voluntary_bonus=0.0)) == pytest.approx(0.2)
    assigned = {"programme__voluntary": False}
    assert (formal_quality(relationships__voluntary_bonus=0.2, **assigned)
            == formal_quality(relationships__voluntary_bonus=0.0, **assigned))


def test_group_attention_and_cohesion():
    group = {"programme__format": "group", "programme__mentees_per_mentor": 4}
    one_to_one = formal_quality()
    full = formal_quality(relationships__group_attention=1.0,
                          relationships__group_cohesion=0.0, **group)
    assert full == pytest.approx(one_to_one)
    half = formal_quality(relationships__group_attention=0.5,
                          relationships__group_cohesion=0.0, **group)
    assert half == pytest.approx(0.5 * one_to_one)
    cohesive = formal_quality(relationships__group_attention=0.5,
                              relationships__group_cohesion=0.3, **group)
    assert cohesive - half == pytest.approx(0.3)


def test_e_mentoring_quality():
    e = {"programme__format": "e_mentoring"}
    assert (formal_quality(relationships__e_mentoring_quality=0.5, **e)
            == pytest.approx(0.5 * formal_quality(relationships__e_mentoring_quality=1.0, **e)))


def test_mentee_choice_bonus_in_units_of_quality_sd():
    choice = {"programme__matching": "mentee_choice", "relationships__quality_sd": 0.1,
              "relationships__similarity_effect": 0.0}
    none = formal_qualities(relationships__mentee_choice_bonus_sd=0.0, **choice)
    two = formal_qualities(relationships__mentee_choice_bonus_sd=2.0, **choice)
    # same draws (common random numbers): each pair gains 2 x 0.1 unless clipped at 1
    np.testing.assert_allclose(two, np.minimum(none + 0.2, 1.0))
    assert two.mean() - none.mean() > 0.15


def test_reference_quality_scales_early_endings_and_commitment():
    def run(reference, weeks):
        return model_after(weeks, {"relationships.reference_quality": reference})

    # the early-ending hazard is h exp(-6 (q - reference)): pairs of quality ~0.5 end
    # e^(6 x 0.4) = 11 times more often when the reference is 0.9 than when it is 0.5
    ended = {r: run(r, 26).relationships.count(FORMAL, "ended_early") for r in (0.5, 0.9)}
    assert ended[0.9] > 3 * ended[0.5] > 0

    # a mentee's commitment moves towards mentee_effect_sd x (q - 0.3) / (reference - 0.3)
    def commitment(reference):
        wf = run(reference, 8).workforce
        return wf.commitment[wf.pair_kind == FORMAL].mean()

    low, high = commitment(0.4), commitment(0.8)
    assert low > 2 * high > 0


def test_promotion_min_tenure_weeks():
    def promotions(weeks):
        model = model_after(20, {"organisation.headcount": 2000,
                                 "workforce.promotion_min_tenure_weeks": weeks})
        return model.timeseries()["promotions"].sum()

    # staff in post have up to 30 years' tenure, about 10 on average; the draws are the
    # same person by person, so a lower bar promotes everyone a higher one does and more
    anyone, senior, never = promotions(0), promotions(1000), promotions(2000)
    assert never == 0 and anyone > 2 * senior > 0


def test_informal_candidates_per_mentee_buy_similarity():
    def mean_similarity(candidates):
        model = model_after(10, {"programme.enabled": False, "informal.enabled": True,
                                 "informal.ties_per_year": 2.0, "informal.homophily": 0.0,
                                 "informal.candidates_per_mentee": candidates})
        wf = model.workforce
        mentees = np.flatnonzero(wf.pair_kind == INFORMAL)
        assert mentees.shape[0] >= 20
        return similarity(wf, mentees, wf.mentor[mentees]).mean()

    one, many = mean_similarity(1), mean_similarity(32)
    assert one == pytest.approx(0.5, abs=0.1)  # a random senior
    assert many > one + 0.15


def test_e_mentoring_prep_share_sets_mentor_hours():
    def hours(share):
        model = model_after(2, {"programme.format": "e_mentoring",
                                "programme.e_mentoring_prep_share": share})
        pairs = int(np.count_nonzero(model.workforce.pair_kind == FORMAL))
        return model.programme.hours_week["mentor"], pairs

    (none, pairs), (full, same_pairs) = hours(0.0), hours(1.0)
    assert pairs == same_pairs > 0
    assert full - none == pytest.approx(pairs * 1.0 / WEEKS_PER_MONTH)  # 1 h prep a month
    assert hours(0.5)[0] == pytest.approx(none + 0.5 * (full - none))
