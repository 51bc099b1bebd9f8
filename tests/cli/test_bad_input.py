"""Property-based checks of the bad-input contract, end to end through the command.

Bad input (scenario files, sweep files, ``--set`` overrides, command-line values) must
give one line on stderr naming the file, the field and the value, exit code 2, and no
results directory that looks complete.
"""

import contextlib
import io
import os
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config import dumps_toml
from sim.errors import MentorsimError, ScenarioError
from sim.experiment.designs import load_sweep
from tests.paths import MENTORING, ROOT

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def cli(args):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("mentorsim: error: "), err
    for fragment in fragments:
        assert str(fragment) in err, (fragment, err)


def no_complete_results(directory: Path):
    """Nothing under ``directory`` looks like finished results."""
    return not list(Path(directory).rglob("manifest.json"))


@contextlib.contextmanager
def scratch():
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


# --- malformed files ---------------------------------------------------------------------
@FAST
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_random_bytes_or_text_as_scenario(content):
    with scratch() as tmp:
        path = tmp / "s.toml"
        path.write_bytes(content if isinstance(content, bytes)
                         else content.encode("utf-8", "replace"))
        code, _, err = cli(["run", path, "--out", tmp / "out", "--quiet",
                            "--set", "organisation.headcount=20", "--set", "horizon_weeks=2"])
        if code != 0:
            assert_one_line_error(code, err, path)
        assert code in (0, 2)
        assert code == 0 or not (tmp / "out").exists()


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_random_bytes_or_text_as_sweep(content):
    with scratch() as tmp:
        path = tmp / "s.toml"
        path.write_bytes(content if isinstance(content, bytes)
                         else content.encode("utf-8", "replace"))
        with pytest.raises(ScenarioError) as info:
            load_sweep(path)  # no file of random bytes names a valid base scenario
        assert "\n" not in str(info.value) and str(path) in str(info.value)
        code, _, err = cli(["sweep", path, "--out", tmp / "out", "--quiet"])
        assert_one_line_error(code, err, path)
        assert not (tmp / "out").exists()


# --- wrong types, unknown keys, out-of-range values -------------------------------------------
FIELDS = {
    # dotted field: a strategy of values that are always invalid for it
    "organisation.headcount": st.integers(max_value=1) | st.integers(min_value=50_000_001),
    "horizon_weeks": st.integers(max_value=0) | st.integers(min_value=5201),
    "workforce.annual_turnover": st.floats(min_value=1.0, allow_nan=False)
    | st.floats(max_value=-1e-9, allow_nan=False),
    "workforce.vacancy_fill_per_week": st.floats(min_value=1.0 + 1e-9, allow_nan=False)
    | st.floats(max_value=-1e-9, allow_nan=False),
    "programme.max_mentee_share": st.floats(min_value=0.5 + 1e-9, allow_nan=False)
    | st.floats(max_value=-1e-9, allow_nan=False),
    "relationships.base_quality": st.floats(min_value=1.0 + 1e-9, allow_nan=False)
    | st.floats(max_value=0.0, allow_nan=False),
    "informal.homophily": st.floats(min_value=1.0 + 1e-9, allow_nan=False)
    | st.floats(max_value=-1e-9, allow_nan=False),
    "learning.weekly_noise_sd": st.floats(min_value=1.0 + 1e-9, allow_nan=False)
    | st.just(float("nan")),
    "programme.mentees_per_mentor": st.integers(max_value=0) | st.integers(min_value=33),
    "environment.shocks_per_year": st.floats(max_value=-1e-9, allow_nan=False)
    | st.floats(min_value=52 + 1e-9, allow_nan=False) | st.just(float("inf")),
}
WRONG_TYPES = (st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)
               | st.lists(st.integers(), min_size=1, max_size=3)
               | st.dictionaries(st.sampled_from("abc"), st.integers(), min_size=1,
                                 max_size=2))


def nested(dotted, value):
    data: dict = {}
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return data


@FAST
@given(st.sampled_from(sorted(FIELDS)).flatmap(lambda f: st.tuples(st.just(f), FIELDS[f])))
def test_out_of_range_values_name_file_field_value(field_value):
    field, value = field_value
    with scratch() as tmp:
        path = tmp / "bad.toml"
        path.write_text(dumps_toml(nested(field, value)), encoding="utf-8")
        code, _, err = cli(["run", path, "--out", tmp / "out", "--quiet"])
        shown = repr(value)
        assert_one_line_error(code, err, path, field)
        assert shown[:20] in err or str(value)[:20] in err, err
        assert not (tmp / "out").exists()


@FAST
@given(st.sampled_from(sorted(FIELDS)), WRONG_TYPES)
def test_wrong_types_name_file_and_field(field, value):
    with scratch() as tmp:
        path = tmp / "bad.toml"
        path.write_text(dumps_toml(nested(field, value)), encoding="utf-8")
        code, _, err = cli(["validate", path])
        assert_one_line_error(code, err, path, field.split(".")[0])


