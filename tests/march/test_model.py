"""March (1991) model: determinism, equilibrium, the published Fig. 1 table and the
paper's qualitative findings."""

import numpy as np
import pytest

from sim.march.model import Individual, MarchModel, march_seeds, run_replications, simulate
from sim.march.published import FIG1_CODE_KNOWLEDGE, FIG1_P2, FIG1_READING_ERROR

FIG1 = FIG1_CODE_KNOWLEDGE
MARCH_RUNS = 80
READING_ERROR = FIG1_READING_ERROR


# --- the Mesa model and the public API ----------------------------------------------


def test_model_is_the_batch_run_with_the_same_seed():
    seeds = march_seeds(11, 4)
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
