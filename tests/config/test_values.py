"""Values that would change meaning: booleans as numbers, text that cannot be written back.

Issue 18, class 6. ``rng=RandomState``, ``employee_at(-1)`` and a list-valued sweep factor
are tested beside their code (tests/model/test_model.py, tests/experiment/test_designs.py).
"""

import tomllib

import numpy as np
import pytest

from sim.analysis.calibration import load_targets
from sim.config import dumps_toml, load_scenario, scenario_from_dict
from sim.config.plan_file import load_plan_file
from sim.config.schema import Scenario, check_text
from sim.errors import ScenarioError
from sim.experiment.designs import load_sweep
from tests.cli.test_bad_input import cli


def test_set_horizon_true_is_refused_by_the_command_not_run_for_one_week(tmp_path):
    code, out, err = cli(["run", "baseline", "--set", "horizon_weeks=true", "--out",
                          tmp_path / "r", "--quiet", "--no-plots"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "horizon_weeks = True: expected a number" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("data, where", [
    ({"organisation": {"headcount": True}}, "organisation.headcount = True"),
    ({"programme": {"enabled": 1}}, "programme.enabled = 1"),
    ({"seed": False}, "seed = False"),
])
def test_booleans_and_numbers_swapped_are_refused_through_the_python_api(data, where):
    with pytest.raises(ScenarioError, match=where.replace(".", r"\.")):
        scenario_from_dict(data, "<api>")
    with pytest.raises(ValueError, match="true or false"):
        Scenario.model_validate(data)


def test_a_sweep_file_takes_no_boolean_for_a_count(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('base = "baseline"\nreplications = true\n[factors]\n'
                    '"workforce.annual_turnover" = [0.1, 0.2]\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"replications = True: .*not true or false"):
        load_sweep(path)
    path.write_text('base = "baseline"\nsecond_order = 1\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="second_order = 1: .*expected true or false"):
        load_sweep(path)


def test_a_plan_file_takes_no_boolean_for_its_reps(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('organisation = "baseline"\nreps = true\n[designs.a]\n'
                    '"programme.enabled" = true\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="reps = True: expected a number"):
        load_plan_file(path)


def test_a_targets_file_takes_no_boolean_for_a_week(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text("[annual_quit_rate]\nvalue = 0.1\nsd = 0.01\nweek = true\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="annual_quit_rate.week = True: expected a number"):
        load_targets(path)


@pytest.mark.parametrize("text", ["a\x00b", "a\x1b[31mred", "x\x7f", "\x85", "tab\tin\nname"])
def test_control_characters_in_a_name_are_refused_in_one_line(text):
    with pytest.raises(ScenarioError) as caught:
        load_scenario("baseline", {"name": text})
    message = str(caught.value)
    assert "\n" not in message and message.startswith("baseline: name = ")
    assert "control character U+" in message


def test_a_description_may_hold_tabs_and_newlines_but_not_escapes():
    scenario = load_scenario("baseline", {"description": "line one\n\tline two"})
    assert scenario.description == "line one\n\tline two"
    with pytest.raises(ScenarioError, match=r"description = .*U\+001B"):
        load_scenario("baseline", {"description": "\x1b[2J"})


def test_an_undecodable_command_line_byte_is_refused_not_a_traceback_at_writing(tmp_path):
    # Python decodes a command line's non-UTF-8 bytes to lone surrogates
    code, out, err = cli(["run", "baseline", "--set", "name=caf\udce9", "--out",
                          tmp_path / "r", "--quiet", "--no-plots"])
    assert code == 2 and "not valid text: character 4 is not UTF-8" in err
    assert err.count("\n") == 1 and not (tmp_path / "r").exists()


def test_the_written_scenario_round_trips_whatever_text_it_holds():
    text = "Équipe «nord» — ☃ \"quoted\" \\ back\nslash\ttab ' '''"
    scenario = load_scenario("mentoring", {"description": text, "name": "Équipe ☃ \"x\""})
    written = scenario.to_toml()
    assert scenario_from_dict(tomllib.loads(written), "<written>") == scenario


def test_the_toml_writer_escapes_control_characters():
    data = {"s": "".join(map(chr, range(32))) + "\x7f"}
    written = dumps_toml(data)
    assert all(ord(c) >= 32 or c in "\t\n" for c in written)  # TOML allows a raw tab
    assert tomllib.loads(written) == data


def test_check_text_allows_ordinary_unicode_and_names_the_position():
    assert check_text("naïve ☃ 名前") == "naïve ☃ 名前"
    with pytest.raises(ValueError, match="character 3 is the control character U\\+000A"):
        check_text("ab\ncd", allow_lines=False)


def test_an_integer_of_thousands_of_digits_is_one_line_in_a_set_and_in_a_file(tmp_path):
    with pytest.raises(ScenarioError, match="--set organisation.headcount=9+...: not a usable"):
        load_scenario("baseline", parse_overrides(["organisation.headcount=" + "9" * 5000]))
    path = tmp_path / "big.toml"
    path.write_text("horizon_weeks = " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="big.toml: malformed TOML: Exceeds the limit"):
        load_scenario(path)


def test_an_empty_name_or_path_is_refused():
    with pytest.raises(ScenarioError, match="name = '': String should have at least 1"):
        load_scenario("baseline", {"name": ""})
    with pytest.raises(ScenarioError, match="scenario = '': an empty path"):
        load_scenario("")
    with pytest.raises(ScenarioError, match="plan = '': an empty path"):
        load_plan_file("")
    with pytest.raises(ScenarioError, match="'': an empty path; give a TOML file"):
        load_targets("")


def parse_overrides(texts):
    from sim.cli.common import overrides

    return overrides(texts)


@pytest.mark.parametrize("seed", [True, 1.0, "7"])
def test_a_seed_of_the_wrong_kind_is_refused_by_check_seed_not_read_as_a_number(seed):
    from sim.config import check_seed

    with pytest.raises(ScenarioError, match=f"run: seed = {seed!r}: expected an integer"):
        check_seed(seed, "run: seed")
    assert check_seed(np.int64(5), "run: seed") == 5 and type(check_seed(np.int64(5))) is int


@pytest.mark.parametrize("make", ["fifo", "device"])
def test_a_pipe_or_device_as_an_input_file_is_refused_not_read_without_end(tmp_path, make):
    import os

    if make == "fifo":
        path = tmp_path / "scenario.toml"
        os.mkfifo(path)
    else:
        path = "/dev/zero"
        if not os.path.exists(path):
            pytest.skip("no /dev/zero")
    with pytest.raises(ScenarioError, match="not a regular file"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"not a regular file \(roster.path\)"):
        load_scenario("example_organisation", {"roster.path": str(path)})


def test_an_input_file_too_large_for_a_toml_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:
        f.truncate(17 * 2**20)  # sparse: nothing is written
    with pytest.raises(ScenarioError, match="huge.toml: 17 MB, too large .*at most 16 MB"):
        load_scenario(path)


def test_a_control_character_in_a_plans_design_name_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('organisation = "baseline"\n[designs."a\\u001bb"]\n'
                    '"programme.enabled" = true\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"designs: 'a\\x1bb': character 2 is the control"):
        load_plan_file(path)
