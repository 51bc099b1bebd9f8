"""Bad paths and flags in one line, before the work; write faults in one line (issue 18, 5).

Each case checks the exit code, that the message is one line naming the flag (or path)
and the value, and that no work was done (the run or comparison entry point is replaced
by one that fails the test) or that nothing left looks complete.
"""

import contextlib
import errno
import importlib
import io
import json
import os
import socket
from pathlib import Path

import pandas as pd
import pytest

import sim.experiment.compare
import sim.experiment.paths
import sim.experiment.run
from sim.cli.parser import COMMANDS, build_parser
from sim.experiment.paths import (
    NAME_MAX,
    STAGING_EXTRA,
    OutputPathError,
    check_output_path,
    fit_name,
    is_write_error,
)
from tests.cli.test_bad_input import cli
from tests.paths import BASELINE

TINY = ["--set", "organisation.headcount=30", "--set", "horizon_weeks=8"]


# modules that bind run_scenario or run_comparison when imported: imported before either is
# replaced, so that no module keeps the replacement after the test
BINDERS = ("sim.experiment.plan", "sim.experiment.reproduce", "sim.experiment.results",
           "sim.experiment.rollout", "sim.experiment.runner", "sim.experiment.optimise",
           "sim.experiment.calibrate", "sim.viz.decision_report", "sim.viz.drawing",
           "sim.viz.run_report")


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a run or a comparison starts."""
    for name in BINDERS:
        with contextlib.suppress(ImportError):  # an extra that is not installed
            importlib.import_module(name)

    def forbidden(*args, **kwargs):
        raise AssertionError("the work started before the flag was checked")

    monkeypatch.setattr(sim.experiment.run, "run_scenario", forbidden)
    monkeypatch.setattr(sim.experiment.compare, "run_comparison", forbidden)


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def write_sweep(tmp_path: Path) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'base = "{BASELINE}"\n[set]\n"organisation.headcount" = 30\n'
                    'horizon_weeks = 8\n[factors]\n"workforce.annual_turnover" = [0.1, 0.2]\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["run", "baseline", *TINY, "--quiet"],
    ["compare", "baseline", "--reps", "2", *TINY, "--quiet"],
    ["rollout", "baseline", *TINY],
])
def test_out_under_a_plain_file_is_refused_before_the_work(tmp_path, no_work, command):
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    code, out, err = cli([*command, "--out", tmp_path / "file" / "r"])
    assert code == 2 and out == ""
    assert f"{tmp_path / 'file'} is a file, so nothing can be made under it" in one_line(err)
    assert (tmp_path / "file").read_text(encoding="utf-8") == "mine"


def test_sweep_out_under_a_plain_file_is_refused_before_any_run(tmp_path):
    (tmp_path / "file").write_text("mine", encoding="utf-8")
    code, out, err = cli(["sweep", write_sweep(tmp_path), "--out", tmp_path / "file" / "r",
                          "--quiet"])
    assert code == 2 and "is a file, so nothing can be made under it" in one_line(err)
    assert out == ""


def test_compare_out_naming_a_file_is_refused_before_the_work(tmp_path, no_work):
    (tmp_path / "report.txt").write_text("mine", encoding="utf-8")
    code, _, err = cli(["compare", "baseline", "--reps", "2", *TINY, "--out",
                        tmp_path / "report.txt"])
    assert code == 2 and "report.txt: is a file, not a directory" in one_line(err)


@pytest.mark.parametrize("command", [
    ["run", "baseline", *TINY], ["compare", "baseline", *TINY], ["rollout", "baseline"],
    ["optimise", "baseline"],
])
def test_an_empty_out_is_refused_not_replaced_by_the_default(tmp_path, monkeypatch, no_work,
                                                              command):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli([*command, "--out", ""])
    assert code == 2 and "--out = '': an empty path" in one_line(err)
    assert list(tmp_path.iterdir()) == []  # no results/ made


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc on this system")
def test_out_under_proc_is_refused_in_one_line(no_work):
    code, _, err = cli(["run", "baseline", *TINY, "--out", "/proc/mentorsim-results"])
    assert code == 2 and "nothing can be written in /proc" in one_line(err)


@pytest.mark.parametrize("reason, hint", [(errno.EROFS, "read-only"),
                                          (errno.EACCES, "you can write to")])
def test_out_on_a_read_only_or_unwritable_file_system_is_refused(tmp_path, monkeypatch,
                                                                 no_work, reason, hint):
    # as root, chmod 555 stops nothing: the probe's mkdtemp is made to fail as it would
    def refuse(*args, **kwargs):
        raise OSError(reason, os.strerror(reason), kwargs.get("dir"))

    monkeypatch.setattr(sim.experiment.paths.tempfile, "mkdtemp", refuse)
    code, _, err = cli(["run", "baseline", *TINY, "--out", tmp_path / "r"])
    assert code == 2 and f"nothing can be written in {tmp_path}" in one_line(err)
    assert os.strerror(reason) in err and hint in err
    assert list(tmp_path.iterdir()) == []


def test_a_name_over_255_bytes_is_refused_and_a_long_default_is_shortened(tmp_path):
    long = "é" * 130  # 260 bytes, 130 characters
    with pytest.raises(OutputPathError, match="is 260 bytes; at most 255"):
        check_output_path(tmp_path / long / "r")
    with pytest.raises(OutputPathError, match=f"at most {NAME_MAX - STAGING_EXTRA}"):
        check_output_path(tmp_path / ("a" * 240))  # fits, but its staging name would not
    short = fit_name("compare-" + "-".join(["x" * 80] * 4))
    assert len(short.encode()) <= NAME_MAX - STAGING_EXTRA
    assert short == fit_name("compare-" + "-".join(["x" * 80] * 4))  # deterministic
    assert short != fit_name("compare-" + "-".join(["x" * 80] * 3 + ["y" * 80]))
    assert fit_name(long).encode("utf-8")  # cut on a character boundary
    assert fit_name("compare-a-b") == "compare-a-b"


def test_compare_of_long_named_scenarios_writes_a_shortened_default_directory(tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = BASELINE.read_text(encoding="utf-8")
    files = []
    for k in range(3):
        path = tmp_path / f"scenario_{k}_{'long_name_' * 9}.toml"  # 100-character stems
        path.write_text(text, encoding="utf-8")
        files.append(path)
    code, _, err = cli(["compare", *files, "--reps", "2", "--no-uncertainty", *TINY,
                        "--quiet"])
    assert code == 0, err
    [made] = (tmp_path / "results").iterdir()
    assert made.name.startswith("compare-scenario_0_long_name_")
    assert len(made.name.encode()) <= NAME_MAX - STAGING_EXTRA
    assert (made / "manifest.json").is_file()


@pytest.mark.parametrize("width", ["0", "-1", "nan", "inf"])
def test_width_must_be_a_finite_positive_number(no_work, width):
    code, _, err = cli(["compare", "baseline", *TINY, "--width", width])
    assert code == 2
    assert f"argument --width: '{width}': expected a finite number above 0" in one_line(err)


def test_an_unknown_metric_is_refused_before_the_work_with_suggestions(no_work):
    code, _, err = cli(["compare", "baseline", *TINY, "--metric", "perfomance"])
    assert code == 2 and "--metric = 'perfomance': not a result of a run" in one_line(err)
    assert "did you mean performance" in err and "pairs_matched" in err


def test_a_known_metric_outside_the_headline_and_an_evaluation_result_pass():
    from sim.cli.compare import check_metric

    check_metric("pairs_matched")
    check_metric("level5_roi.roi_percent")
    check_metric("paired_roi_percent")


@pytest.mark.parametrize("address", ["x y", "tcp://h", "tcp://h:0", "tcp://h:70000",
                                     "http://h:8786", "tcp://:8786", "h:port"])
def test_a_malformed_scheduler_address_is_refused(no_work, address):
    code, _, err = cli(["compare", "baseline", *TINY, "--scheduler", address])
    assert code == 2 and f"argument --scheduler: {address!r}" in one_line(err)


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "sched:8786",
                                     "tls://sched.example.org:8786", "tcp://[::1]:8786",
                                     "inproc://abc"])
def test_well_formed_scheduler_addresses_pass(address):
    from sim.cli.common import scheduler_address

    assert scheduler_address(address) == address


@pytest.fixture
def no_server(monkeypatch):
    import importlib.util

    import sim.cli.app

    if importlib.util.find_spec("solara") is None:
        pytest.skip("the app needs the viz extra (solara)")

    def forbidden(*args, **kwargs):
        raise AssertionError("the server was started")

    monkeypatch.setattr(sim.cli.app.subprocess, "call", forbidden)
    monkeypatch.setattr(sim.cli.app, "serve", forbidden, raising=False)


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_app_port_out_of_range_is_a_usage_error(no_server, port):
    code, out, err = cli(["app", "--no-open", "--port", port])
    assert code == 2 and out == "" and f"argument --port: '{port}'" in one_line(err)


def test_app_on_a_busy_port_is_refused_before_saying_serving(no_server):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = cli(["app", "--no-open", "--port", port])
    assert code == 2 and "serving" not in out
    assert f"--port {port}: cannot listen there: in use" in one_line(err)


def test_app_on_a_host_that_does_not_resolve_is_refused(no_server):
    code, out, err = cli(["app", "--no-open", "--host", "no such host.invalid"])
    assert code == 2 and "serving" not in out and "--host = 'no such host.invalid'" in err


def test_analyse_refuses_an_analysis_path_that_is_a_file(tmp_path):
    (tmp_path / "analysis").write_text("mine", encoding="utf-8")
    code, _, err = cli(["analyse", tmp_path])
    assert code == 2 and "the analysis directory" in one_line(err)
    assert "analysis: is a file, not a directory" in err
    assert (tmp_path / "analysis").read_text(encoding="utf-8") == "mine"


def test_analyse_refuses_a_read_only_directory(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(sim.experiment.paths.tempfile, "mkdtemp", refuse)
    code, _, err = cli(["analyse", tmp_path])
    assert code == 2 and f"nothing can be written in {tmp_path}" in one_line(err)


def test_sweep_refuses_an_analysis_path_that_is_a_file_before_running(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "analysis").write_text("mine", encoding="utf-8")
    code, stdout, err = cli(["sweep", write_sweep(tmp_path), "--out", out, "--quiet"])
    assert code == 2 and "analysis: is a file" in one_line(err) and stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["analysis"]


@pytest.fixture(scope="module")
def run_directory(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    code, _, err = cli(["run", "baseline", *TINY, "--quiet", "--no-plots", "--out", out])
    assert code == 0, err
    return out


@pytest.mark.parametrize("seed", ["abc", 1.5, True, None, -3])
def test_rerun_of_a_manifest_with_a_bad_seed_is_one_line(tmp_path, run_directory, seed):
    import shutil

    copy = tmp_path / "r"
    shutil.copytree(run_directory, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["seed"] = seed
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, _, err = cli(["rerun", copy])
    assert code == 2 and f"manifest.json: seed = {seed!r}: expected an integer" in one_line(err)


def test_rerun_refuses_an_empty_out_before_re_running(run_directory, no_work):
    code, _, err = cli(["rerun", run_directory, "--out", ""])
    assert code == 2 and "--out = ''" in one_line(err)


def test_help_texts_show_percent_signs_once():
    parser = build_parser()
    actions = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse's map
    assert set(actions) == {c.__name__.rsplit(".", 1)[-1] for c in COMMANDS}
    for name, sub in actions.items():
        text = sub.format_help()
        assert "%%" not in text, name
    assert "95% intervals" in actions["optimise"].format_help()
    assert "95% interval of a paired" in actions["compare"].format_help()


def test_disk_full_while_writing_a_run_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import sim.experiment.results

    def full(path, frame):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(sim.experiment.results, "write_parquet", full)
    code, _, err = cli(["run", "baseline", *TINY, "--quiet", "--no-plots", "--out",
                        tmp_path / "r"])
    assert code == 2 and "cannot write (No space left on device)" in one_line(err)
    assert "timeseries.parquet" in err and "no manifest.json" in err
    assert list(tmp_path.iterdir()) == []


def test_disk_full_in_a_sweep_is_one_line_and_nothing_looks_complete(tmp_path, monkeypatch):
    def full(self, path, *args, **kwargs):  # pyarrow's way: the errno only in the text
        raise OSError("[Errno 28] Error writing bytes to file. Detail: [errno 28] No space "
                      "left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    out = tmp_path / "out"
    code, _, err = cli(["sweep", write_sweep(tmp_path), "--out", out, "--quiet"])
    assert code == 2 and f"{out}: cannot write" in one_line(err)
    assert "No space left on device" in err
    assert not (out / "manifest.json").exists()
    assert not list(out.rglob("*.parquet"))


def test_only_faults_of_writing_count_as_write_errors():
    assert is_write_error(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert is_write_error(PermissionError(errno.EACCES, "Permission denied"))
    assert not is_write_error(OSError(errno.EIO, "Input/output error"))
    assert not is_write_error(ValueError("No space left on device"))


def test_the_probe_leaves_nothing_behind(tmp_path):
    assert check_output_path(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert list(tmp_path.iterdir()) == []  # neither a/ nor the probe directory is left


def test_plan_reps_below_two_is_refused_not_read_as_the_plans_own(tmp_path, no_work):
    plan = tmp_path / "p.toml"
    plan.write_text('organisation = "baseline"\n[designs.a]\n"programme.enabled" = true\n',
                    encoding="utf-8")
    for reps in ("0", "1"):
        code, _, err = cli(["plan", plan, "--reps", reps, "--out", tmp_path / "o"])
        assert code == 2 and f"--reps = {reps}: need at least 2" in one_line(err)
    assert not (tmp_path / "o").exists()


def test_analyse_heatmap_of_one_factor_twice_is_refused(tmp_path):
    code, _, err = cli(["analyse", tmp_path, "--heatmap", "x", "x"])
    assert code == 2 and "--heatmap x x: give two different factors" in one_line(err)


@pytest.mark.parametrize("command, message", [
    (["analyse", ""], "DIR = '': an empty path"),
    (["rerun", ""], "DIR = '': an empty path"),
    (["sweep", ""], "SWEEP = '': an empty path"),
    (["plan", ""], "plan = '': an empty path"),
    (["validate", ""], "scenario = '': an empty path"),
])
def test_an_empty_positional_path_is_not_read_as_the_current_directory(command, message):
    code, _, err = cli(command)
    assert code == 2 and message in one_line(err)


@pytest.mark.parametrize("out", [".", "..", "/", "./", "a/.."])
def test_out_naming_the_current_parent_or_root_directory_is_refused(tmp_path, monkeypatch,
                                                                     no_work, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    code, _, err = cli(["run", "baseline", *TINY, "--out", out])
    assert code == 2 and f"--out = {out!r}: name a directory of its own" in one_line(err)
    assert [p.name for p in tmp_path.iterdir()] == ["a"]  # no .old or .partial left


def test_an_existing_out_that_cannot_be_written_is_refused_without_writing_in_it(
        tmp_path, monkeypatch, no_work):
    out = tmp_path / "old"
    out.mkdir()
    monkeypatch.setattr(sim.experiment.paths.os, "access", lambda *args: False)
    code, _, err = cli(["compare", "baseline", *TINY, "--out", out])
    assert code == 2 and f"nothing can be written in {out} (Permission denied)" in one_line(err)
    assert list(out.iterdir()) == []


def test_dangling_links_and_link_loops_on_the_way_are_refused(tmp_path, no_work):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    for out in (tmp_path / "dangling", tmp_path / "loop" / "r"):
        code, _, err = cli(["run", "baseline", *TINY, "--out", out])
        assert code == 2 and "is a broken link (or a link loop)" in one_line(err)


@pytest.mark.parametrize("out", ["a\nb", "a\x1b[2Jb", "a\x00b"])
def test_control_characters_in_out_are_refused(tmp_path, out):
    with pytest.raises(OutputPathError, match="a control character in a path"):
        check_output_path(tmp_path / out)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_the_probe_says_to_free_space(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sim.experiment.paths.tempfile, "mkdtemp", full)
    with pytest.raises(OutputPathError, match=r"\(No space left on device\); free some space"):
        check_output_path(tmp_path / "r")


class _Unwritable(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


@pytest.mark.parametrize("command", [["scenarios"], ["scenarios", "mentoring"],
                                     ["validate", "baseline", "--show"]])
def test_standard_output_on_a_full_disk_is_one_line(command):
    from sim.cli import main

    err = io.StringIO()
    full = _Unwritable(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with contextlib.redirect_stdout(full), contextlib.redirect_stderr(err):
        code = main(command)
    assert code == 2
    assert one_line(err.getvalue()) == ("mentorsim: error: standard output: cannot write (No "
                                        "space left on device)\n")


def test_a_closed_pipe_on_standard_output_ends_quietly():
    from sim.cli import main
    from sim.cli.common import EXIT_BROKEN_PIPE

    err = io.StringIO()
    closed = _Unwritable(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))
    with contextlib.redirect_stdout(closed), contextlib.redirect_stderr(err), \
            pytest.raises(SystemExit) as caught:
        main(["scenarios"])
    assert caught.value.code == EXIT_BROKEN_PIPE and err.getvalue() == ""


def test_a_separator_in_a_plans_name_does_not_move_its_default_directory(tmp_path):
    from sim.config.plan_file import load_plan_file
    from sim.experiment.paths import safe_name
    from sim.experiment.plan import default_plan_out

    plan = tmp_path / "p.toml"
    plan.write_text('name = "../2027/Q1"\norganisation = "baseline"\n[designs.a]\n'
                    '"programme.enabled" = true\n', encoding="utf-8")
    out = default_plan_out(load_plan_file(plan), plan)
    assert out == Path("results") / "plan-.._2027_Q1"
    assert safe_name("a\\b/c") == "a_b_c"


def test_rerun_out_inside_the_directory_being_re_run_is_refused(run_directory, no_work):
    before = sorted(p.name for p in run_directory.iterdir())
    code, _, err = cli(["rerun", run_directory, "--out", run_directory / "again"])
    assert code == 2 and "the directory being re-run" in one_line(err)
    assert sorted(p.name for p in run_directory.iterdir()) == before


@pytest.mark.parametrize("flag, value, least", [("--population", "1", 2),
                                                ("--generations", "0", 1),
                                                ("--workers", "-2", 1),
                                                ("--predictive", "0", 1)])
def test_calibrate_counts_are_named_with_their_value(tmp_path, flag, value, least):
    code, _, err = cli(["calibrate", "baseline", "--targets", tmp_path / "t.toml", flag, value,
                        "--out", tmp_path / "o"])
    assert code == 2 and f"{flag} = {value}: expected at least {least}" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_an_evaluation_metric_the_comparison_lacks_is_refused_before_its_report(tmp_path):
    out = tmp_path / "c"
    code, _, err = cli(["compare", "baseline", "--reps", "2", "--no-uncertainty", *TINY,
                        "--quiet", "--metric", "level5_roi.nonsense", "--out", out])
    assert code == 2
    assert "--metric = 'level5_roi.nonsense': not a result of this comparison" in one_line(err)
    assert not (out / "manifest.json").exists() and not (out / "report.md").exists()
    assert len(list((out / "runs").iterdir())) == 2  # kept: the same command resumes


def test_a_path_over_the_system_limit_is_refused(tmp_path):
    with pytest.raises(OutputPathError, match=r"the path is \d+ bytes; at most 4071"):
        check_output_path(tmp_path.joinpath(*["d" * 200] * 25))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("budget", ["nan", "inf", "0"])
def test_optimise_budget_must_be_finite_and_positive(tmp_path, budget):
    code, _, err = cli(["optimise", "baseline", "--budget", budget, "--out", tmp_path / "o"])
    assert code == 2
    assert f"--budget = {float(budget)}: must be a finite number above 0" in one_line(err)


def test_an_out_that_is_not_utf8_is_refused_before_the_work(tmp_path, no_work):
    code, _, err = cli(["run", "baseline", *TINY, "--out", str(tmp_path) + "/caf\udce9"])
    assert code == 2 and "not UTF-8 (pyarrow" in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_app_on_any_free_port_does_not_claim_port_zero(no_server, monkeypatch):
    import sim.cli.app

    monkeypatch.setattr(sim.cli.app, "serve", lambda argv: 0)
    code, out, _ = cli(["app", "--no-open", "--port", "0"])
    assert code == 0 and ":0/" not in out and "a free port" in out
