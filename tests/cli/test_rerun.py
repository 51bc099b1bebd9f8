"""``mentorsim rerun``: a run, or one run of a sweep or comparison, reproduces bit for bit."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.experiment import provenance
from sim.experiment.compare import compare_scenarios
from sim.experiment.designs import load_sweep
from sim.experiment.runner import run_sweep
from tests.experiment.sweeps import SMALL, sweep_file, tiny_designs
from tests.paths import MENTORING, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("rerun") / "r"
    assert main(["run", str(MENTORING), "--out", str(out), "--quiet", "--seed", "3",
                 *SMALL]) == 0
    return out


def rerun_cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", "rerun", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=ENV)


def tampered(run_dir, tmp_path, week=7, manifest=None):
    """A copy of the run whose stored performance differs in the last bit at ``week``."""
    copy = tmp_path / "t"
    shutil.copytree(run_dir, copy)
    frame = pd.read_parquet(copy / "timeseries.parquet")
    frame.loc[week, "performance"] = np.nextafter(frame.loc[week, "performance"], 2.0)
    frame.to_parquet(copy / "timeseries.parquet")
    if manifest:
        data = json.loads((copy / "manifest.json").read_text())
        data["provenance"] = {**data["provenance"], **manifest}
        (copy / "manifest.json").write_text(json.dumps(data))
    return copy


def test_rerun_reproduces_bit_for_bit(run_dir, tmp_path, capsys):
    assert main(["rerun", str(run_dir), "--out", str(tmp_path / "again")]) == 0
    text = capsys.readouterr().out
    assert "reproduced" in text and "NOT" not in text and "seed 3" in text
    manifest = json.loads((tmp_path / "again/manifest.json").read_text())
    assert manifest["reproduced"] is True and manifest["seed"] == 3
    assert manifest["rerun_of"] == str(run_dir)
    assert {"timeseries.parquet", "summary.json", "scenario.toml", "gaps_by_group.csv"} \
        <= {p.name for p in (tmp_path / "again").iterdir()}
    assert main(["rerun", str(tmp_path / "again")]) == 0  # the re-run is itself a run


def test_rerun_reports_the_first_difference_and_the_cpu(run_dir, tmp_path, capsys):
    assert main(["rerun", str(tampered(run_dir, tmp_path))]) == 1
    out = capsys.readouterr().out
    assert "NOT reproduced" in out and "'performance' at week 7" in out
    assert f"CPU: the same as recorded ({provenance.cpu()['name']}" in out
    assert "model code" not in out and "versions" not in out


def test_run_manifest_records_code_provenance_and_cpu(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["provenance"] == provenance.fingerprint()
    assert len(manifest["provenance"]["code"]) == 64
    assert manifest["provenance"]["cpu"] == provenance.cpu()


def test_rerun_names_the_other_code_when_not_reproduced(run_dir, tmp_path, capsys):
    assert main(["rerun", str(tampered(run_dir, tmp_path, 3, {"code": "0" * 64}))]) == 1
    out = capsys.readouterr().out
    assert "NOT reproduced" in out and "model code: written by" in out and "000000000000" in out


def test_rerun_shows_a_different_cpu(run_dir, tmp_path, capsys):
    other = {"name": "haswell", "features": ["avx", "avx2", "fma", "sse2"]}
    assert main(["rerun", str(tampered(run_dir, tmp_path, 5, {"cpu": other}))]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "CPU:" in line)
    assert f"CPU: differs from the recorded one: recorded haswell, this is " \
           f"{provenance.cpu()['name']}" in line
    assert "reassoc" in line


def test_rerun_user_errors(run_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "timeseries.parquet").write_bytes(b"not parquet")
    garbled = tmp_path / "garbled"
    shutil.copytree(run_dir, garbled)
    (garbled / "manifest.json").write_text("{")
    for args, fragment in [
        ([tmp_path / "nowhere"], "no such results directory"),
        ([tmp_path / "empty"], "no manifest.json"),
        ([broken], "unreadable Parquet"),
        ([garbled], "unreadable"),
        ([run_dir, "--run-id", "abc"], "not a sweep directory"),
        ([run_dir, "--out", run_dir], "must not be the directory"),
    ]:
        proc = rerun_cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr


def test_rerun_one_run_of_a_sweep(tmp_path, capsys):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1, 2), replications=1))
    out = tmp_path / "sweep"
    run_sweep(sweep, out, progress=False)
    run_id = sorted(p.stem for p in (out / "runs").iterdir())[1]
    assert main(["rerun", str(out), "--run-id", run_id]) == 0
    assert f"run {run_id}: reproduced" in capsys.readouterr().out
    assert main(["rerun", str(out)]) == 2
    assert "--run-id" in capsys.readouterr().err
    assert main(["rerun", str(out), "--run-id", "0" * 16]) == 2
    assert "no such run" in capsys.readouterr().err
    (out / "manifest.json").unlink()  # an unfinished sweep: the base is in sweep.json
    assert main(["rerun", str(out), "--run-id", run_id]) == 0


def test_rerun_one_run_of_a_comparison(tmp_path, capsys):
    out = tmp_path / "cmp"
    compare_scenarios(tiny_designs(), uncertainty=False, reps=2, seed=3, progress=False, out=out)
    summary = pd.read_parquet(out / "summary.parquet")
    run_id = summary.loc[summary["scenario"] == "mentoring", "id"].iloc[1]
    assert main(["rerun", str(out), "--run-id", run_id]) == 0
    assert f"run {run_id}: reproduced" in capsys.readouterr().out
    (out / "manifest.json").unlink()  # unfinished: the designs are in sweep.json
    assert main(["rerun", str(out), "--run-id", run_id, "--out", str(tmp_path / "r")]) == 0
    manifest = json.loads((tmp_path / "r/manifest.json").read_text())
    assert manifest["reproduced"] is True and manifest["seed"] == int(
        summary.set_index("id").loc[run_id, "seed"])
