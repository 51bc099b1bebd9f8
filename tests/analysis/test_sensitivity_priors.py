"""Sobol sweeps over priors: the ppf mapping, known indices, the sweep-file option, analyse."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.sensitivity import point_statistics, sobol_indices
from sim.cli import main
from sim.config import prior_set
from sim.config.uncertainty import prior_values
from sim.errors import ScenarioError
from sim.experiment import designs
from sim.experiment.designs import load_sweep, sweep_from_dict
from sim.experiment.prior_sweeps import EFFECT_OUTCOMES
from sim.experiment.runner import run_sweep
from tests.analysis.test_sensitivity import TINY, design_frame
from tests.paths import MENTORING, ROOT
from tests.viz.images import assert_png

X1, X2 = "attitudes.mentor_quit_hazard_ratio", "attitudes.mentee_effect_sd"
DUMMY = "workforce.annual_turnover"


def literature_scenario(tmp_path):
    """The mentoring scenario with the literature priors included (a file in tmp_path)."""
    path = tmp_path / "mentoring_priors.toml"
    path.write_text(MENTORING.read_text(encoding="utf-8")
                    + '\n[uncertainty]\ninclude = ["literature"]\n', encoding="utf-8")
    return path


def prior_sweep(base, sobol, samples=8, design="sobol", **extra):
    data = {"base": str(base), "design": design, "samples": samples, "second_order": False,
            "replications": 1, "seed": 3, "set": {**TINY, "evaluation.control": "no_programme"},
            "sobol": sobol, **extra}
    return sweep_from_dict(data, "<test>", ROOT)


def test_ppf_mapping_gives_each_priors_marginal():
    priors = prior_set("literature")
    unit = np.random.default_rng(0).random((20_000, len(priors)))
    draws = pd.DataFrame(prior_values(priors, unit))
    for name, prior in priors.items():
        if name == "learning.skill_half_life_months" and draws[name].dtype.kind == "i":
            continue  # an int field is rounded: not continuous
        result = stats.kstest(draws[name], prior.frozen().cdf)
        assert result.statistic < 0.015, name


def test_a_sobol_design_over_priors_has_their_quantiles(tmp_path):
    sweep = prior_sweep(literature_scenario(tmp_path), {"priors": [X1, X2, DUMMY]}, samples=256)
    assert sweep.problem["bounds"] == [[0.0, 1.0]] * 3  # SALib samples the unit cube
    points = pd.DataFrame(sweep.points())
    assert len(points) == 256 * (3 + 2)
    priors = prior_set("literature")
    for name in (X1, X2, DUMMY):
        dist = priors[name].frozen()
        assert points[name].min() >= dist.ppf(0) and points[name].max() <= dist.ppf(1)
        for q in (0.05, 0.25, 0.5, 0.75, 0.95):
            assert dist.cdf(np.quantile(points[name], q)) == pytest.approx(q, abs=0.02), name


def test_linear_model_over_non_uniform_priors_recovers_known_indices(tmp_path):
    # y = 3 x1 + x2 with independent triangular x's: S1_i = ST_i = b_i^2 Var(x_i) / Var(y);
    # the third prior does not enter y (S1 = ST = 0)
    sweep = prior_sweep(literature_scenario(tmp_path), {"priors": [X1, X2, DUMMY]},
                        samples=512)
    design = design_frame(sweep)
    summary = design.drop_duplicates("id").copy()
    summary["y"] = 3 * summary[X1] + summary[X2]
    points = point_statistics(design, summary, list(sweep.columns), ["y"])
    table = sobol_indices(sweep.problem, points, ["y"], second_order=False, seed=1)
    table = table.set_index("factor")
    priors = prior_set("literature")
    v1, v2 = 9 * priors[X1].frozen().var(), priors[X2].frozen().var()
    expected = {X1: v1 / (v1 + v2), X2: v2 / (v1 + v2), DUMMY: 0.0}
    assert 0.2 < expected[X1] < 0.8  # both matter: a real test of the shares
    for name, share in expected.items():
        assert table.loc[name, "S1"] == pytest.approx(share, abs=0.05), name
        assert table.loc[name, "ST"] == pytest.approx(share, abs=0.05), name
        assert table.loc[name, "ST_conf"] < 0.1


@pytest.mark.parametrize(("sobol", "extra", "message"), [
    ({"priors": "nope"}, {}, r"sobol.priors = 'nope': not a bundled prior set \(bundled: "
                             r"literature"),
    ({"priors": ["programme.meeting_hours"]}, {},
     r"sobol.priors: 'programme.meeting_hours' has no prior in the scenario's resolved "
     r"priors \(have: attitudes.mentee_effect_sd, "),
    ({"priors": ["no.such_field"]}, {}, "has no prior"),
    ({"priors": [X1, X1]}, {}, "is named twice"),
    ({"priors": "literature"}, {"factors": {X1: [0.8, 0.9]}}, f"{X1!r} is also a factor"),
    ({"priors": "literature"}, {"design": "lhs"}, 'needs design = "sobol", not \'lhs\''),
    ({"prior": "literature"}, {}, "unknown key 'sobol.prior'"),
])
def test_the_sobol_option_refuses_in_one_line(sobol, extra, message, tmp_path):
    with pytest.raises(ScenarioError, match=message) as caught:
        prior_sweep(literature_scenario(tmp_path), sobol, **extra)
    assert "\n" not in str(caught.value)


def test_a_field_of_a_scenario_without_priors_says_how_to_add_them():
    with pytest.raises(ScenarioError, match=r"\(have: none; add \[uncertainty\] include"):
        prior_sweep(MENTORING, {"priors": [X1]})


def test_effect_outcomes_need_a_control_arm():
    data = {"base": str(MENTORING), "design": "sobol", "samples": 4, "set": TINY,
            "sobol": {"priors": "literature"}}
    with pytest.raises(ScenarioError, match='add "evaluation.control" = "no_programme"'):
        sweep_from_dict(data, "<test>", ROOT)


def test_the_bundled_sweep_validates():
    sweep = load_sweep(ROOT / "experiments/sweeps/sobol_priors.toml")
    assert set(sweep.columns) == set(prior_set("literature"))
    assert sweep.scenario.evaluation.control == "no_programme"
    assert len(sweep.points()) == sweep.spec.samples * (len(sweep.columns) + 2)
    assert set(sweep.manifest()["priors"]) == set(sweep.columns)


def test_a_sweep_without_priors_keeps_its_fingerprint(monkeypatch):
    # a sweep file without [sobol] hashes as before the option existed: no "sobol" key
    hashed = []
    monkeypatch.setattr(designs, "_canonical", lambda data: hashed.append(data) or "{}")
    data = {"base": str(MENTORING), "set": TINY, "factors": {X1: [0.8, 0.9]}}
    sweep_from_dict(data, "<a>", ROOT).fingerprint()
    sweep_from_dict({**data, "sobol": {}}, "<a>", ROOT).fingerprint()
    assert "sobol" not in hashed[0]["sweep"] and "sobol" in hashed[1]["sweep"]


def test_analyse_a_tiny_prior_sweep_writes_a_plot_per_outcome(tmp_path, capsys):
    outcomes = ["level4_results.performance_difference", "level5_roi.roi_percent"]
    sweep = prior_sweep(MENTORING, {"priors": "literature", "outcomes": outcomes}, samples=2)
    names = list(prior_set("literature"))
    out = tmp_path / "priors"
    run_sweep(sweep, out, "serial", progress=False)
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Sobol indices of level5_roi.roi_percent" in printed
    sobol = pd.read_csv(out / "analysis/sobol.csv")
    assert set(sobol["outcome"]) == set(outcomes) and set(sobol["factor"]) == set(names)
    for outcome in outcomes:
        assert_png(out / "analysis" / f"sensitivity_{outcome.replace('.', '_')}.png", 5000)
    table = (out / "analysis/sobol.md").read_text(encoding="utf-8")
    assert "### level5_roi.roi_percent" in table and "ST 95% interval" in table


def test_effect_outcomes_are_the_default():
    assert "level5_roi.roi_percent" in EFFECT_OUTCOMES
    assert "level3_behaviour.effect_size_d" in EFFECT_OUTCOMES
