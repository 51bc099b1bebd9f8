"""The results layer: run directories and run files written and read back."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.config import load_scenario
from sim.errors import ResultsError
from sim.experiment.results import (
    RUN_FILES,
    first_difference,
    read_run_directory,
    read_run_file,
    read_run_meta,
    write_run_directory,
    write_run_file,
)
from sim.experiment.run import run_scenario
from tests.experiment.sweeps import TINY
from tests.paths import MENTORING


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(MENTORING, {**TINY, "evaluation.control": "no_programme"})
    return run_scenario(scenario, seed=4)


def test_a_run_directory_without_the_cli(tmp_path, result):
    drawn = []

    def figures(run, directory):
        drawn.append(directory)
        (directory / "plot.png").write_bytes(b"png")

    out = write_run_directory(tmp_path / "r", result, figures, manifest={"note": "mine"})
    names = {p.name for p in out.iterdir()}
    assert names == {"timeseries.parquet", "summary.json", "scenario.toml", "gaps_by_group.csv",
                     "causes.csv", "recommendations.csv", "evaluation.json",
                     "control_timeseries.parquet",
                     "effect_profile.csv", "adaptations.csv", "equity_profile.csv",
                     "plot.png",
                     "manifest.json"}
    assert names <= RUN_FILES | {"manifest.json"}
    assert drawn[0].name.endswith(".partial") and not drawn[0].exists()  # drawn when staged
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["note"] == "mine" and manifest["seed"] == 4
    stored = read_run_directory(out)
    assert stored.seed == 4 and stored.scenario == result.scenario
    assert first_difference(stored.timeseries, result.timeseries) is None
    assert stored.cpu == manifest["provenance"]["cpu"]


def test_run_file_round_trip_and_damage(tmp_path, result):
    path = tmp_path / "abc.parquet"
    meta = {"id": "abc", "replication": 0, "seed": 4, "parameters": {"x": 1},
            "summary": {"performance": 0.5}, "cpu": {"name": "znver4", "features": []}}
    write_run_file(path, result.timeseries, meta)
    frame, found = read_run_file(path)
    assert found == meta and read_run_meta(path) == meta
    assert first_difference(frame, result.timeseries) is None
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(ResultsError, match="abc.parquet: unreadable run file") as info:
        read_run_meta(path)
    assert "\n" not in str(info.value)
    with pytest.raises(ResultsError, match="no such run file"):
        read_run_meta(tmp_path / "none.parquet")


def test_read_run_directory_refuses_other_manifests(tmp_path, result):
    out = write_run_directory(tmp_path / "r", result)
    data = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**data, "kind": "compare"}))
    with pytest.raises(ResultsError, match="not the manifest of a run"):
        read_run_directory(out)


def test_first_difference_is_bitwise():
    frame = pd.DataFrame({"a": [0.0, 1.0, np.nan], "b": [1, 2, 3]},
                         index=pd.Index([0, 1, 2], name="week"))
    assert first_difference(frame, frame.copy()) is None
    signed = frame.copy()
    signed.loc[0, "a"] = -0.0
    assert "'a' at week 0" in first_difference(frame, signed)
    assert "'b' at week 2" in first_difference(frame, frame.assign(b=[1, 2, 4]))
    assert "columns" in first_difference(frame, frame.drop(columns="b"))
    assert "another order" in first_difference(frame, frame[["b", "a"]])
    assert "weeks" in first_difference(frame, frame.iloc[:2])
    assert "stored as int64" in first_difference(frame, frame.assign(b=[1.0, 2.0, 3.0]))
