"""sim.viz.sweep_report: analyse a finished sweep directory and write its tables and figures."""

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ResultsError
from sim.experiment.designs import sweep_from_dict
from sim.experiment.runner import run_sweep
from sim.viz.sweep_report import analyse
from tests.analysis.test_sensitivity import FACTORS, TINY, sobol_sweep
from tests.paths import MENTORING, ROOT
from tests.viz.images import assert_png


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
    for name in ("points.parquet", "points.csv", "sobol.parquet", "sobol.csv"):
        assert (out / "analysis" / name).exists(), name
    for name in ("main_effects.png", "heatmap.png", "tornado.png"):
        assert_png(out / "analysis" / name, 5000)
    assert "Sobol indices of performance" in analysis.format()


def test_grid_point_statistics_and_cli(tmp_path, capsys):
    sweep = sweep_from_dict({"base": str(MENTORING), "replications": 3, "set": TINY,
                             "factors": {"programme.mentees_per_mentor": [1, 2]}},
                            "<test>", ROOT)
    out = tmp_path / "grid"
    run_sweep(sweep, out, progress=False)
    assert main(["analyse", str(out), "--outcome", "performance", "--no-plots"]) == 0
    assert "performance by design point" in capsys.readouterr().out
    assert not list((out / "analysis").glob("*.png"))
    points = pd.read_parquet(out / "analysis/points.parquet")
    assert len(points) == 2 and (points["n"] == 3).all()
    summary = pd.read_parquet(out / "summary.parquet")
    first = summary[summary["programme.mentees_per_mentor"] == 1]["performance"]
    assert points.loc[points["programme.mentees_per_mentor"] == 1, "mean"].item() == \
        pytest.approx(first.mean(), abs=1e-15)
    analysis = analyse(out, outcomes=["performance", "skill_gap"])
    assert {p.name for p in analysis.files} >= {"main_effects.png", "points.csv"}
    assert_png(out / "analysis" / "main_effects.png", 5000)


def test_analyse_refuses_incomplete_or_unknown(tmp_path, capsys):
    assert main(["analyse", str(tmp_path / "nothing")]) == 2
    assert "no such results directory" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    with pytest.raises(ResultsError, match="incomplete"):
        analyse(tmp_path / "half")
