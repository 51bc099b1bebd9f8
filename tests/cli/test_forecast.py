"""``mentorsim forecast`` and the forecast's warnings in ``mentorsim run``."""

import json

from sim import cli

SMALL = ["--set", "organisation.headcount=300", "--set", "horizon_weeks=60"]


def test_forecast_prints_the_table_and_exits_0(capsys):
    assert cli.main(["forecast", "mentoring", *SMALL]) == 0
    out = capsys.readouterr().out
    assert "mentor_places" in out and "supply_limited" in out
    assert "pairs started:" in out
    assert "warning:" not in out  # the default design has the mentors it needs


def test_forecast_warns_one_line_each_naming_the_fields(capsys):
    code = cli.main(["forecast", "mentoring", *SMALL,
                     "--set", "programme.mentor_min_tenure_weeks=1040",
                     "--set", "plan.budget=20000"])
    assert code == 0
    warnings = [line for line in capsys.readouterr().out.splitlines()
                if line.startswith("warning:")]
    assert len(warnings) == 2
    assert warnings[0].startswith("warning: supply-limited from week 4")
    assert "programme.mentor_min_tenure_weeks = 1040" in warnings[0]
    assert warnings[1].startswith("warning: budget covers ")
    assert "of 60 weeks" in warnings[1]


def test_a_bad_scenario_is_one_line_and_exit_2(capsys, tmp_path):
    assert cli.main(["forecast", "mentoring", "--set", "plan.budget=-1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err == ("mentorsim: error: mentoring: plan.budget = -1: Input should be "
                   "greater than or equal to 0")
    missing = tmp_path / "nope.toml"
    assert cli.main(["forecast", str(missing)]) == 2
    assert "\n" not in capsys.readouterr().err.strip()


def test_run_prints_the_warnings_first_and_writes_the_planning_files(capsys, tmp_path):
    out = tmp_path / "r"
    code = cli.main(["run", "mentoring", *SMALL, "--quiet", "--no-plots", "--out", str(out),
                     "--set", "programme.mentor_min_tenure_weeks=1040",
                     "--set", 'plan.objectives=[{name="skills", metric="proficient_share", '
                              'target=0.5, by_week=52}]'])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("warning: supply-limited from week 4")
    planned = json.loads((out / "forecast.json").read_text())
    assert planned["warnings"] and planned["cadences"][0]["week"] == 4
    objectives = (out / "objectives.csv").read_text().splitlines()
    assert objectives[0].startswith("objective,metric,direction,target,by_week,value,status")
    assert objectives[1].split(",")[0] == "skills"
