"""Staff rosters: a bad file is refused in one line naming file, row, column and value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config import load_scenario
from sim.config.roster import read_roster
from sim.errors import ScenarioError
from tests.paths import ROOT, SCENARIOS

COMPETENCIES = ["technical", "client"]
HEADER = "id,group,role,tenure_years,age_years,technical,client"
GOOD = [
    "EMP-0001,majority,analyst,2.0,30,1,5",
    "EMP-0002,underrepresented,manager,10.5,45,3,4",
    "EMP-0003,majority,analyst,0.5,24,5,2",
    "EMP-0004,majority,manager,20,50,4,3",
]


def scenario_text(roster: str = "roster.csv", extra: str = "") -> str:
    return f"""
name = "rostered"
horizon_weeks = 10

[roster]
path = "{roster}"
rating_min = 1
rating_max = 5
{extra}

[organisation]
competencies = {COMPETENCIES!r}
strategic_weights = [0.6, 0.4]
required_levels = [0.6, 0.5]

[[workforce.groups]]
name = "majority"
share = 0.7

[[workforce.groups]]
name = "underrepresented"
share = 0.3
underrepresented = true

[[workforce.roles]]
name = "analyst"
share = 0.6
hire_skill_mean = 0.4

[[workforce.roles]]
name = "manager"
share = 0.4
hire_skill_mean = 0.3
"""


def write_case(tmp_path: Path, lines: list[str], header: str = HEADER,
               name: str = "roster.csv", extra: str = "") -> Path:
    (tmp_path / name).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(scenario_text(name, extra), encoding="utf-8")
    return scenario


def error_of(scenario: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    message = str(caught.value)
    assert "\n" not in message
    return message


def replace(row: int, column: str, value: str) -> list[str]:
    """GOOD with one cell changed (row: 0-based data row)."""
    lines = [line.split(",") for line in GOOD]
    lines[row][HEADER.split(",").index(column)] = value
    return [",".join(cells) for cells in lines]


# (lines, spreadsheet row, column, shown value, reason)
BAD_CELLS = {
    "rating off the scale": (replace(1, "technical", "6"), 3, "technical", "6",
                             "rating off the scale 1 .. 5"),
    "rating below the scale": (replace(0, "client", "0"), 2, "client", "0",
                               "rating off the scale"),
    "non-numeric rating": (replace(2, "client", "good"), 4, "client", "'good'",
                           "not a number"),
    "missing rating": (replace(3, "technical", ""), 5, "technical", "None", "missing value"),
    "duplicate id": (replace(2, "id", "EMP-0001"), 4, "id", "'EMP-0001'", "duplicate id"),
    "unknown group": (replace(1, "group", "minority"), 3, "group", "'minority'",
                      "not one of the scenario's workforce.groups"),
    "unknown role": (replace(0, "role", "intern"), 2, "role", "'intern'",
                     "not one of the scenario's workforce.roles"),
    "negative tenure": (replace(3, "tenure_years", "-1"), 5, "tenure_years", "-1",
                        "negative tenure"),
    "age below 16": (replace(2, "age_years", "15"), 4, "age_years", "15", "age below 16"),
    "tenure beyond working life": (replace(0, "tenure_years", "20"), 2, "tenure_years", "20",
                                   "tenure longer than the working life"),
}


@pytest.mark.parametrize("case", sorted(BAD_CELLS))
def test_a_bad_cell_is_one_line_naming_file_row_column_and_value(tmp_path, case):
    lines, row, column, value, reason = BAD_CELLS[case]
    message = error_of(write_case(tmp_path, lines))
    assert message.startswith(f"{tmp_path / 'roster.csv'}: row {row}, column {column!r} = "
                              f"{value}: {reason}"), message


def test_the_first_problem_by_row_is_reported_and_the_rest_counted(tmp_path):
    lines = replace(3, "technical", "9")
    lines[1] = lines[1].replace("underrepresented", "nobody")
    message = error_of(write_case(tmp_path, lines))
    assert ": row 3, column 'group' = 'nobody'" in message
    assert message.endswith("(and 1 more problem)")


def test_a_missing_column_names_it_and_how_to_map_it(tmp_path):
    header = HEADER.replace(",client", ",customer")
    message = error_of(write_case(tmp_path, GOOD, header=header))
    assert message.startswith(f"{tmp_path / 'roster.csv'}: column 'client' is missing")
    assert "'customer'" in message and "roster.columns.client" in message


def test_columns_map_our_names_to_the_files(tmp_path):
    header = HEADER.replace(",client", ",customer").replace("id,", "staff_no,")
    extra = '[roster.columns]\nclient = "customer"\nid = "staff_no"'
    scenario = load_scenario(write_case(tmp_path, GOOD, header=header, extra=extra))
    assert read_roster(scenario).size == 4
    bad = replace(0, "client", "7")
    message = error_of(write_case(tmp_path, bad, header=header, extra=extra))
    assert ": row 2, column 'customer' = 7: rating off the scale" in message


@pytest.mark.parametrize("content, expected", [
    ("", "empty file"),
    (HEADER + "\n", "no data rows"),
    (HEADER + "\n" + GOOD[0] + "\n", "1 data row; a roster needs at least 2 staff"),
])
def test_an_empty_roster_is_refused(tmp_path, content, expected):
    scenario = write_case(tmp_path, [])
    (tmp_path / "roster.csv").write_text(content, encoding="utf-8")
    message = error_of(scenario)
    assert message.startswith(str(tmp_path / "roster.csv")) and expected in message, message


def test_an_unknown_extension_a_missing_and_an_unreadable_file(tmp_path):
    scenario = write_case(tmp_path, GOOD, name="roster.txt")
    assert "unknown roster file extension '.txt'" in error_of(scenario)
    (tmp_path / "scenario.toml").write_text(scenario_text("nowhere.csv"), encoding="utf-8")
    assert error_of(tmp_path / "scenario.toml") == \
        f"{tmp_path / 'nowhere.csv'}: no such file (roster.path)"
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    (tmp_path / "scenario.toml").write_text(scenario_text("broken.xlsx"), encoding="utf-8")
    assert error_of(tmp_path / "scenario.toml").startswith(
        f"{tmp_path / 'broken.xlsx'}: cannot read as Excel")


def test_the_scale_and_the_column_names_are_checked_with_the_scenario(tmp_path):
    scenario = write_case(tmp_path, GOOD, extra="")
    text = scenario.read_text().replace("rating_max = 5", "rating_max = 1")
    scenario.write_text(text)
    assert "rating_max = 1.0 is not above rating_min = 1.0" in error_of(scenario)
    scenario.write_text(scenario_text(extra='[roster.columns]\nsalary = "pay"'))
    assert "roster.columns.salary: not a roster column" in error_of(scenario)


def test_a_good_roster_sets_headcount_and_maps_ratings_onto_skill(tmp_path):
    scenario = load_scenario(write_case(tmp_path, GOOD))
    assert scenario.organisation.headcount == 4
    assert Path(scenario.roster.path) == tmp_path / "roster.csv"  # resolved at load
    roster = read_roster(scenario)
    assert list(roster.ids) == ["EMP-0001", "EMP-0002", "EMP-0003", "EMP-0004"]
    np.testing.assert_allclose(roster.skills, [[0, 1], [0.5, 0.75], [1, 0.25], [0.75, 0.5]])
    np.testing.assert_array_equal(roster.group, [0, 1, 0, 0])
    np.testing.assert_array_equal(roster.role, [0, 1, 0, 1])
    np.testing.assert_allclose(roster.tenure_years, [2, 10.5, 0.5, 20])
    np.testing.assert_allclose(roster.age_years, [30, 45, 24, 50])
    assert len(roster.sha256) == 64 and roster.manifest()["rows"] == 4


def test_a_relative_path_is_relative_to_the_scenario_file_not_the_cwd(tmp_path, monkeypatch):
    scenario = write_case(tmp_path, GOOD)
    monkeypatch.chdir(tmp_path.parent)
    assert load_scenario(scenario).roster.path == str(tmp_path / "roster.csv")


def test_without_a_role_column_roles_are_drawn(tmp_path):
    lines = [",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in GOOD]
    scenario = load_scenario(write_case(tmp_path, lines, header=HEADER.replace("role,", "")))
    assert read_roster(scenario).role is None


def test_csv_parquet_and_excel_read_alike(tmp_path):
    scenario = write_case(tmp_path, GOOD)
    frame = pd.read_csv(tmp_path / "roster.csv")
    frame.to_parquet(tmp_path / "roster.parquet")
    frame.to_excel(tmp_path / "roster.xlsx", index=False)
    rosters = [read_roster(load_scenario(scenario, {"roster.path": str(tmp_path / name)}))
               for name in ("roster.csv", "roster.parquet", "roster.xlsx")]
    for other in rosters[1:]:
        for name in ("ids", "group", "role", "tenure_years", "age_years", "skills"):
            np.testing.assert_array_equal(getattr(other, name), getattr(rosters[0], name))
    frame.loc[1, "technical"] = 6
    frame.to_parquet(tmp_path / "roster.parquet")
    frame.to_excel(tmp_path / "roster.xlsx", index=False)
    for name in ("roster.parquet", "roster.xlsx"):
        with pytest.raises(ScenarioError, match=r"row 3, column 'technical' = 6: rating off"):
            load_scenario(scenario, {"roster.path": str(tmp_path / name)})


def test_the_cli_exits_2_with_one_stderr_line(tmp_path):
    scenario = write_case(tmp_path, replace(1, "technical", "6"))
    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(scenario), "--quiet",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"{tmp_path / 'roster.csv'}: row 3, column 'technical' = 6" in lines[0]
    assert not (tmp_path / "out").exists()


def test_the_bundled_example_roster_is_the_generators_output():
    roster_dir = SCENARIOS / "rosters"
    sys.path.insert(0, str(roster_dir))
    try:
        import make_example_roster
    finally:
        sys.path.remove(str(roster_dir))
    rows = make_example_roster.make_rows()
    frame = pd.read_csv(roster_dir / "example_roster.csv", dtype=str)
    assert len(frame) == len(rows) >= 200
    assert frame.iloc[0].to_dict() == {k: str(v) for k, v in rows[0].items()}
    assert frame["id"].str.fullmatch(r"EMP-\d{4}").all()
    scenario = load_scenario("example_organisation")
    assert scenario.organisation.headcount == len(rows)
    assert Path(scenario.roster.path).is_relative_to(ROOT / "scenarios")
