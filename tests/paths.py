"""Paths the tests share, wherever a test module sits under tests/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
MENTORING = SCENARIOS / "mentoring.toml"
BASELINE = SCENARIOS / "baseline.toml"
