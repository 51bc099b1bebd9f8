"""Equity from structure (docs/ODD.md 7.6): access and sponsorship gaps follow from the
senior pool's composition and homophilous preferences, with every group rate equal."""

import numpy as np
import pytest

from sim import MentoringModel
from sim.model.relationships import psychosocial_share

SEEDS = range(4)
HOMOPHILY_OFF = {"informal.homophily": 0.0, "informal.mentor_homophily": 0.0}


def groups(past_under: float | None, share: float = 0.2) -> dict:
    """Two groups with equal rates; the underrepresented group's past share of hires."""
    majority = {"name": "majority", "share": 1 - share}
    under = {"name": "underrepresented", "share": share, "underrepresented": True}
    if past_under is not None:
        majority["past_hire_share"], under["past_hire_share"] = 1 - past_under, past_under
    return {"workforce.groups": [majority, under]}


UNBALANCED = groups(0.05)   # few seniors of the group: it was 5% of hires 30 years ago
BALANCED = groups(0.8)      # about as many seniors of each group (checked below)


def informal_ratios(overrides: dict, scenario: str = "baseline") -> tuple[float, float]:
    """Access and sponsorship ratios, underrepresented over majority like for like (the
    same weeks), pooled over seeds."""
    found, expected, chance, chance_expected = 0.0, 0.0, 0.0, 0.0
    for seed in SEEDS:
        model = MentoringModel(scenario, rng=seed, **{
            "organisation.headcount": 1500, "horizon_weeks": 130, **overrides}).run()
        inf = model.informal
        found += inf.found_in_reference_weeks[1]
        expected += inf.found_at_reference_rate[1]
        chance += inf.chance_in_reference_weeks[1]
        chance_expected += inf.chance_at_reference_rate[1]
    return found / expected, chance / chance_expected


@pytest.fixture(scope="module")
def unbalanced_homophilous():
    return informal_ratios(UNBALANCED)


def test_gaps_appear_with_an_unbalanced_senior_pool_and_homophily(unbalanced_homophilous):
    access, sponsorship = unbalanced_homophilous
    assert access < 0.95  # measured 0.90 (4 seeds)
    assert sponsorship < 0.92


def test_gaps_vanish_without_homophily():
    access, sponsorship = informal_ratios({**UNBALANCED, **HOMOPHILY_OFF})
    assert access == pytest.approx(1.0, abs=0.02)
    assert sponsorship == pytest.approx(1.0, abs=0.1)  # measured 0.93 (about 2 se)


def test_access_gap_vanishes_with_a_balanced_senior_pool(unbalanced_homophilous):
    access, _ = informal_ratios(BALANCED)
    model = MentoringModel("baseline", rng=0, **{"organisation.headcount": 1500, **BALANCED})
    wf = model.workforce
    senior = wf.tenure_weeks >= 104
    assert 0.4 < wf.underrepresented[wf.group[senior]].mean() < 0.6
    assert access == pytest.approx(1.0, abs=0.02)
    assert access > unbalanced_homophilous[0] + 0.05


def test_no_group_rate_is_left_in_the_schema():
    from sim.config import Informal

    assert not {"underrepresented_tie_ratio", "underrepresented_sponsorship_ratio"} & set(
        Informal.model_fields)


def test_hiring_history_sets_the_senior_pool():
    model = MentoringModel("baseline", rng=3, **{"organisation.headcount": 4000, **UNBALANCED})
    wf = model.workforce
    under = wf.underrepresented[wf.group]
    senior = wf.tenure_weeks >= 20 * 52
    junior = wf.tenure_weeks < 2 * 52
    assert under[senior].mean() < 0.12 < 0.17 < under[junior].mean()
    flat = MentoringModel("baseline", rng=3, **{"organisation.headcount": 4000,
                                                **groups(None)}).workforce
    flat_under = flat.underrepresented[flat.group]
    assert abs(flat_under[senior].mean() - flat_under[junior].mean()) < 0.05


