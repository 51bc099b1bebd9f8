"""``mentorsim plan`` on the command line, and ``compare``'s differing-fields warning."""

import pytest

from sim import cli
from tests.plans import write_plan


def test_plan_command_writes_the_decision_report(tmp_path, capsys):
    path = write_plan(tmp_path, budget=1.0)
    out = tmp_path / "out"
    assert cli.main(["plan", str(path), "--reps", "2", "--no-uncertainty", "--out", str(out),
                     "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Decision: tiny" in printed and "P(best)" in printed and "breaks the budget" in printed
    for name in ("decision.md", "decision.html", "cost_effect.png", "p_best.csv",
                 "report.md", "plan.json", "manifest.json"):
        assert (out / name).is_file(), name


@pytest.mark.parametrize("text, fragment", [
    ('organisation = "mentoring"\n', "designs: required field is missing"),
    ('organisation = "mentoring"\n[designs.x]\nworkforce.annual_turnover = 0.2\n',
     "x: workforce.annual_turnover: a design may override only programme.*"),
    ('organisation = "nowhere"\n[designs.x]\nprogramme.eligibility = "all"\n',
     "nowhere: no such file"),
    ('organisation = "mentoring"\nbudjet = 3\n[designs.x]\nprogramme.eligibility = "all"\n',
     "unknown key 'budjet'"),
])
def test_plan_file_errors_are_one_line_exit_2(tmp_path, capsys, text, fragment):
    path = tmp_path / "plan.toml"
    path.write_text(text)
    assert cli.main(["plan", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_missing_plan_file_is_one_line(tmp_path, capsys):
    assert cli.main(["plan", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such plan file" in capsys.readouterr().err


def test_compare_warns_about_fields_outside_the_programme(tmp_path, capsys):
    from sim.config import dumps_toml, load_scenario

    small = {"organisation.headcount": 60, "horizon_weeks": 8, "programme.duration_weeks": 4}
    for name, extra in (("a", {}), ("b", {"workforce.annual_turnover": 0.2,
                                          "programme.duration_weeks": 6})):
        scenario = load_scenario("mentoring", {**small, **extra})
        (tmp_path / f"{name}.toml").write_text(
            dumps_toml(scenario.model_dump(mode="json", exclude_none=True)))
    args = ["compare", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--reps", "2",
            "--no-uncertainty", "--out", str(tmp_path / "out"), "--quiet"]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert ("warning: the designs differ outside the programme: workforce.annual_turnover\n"
            in err)
