"""March (1991) kernels against the slow references in tests/naive_march.py."""

import numpy as np
import pytest

from sim.march import kernels as K
from tests import naive_march as naive


def random_rate(rng):
    return float(rng.choice([0.0, 1.0, rng.random(), rng.random()]))


def random_case(seed):
    rng = np.random.default_rng(seed)
    p5 = random_rate(rng) if rng.random() < 0.6 else 0.0
    n = int(rng.integers(2 if p5 > 0 else 1, 8))
    m = int(rng.integers(1, 10))
    beliefs = rng.integers(-1, 2, (n, m)).astype(np.int8)
    code = rng.integers(-1, 2, m).astype(np.int8)
    reality = rng.choice(np.array([-1, 1], dtype=np.int8), m)
    p1 = np.array([random_rate(rng) for _ in range(n)])
    params = dict(p2=random_rate(rng), p3=random_rate(rng) * 0.5, p4=random_rate(rng) * 0.3,
                  p5=p5, peer=int(rng.integers(2)))
    key = int(rng.integers(0, 2**63)) * 2 + int(rng.integers(2))
    return beliefs, code, reality, p1, params, key


# --- kernels against the naive references -------------------------------------------


def test_uniform_matches_naive_and_is_uniform():
    rng = np.random.default_rng(1)
    for _ in range(20):
        key = int(rng.integers(0, 2**63)) * 2 + 1
        t, stream = int(rng.integers(0, 10**6)), int(rng.integers(1, 11))
        rows = rng.integers(0, 1000, 50)
        cols = rng.integers(0, 1000, 50)
        got = K._uniforms(np.uint64(key), t, stream, rows, cols)
        want = [naive.uniform(key, t, stream, int(i), int(k))
                for i, k in zip(rows, cols, strict=True)]
        assert got.tolist() == want
    u = K._uniforms(np.uint64(12345), 7, 3, np.repeat(np.arange(200), 100),
                    np.tile(np.arange(100), 200))
    assert abs(u.mean() - 0.5) < 0.005 and 0.0 <= u.min() and u.max() < 1.0
    assert len(np.unique(u)) == u.size


def test_init_state_matches_naive():
    for seed in range(30):
        rng = np.random.default_rng(seed)
        n, m = int(rng.integers(1, 9)), int(rng.integers(1, 12))
        key = int(rng.integers(0, 2**63)) * 2
        beliefs = np.empty((n, m), np.int8)
        code = np.empty(m, np.int8)
        reality = np.empty(m, np.int8)
        K._init_state(np.uint64(key), beliefs, code, reality)
        nb, nc, nr = naive.init_state(key, n, m)
        assert beliefs.tolist() == nb and code.tolist() == nc and reality.tolist() == nr


def test_step_matches_naive_on_random_states():
    n_changed = 0
    for seed in range(400):
        beliefs, code, reality, p1, prm, key = random_case(seed)
        nb, nc, nr = beliefs.tolist(), code.tolist(), reality.tolist()
        n, m = beliefs.shape
        actions = np.zeros((n, m), np.int8)
        perf = np.zeros(n, np.int64)
        snapshot = np.zeros((n, m), np.int8)
        for t in range(1, 5):  # a few chained periods
            before = beliefs.copy(), code.copy()
            K._step(beliefs, code, reality, p1, prm["p2"], prm["p3"], prm["p4"], prm["p5"],
                    prm["peer"], np.uint64(key), t, actions, perf, snapshot)
            nb, nc, nr, na, npf = naive.step(nb, nc, nr, p1.tolist(), prm["p2"], prm["p3"],
                                             prm["p4"], prm["p5"], prm["peer"], key, t)
            assert beliefs.tolist() == nb, (seed, t)
            assert code.tolist() == nc, (seed, t)
            assert reality.tolist() == nr, (seed, t)
            assert actions.tolist() == na and perf.tolist() == npf, (seed, t)
            n_changed += not (np.array_equal(before[0], beliefs) and
                              np.array_equal(before[1], code))
    assert n_changed > 500  # the comparison saw real dynamics


def test_at_equilibrium_matches_naive():
    verdicts = []
    for seed in range(600):
        beliefs, code, reality, p1, prm, _ = random_case(seed)
        rng = np.random.default_rng(seed + 10_000)
        # push many states toward equilibrium so both verdicts occur
        if rng.random() < 0.7:
            code = np.where(rng.random(code.size) < 0.8, reality, code).astype(np.int8)
            set_ = code != 0
            beliefs[:, set_] = code[set_]
            if rng.random() < 0.5:
                beliefs[:, ~set_] = -reality[~set_]
        got = bool(K._at_equilibrium(beliefs, code, reality, p1, prm["p2"], prm["p5"],
                                     prm["peer"]))
        want = naive.at_equilibrium(beliefs.tolist(), code.tolist(), reality.tolist(),
                                    p1.tolist(), prm["p2"], prm["p5"], prm["peer"])
        assert got == want, seed
        verdicts.append(got)
    assert 50 < sum(verdicts) < len(verdicts) - 50


@pytest.mark.parametrize("params", [
    dict(p1=0.3, p2=0.6, p3=0.0, p4=0.0, p5=0.0, peer=0),
    dict(p1=0.2, p2=0.4, p3=0.0, p4=0.0, p5=0.3, peer=1),
    dict(p1=0.7, p2=0.3, p3=0.0, p4=0.0, p5=0.2, peer=0),
    dict(p1=0.5, p2=0.5, p3=0.1, p4=0.05, p5=0.1, peer=0),  # runs the whole horizon
])
def test_batch_kernel_matches_naive_runs(params):
    n, m, horizon = 7, 6, 400
    rng = np.random.default_rng(5)
    p1 = rng.uniform(0.5, 1.5, n) * params["p1"]
    groups = np.array([0, 1, 1, 0, 2, 1, 0])
    keys = np.array([int(rng.integers(0, 2**63)) * 2 for _ in range(8)], dtype=np.uint64)
    out = K._run_batch(keys, n, m, p1, params["p2"], params["p3"], params["p4"],
                       params["p5"], params["peer"], horizon, True, True, groups, 3)
    code_k, indiv_k, periods, at_eq, path_code, path_indiv, path_group = out
    for r, key in enumerate(keys.tolist()):
        t, eq, nc, ni, ng = naive.run(key, n, m, p1.tolist(), params["p2"], params["p3"],
                                      params["p4"], params["p5"], params["peer"], horizon,
                                      groups.tolist())
        assert (periods[r], at_eq[r]) == (t, eq)
        pad = horizon + 1 - len(nc)
        assert path_code[r].tolist() == nc + [nc[-1]] * pad
        assert path_indiv[r].tolist() == ni + [ni[-1]] * pad
        assert path_group[r].tolist() == ng + [ng[-1]] * pad
        assert code_k[r] == nc[-1] and indiv_k[r] == ni[-1]
    if params["p3"] == 0:
        assert at_eq.all()
