"""March (1991) model: kernels against tests/naive_march.py, determinism, equilibrium,
the published Fig. 1 table and the paper's qualitative findings."""

import numpy as np
import pytest

from sim.march import kernels as K
from sim.march.model import Individual, MarchModel, replication_seeds, run_replications, simulate
from tests import naive_march as naive

# Published Fig. 1 (research-notes.md section 3): equilibrium code knowledge, n=50, m=30.
FIG1 = {
    0.1: (0.857, 0.954, 0.978),
    0.2: (0.815, 0.922, 0.952),
    0.3: (0.804, 0.875, 0.913),
    0.4: (0.788, 0.837, 0.890),
    0.5: (0.800, 0.797, 0.855),
    0.6: (0.816, 0.779, 0.805),
    0.7: (0.805, 0.781, 0.770),
    0.8: (0.803, 0.753, 0.744),
    0.9: (0.794, 0.746, 0.750),
}
FIG1_P2 = (0.1, 0.5, 0.9)
MARCH_RUNS = 80
READING_ERROR = 0.003  # values read off the published figure


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


# --- the Mesa model and the public API ----------------------------------------------


def test_model_is_the_batch_run_with_the_same_seed():
    seeds = replication_seeds(11, 4)
    runs = simulate(4, 120, n=20, m=12, p1=0.3, p2=0.5, p5=0.1, seed=11, record=True)
    for r, s in enumerate(seeds):
        model = MarchModel(n=20, m=12, p1=0.3, p2=0.5, p5=0.1, rng=s)
        for _ in range(120):
            model.step()
        df = model.datacollector.get_model_vars_dataframe()
        assert len(df) == 121 and model.steps == 120
        assert df["code_knowledge"].tolist() == runs.code_path[r].tolist()
        assert df["mean_individual_knowledge"].tolist() == runs.individual_path[r].tolist()
        assert model.code_knowledge == runs.code_knowledge[r]


def test_agents_are_views_onto_the_arrays():
    p1 = np.linspace(0.0, 1.0, 10)
    model = MarchModel(n=10, m=8, p1=p1, p2=0.5, rng=3)
    agents = list(model.agents)
    assert len(agents) == 10 and all(isinstance(a, Individual) for a in agents)
    assert [a.p1 for a in agents] == p1.tolist()
    assert agents[0].performance is None
    model.step()
    for i, a in enumerate(agents):
        assert np.array_equal(a.belief, model.beliefs[i])
        assert a.knowledge == model.individual_knowledge[i]
        assert a.knowledge == float(np.dot(a.belief, model.reality)) / 8
        assert a.performance == model.performance[i]
    with pytest.raises(ValueError):
        agents[0].belief[0] = 1  # read-only view
    assert model.code_knowledge == float(np.dot(model.code, model.reality)) / 8
    assert model.mean_individual_knowledge == pytest.approx(model.individual_knowledge.mean())


def test_same_seed_same_numbers_and_different_seeds_differ():
    kw = dict(p1=0.5, p2=0.5, p3=0.05, p4=0.01, p5=0.1, peer="neighbours")
    a = run_replications(30, 50, seed=4, **kw)
    b = run_replications(30, 50, seed=4, **kw)
    c = run_replications(30, 50, seed=5, **kw)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    m1 = MarchModel(rng=9, **kw)
    m2 = MarchModel(rng=9, **kw)
    for _ in range(30):
        m1.step()
        m2.step()
    assert np.array_equal(m1.beliefs, m2.beliefs) and np.array_equal(m1.code, m2.code)
    # the first runs do not depend on how many runs are asked for
    assert np.array_equal(run_replications(10, 50, seed=4, **kw), a[:10])


def test_p5_zero_is_march_and_p5_changes_the_runs():
    base = simulate(40, p1=0.3, p2=0.5, seed=2)
    assert np.array_equal(simulate(40, p1=0.3, p2=0.5, p5=0.0, peer="neighbours",
                                   seed=2).code_knowledge, base.code_knowledge)
    peer = simulate(40, p1=0.3, p2=0.5, p5=0.3, seed=2)
    assert not np.array_equal(peer.code_knowledge, base.code_knowledge)


@pytest.mark.parametrize("kw", [dict(p1=0.2, p2=0.3), dict(p1=0.9, p2=0.9, p5=0.2),
                                dict(p1=[0.1, 0.9] * 10, p2=0.5, p5=0.3, peer="neighbours")])
def test_equilibrium_is_detected_and_absorbing(kw):
    for seed in range(5):
        model = MarchModel(n=20, m=15, rng=seed, **kw)
        previous_running = []
        while model.running:
            previous_running.append(model.running)
            model.step()
            assert model.steps < 5_000
        beliefs, code = model.beliefs.copy(), model.code.copy()
        # the stated conditions hold, checked with plain numpy
        p1 = np.broadcast_to(model.p1, (20,))
        set_ = code != 0
        assert (beliefs[p1 > 0][:, set_] == code[set_]).all()
        best = beliefs @ model.reality + (beliefs == 0).sum(axis=1)
        assert best.max() <= code @ model.reality
        # nothing changes afterwards
        for _ in range(200):
            model.step()
        assert not model.running
        assert np.array_equal(model.beliefs, beliefs) and np.array_equal(model.code, code)


def test_equilibrium_stops_runs_early_and_agrees_with_a_fixed_horizon():
    until = simulate(50, p1=0.5, p2=0.5, seed=6)
    fixed = simulate(50, 400, p1=0.5, p2=0.5, seed=6, record=True)
    assert until.at_equilibrium.all() and (until.periods < 100).all()
    assert np.array_equal(until.code_knowledge, fixed.code_path[:, -1])


