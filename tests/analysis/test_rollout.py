"""The rollout plan: the first cohort and pairs are what the model itself starts."""

import numpy as np
import pytest

from sim.analysis.rollout import first_matching_week, rollout_plan, tenure_band
from sim.config import load_scenario
from sim.errors import ScenarioError
from sim.model.model import MentoringModel
from sim.model.relationships import FORMAL

SMALL = {"organisation.headcount": 300, "horizon_weeks": 60}


def scenario(**settings):
    return load_scenario("mentoring", {**SMALL, **settings})


def first_started(s, seed):
    """The pairs the model starts at its first matching, and the mentors' loads before."""
    model = MentoringModel(s, rng=seed)
    rel = model.relationships
    start = rel.start
    found = []

    def recording(mentees, mentors, kind, *args, **kwargs):
        if kind == FORMAL and not found:
            wf = model.workforce
            found.append((wf.pid[mentees].copy(), wf.pid[mentors].copy(),
                          {int(wf.pid[m]): int(wf.load[m]) for m in mentors}))
        return start(mentees, mentors, kind, *args, **kwargs)

    rel.start = recording
    while not found:
        model.step()
    return found[0]


@pytest.mark.parametrize("settings", [
    {},
    {"programme.matching": "similarity", "programme.mentees_per_mentor": 2},
    {"programme.eligibility": "all", "programme.matching": "random"},
    {"programme.start_week": 0, "programme.matching": "mentee_choice"},
    {"programme.format": "group", "programme.mentees_per_mentor": 4},
])
def test_the_pairs_are_those_the_model_starts_at_its_first_matching(settings):
    s = scenario(**settings)
    plan = rollout_plan(s, seed=7, pairs=True)
    mentees, mentors, loads = first_started(s, 7)
    pairs = plan.pairs
    assert len(pairs) == mentees.shape[0] > 0
    got = sorted(zip(pairs["mentee"], pairs["mentor"], strict=True))
    assert got == sorted(zip(mentees.tolist(), mentors.tolist(), strict=True))
    assert (pairs["mentee"] != pairs["mentor"]).all()
    counts = pairs["mentor"].value_counts()
    cap = s.programme.mentees_per_mentor
    assert all(loads[m] + n <= cap for m, n in counts.items())
    assert plan.week == first_matching_week(s) - 1
    if s.programme.eligibility != "all":  # priority order: largest gap first
        assert np.all(np.diff(pairs["weighted_gap"].to_numpy()) <= 0)


def test_the_first_cohort_adds_up_to_the_pairs_mentees():
    plan = rollout_plan(scenario(), seed=3, pairs=True)
    cohort = plan.first_cohort
    assert plan.paired == len(plan.pairs) == plan.cohort_size == plan.budget
    for by in ("group", "role", "tenure"):
        rows = cohort[cohort["by"] == by]
        assert rows["cohort"].sum() == plan.cohort_size
        assert rows["paired"].sum() == len(plan.pairs)
    assert plan.mentors_needed <= plan.mentors_free


def test_a_short_mentor_pool_is_a_warning_and_the_cohort_counts_who_is_left_out():
    plan = rollout_plan(scenario(**{"programme.mentor_min_tenure_weeks": 1300}), seed=3,
                        pairs=True)
    assert plan.paired < plan.cohort_size
    assert len(plan.pairs) == plan.paired
    assert any("find no mentor with a free place" in w for w in plan.warnings)


def test_without_pairs_nothing_names_anyone():
    plan = rollout_plan(scenario(), seed=3)
    assert plan.pairs is None
    assert plan.cohort_size > 0


def test_the_week_read_and_the_first_matching_week():
    assert first_matching_week(scenario(**{"programme.start_week": 0})) == 4
    assert first_matching_week(scenario(**{"programme.start_week": 0,
                                           "programme.cadence_weeks": 1})) == 1
    assert first_matching_week(scenario(**{"programme.start_week": 9})) == 9
    plan = rollout_plan(scenario(**{"programme.start_week": 0,
                                    "programme.cadence_weeks": 1}), seed=3)
    assert plan.week == 0 and "at week 0" in plan.notes[0]


def test_tenure_bands():
    assert tenure_band(np.array([0, 25, 26, 52, 103, 104, 259, 260, 2000])).tolist() == [
        "under 6 months", "under 6 months", "6-12 months", "1-2 years", "1-2 years",
        "2-5 years", "2-5 years", "5 years or more", "5 years or more"]


def test_no_programme_or_a_start_after_the_horizon_is_refused():
    with pytest.raises(ScenarioError, match="programme.enabled is false: nothing to roll out"):
        rollout_plan(load_scenario("baseline"))
    with pytest.raises(ScenarioError, match="after the horizon"):
        rollout_plan(scenario(**{"programme.start_week": 0, "programme.cadence_weeks": 70}))
