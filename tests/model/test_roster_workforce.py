"""The workforce from a roster: week-0 staff as the file says; their ids never leave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import MentoringModel
from sim.config import load_scenario
from sim.config.roster import read_roster
from sim.units import WEEKS_PER_YEAR
from tests.paths import MENTORING, SCENARIOS

ROSTER = SCENARIOS / "rosters" / "example_roster.csv"
SHORT = {"horizon_weeks": 30, "programme.start_week": 2, "programme.duration_weeks": 20}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("example_organisation", SHORT)


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(ROSTER)


def test_week_0_staff_are_the_rosters(scenario, frame):
    workforce = MentoringModel(scenario, rng=1).workforce
    assert workforce.size == len(frame) == scenario.organisation.headcount
    assert list(workforce.roster_ids) == list(frame["id"])
    groups = [g.name for g in scenario.workforce.groups]
    roles = [r.name for r in scenario.workforce.roles]
    assert [groups[g] for g in workforce.group] == list(frame["group"])
    assert [roles[r] for r in workforce.role] == list(frame["role"])
    counts = frame["group"].value_counts()
    shares = np.bincount(workforce.group) / workforce.size
    np.testing.assert_allclose(shares, [counts[g] / len(frame) for g in groups])
    ratings = frame[list(scenario.organisation.competencies)].to_numpy(float)
    np.testing.assert_allclose(workforce.skills, (ratings - 1) / 4)
    np.testing.assert_allclose(workforce.age_years, frame["age_years"])
    np.testing.assert_array_equal(workforce.tenure_weeks,
                                  np.round(frame["tenure_years"] * WEEKS_PER_YEAR))
    np.testing.assert_array_equal(workforce.level,
                                  np.minimum(workforce.tenure_weeks // int(5 * WEEKS_PER_YEAR),
                                             4))
    assert np.all(workforce.hire_week == -workforce.tenure_weeks)


def test_the_roster_sets_the_headcount_over_the_scenarios(scenario):
    bigger = load_scenario("example_organisation", {**SHORT, "organisation.headcount": 900})
    assert bigger.organisation.headcount == read_roster(scenario).size


def test_aptitude_and_traits_are_still_drawn(scenario):
    a, b = (MentoringModel(scenario, rng=seed).workforce for seed in (1, 2))
    assert not np.array_equal(a.aptitude, b.aptitude)
    np.testing.assert_array_equal(a.skills, b.skills)


def test_leavers_and_hires_have_no_roster_id(scenario):
    model = MentoringModel(scenario, rng=4).run()
    workforce = model.workforce
    initial = workforce.active & (workforce.pid <= workforce.size)
    hires = workforce.active & (workforce.pid > workforce.size)
    assert hires.any() and initial.any()
    assert all(rid is None for rid in workforce.roster_ids[hires | ~workforce.active])
    assert all(str(rid).startswith("EMP-") for rid in workforce.roster_ids[initial])


def test_without_a_roster_there_are_no_roster_ids():
    model = MentoringModel(MENTORING, rng=1, organisation__headcount=50, horizon_weeks=10,
                           programme__duration_weeks=4)
    assert model.scenario.roster is None and model.workforce.roster_ids is None


def test_a_run_from_the_roster_writes_no_roster_id(tmp_path, frame):
    from sim.cli import main

    out = tmp_path / "run"
    code = main(["run", "example_organisation", "--quiet", "--no-plots", "--out", str(out),
                 *(f"--set={key}={value}" for key, value in SHORT.items())])
    assert code in (0, None)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"manifest.json", "timeseries.parquet", "causes.csv",
                                       "gaps_by_group.csv", "summary.json"}
    ids = [i.encode() for i in frame["id"]]
    for path in files:
        data = path.read_bytes()
        assert b"EMP-" not in data, path.name
        assert not any(i in data for i in ids[:20]), path.name
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["roster"]["path"] == str(ROSTER.resolve())
    assert len(manifest["roster"]["sha256"]) == 64 and manifest["roster"]["rows"] == len(frame)
