"""TOML in and out (sim.config.toml): a written scenario reads back identically."""

import tomllib

import pytest

from sim.config import Scenario, dumps_toml, load_scenario, read_toml
from sim.errors import ScenarioError
from tests.paths import SCENARIOS

SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_round_trips(tmp_path, path):
    scenario = load_scenario(path)
    again = load_scenario(write(tmp_path, scenario.to_toml()))
    assert again == scenario
    assert again.model_dump() == scenario.model_dump()


def test_lists_of_tables_and_none_round_trip(tmp_path):
    overrides = {
        "workforce.groups": [
            {"name": "majority", "share": 0.7},
            {"name": "women in \"tech\"", "share": 0.2, "underrepresented": True},
            {"name": "späte Einsteiger\\n", "share": 0.1, "underrepresented": True},
        ],
        "workforce.roles": [
            {"name": "clerical", "share": 0.5, "hire_skill_mean": 0.49},
            {"name": "professional", "share": 0.5, "hire_skill_mean": 0.1 + 0.2},
        ],
        "environment.changes": [
            {"week": 4, "competency": "digital", "required_level": 0.8},
            {"week": 9, "competency": "client", "strategic_weight": 0.3},
        ],
        "description": "two lines\nand a tab\t",
    }
    scenario = load_scenario(None, overrides)
    assert scenario.environment.changes[0].strategic_weight is None
    text = scenario.to_toml()
    again = load_scenario(write(tmp_path, text))
    assert again == scenario
    assert again.workforce.roles[1].hire_skill_mean == 0.1 + 0.2  # every bit of a float
    assert again.workforce.groups[2].name == "späte Einsteiger\\n"
    assert again.environment.changes[1].required_level is None
    assert "null" not in text and "None" not in text


def test_dumps_toml_leaves_out_none_at_any_depth():
    data = {"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None, "g": 2}]}
    assert tomllib.loads(dumps_toml(data)) == {"b": {"d": 1}, "e": [{"g": 2}]}


def test_dumps_toml_refuses_what_toml_cannot_hold():
    with pytest.raises(TypeError):
        dumps_toml({"a": object()})


def test_to_toml_is_toml_of_the_json_dump():
    scenario = load_scenario(SCENARIOS / "mentoring.toml")
    data = tomllib.loads(scenario.to_toml())
    assert Scenario.model_validate(data) == scenario
    assert data["programme"]["enabled"] is True


def test_read_toml_errors_are_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="malformed TOML"):
        read_toml(write(tmp_path, "a = [1,"))
    with pytest.raises(ScenarioError, match="is a directory"):
        read_toml(tmp_path)
    with pytest.raises(ScenarioError, match="not UTF-8"):
        path = tmp_path / "latin1.toml"
        path.write_bytes("name = 'caf\xe9'".encode("latin-1"))
        read_toml(path)
