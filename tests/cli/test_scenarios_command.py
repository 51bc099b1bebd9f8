"""``mentorsim scenarios`` and bundled names in run and compare, from outside the checkout."""

import json
import subprocess
import sys

import pandas as pd

from sim.cli import main
from sim.config import bundled
from tests.paths import SCENARIOS

SMALL = ["--set", "organisation.headcount=120", "--set", "horizon_weeks=20",
         "--set", "programme.duration_weeks=10"]


def test_lists_every_bundled_scenario_with_its_description(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "mentorsim run NAME" in lines[0]
    listed = {line.split()[0]: line.split(maxsplit=1)[1] for line in lines[1:]}
    assert sorted(listed) == sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    assert listed["baseline"] == ("Baseline: a 1,000-person professional organisation over "
                                  "three years, no programme.")
    assert listed == bundled.descriptions()


def test_a_name_prints_the_scenario_to_start_from(capsys, tmp_path):
    assert main(["scenarios", "onboarding"]) == 0
    printed = capsys.readouterr().out
    assert printed == (SCENARIOS / "onboarding.toml").read_text(encoding="utf-8")
    mine = tmp_path / "my_org.toml"
    mine.write_text(printed, encoding="utf-8")
    assert main(["validate", str(mine)]) == 0


def test_an_unknown_name_is_one_line_with_exit_code_2(capsys):
    assert main(["scenarios", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope: not a bundled scenario" in err and "mentoring" in err


def test_run_by_name_from_another_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "mentoring", "--quiet", "--no-plots", "--seed", "2", *SMALL]) == 0
    out = tmp_path / "results" / "mentoring"
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert len(frame) == 21 and frame["headcount"].iloc[0] == 120
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "mentoring" and manifest["seed"] == 2
    assert "wrote results/mentoring/" in capsys.readouterr().out


def test_run_of_an_unknown_name_lists_the_bundled_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "mentorship", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("mentorsim: error: mentorship: no such file, nor a bundled scenario")
    assert "(bundled: adaptive_programme, baseline, " in err
    assert not (tmp_path / "results").exists()


def test_compare_by_names_from_another_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "baseline", "mentoring", "--reps", "2", "--quiet", *SMALL]) == 0
    out = tmp_path / "results" / "compare-baseline-mentoring"
    summary = pd.read_parquet(out / "summary.parquet")
    assert set(summary["scenario"]) == {"baseline", "mentoring"}
    assert (out / "report.md").is_file()
    assert "Differences against baseline" in capsys.readouterr().out


def test_the_module_lists_them_from_outside_the_checkout(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim.cli", "scenarios"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "university_peer_mentoring" in done.stdout