@FAST
@given(st.sampled_from(["", "organisation.", "programme.", "workforce.", "learning."]),
       st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True))
def test_unknown_keys_are_named(section, key):
    dotted = section + key
    from sim.config import Scenario

    model = Scenario
    if section:
        model = Scenario.model_fields[section[:-1]].annotation
    assume(key not in model.model_fields)
    with scratch() as tmp:
        path = tmp / "bad.toml"
        path.write_text(dumps_toml(nested(dotted, 1)), encoding="utf-8")
        code, _, err = cli(["validate", path])
        assert_one_line_error(code, err, path, "unknown key", dotted)
        code, _, err = cli(["validate", MENTORING, "--set", f"{dotted}=1"])
        assert_one_line_error(code, err, "unknown key", dotted)


@FAST
@given(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=6,
                max_size=6).filter(lambda w: abs(sum(w) - 1) > 1e-5))
def test_weights_that_do_not_sum_to_one(weights):
    with scratch() as tmp:
        path = tmp / "bad.toml"
        path.write_text(dumps_toml({"organisation": {"strategic_weights": weights}}))
        code, _, err = cli(["validate", path])
        assert_one_line_error(code, err, path, "strategic_weights", "sum to 1")


@FAST
@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=300))
def test_programme_longer_than_horizon(horizon, extra):
    with scratch() as tmp:
        path = tmp / "bad.toml"
        path.write_text(dumps_toml({"horizon_weeks": horizon, "programme": {
            "enabled": True, "start_week": 0, "duration_weeks": horizon + extra}}))
        code, _, err = cli(["run", path, "--out", tmp / "out", "--quiet"])
        assert_one_line_error(code, err, path, "programme.duration_weeks",
                              f"= {horizon + extra}", f"horizon_weeks = {horizon}")
        assert not (tmp / "out").exists()


@FAST
@given(st.text(max_size=40))
def test_random_overrides_never_trace(text):
    code, _, err = cli(["validate", MENTORING, "--set", text])
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert_one_line_error(code, err)


@FAST
@given(st.sampled_from(["organisation.headcount", "horizon_weeks", "seed",
                        "programme.duration_weeks", "learning.novice_weeks"]),
       st.sampled_from(["1e999", "-1e999", "nan", "99999999999999999999999999",
                        "-99999999999999999999", "1e308", "0x7fffffffffffffff"]))
def test_huge_values_are_refused_or_accepted_without_trace(field, raw):
    code, _, err = cli(["validate", MENTORING, "--set", f"{field}={raw}"])
    assert code in (0, 2) and "Traceback" not in err
    if code == 2:
        assert_one_line_error(code, err, field)


# --- sweep files -----------------------------------------------------------------------------
SWEEP_FACTORS = st.dictionaries(
    st.sampled_from(["programme.duration_weeks", "programme.matching", "organisation.headcount",
                     "horizon_weeks", "programme.nonsense", "workforce.groups.0.share",
                     "seed", "programme", "learning.weekly_noise_sd"]),
    st.one_of(st.integers(-5, 400), st.floats(allow_nan=True), st.text(max_size=5),
              st.lists(st.integers(-5, 400), max_size=3),
              st.lists(st.floats(-1, 2, allow_nan=False), max_size=3),
              st.lists(st.text(max_size=5), max_size=2)),
    max_size=3,
)


@FAST
@given(st.sampled_from(["grid", "lhs", "sobol", "fractional"]), SWEEP_FACTORS,
       st.integers(-2, 40), st.integers(-2, 5))
def test_random_sweep_files_load_or_give_one_line(design, factors, samples, replications):
    data = {"base": str(MENTORING), "design": design, "samples": samples,
            "replications": replications, "factors": factors,
            "set": {"organisation.headcount": 50, "horizon_weeks": 10}}
    with scratch() as tmp:
        path = tmp / "sweep.toml"
        path.write_text(dumps_toml(data), encoding="utf-8")
        try:
            load_sweep(path)
        except ScenarioError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path))
            code, _, err = cli(["sweep", path, "--out", tmp / "out", "--quiet"])
            assert_one_line_error(code, err, path)
            assert not (tmp / "out").exists()


def test_seed_is_not_a_factor(tmp_path):
    path = tmp_path / "sweep.toml"
    path.write_text(dumps_toml({"base": str(MENTORING), "factors": {"seed": [1, 2]}}))
    code, _, err = cli(["sweep", path, "--out", tmp_path / "out", "--quiet"])
    assert_one_line_error(code, err, path, "factors.seed", "[1, 2]", "replication")
    assert not (tmp_path / "out").exists()


