"""Loading scenarios (sim.config.loading): one-line errors, overrides, seeds."""

import pytest

from sim.config import (
    MAX_SEED,
    Scenario,
    apply_overrides,
    check_seed,
    load_scenario,
    parse_override,
    with_overrides,
)
from sim.errors import ScenarioError
from tests.paths import MENTORING, SCENARIOS

SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_shipped_scenarios_load_and_explain_themselves(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    head = path.read_text().splitlines()[:5]
    assert all(line.startswith("#") for line in head), "each scenario explains itself at top"


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
        MENTORING,
        {"programme.duration_weeks": 26, "workforce.groups.1.share": 0.3,
         "workforce.groups.0.share": 0.7},
    )
    assert scenario.programme.duration_weeks == 26
    assert scenario.workforce.groups[1].share == 0.3
    with pytest.raises(ScenarioError, match="programme.duration_weeks = 0"):
        load_scenario(MENTORING, {"programme.duration_weeks": 0})
    with pytest.raises(ScenarioError, match="unknown key 'programme.nonsense'"):
        load_scenario(MENTORING, {"programme.nonsense": 1})
    with pytest.raises(ScenarioError, match="index 5 out of range"):
        load_scenario(MENTORING, {"workforce.groups.5.share": 1})


def test_with_overrides_revalidates_and_names_the_source():
    scenario = load_scenario(MENTORING)
    assert with_overrides(scenario, {}, "<x>") is scenario
    changed = with_overrides(scenario, {"relationships.base_quality": 0.7}, "<x>")
    assert changed.relationships.base_quality == 0.7
    assert scenario.relationships.base_quality == 0.4  # the scenario is not changed
    with pytest.raises(ScenarioError, match=r"^<x>: relationships.base_quality = 1.5"):
        with_overrides(scenario, {"relationships.base_quality": 1.5}, "<x>")


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


@pytest.mark.parametrize("seed", [0, 1, MAX_SEED])
def test_check_seed_accepts_63_bit_seeds(seed):
    assert check_seed(seed) == seed


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1])
def test_check_seed_refuses_others_in_one_line(seed):
    with pytest.raises(ScenarioError, match=rf"^--seed = {seed}: expected an integer"):
        check_seed(seed)


@pytest.mark.parametrize("field", ["organisation.salary_per_year", "evaluation.fixed_cost",
                                   "programme.support_half_life_weeks"])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_infinite_money_is_refused(field, value):
    with pytest.raises(ScenarioError, match=f"{field} = {value}: Input should be a finite"):
        load_scenario(MENTORING, {field: value})
