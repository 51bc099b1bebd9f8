"""mentorsim calibrate: one-line errors; a tiny calibration writes every file."""

import json

import pandas as pd
import pytest

from sim.cli import main

CALIBRATION_FILES = {"posterior.parquet", "predictive.parquet", "abc.db", "calibration.json",
                     "posterior_marginals.png", "posterior_predictive.png"}
TARGETS = """\
[annual_quit_rate]
value = 0.14
sd = 0.03
week = 40

[proficient_share]
value = 0.75
sd = 0.05
week = 40
"""


def _args(tmp_path, targets):
    return ["calibrate", "mentoring", "--targets", str(targets), "--out", str(tmp_path / "cal"),
            "--set", "organisation.headcount=150", "--set", "horizon_weeks=40",
            "--set", "programme.duration_weeks=26", "--population", "20",
            "--generations", "2", "--predictive", "8", "--seed", "3", "--quiet",
            "--parameters", "workforce.annual_turnover,learning.skill_half_life_months"]


def test_a_bad_targets_file_is_one_line(tmp_path, capsys):
    targets = tmp_path / "t.toml"
    targets.write_text("[annual_quit_rate]\nvalue = 0.1\nsd = 0\nweek = 40\n")
    assert main(_args(tmp_path, targets)) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert f"{targets}: annual_quit_rate.sd = 0: Input should be greater than 0" in err
    assert not (tmp_path / "cal").exists()


def test_an_unknown_parameter_is_one_line(tmp_path, capsys):
    pytest.importorskip("pyabc")
    targets = tmp_path / "t.toml"
    targets.write_text(TARGETS)
    args = _args(tmp_path, targets)
    args[args.index("--parameters") + 1] = "workforce.nonsense"
    assert main(args) == 2
    assert "--parameters: 'workforce.nonsense' has no prior" in capsys.readouterr().err


def test_a_tiny_calibration_writes_every_file(tmp_path, capsys):
    pytest.importorskip("pyabc")
    targets = tmp_path / "t.toml"
    targets.write_text(TARGETS)
    assert main(_args(tmp_path, targets)) == 0
    out = tmp_path / "cal"
    assert {p.name for p in out.iterdir()} == CALIBRATION_FILES
    info = json.loads((out / "calibration.json").read_text())
    assert [g["t"] for g in info["generations"]] == [0, 1]
    assert info["manifest"]["kind"] == "calibration" and info["manifest"]["seed"] == 3
    assert set(info["priors"]) == {"workforce.annual_turnover",
                                   "learning.skill_half_life_months"}
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == ["workforce.annual_turnover",
                                       "learning.skill_half_life_months", "weight"]
    printed = capsys.readouterr().out
    assert "posterior (weighted)" in printed and "wrote" in printed
