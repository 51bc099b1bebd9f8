import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import comparison as comparison_tables
from sim.cli import main
from sim.config import load_scenario
from sim.experiment import compare
from sim.viz import comparison_report

ROOT = Path(__file__).absolute().parents[1]
TINY = {"organisation.headcount": 100, "horizon_weeks": 20, "programme.duration_weeks": 8,
        "programme.start_week": 0}


@pytest.fixture(scope="module")
def comparison():
    scenarios = {
        "baseline": load_scenario(ROOT / "scenarios/baseline.toml", TINY),
        "mentoring": load_scenario(ROOT / "scenarios/mentoring.toml", TINY),
    }
    return compare.compare_scenarios(scenarios, reps=6, seed=3, progress=False)


def test_same_seeds_for_every_scenario(comparison):
    runs = comparison.runs
    assert len(runs) == 12
    for name in comparison.names:
        assert runs[runs["scenario"] == name]["seed"].tolist() == comparison.seeds


def test_paired_interval_narrower_than_unpaired(comparison):
    diffs = comparison.differences.set_index("metric")
    for metric in ("performance", "skill_gap"):
        row = diffs.loc[metric]
        paired = row["ci_high"] - row["ci_low"]
        unpaired = row["unpaired_high"] - row["unpaired_low"]
        assert 0 < paired < unpaired


def test_paired_difference_matches_per_seed_differences(comparison):
    runs = comparison.runs
    a = runs[runs["scenario"] == "baseline"].set_index("seed")["performance"]
    b = runs[runs["scenario"] == "mentoring"].set_index("seed")["performance"]
    d = (b - a.loc[b.index]).to_numpy()
    row = comparison.differences.set_index("metric").loc["performance"]
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert row["mean"] == pytest.approx(d.mean(), abs=1e-15)
    assert row["ci_high"] - row["mean"] == pytest.approx(half, rel=1e-12)


@pytest.mark.parametrize("sd, width", [(0.01, 0.005), (0.003, 0.005), (1.0, 0.1), (0.0, 0.1)])
def test_replication_advice_is_smallest_n_meeting_width(sd, width):
    n = comparison_tables.replications_for_width(sd, width)
    if sd == 0:
        assert n == 2
        return

    def wide(k):
        return 2 * stats.t.ppf(0.975, k - 1) * sd / math.sqrt(k)

    assert wide(n) <= width
    assert n == 2 or wide(n - 1) > width
    assert n >= (2 * stats.t.ppf(0.975, n - 1) * sd / width) ** 2


def test_replication_for_known_sd():
    # sd 0.01, width 0.005: (2 * 1.96 * 0.01 / 0.005)**2 = 61.5 -> t pushes it to 64
    assert comparison_tables.replications_for_width(0.01, 0.005) == 64


def test_report_files_and_table(comparison, tmp_path):
    out = comparison_report.write_report(comparison, tmp_path / "cmp", width=0.005)
    for name in ("report.md", "report.html", "summary.parquet", "summary.csv", "stats.csv",
                 "manifest.json", "trajectory_performance.png",
                 "trajectory_proficient_share.png"):
        assert (out / name).exists(), name
    md = (out / "report.md").read_text()
    assert "| performance |" in md and "mentoring − baseline" in md
    assert "![trajectory_performance](trajectory_performance.png)" in md
    assert "replications would narrow it" in md
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "<td>performance</td>" in html
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 12 and "performance" in summary
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["provenance"]["code"]) == 64 and manifest["seeds"] == comparison.seeds


def test_cli_compare_prints_table(tmp_path, capsys):
    args = ["compare", str(ROOT / "scenarios/baseline.toml"),
            str(ROOT / "scenarios/mentoring.toml"), "--reps", "3", "--quiet",
            "--out", str(tmp_path / "c")]
    for key, value in TINY.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "performance" in text and "paired by seed" in text and "replications" in text
    assert np.isfinite(pd.read_parquet(tmp_path / "c/summary.parquet")["performance"]).all()


def test_cli_compare_missing_file_is_one_line(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nope.toml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.toml" in err
