"""Signals and orphans: a stopped command leaves no process behind and says what is on disk.

The subprocess tests start ``mentorsim`` in a new session, so every process it starts
(pool workers, Dask workers, the resource tracker, the app's server) shares its process
group; after the signal they look in ``/proc`` for any live member of that group.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import parser as cli
from sim.experiment import lifetime
from tests.experiment.sweeps import sweep_file
from tests.paths import BASELINE, MENTORING
from tests.plans import write_plan

SMALL = ["--set", "organisation.headcount=100", "--set", "horizon_weeks=30",
         "--set", "programme.duration_weeks=8"]
POOL = ["--executor", "processes", "--workers", "2"]


group_members = lifetime.group_members


def wait_until_gone(pgid: int, seconds: float = 8.0) -> list[int]:
    """Members of the group still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def start(args, cwd) -> subprocess.Popen:
    # stderr to a file: a pipe would stay open as long as any child holds it
    err_path = Path(cwd) / "stderr.txt"
    with err_path.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=cwd,
                                   start_new_session=True, stdout=subprocess.DEVNULL,
                                   stderr=err)
    process.err_path = err_path
    return process


def wait_for_runs(out: Path, process: subprocess.Popen, seconds: float = 60.0) -> None:
    """Wait until the first run file is written (the workers are up and working)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any((out / "runs").glob("*.parquet")):
            return
        assert process.poll() is None, process.err_path.read_text()
        time.sleep(0.05)
    raise AssertionError("no run was written")


def stop(process: subprocess.Popen, *signals: int, gap: float = 0.0) -> tuple[int, str]:
    for n, signum in enumerate(signals):
        if n:
            time.sleep(gap)
        process.send_signal(signum)
    try:
        # 60 s: once in a CI run (the whole suite, a fresh clone) a SIGTERM'd pool sweep
        # had not ended after 30 s, and never in isolation; what it waited on is printed
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        waiting = {pid: _wait_channel(pid) for pid in group_members(process.pid)}
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise AssertionError(f"the command did not stop within 60 s; the group waited in "
                             f"{waiting}; its stderr: {process.err_path.read_text()[-1500:]}"
                             ) from None
    return process.returncode, process.err_path.read_text()


def _wait_channel(pid: int) -> str:
    """Where a process sleeps in the kernel, and its command line (for a failure message)."""
    try:
        where = Path(f"/proc/{pid}/wchan").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
    except OSError:
        return "gone"
    return f"{where} ({command.decode(errors='replace')})"


def cleanup(pgid: int) -> None:
    for pid in group_members(pgid):  # only if a test failed: do not leave them
        os.kill(pid, signal.SIGKILL)


def sweep_args(tmp_path):
    path = sweep_file(tmp_path, levels=(1, 2, 3), replications=20, headcount=100, weeks=30)
    return ["sweep", str(path), "--out", "out", "--quiet", "--no-analysis"]


def compare_args():
    return ["compare", str(BASELINE), str(MENTORING), "--reps", "15", "--no-uncertainty",
            "--out", "out", "--quiet", *SMALL]


@pytest.mark.slow
def test_sigterm_is_handled_like_ctrl_c_and_the_workers_exit(tmp_path):
    process = start([*sweep_args(tmp_path), *POOL], tmp_path)
    try:
        wait_for_runs(tmp_path / "out", process)
        assert len(lifetime.children_of(process.pid)) >= 2  # the two workers
        code, err = stop(process, signal.SIGTERM)
        assert code == 143
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1] == (
            "mentorsim: terminated (SIGTERM); out is incomplete (no manifest.json); its "
            "finished runs are kept in out/runs/: run the same command again to resume")
        assert wait_until_gone(process.pid) == []
        assert not (tmp_path / "out" / "manifest.json").exists()
    finally:
        cleanup(process.pid)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["sweep", "compare", "plan"])
def test_sigkill_leaves_no_pool_worker_alive(tmp_path, command):
    args = {"sweep": sweep_args(tmp_path), "compare": compare_args(),
            "plan": ["plan", str(write_plan(tmp_path)), "--reps", "10", "--out", "out",
                     "--quiet"]}[command]
    process = start([*args, *POOL], tmp_path)
    try:
        wait_for_runs(tmp_path / "out", process)
        workers = lifetime.children_of(process.pid)
        assert len(workers) >= 2
        code, _ = stop(process, signal.SIGKILL)
        assert code == -signal.SIGKILL
        assert wait_until_gone(process.pid) == []  # they used to run on, reparented
    finally:
        cleanup(process.pid)


@pytest.mark.slow
def test_ctrl_c_twice_on_a_pool_sweep_does_not_hang(tmp_path):
    process = start([*sweep_args(tmp_path), *POOL], tmp_path)
    try:
        wait_for_runs(tmp_path / "out", process)
        clock = time.monotonic()
        code, err = stop(process, signal.SIGINT, signal.SIGINT, gap=0.3)  # hung before
        # 130: the second Ctrl-C came while the first was handled (or during exit's
        # joins); -2: it came after Python had reset its handlers, in the last moments of
        # the exit, and ended the process at once (a shell shows 130 for both)
        assert code in (130, -signal.SIGINT)
        assert time.monotonic() - clock < 10
        assert "Traceback" not in err
        assert wait_until_gone(process.pid) == []
    finally:
        cleanup(process.pid)


@pytest.mark.slow
def test_sigkill_leaves_no_dask_worker_alive(tmp_path):
    pytest.importorskip("distributed")
    process = start([*sweep_args(tmp_path), "--executor", "dask", "--workers", "2"],
                    tmp_path)
    try:
        wait_for_runs(tmp_path / "out", process)
        code, _ = stop(process, signal.SIGKILL)
        assert code == -signal.SIGKILL
        assert wait_until_gone(process.pid) == []
    finally:
        cleanup(process.pid)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now (``SO_REUSEADDR``, as uvicorn binds)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_app_frees_its_port(tmp_path, signum):
    pytest.importorskip("solara")
    port = free_port()
    process = start(["app", "--port", str(port), "--no-open"], tmp_path)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None, process.err_path.read_text()
                time.sleep(0.2)
        assert lifetime.children_of(process.pid)  # the server
        code, _ = stop(process, signum)
        assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 143)
        assert wait_until_gone(process.pid) == []  # the server used to stay, bound
        deadline = time.monotonic() + 5  # a dying process's other threads close it
        while not port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert port_is_free(port)
    finally:
        cleanup(process.pid)


# --- the message says what is on disk ----------------------------------------------------
RUN = ["--quiet", "--no-plots", "--set", "organisation.headcount=60", "--set",
       "horizon_weeks=8", "--set", "programme.duration_weeks=4"]


def test_ctrl_c_just_after_a_run_was_written_says_it_was(tmp_path, monkeypatch, capsys):
    from sim.viz import run_report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_report, "format_summary", interrupted)  # printing the summary
    out = tmp_path / "r"
    assert cli.main(["run", str(MENTORING), "--out", str(out), *RUN]) == 130
    err = capsys.readouterr().err
    assert (out / "manifest.json").is_file()
    assert err == f"mentorsim: interrupted; {out} was written and is complete\n"


def test_ctrl_c_during_a_run_says_what_is_kept(tmp_path, monkeypatch, capsys):
    import sim.experiment.run

    out = tmp_path / "r"
    assert cli.main(["run", str(MENTORING), "--out", str(out), *RUN]) == 0
    before = (out / "manifest.json").stat().st_mtime_ns
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.experiment.run, "run_scenario", interrupted)
    assert cli.main(["run", str(MENTORING), "--out", str(out), *RUN]) == 130
    assert capsys.readouterr().err == (
        f"mentorsim: interrupted; {out} is unchanged (its earlier complete results are "
        "kept)\n")
    assert (out / "manifest.json").stat().st_mtime_ns == before
    other = tmp_path / "new"
    assert cli.main(["run", str(MENTORING), "--out", str(other), *RUN]) == 130
    assert capsys.readouterr().err == (
        f"mentorsim: interrupted; no results were written to {other}\n")


def test_describe_outputs_tells_incomplete_sweeps(tmp_path):
    lifetime.forget_outputs()
    out = tmp_path / "sweep"
    lifetime.declare_output(out)
    (out / "runs").mkdir(parents=True)
    assert "is incomplete (no manifest.json); its finished runs are kept" in \
        lifetime.describe_outputs()
    (out / "manifest.json").write_text("{}")
    assert lifetime.describe_outputs() == f"{out} was written and is complete"
    lifetime.forget_outputs()
    assert lifetime.describe_outputs() == ""  # main() then says only "interrupted"


def test_sigterm_in_process_raises_interrupted_and_is_remembered():
    with lifetime.handle_signals():
        with pytest.raises(KeyboardInterrupt) as caught:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises before this ends
        assert isinstance(caught.value, lifetime.Interrupted)
        assert caught.value.signum == signal.SIGTERM
        assert lifetime.received() == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # restored


def test_a_worker_initializer_sets_the_parent_death_signal():
    code = ("import ctypes, os, signal; from sim.experiment import lifetime; "
            "lifetime.init_worker(os.getppid()); "
            "libc = ctypes.CDLL(None); v = ctypes.c_int(); "
            "libc.prctl(2, ctypes.byref(v), 0, 0, 0); "  # PR_GET_PDEATHSIG
            "print(v.value, signal.getsignal(signal.SIGINT) == signal.SIG_IGN)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == [str(int(signal.SIGKILL)), "True"]


def test_a_default_out_is_declared_once(tmp_path, monkeypatch, capsys):
    import sim.experiment.run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sim.experiment.run, "run_scenario", interrupted)
    assert cli.main(["run", str(MENTORING), *RUN]) == 130  # the default: results/mentoring
    assert capsys.readouterr().err == (
        "mentorsim: interrupted; no results were written to results/mentoring\n")
    assert cli.main(["run", str(MENTORING), "--out", f"{tmp_path}/./r", *RUN]) == 130
    assert capsys.readouterr().err.count("no results were written") == 1


def test_warm_ups_travel_by_name():
    from sim.experiment import runner

    # unpickled in the worker only after it is bound to its parent (init_worker imports it)
    assert lifetime.by_name(runner.warm_up) == "sim.experiment.runner:warm_up"
    local = lambda: None  # noqa: E731 - a function that has no importable name
    assert lifetime.by_name(local) is local
    assert lifetime.by_name(None) is None
