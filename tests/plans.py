"""A tiny plan file (a small organisation, two designs) for the tests of ``mentorsim plan``."""

from __future__ import annotations

from pathlib import Path

from sim.config import dumps_toml, load_scenario

ORGANISATION = {"organisation.headcount": 150, "horizon_weeks": 60,
                "programme.start_week": 0, "programme.duration_weeks": 26}

PLAN = '''
name = "tiny"
organisation = "organisation.toml"
budget = {budget}
metrics = ["performance", "d", "cost", "net_benefit", "roi", "access_gap"]
reps = 2

[designs.new_hires_first]
programme.eligibility = "new_hires"

[designs.e_mentoring]
programme.format = "e_mentoring"

[[objectives]]
name = "proficiency"
metric = "proficient_share"
target = 0.01
by_week = 52

[[objectives]]
name = "out of reach"
metric = "proficient_share"
target = 0.99
by_week = 52
'''


def write_plan(directory: Path, budget: float = 1e9) -> Path:
    """Write ``organisation.toml`` and ``plan.toml`` into ``directory``; the plan's path."""
    scenario = load_scenario("mentoring", ORGANISATION)
    (directory / "organisation.toml").write_text(
        dumps_toml(scenario.model_dump(mode="json", exclude_none=True)), encoding="utf-8")
    path = directory / "plan.toml"
    path.write_text(PLAN.format(budget=budget), encoding="utf-8")
    return path