# --- missing, unreadable, empty --------------------------------------------------------------
def special_files(tmp):
    """Files that cannot be read as a scenario, and a fragment of the expected message."""
    (tmp / "empty.toml").write_text("")
    (tmp / "blank.toml").write_text("  \n\t\n")
    (tmp / "dir.toml").mkdir()
    (tmp / "loop.toml").symlink_to(tmp / "loop.toml")
    (tmp / "dangling.toml").symlink_to(tmp / "gone.toml")
    (tmp / "plain").write_text("x")
    (tmp / "latin1.toml").write_bytes("name = 'caf\xe9'".encode("latin-1"))
    return {
        tmp / "missing.toml": "no such file",
        tmp / "empty.toml": "empty",
        tmp / "blank.toml": "empty",
        tmp / "dir.toml": "is a directory",
        tmp / "loop.toml": "cannot read",
        tmp / "dangling.toml": "no such file",
        tmp / "plain" / "under_a_file.toml": "cannot read",
        tmp / "latin1.toml": "not UTF-8",
    }


@pytest.mark.parametrize("command", ["validate", "run", "sweep", "compare"])
def test_unreadable_files_every_command(tmp_path, command):
    for path, fragment in special_files(tmp_path).items():
        out = tmp_path / f"out_{path.name}"
        args = [command, path]
        if command != "validate":
            args += ["--out", out, "--quiet"]
        code, _, err = cli(args)
        assert_one_line_error(code, err, path, fragment)
        assert not out.exists()


def test_permission_denied(tmp_path):
    path = tmp_path / "secret.toml"
    path.write_text("horizon_weeks = 10\n")
    path.chmod(0)
    try:
        readable = os.access(path, os.R_OK)
        if readable:
            pytest.skip("running as root: chmod 000 does not stop root reading the file "
                        "(the loop, dangling-link and not-a-directory cases cover OSError)")
        code, _, err = cli(["validate", path])
        assert_one_line_error(code, err, path, "permission denied")
    finally:
        path.chmod(0o644)


def test_unreadable_base_of_a_sweep(tmp_path):
    for base, fragment in special_files(tmp_path).items():
        path = tmp_path / "sweep.toml"
        path.write_text(dumps_toml({"base": str(base)}))
        code, _, err = cli(["sweep", path, "--out", tmp_path / "out", "--quiet"])
        assert_one_line_error(code, err, path, "base", fragment)
        assert not (tmp_path / "out").exists()


# --- command-line values -------------------------------------------------------------------
TINY = ["--set", "organisation.headcount=20", "--set", "horizon_weeks=8",
        "--set", "programme.duration_weeks=8"]  # valid: the programme starts at week 4


@pytest.mark.parametrize("args, fragment", [
    (["sweep", ROOT / "experiments/sweeps/smoke.toml", "--workers", "0"], "--workers = 0"),
    (["compare", MENTORING, "--reps", "1"], "--reps = 1"),
    (["rerun", "/nonexistent/dir"], "no such results directory"),
    (["analyse", "/nonexistent/dir"], "no such results directory"),
])
def test_bad_command_line_values(tmp_path, args, fragment):
    out = tmp_path / "out"
    code, _, err = cli([*args, "--out", out] if args[0] in ("sweep", "compare") else args)
    assert_one_line_error(code, err, fragment)
    assert not out.exists()  # checked before any directory is claimed


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_negative_seed_for_run(tmp_path, seed):
    code, _, err = cli(["run", MENTORING, "--seed", seed, "--out", tmp_path / "out",
                        "--quiet", *TINY])
    assert_one_line_error(code, err, f"--seed = {seed}")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_negative_seed_for_compare(tmp_path, seed):
    code, _, err = cli(["compare", MENTORING, "--reps", "2", "--seed", seed, "--out",
                        tmp_path / "out", "--quiet", *TINY])
    assert_one_line_error(code, err, f"--seed = {seed}")
    assert not (tmp_path / "out").exists()


def test_largest_seed_is_accepted(tmp_path):
    code, _, err = cli(["run", MENTORING, "--seed", 2**63 - 1, "--out", tmp_path / "out",
                        "--quiet", *TINY])
    assert code == 0, err


# --- the console entry, in a subprocess ----------------------------------------------------
@pytest.mark.parametrize("content", [b"\xff\xfe\x00\x01garbage", b"[organisation\nheadcount=",
                                     b"horizon_weeks = 'ten'\n"])
def test_console_entry_one_line(tmp_path, content):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    for command in (["validate", str(path)],
                    ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]):
        proc = subprocess.run([sys.executable, "-m", "sim.cli", *command], capture_output=True,
                              text=True, cwd=ROOT)
        assert proc.returncode == 2
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
        assert str(path) in proc.stderr
        assert not (tmp_path / "out").exists()


def test_mentorsim_errors_are_one_family():
    from sim.experiment.resources import ResourceLimitError

    assert issubclass(ScenarioError, MentorsimError)
    assert issubclass(ResourceLimitError, MentorsimError)
