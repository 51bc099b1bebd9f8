from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.sensitivity import point_statistics, sobol_indices
from sim.analysis.stats import mean_ci
from sim.cli import main
from sim.errors import ResultsError
from sim.experiment.designs import sweep_from_dict
from sim.experiment.runner import run_sweep
from sim.viz.sweep_report import analyse

ROOT = Path(__file__).absolute().parents[1]
TINY = {"organisation.headcount": 100, "horizon_weeks": 20, "programme.duration_weeks": 8,
        "programme.start_week": 0}
FACTORS = {"programme.meetings_per_month": [0.5, 4.0],
           "learning.mentoring_rate_per_hour": [0.005, 0.05],
           "programme.mentees_per_mentor": [1, 3]}


def sobol_sweep(samples=8, replications=2):
    return sweep_from_dict({"base": str(ROOT / "scenarios/mentoring.toml"), "design": "sobol",
                            "samples": samples, "replications": replications, "seed": 5,
                            "set": TINY, "factors": FACTORS}, "<test>", ROOT)


def design_frame(sweep):
    return pd.DataFrame([{"point": s.point, "replication": s.replication, "seed": s.seed,
                          "id": s.id, **s.parameters} for s in sweep.runs()])


def test_mean_ci_matches_t_interval():
    ci = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert ci["mean"] == 2.5 and ci["n"] == 4
    assert ci["ci_high"] - ci["mean"] == pytest.approx(3.182446305284263 * np.std(
        [1, 2, 3, 4], ddof=1) / 2)
    assert np.isnan(mean_ci([1.0])["half"])


def test_synthetic_outcome_of_one_factor_has_dominant_total_index():
    sweep = sobol_sweep(samples=64, replications=2)
    design = design_frame(sweep)
    rng = np.random.default_rng(0)
    summary = design.drop_duplicates("id").copy()
    a = summary["programme.meetings_per_month"]
    summary["performance"] = 0.8 + 0.02 * a + 0.0001 * rng.standard_normal(len(summary))
    factors = list(FACTORS)
    points = point_statistics(design, summary, factors, ["performance"])
    table = sobol_indices(sweep.problem, points, ["performance"], seed=1).set_index("factor")
    st = table["ST"]
    assert st["programme.meetings_per_month"] > 0.9
    assert st.drop("programme.meetings_per_month").max() < 0.05
    assert (table["ST_conf"] > 0).all() and np.isfinite(table[["S1", "ST"]]).all().all()


@pytest.mark.slow
def test_sobol_on_a_tiny_sweep_is_finite_with_intervals(tmp_path):
    out = tmp_path / "sobol"
    run_sweep(sobol_sweep(), out, "processes", workers=2, progress=False)
    analysis = analyse(out)
    sobol = analysis.sobol
    assert len(sobol) and set(sobol["factor"]) == set(FACTORS)
    perf = sobol[sobol["outcome"] == "performance"]
    assert len(perf) == 3
    assert np.isfinite(perf[["S1", "S1_conf", "ST", "ST_conf"]]).all().all()
    assert (perf["ST_conf"] > 0).all()
    for name in ("points.parquet", "points.csv", "sobol.parquet", "sobol.csv",
                 "main_effects.png", "heatmap.png", "tornado.png"):
        assert (out / "analysis" / name).exists(), name


def test_grid_point_statistics_and_cli(tmp_path, capsys):
    sweep = sweep_from_dict({"base": str(ROOT / "scenarios/mentoring.toml"), "replications": 3,
                             "set": TINY, "factors": {"programme.mentees_per_mentor": [1, 2]}},
                            "<test>", ROOT)
    out = tmp_path / "grid"
    run_sweep(sweep, out, progress=False)
    assert main(["analyse", str(out), "--outcome", "performance", "--no-plots"]) == 0
    assert "performance by design point" in capsys.readouterr().out
    points = pd.read_parquet(out / "analysis/points.parquet")
    assert len(points) == 2 and (points["n"] == 3).all()
    summary = pd.read_parquet(out / "summary.parquet")
    first = summary[summary["programme.mentees_per_mentor"] == 1]["performance"]
    assert points.loc[points["programme.mentees_per_mentor"] == 1, "mean"].item() == \
        pytest.approx(first.mean(), abs=1e-15)


def test_analyse_refuses_incomplete_or_unknown(tmp_path, capsys):
    assert main(["analyse", str(tmp_path / "nothing")]) == 2
    assert "no such results directory" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    with pytest.raises(ResultsError, match="incomplete"):
        analyse(tmp_path / "half")
