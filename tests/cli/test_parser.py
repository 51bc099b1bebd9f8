"""The ``mentorsim`` command: user and usage errors are one line with exit code 2."""

import pytest

from sim import cli
from tests.paths import BASELINE


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["validate", "nope.toml"], "nope.toml: no such file"),
        (["run", "nope.toml"], "nope.toml: no such file"),
        (["validate", str(BASELINE), "--set", "programme.duraton=3"],
         "unknown key 'programme.duraton'"),
        (["validate", str(BASELINE), "--set", "workforce.annual_turnover=2"],
         "workforce.annual_turnover = 2"),
        (["run", str(BASELINE), "--set", "oops"], "expected dotted.key=value"),
    ],
)
def test_user_errors_are_one_line_exit_2(args, fragment, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


@pytest.mark.parametrize("args, fragment", [
    (["validate", str(BASELINE), "--set", "-:"], "--set: expected one argument"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["run"], "required: scenario"),
])
def test_usage_errors_are_one_line_exit_2(args, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mentorsim: error: ") and fragment in err


@pytest.mark.parametrize("command", ["run", "validate", "compare", "sweep", "analyse",
                                     "rerun", "scenarios", "app"])
def test_help_shows_percent_signs_once(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "%%" not in text and len(text) > 100
