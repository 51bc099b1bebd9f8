"""Scenario loading, validation errors, overrides and TOML round trips."""

from pathlib import Path

import pytest

from sim.config import Scenario, apply_overrides, load_scenario, parse_override
from sim.errors import ScenarioError

SCENARIOS = sorted(Path("scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_load_and_explain_themselves(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    head = path.read_text().splitlines()[:5]
    assert all(line.startswith("#") for line in head), "each scenario explains itself at top"


def test_defaults_are_the_baseline():
    scenario = load_scenario()
    assert scenario.organisation.headcount == 1000
    assert abs(sum(scenario.organisation.strategic_weights) - 1) < 1e-9
    assert scenario.programme.enabled is False


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("horizon_weeks = -3", ["horizon_weeks", "-3"]),
        ("[programme]\nduraton_weeks = 26", ["unknown key", "programme.duraton_weeks"]),
        ("[organisation]\nheadcount = 'many'", ["organisation.headcount", "'many'"]),
        ("[workforce]\nannual_turnover = 1.5", ["workforce.annual_turnover", "1.5"]),
        ("[organisation]\nstrategic_weights = [0.5, 0.5, 0.5, 0.1, 0.2, 0.1]",
         ["organisation", "sum to 1"]),
        ("[[environment.changes]]\nweek = 3\ncompetency = 'juggling'", ["juggling"]),
        ("horizon_weeks = 10\n[programme]\nenabled = true\nstart_week = 20",
         ["programme.start_week = 20", "horizon_weeks = 10"]),
        ("this is = not toml [", ["malformed TOML"]),
        ("", ["empty"]),
    ],
)
def test_bad_scenarios_give_one_line_naming_file_field_value(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.toml")


def test_overrides_set_any_field_and_are_validated():
    scenario = load_scenario(
        "scenarios/mentoring.toml",
        {"programme.duration_weeks": 26, "workforce.groups.1.share": 0.3,
         "workforce.groups.0.share": 0.7},
    )
    assert scenario.programme.duration_weeks == 26
    assert scenario.workforce.groups[1].share == 0.3
    with pytest.raises(ScenarioError, match="programme.duration_weeks = 0"):
        load_scenario("scenarios/mentoring.toml", {"programme.duration_weeks": 0})
    with pytest.raises(ScenarioError, match="unknown key 'programme.nonsense'"):
        load_scenario("scenarios/mentoring.toml", {"programme.nonsense": 1})
    with pytest.raises(ScenarioError, match="index 5 out of range"):
        load_scenario("scenarios/mentoring.toml", {"workforce.groups.5.share": 1})


@pytest.mark.parametrize(
    "text, key, value",
    [
        ("programme.duration_weeks=26", "programme.duration_weeks", 26),
        ("programme.matching=random", "programme.matching", "random"),
        ('programme.matching="random"', "programme.matching", "random"),
        ("programme.enabled=true", "programme.enabled", True),
        ("workforce.annual_turnover=0.2", "workforce.annual_turnover", 0.2),
        ("organisation.required_levels=[0.5,0.5]", "organisation.required_levels", [0.5, 0.5]),
    ],
)
def test_parse_override(text, key, value):
    assert parse_override(text) == (key, value)


def test_parse_override_rejects_missing_equals():
    with pytest.raises(ScenarioError, match="expected dotted.key=value"):
        parse_override("programme.enabled")


def test_apply_overrides_does_not_mutate_input():
    data = {"programme": {"enabled": False}}
    out = apply_overrides(data, {"programme.enabled": True})
    assert data["programme"]["enabled"] is False and out["programme"]["enabled"] is True


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_toml_round_trip(tmp_path, path):
    scenario = load_scenario(path)
    again = load_scenario(write(tmp_path, scenario.to_toml()))
    assert again == scenario