def test_cultural_taxation_follows_from_few_seniors():
    model = MentoringModel("baseline", rng=1, **{"organisation.headcount": 1000,
                                                 "horizon_weeks": 4, **UNBALANCED}).run()
    per_senior = model.service.per_senior
    assert per_senior[1] > 3 * per_senior[0] > 0
    none = MentoringModel("baseline", rng=1, **{
        "organisation.headcount": 1000, "horizon_weeks": 4,
        "service.representation_hours_per_100_staff": 0.0, **UNBALANCED}).run()
    assert none.service.hours.sum() == 0
    # the hours come out of learning by doing: the group's seniors learn less
    wf, nf = model.workforce, none.workforce
    seniors = np.flatnonzero(wf.active & nf.active & (wf.pid == nf.pid)
                             & wf.underrepresented[wf.group] & (wf.tenure_weeks >= 104)
                             & (wf.mentor < 0) & (wf.load == 0))
    assert wf.skills[seniors].sum() < nf.skills[seniors].sum()


def test_cross_group_pairs_give_less_psychosocial_support_and_training_recovers_some():
    model = MentoringModel("baseline", rng=1, **{"organisation.headcount": 50})
    wf = model.workforce
    a = np.flatnonzero(wf.group == 0)[:3]
    b = np.flatnonzero(wf.group == 1)[:3]
    rel = model.scenario.relationships
    same = psychosocial_share(wf, rel, a[:1], a[1:2])
    cross = psychosocial_share(wf, rel, a, b)
    trained = psychosocial_share(wf, rel, a, b, training_hours=40.0)
    networked = psychosocial_share(wf, rel, a, b, same_group_support=np.ones(3, bool))
    assert same[0] == 1.0 and np.all(cross == rel.cross_group_psychosocial)
    assert np.all((cross < trained) & (trained < 1.0)) and np.all(networked == 1.0)


def test_sponsorship_comes_with_the_mentors_standing():
    from sim.model.relationships import sponsorship_chance

    model = MentoringModel("baseline", rng=1, **{"organisation.headcount": 200})
    wf = model.workforce
    wf.level[:4] = [0, 1, 2, 6]
    chance = sponsorship_chance(wf, np.arange(4), 0.25)
    assert chance.tolist() == [0.0, 0.25, 0.5, 1.0]


def test_a_group_programme_narrows_the_gap_by_an_amount_that_depends_on_mentor_supply():
    base = {"organisation.headcount": 1000, "horizon_weeks": 104, **UNBALANCED,
            "programme.enabled": True, "programme.eligibility": "group",
            "programme.target_group": "underrepresented", "programme.min_gap": 0.0}
    in_pair = {}
    for label, share in (("none", 0.0), ("small", 0.01), ("large", 0.05)):
        values = []
        for seed in range(3):
            model = MentoringModel("baseline", rng=seed, **{
                **base, "programme.max_mentee_share": share}).run()
            ts = model.timeseries().iloc[52:]
            values.append((ts["underrepresented_in_pair"] / ts["majority_in_pair"]).mean())
        in_pair[label] = float(np.mean(values))
    assert in_pair["none"] < 1.0  # the gap without the programme
    assert in_pair["none"] < in_pair["small"] < in_pair["large"]


def test_mentoring_network_adds_sponsorship_and_same_group_support():
    base = {"organisation.headcount": 800, "horizon_weeks": 60, **UNBALANCED,
            "programme.enabled": True, "programme.eligibility": "group",
            "programme.target_group": "underrepresented", "programme.min_gap": 0.0,
            "programme.max_mentee_share": 0.03, "programme.matching": "random"}
    one = MentoringModel("baseline", rng=2, **base).run()
    net = MentoringModel("baseline", rng=2, **{**base, "programme.format": "network"}).run()
    t1, tn = one.timeseries().iloc[20:], net.timeseries().iloc[20:]
    assert tn["underrepresented_sponsored"].mean() > t1["underrepresented_sponsored"].mean()
    assert tn["underrepresented_support"].mean() > t1["underrepresented_support"].mean()
    assert tn["programme_hours_mentor"].sum() > t1["programme_hours_mentor"].sum()
