"""Property-based checks of the model: random valid scenarios stay numerically sane.

Random valid scenarios must keep skills in [0, 1], conserve headcount, respect mentor
capacity and give no NaN or inf outside the means over empty sets.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import MentoringModel
from sim.config import load_scenario
from tests.paths import MENTORING

# --- numerical safety over random scenarios -----------------------------------------------------
# means over a set that can be empty (no pairs of a kind, nobody (never) mentored, no
# employee of a group): NaN by design, like every mean in a week with no employees
CONDITIONAL = ("mean_quality", "performance_mentored", "gap_mentored",
               "performance_never_mentored", "gap_never_mentored", "underrepresented_",
               "majority_", "informal_access_ratio", "informal_sponsorship_ratio")


@st.composite
def designs(draw):
    matching = draw(st.sampled_from(["random", "gap_targeted", "similarity", "mentee_choice",
                                     "peer", "reverse"]))
    eligibility = draw(st.sampled_from(["new_hires", "largest_gaps", "all", "group"]))
    horizon = draw(st.integers(8, 40))
    return {
        "organisation.headcount": draw(st.integers(2, 150)),
        "horizon_weeks": horizon,
        "programme.enabled": draw(st.booleans()),
        "programme.start_week": draw(st.integers(0, horizon - 1)),
        "programme.duration_weeks": draw(st.integers(1, horizon)),
        "programme.cadence_weeks": draw(st.integers(1, 8)),
        "programme.mentees_per_mentor": draw(st.integers(1, 4)),
        "programme.matching": matching,
        "programme.reverse_competency": "digital" if matching == "reverse" else None,
        "programme.eligibility": eligibility,
        "programme.target_group": "underrepresented" if eligibility == "group" else None,
        "programme.format": draw(st.sampled_from(["one_to_one", "group", "e_mentoring"])),
        "programme.max_mentee_share": draw(st.floats(0, 0.5)),
        "programme.monitoring_weeks": draw(st.integers(0, 8)),
        "programme.mentor_min_tenure_weeks": draw(st.integers(0, 200)),
        "programme.mentor_min_performance": draw(st.floats(0, 1)),
        "programme.rollout": draw(st.sampled_from(["all_at_once", "phased", "randomised"])),
        "informal.enabled": draw(st.booleans()),
        "informal.ties_per_year": draw(st.floats(0, 5)),
        "informal.mentees_per_mentor": draw(st.integers(1, 3)),
        "environment.shocks_per_year": draw(st.floats(0, 52)),
        "environment.shock_size": draw(st.floats(0, 1)),
        "environment.drift_sd_per_year": draw(st.floats(0, 1)),
        "workforce.annual_turnover": draw(st.floats(0, 0.99)),
        "workforce.vacancy_fill_per_week": draw(st.floats(0, 1)),
        "workforce.initial_skill_sd": draw(st.floats(0, 0.49)),
        "learning.weekly_noise_sd": draw(st.floats(0, 1)),
        "learning.mentoring_rate_per_hour": draw(st.floats(0, 10)),
        "learning.reciprocal_rate_per_hour": draw(st.floats(0, 10)),
        "learning.novice_boost": draw(st.floats(0, 100)),
        "learning.doing_rate_per_week": draw(st.floats(0, 1)),
    }


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(designs(), st.integers(0, 2**32))
def test_random_scenarios_stay_numerically_safe(overrides, seed):
    scenario = load_scenario(MENTORING, {k: v for k, v in overrides.items() if v is not None})
    model = MentoringModel(scenario=scenario, rng=seed)
    cap = max(scenario.programme.mentees_per_mentor, scenario.informal.mentees_per_mentor)
    previous = model.workforce.n_active
    for _ in range(scenario.horizon_weeks):
        model.step()
        wf, m = model.workforce, model.metrics
        assert wf.n_active == previous + m["hires"] - m["quits"] - m["retirements"]
        assert 0 <= wf.n_active <= wf.size
        previous = wf.n_active
        active = wf.skills[wf.active]
        assert np.all(np.isfinite(wf.skills)) and np.all((active >= 0) & (active <= 1))
        mentees = np.flatnonzero(wf.mentor >= 0)
        assert np.all(wf.mentor[mentees] != mentees)
        assert np.all(wf.active[mentees]) and np.all(wf.active[wf.mentor[mentees]])
        np.testing.assert_array_equal(np.bincount(wf.mentor[mentees], minlength=wf.size),
                                      wf.load)
        assert wf.load.max(initial=0) <= cap
        assert np.all(np.isfinite(wf.commitment)) and np.all(np.isfinite(wf.performance))
    frame = model.timeseries()
    assert not np.isinf(frame.to_numpy(dtype=float)).any()
    staffed = frame[frame["headcount"] > 0]
    always = staffed.drop(columns=[c for c in frame.columns if c.startswith(CONDITIONAL)])
    bad = [c for c in always.columns if not np.isfinite(always[c].to_numpy(dtype=float)).all()]
    assert not bad, f"NaN in {bad}"
