"""sim.analysis.sensitivity: statistics per design point and Sobol indices."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.sensitivity import outcomes_in, point_statistics, sobol_indices
from sim.errors import ResultsError
from sim.experiment.designs import sweep_from_dict
from tests.paths import MENTORING, ROOT

TINY = {"organisation.headcount": 100, "horizon_weeks": 20, "programme.duration_weeks": 8,
        "programme.start_week": 0}
FACTORS = {"programme.meetings_per_month": [0.5, 4.0],
           "learning.mentoring_rate_per_hour": [0.005, 0.05],
           "programme.mentees_per_mentor": [1, 3]}


def sobol_sweep(samples=8, replications=2):
    return sweep_from_dict({"base": str(MENTORING), "design": "sobol", "samples": samples,
                            "replications": replications, "seed": 5, "set": TINY,
                            "factors": FACTORS}, "<test>", ROOT)


def design_frame(sweep):
    return pd.DataFrame([{"point": s.point, "replication": s.replication, "seed": s.seed,
                          "id": s.id, **s.parameters} for s in sweep.runs()])


def test_point_statistics_by_hand():
    design = pd.DataFrame({"point": [0, 0, 0, 1, 1], "id": ["a", "b", "c", "d", "e"],
                           "f": [1, 1, 1, 2, 2]})
    summary = pd.DataFrame({"id": ["a", "b", "c", "d", "e"],
                            "performance": [2.0, 4.0, 6.0, 1.0, np.nan]})
    points = point_statistics(design, summary, ["f"], ["performance"]).set_index("point")
    assert points.loc[0, "n"] == 3 and points.loc[0, "mean"] == 4.0
    # mean 4, sd 2, t(0.975, 2) = 4.3027: 4 +- 4.9683
    assert points.loc[0, "ci_high"] == pytest.approx(4 + 4.9682754235)
    assert points.loc[1, "n"] == 1 and np.isnan(points.loc[1, "ci_low"])  # a failed run
    assert points.loc[1, "f"] == 2


def test_outcomes_in():
    summary = pd.DataFrame({"performance": [1.0], "skill_gap": [0.1], "other": [2.0]})
    assert outcomes_in(summary) == ["performance", "skill_gap"]
    assert outcomes_in(summary, ["other"]) == ["other"]
    with pytest.raises(ResultsError, match="no outcome 'nope'"):
        outcomes_in(summary, ["nope"])


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


def test_constant_outcome_is_skipped():
    sweep = sobol_sweep(samples=8, replications=1)
    design = design_frame(sweep)
    summary = design.drop_duplicates("id").assign(performance=0.5)
    points = point_statistics(design, summary, list(FACTORS), ["performance"])
    assert sobol_indices(sweep.problem, points, ["performance"]).empty