def test_open_systems_never_stop():
    model = MarchModel(n=20, m=10, p1=0.9, p2=0.9, p3=0.05, rng=1)
    for _ in range(300):
        model.step()
    assert model.running
    with pytest.raises(ValueError, match="equilibrium"):
        model.run_to_equilibrium()
    with pytest.raises(ValueError, match="periods"):
        simulate(5, p4=0.01)


@pytest.mark.parametrize("kw, match", [
    (dict(p1=1.5), "p1"), (dict(p2=-0.1), "p2"), (dict(p3=float("nan")), "p3"),
    (dict(p4="x"), "p4"), (dict(p5=2), "p5"), (dict(p1=[0.1] * 49), "n = 50"),
    (dict(p1=[0.1] * 49 + [1.2]), r"p1\[49\]"), (dict(peer="ring"), "peer"),
    (dict(n=0), "n"), (dict(m=2.5), "m"), (dict(n=1, p5=0.1), "n >= 2"),
])
def test_bad_parameters_raise_clear_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        MarchModel(**kw)
    with pytest.raises(ValueError, match=match):
        simulate(2, 10, **kw)


def test_bad_run_arguments_raise():
    with pytest.raises(ValueError, match="seed"):
        run_replications(2, 5, seed=-1)
    with pytest.raises(ValueError, match="n_runs"):
        run_replications(0, 5)
    with pytest.raises(ValueError, match="record"):
        simulate(2, record=True)
    with pytest.raises(ValueError, match="groups"):
        simulate(2, 5, n=4, groups=[0, 1, 2])


# --- the published results ----------------------------------------------------------


def fig1_tolerance(sd, n_runs):
    """Two standard errors of the difference (March's 80 runs and ours) plus reading."""
    return READING_ERROR + 2.0 * sd * np.sqrt(1.0 / MARCH_RUNS + 1.0 / n_runs)


@pytest.mark.slow
def test_fig1_reproduced_within_march_noise():
    n_runs = 1000
    z2 = []
    for p1, row in FIG1.items():
        for p2, published in zip(FIG1_P2, row, strict=True):
            k = run_replications(n_runs, p1=p1, p2=p2, seed=1991)
            sd = k.std(ddof=1)
            diff = k.mean() - published
            # every cell within ~3 standard errors of March's own noise
            assert abs(diff) < 1.5 * fig1_tolerance(sd, n_runs), (p1, p2, k.mean(), published)
            z2.append(diff**2 / (sd**2 * (1 / MARCH_RUNS + 1 / n_runs) + READING_ERROR**2))
            if (p1, p2) in {(0.1, 0.1), (0.1, 0.9), (0.9, 0.9), (0.5, 0.5)}:
                assert abs(diff) < max(0.02, fig1_tolerance(sd, n_runs)), (p1, p2)
    # the 27 cells together: mean squared z about 1 if only noise separates the tables
    assert np.mean(z2) < 2.0, np.mean(z2)


def test_fig1_shape_slow_socialisation_and_fast_code_learning_win():
    k = {(p1, p2): run_replications(300, p1=p1, p2=p2, seed=7).mean()
         for p1 in (0.1, 0.5, 0.9) for p2 in (0.1, 0.9)}
    assert k[0.1, 0.9] > k[0.5, 0.9] + 0.05 > k[0.9, 0.9] + 0.1
    assert k[0.1, 0.9] > k[0.1, 0.1] + 0.05


def test_mixed_fast_and_slow_learners_beat_a_uniform_rate_of_the_same_mean():
    mixed = np.array([0.9] * 25 + [0.1] * 25)
    het = run_replications(300, p1=mixed, p2=0.5, seed=8)
    hom = run_replications(300, p1=mixed.mean(), p2=0.5, seed=8)
    se = np.sqrt(het.var() / 300 + hom.var() / 300)
    assert het.mean() - hom.mean() > 4 * se and het.mean() - hom.mean() > 0.04


def test_moderate_turnover_raises_knowledge_most_when_socialisation_is_fast():
    def at_100(p1, p3):
        return run_replications(300, 100, p1=p1, p2=0.5, p3=p3, seed=9).mean()

    gain_fast = at_100(0.9, 0.05) - at_100(0.9, 0.0)
    gain_slow = at_100(0.1, 0.05) - at_100(0.1, 0.0)
    assert gain_fast > 0.15
    assert gain_fast > gain_slow + 0.1
    # too much turnover hurts slow socialisers
    assert at_100(0.1, 0.2) < at_100(0.1, 0.02) - 0.05


def test_turbulence_decays_a_closed_organisation_and_turnover_sustains_it():
    closed = simulate(300, 200, p1=0.5, p2=0.5, p4=0.02, seed=10, record=True).code_path
    open_ = simulate(300, 200, p1=0.5, p2=0.5, p3=0.1, p4=0.02, seed=10, record=True).code_path
    assert closed[:, 20].mean() > 0.35 and closed[:, 150:].mean() < 0.1
    assert open_[:, 150:].mean() > 0.45
    assert open_[:, 150:].mean() > closed[:, 150:].mean() + 0.35


@pytest.mark.slow
def test_experiment_script_writes_its_tables_and_plots(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "march"
    proc = subprocess.run([sys.executable, "experiments/march1991.py", "--runs", "3",
                           "--seed", "5", "--out", str(out)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("fig1", "fig2", "fig3", "fig4", "fig5", "interpersonal"):
        assert (out / f"{name}.csv").stat().st_size > 0
        assert (out / f"{name}.png").stat().st_size > 0
    manifest = (out / "manifest.json").read_text()
    assert '"runs": 3' in manifest and '"seed": 5' in manifest
    assert "0.857" in (out / "fig1.csv").read_text()  # the published column
