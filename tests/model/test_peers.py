"""Group members learn from each other (sim.model.peers) and peers share a course
(programme.match_within_role)."""

import numpy as np
import pytest

from sim import MentoringModel
from sim.model.peers import peer_gains
from sim.model.relationships import FORMAL


def _group_of_three():
    model = MentoringModel("learning_community", rng=1, **{"organisation.headcount": 20})
    wf = model.workforce
    wf.mentor[:] = -1
    wf.pair_kind[:] = 0
    wf.mentor[1:4] = 0
    wf.pair_kind[1:4] = FORMAL
    wf.quality[1:4] = 0.5
    wf.contact_hours[1:4] = 2.0
    wf.aptitude[1:4] = 1.0
    return model, wf


def test_each_member_moves_towards_the_others_where_they_are_ahead():
    model, wf = _group_of_three()
    k = wf.skills.shape[1]
    wf.skills[1:4, :] = 0.5
    wf.skills[1, 0], wf.skills[2, 0], wf.skills[3, 0] = 0.2, 0.6, 0.4
    members, gains = peer_gains(wf, 0.01)
    assert members.tolist() == [1, 2, 3] and gains.shape == (3, k)
    # member 1: others' mean 0.5 > 0.2; member 2: 0.3 < 0.6 (nothing); member 3: 0.4 = 0.4
    np.testing.assert_allclose(gains[:, 0], [0.01 * 0.5 * 2.0 * 0.3, 0.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(gains[:, 1:], 0.0)
    assert peer_gains(wf, 0.0)[0].shape[0] == 0  # off


def test_a_group_of_one_has_no_peers():
    model, wf = _group_of_three()
    wf.mentor[2:4] = -1
    wf.pair_kind[2:4] = 0
    members, gains = peer_gains(wf, 0.01)
    assert members.shape[0] == 0 and gains.shape[0] == 0


def test_peer_learning_raises_group_members_skills_in_a_run():
    def mentees_skill(rate):
        model = MentoringModel("learning_community", rng=2, **{
            "horizon_weeks": 60, "learning.peer_rate_per_hour": rate})
        for _ in range(30):  # half-way
            model.step()
        wf = model.workforce
        return wf.skills[wf.pair_kind == FORMAL].sum(), wf.pid[wf.pair_kind == FORMAL]
    with_peers, pids_a = mentees_skill(0.02)
    without, pids_b = mentees_skill(0.0)
    # the same members (gaps feed matching, but not enough to change who is in a group)
    assert pids_a.tolist() == pids_b.tolist()
    assert with_peers > without


def test_match_within_role_keeps_pairs_inside_a_course():
    roles = [{"name": f"course_{i}", "share": 0.25, "hire_skill_mean": 0.4} for i in range(4)]
    base = {"workforce.roles": roles, "horizon_weeks": 30}
    inside = MentoringModel("university_peer_mentoring", rng=3,
                            **{**base, "programme.match_within_role": True}).run()
    wf = inside.workforce
    pairs = np.flatnonzero(wf.pair_kind == FORMAL)
    assert pairs.shape[0] > 20
    assert np.all(wf.role[pairs] == wf.role[wf.mentor[pairs]])
    free = MentoringModel("university_peer_mentoring", rng=3,
                          **{**base, "programme.match_within_role": False}).run().workforce
    pairs = np.flatnonzero(free.pair_kind == FORMAL)
    assert np.mean(free.role[pairs] == free.role[free.mentor[pairs]]) < 0.5


@pytest.mark.parametrize("rate", [-0.1, 11])
def test_peer_rate_out_of_range_is_refused(rate):
    from sim.config import load_scenario
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^<defaults>: learning.peer_rate_per_hour = "):
        load_scenario(None, {"learning.peer_rate_per_hour": rate})
