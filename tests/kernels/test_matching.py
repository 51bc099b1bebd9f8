"""The matching kernels (sim/kernels/matching.py) against their slow references."""

import numpy as np
import pytest

from sim.kernels import SERIAL, match_by_scores, match_gap_targeted
from sim.kernels import matching as kernels
from tests import naive


@pytest.mark.parametrize("seed", range(30))
def test_match_gap_targeted_matches_naive(seed):
    rng = np.random.default_rng(seed)
    n, k = 30, 4
    skills = rng.random((n, k))
    required = rng.uniform(0.4, 0.9, k)
    weights = rng.random(k)
    weights /= weights.sum()
    order = rng.permutation(n)
    mentees = order[:12].astype(np.int64)
    mentors = order[12:20].astype(np.int64)
    capacity = rng.integers(0, 3, mentors.shape[0]).astype(np.int64)
    candidates = rng.integers(0, mentors.shape[0], (mentees.shape[0], 3)).astype(np.int64)
    expected, exp_capacity = naive.match_gap_targeted(
        skills.tolist(), required.tolist(), weights.tolist(), mentees.tolist(),
        mentors.tolist(), capacity.tolist(), candidates.tolist(),
    )
    cap = capacity.copy()
    got = match_gap_targeted(skills, required, weights, mentees, mentors, cap, candidates)
    assert got.tolist() == expected
    assert cap.tolist() == exp_capacity
    assert np.all(cap >= 0)
    assigned = got[got >= 0]
    # no mentor exceeds capacity
    for slot, count in zip(*np.unique(assigned, return_counts=True), strict=True):
        assert count <= capacity[np.flatnonzero(mentors == slot)[0]]
    assert (got >= 0).sum() == min(mentees.shape[0], capacity.sum())


@pytest.mark.parametrize("seed", range(30))
def test_match_by_scores_matches_naive(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m, c = 15, 6, 4
    scores = rng.integers(0, 5, (n_e, c)).astype(np.float64)  # ties on purpose
    candidates = rng.integers(0, n_m, (n_e, c)).astype(np.int64)
    capacity = rng.integers(0, 3, n_m).astype(np.int64)
    expected, exp_capacity = naive.match_by_scores(
        scores.tolist(), candidates.tolist(), capacity.tolist()
    )
    cap = capacity.copy()
    got = match_by_scores(scores, candidates, cap)
    assert got.tolist() == expected and cap.tolist() == exp_capacity
    assert (got >= 0).sum() == min(n_e, capacity.sum())


@pytest.mark.parametrize("seed", range(30))
def test_strict_match_by_scores_matches_naive_and_takes_only_willing_candidates(seed):
    rng = np.random.default_rng(seed)
    n_e, n_m, c = 15, 6, 3
    scores = rng.integers(0, 5, (n_e, c)).astype(np.float64)
    scores[rng.random((n_e, c)) < 0.3] = -np.inf  # turned down
    candidates = rng.integers(0, n_m, (n_e, c)).astype(np.int64)
    capacity = rng.integers(0, 3, n_m).astype(np.int64)
    expected, exp_capacity = naive.match_by_scores(
        scores.tolist(), candidates.tolist(), capacity.tolist(), strict=True
    )
    cap = capacity.copy()
    got = match_by_scores(scores, candidates, cap, strict=True)
    assert got.tolist() == expected and cap.tolist() == exp_capacity
    for i, j in enumerate(got.tolist()):
        if j >= 0:  # only a willing candidate of this mentee's own list
            assert any(candidates[i, k] == j and scores[i, k] > -np.inf for k in range(c))


@pytest.mark.parametrize("seed", range(10))
def test_gap_scores_match_naive(seed):
    rng = np.random.default_rng(seed)
    skills = rng.random((25, 5))
    required, weights = rng.uniform(0.3, 0.9, 5), rng.dirichlet(np.ones(5))
    mentees = rng.choice(25, 8, replace=False).astype(np.int64)
    slots = rng.integers(0, 25, (8, 4)).astype(np.int64)
    got = kernels._gap_scores(skills, required, weights, mentees, slots)
    expected = naive.gap_scores(skills.tolist(), required.tolist(), weights.tolist(),
                                mentees.tolist(), slots.tolist())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        SERIAL[kernels._gap_scores](skills, required, weights, mentees, slots), got)
