"""Bundled scenarios: found by name from anywhere, a file still wins, unknown names say why."""

import tomllib
from pathlib import Path

import pytest

from sim.config import bundled, load_scenario
from sim.errors import ScenarioError
from tests.paths import BASELINE, MENTORING, ROOT, SCENARIOS

STEMS = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def test_the_bundled_names_are_the_files_of_the_top_level_scenarios_directory():
    assert bundled.names() == STEMS
    assert {"baseline", "mentoring"} <= set(STEMS) and len(STEMS) >= 9


@pytest.mark.parametrize("name", STEMS)
def test_text_is_the_file_and_description_its_first_comment_sentence(name):
    source = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    assert bundled.text(name) == source
    description = bundled.description(name)
    assert "\n" not in description and "#" not in description
    assert source.startswith("# " + description.split()[0])
    assert description.endswith(".") and len(description) > 20


def test_description_joins_a_wrapped_first_sentence_and_stops_at_the_blank_comment():
    assert bundled.description("baseline") == (
        "Baseline: a 1,000-person professional organisation over three years, no programme.")
    assert bundled.description("digital_transformation").endswith(
        "met by reverse mentoring (juniors strong in digital mentor seniors short of it).")
    assert bundled.descriptions() == {name: bundled.description(name) for name in STEMS}


def test_a_name_loads_the_same_scenario_as_its_file_from_any_directory(tmp_path, monkeypatch):
    by_path = load_scenario(MENTORING, {"organisation.headcount": 150})
    monkeypatch.chdir(tmp_path)
    by_name = load_scenario("mentoring", {"organisation.headcount": 150})
    assert by_name == by_path and by_name.organisation.headcount == 150
    assert load_scenario("baseline") == load_scenario(BASELINE)


def test_the_model_takes_a_bundled_name(tmp_path, monkeypatch):
    from sim import MentoringModel

    monkeypatch.chdir(tmp_path)
    model = MentoringModel("mentoring", rng=3, organisation__headcount=100, horizon_weeks=10,
                           programme__duration_weeks=6)
    assert model.scenario == load_scenario(MENTORING, {"organisation.headcount": 100,
                                                       "horizon_weeks": 10,
                                                       "programme.duration_weeks": 6})
    model.run()
    assert model.steps == 10


def test_an_existing_file_wins_over_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mentoring").write_text(
        MENTORING.read_text(encoding="utf-8").replace(
            f'name = "{load_scenario(MENTORING).name}"', 'name = "my own mentoring"'),
        encoding="utf-8")
    assert load_scenario("mentoring").name == "my own mentoring"
    assert load_scenario("baseline").name == load_scenario(BASELINE).name


def test_a_directory_does_not_hide_a_bundled_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mentoring").mkdir()
    assert load_scenario("mentoring") == load_scenario(MENTORING)
    (tmp_path / "mine").mkdir()
    with pytest.raises(ScenarioError, match=r"^mine: is a directory"):
        load_scenario("mine")


@pytest.mark.parametrize("argument", ["mentorin", "scenarios/nope.toml", "Mentoring"])
def test_neither_a_file_nor_a_name_is_one_line_listing_the_bundled_names(argument, tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(argument)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{argument}: no such file")
    assert message.endswith("(bundled: " + ", ".join(STEMS) + ")")


def test_text_of_an_unknown_name_lists_the_bundled_names():
    listed = r"^nope: not a bundled scenario \(bundled: adaptive_programme, baseline"
    with pytest.raises(ScenarioError, match=listed):
        bundled.text("nope")


def test_an_error_in_a_bundled_scenario_names_it_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match=r"^mentoring: horizon_weeks = 0"):
        load_scenario("mentoring", {"horizon_weeks": 0})


def test_the_wheel_lists_every_package_of_sim_and_ships_the_scenarios():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = sorted(".".join(p.parent.relative_to(ROOT).parts)
                     for p in (ROOT / "sim").rglob("__init__.py"))
    assert sorted(setuptools["packages"]) == sorted([*on_disk, "sim.scenarios"]), \
        "a package of sim is missing from [tool.setuptools] packages in pyproject.toml"
    assert setuptools["package-dir"] == {"sim.scenarios": "scenarios"}
    # the scenarios with the rosters they name, and the bundled prior sets
    # (sim/config/*_priors.toml)
    assert setuptools["package-data"] == {"sim.scenarios": ["*.toml", "rosters/*.csv"],
                                          "sim.config": ["*.toml"]}


def test_a_bundled_scenarios_roster_is_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario("example_organisation")
    roster = Path(scenario.roster.path)
    assert roster.is_absolute() and roster.is_file()
    assert roster.parent.parent == Path(str(bundled.resources.files(bundled.PACKAGE))).resolve()
    assert load_scenario(SCENARIOS / "example_organisation.toml") == scenario


def test_a_path_that_is_there_but_unreadable_keeps_the_readers_reason(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop.toml").symlink_to(tmp_path / "loop.toml")
    (tmp_path / "dangling.toml").symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ScenarioError, match=r"^loop.toml: cannot read"):
        load_scenario("loop.toml")
    with pytest.raises(ScenarioError, match=r"^dangling.toml: no such file, nor a bundled"):
        load_scenario("dangling.toml")
