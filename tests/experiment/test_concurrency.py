"""Concurrent writers of one results directory: the lock, stale locks, staging left behind.

Two processes on one ``--out`` (issue 18, class 1): the second is refused in one line
naming the directory and the holder, and the first finishes with only its own runs; a
lock left by a killed writer is taken over with a notice; a starting writer removes no
live writer's temporary files; a killed ``mentorsim run`` leaves staging directories that
the next run removes (class 3). Run ids key the resolved base scenario.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from sim.errors import ResultsError
from sim.experiment import lock
from sim.experiment.designs import load_sweep, sweep_from_dict
from sim.experiment.runner import run_sweep
from sim.experiment.store import clean_stale_staging, staged_directory
from tests.experiment.sweeps import assert_store_sound, read_summary, sweep_file
from tests.paths import MENTORING, ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TINY = ["--set", "organisation.headcount=30", "--set", "horizon_weeks=8",
        "--set", "programme.duration_weeks=4", "--quiet"]
TINY_RUN = [*TINY, "--no-plots"]

HOLD = """
import sys, time
from sim.experiment.store import staged_directory
with staged_directory(sys.argv[1]) as staging:
    (staging / "half.txt").write_text("half written")
    print("holding", flush=True)
    time.sleep(120)
"""


GATED = """
import os, sys, time
import sim.experiment.runner as runner
real = runner.run_one
def gated(*args, **kwargs):
    if runner._gate_calls:  # the first run at once, the others once the gate file exists
        while not os.path.exists(os.environ["GATE"]):
            time.sleep(0.02)
    runner._gate_calls += 1
    return real(*args, **kwargs)
runner._gate_calls = 0
runner.run_one = gated
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def gated_sweep(tmp_path, path, out):
    """A sweep process that makes its first run, then waits until :func:`open_gate`."""
    script = tmp_path / "gated.py"
    script.write_text(GATED)
    gate = tmp_path / "gate"
    return subprocess.Popen(
        [sys.executable, str(script), "sweep", str(path), "--out", str(out), "--quiet",
         "--no-analysis"], cwd=ROOT, env={**ENV, "GATE": str(gate)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def open_gate(tmp_path):
    (tmp_path / "gate").write_text("")


def wait_for(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def holder(tmp_path, out):
    """A process writing ``out`` through staged_directory, stopped half-way (lock held)."""
    script = tmp_path / "hold.py"
    script.write_text(HOLD)
    proc = subprocess.Popen([sys.executable, str(script), str(out)], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)], cwd=ROOT,
                          env=ENV, capture_output=True, text=True, timeout=120)


def one_line(stderr):
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- two sweeps on one --out ---------------------------------------------------------------
def test_second_sweep_is_refused_and_the_first_keeps_only_its_runs(tmp_path, capfd):
    first = sweep_file(tmp_path, levels=(1, 2), replications=3, headcount=30, weeks=8)
    edited = sweep_file(tmp_path, levels=(1, 2), replications=3, headcount=40, weeks=8,
                        name="edited.toml")  # another base: --force-new would reset the dir
    out = tmp_path / "out"
    proc = gated_sweep(tmp_path, first, out)
    assert wait_for(lambda: len(list((out / "runs").glob("*.parquet"))) >= 1)
    live_tmp = out / "runs" / ".abc.parquet.k3j9x0ab.tmp"  # as if being written right now
    live_tmp.write_bytes(b"half a run")

    second = cli("sweep", edited, "--out", out, "--force-new", "--quiet", "--no-analysis")
    assert second.returncode == 2
    line = one_line(second.stderr)
    assert str(out) in line and "in use by another mentorsim process" in line
    assert f"pid {proc.pid} on host {socket.gethostname()}" in line and "since 20" in line
    assert live_tmp.exists()  # the refused sweep touched nothing
    assert proc.poll() is None

    open_gate(tmp_path)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert live_tmp.exists()  # nor did the first, which cleaned up when it started
    sweep = load_sweep(first)
    resumed = run_sweep(sweep, out, progress=False)  # now nobody writes: the tmp is stale
    assert resumed.skipped == 6 and not live_tmp.exists()
    assert "removed 1 temporary file left by a killed writer" in capfd.readouterr().err
    assert_store_sound(out, 6)
    assert sorted(read_summary(out)["id"]) == sorted(s.id for s in sweep.runs())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fingerprint"] == sweep.fingerprint()
    assert not lock.lock_path(out).exists()  # removed by its holder when done


def test_of_three_sweeps_started_at_once_exactly_one_writes(tmp_path):
    path = sweep_file(tmp_path, levels=(1, 2), replications=2, headcount=30, weeks=8)
    out = tmp_path / "out"
    procs = [gated_sweep(tmp_path, path, out) for _ in range(3)]
    # the losers are refused while the winner waits at the gate
    assert wait_for(lambda: sum(p.poll() is not None for p in procs) >= 2)
    time.sleep(0.5)  # had the third been let in, it would have ended too
    refused = [(p, p.communicate()) for p in procs if p.poll() is not None]
    assert len(refused) == 2 and all(p.returncode == 2 for p, _ in refused)
    winner = next(p for p in procs if p not in [r[0] for r in refused])
    for _, (_, stderr) in refused:
        assert f"in use by another mentorsim process (pid {winner.pid} " in one_line(stderr)
    open_gate(tmp_path)
    _, stderr = winner.communicate(timeout=120)
    assert winner.returncode == 0, stderr
    assert_store_sound(out, 4)


def test_lock_of_a_killed_sweep_is_taken_over_with_a_notice(tmp_path):
    path = sweep_file(tmp_path, levels=(1, 2), replications=2, headcount=30, weeks=8)
    out = tmp_path / "out"
    proc = gated_sweep(tmp_path, path, out)
    assert wait_for(lambda: len(list((out / "runs").glob("*.parquet"))) >= 1)
    kill(proc)
    left = json.loads(lock.lock_path(out).read_text())
    assert left["pid"] == proc.pid

    done = cli("sweep", path, "--out", out, "--quiet", "--no-analysis")
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.splitlines() if "stale lock" in line]
    assert len(notices) == 1 and f"pid {proc.pid}" in notices[0] and str(out) in notices[0]
    assert "4 of 4 runs done" in done.stdout
    assert_store_sound(out, 4)
    assert not lock.lock_path(out).exists()


def test_compare_on_a_directory_being_written_is_refused_before_any_work(tmp_path):
    out = tmp_path / "cmp"
    proc = holder(tmp_path, out)
    try:
        started = time.time()
        refused = cli("compare", "baseline", "mentoring", "--reps", 2, "--out", out, *TINY,
                      "--no-uncertainty")
        assert refused.returncode == 2
        line = one_line(refused.stderr)
        assert f"{out}: in use by another mentorsim process (pid {proc.pid}" in line
        assert not out.exists() and time.time() - started < 60
    finally:
        kill(proc)


# --- mentorsim run: the lock and staging directories left by a killed run ------------------
def test_second_run_on_one_out_is_refused_then_runs_once_the_holder_is_gone(tmp_path):
    out = tmp_path / "res"
    proc = holder(tmp_path, out)
    staging = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert len(staging) == 1  # the live writer's
    refused = cli("run", MENTORING, "--out", out, *TINY_RUN)
    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert f"pid {proc.pid}" in line and str(out) in line
    assert staging[0].exists() and not out.exists()  # a live writer's staging is kept

    kill(proc)
    done = cli("run", MENTORING, "--out", out, *TINY_RUN)
    assert done.returncode == 0, done.stderr
    assert "stale lock" in done.stderr and "removed 1 staging directory" in done.stderr
    assert not staging[0].exists() and (out / "manifest.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".res.")]


KILLED_RUN = """
import sys, time
import sim.experiment.run as run
real = run.run_scenario
def slow(*args, **kwargs):
    result = real(*args, **kwargs)
    print("ran", flush=True)
    time.sleep(120)
    return result
run.run_scenario = slow
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_staging_left_by_a_killed_run_is_cleaned_by_the_next(tmp_path):
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN)
    out = tmp_path / "res"
    other = tmp_path / ".res.b.k3j9x0ab.partial"  # staging of another --out, "res.b"
    other.mkdir()
    for _ in range(2):  # two killed runs leave two staging directories
        proc = subprocess.Popen([sys.executable, str(script), "run", str(MENTORING), "--out",
                                 str(out), *TINY_RUN], cwd=ROOT, env=ENV,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ran"
        kill(proc)
    left = [p for p in tmp_path.glob(".res.*.partial") if p != other]
    assert len(left) == 1  # the second run removed the first's (it held the lock)

    done = cli("run", MENTORING, "--out", out, *TINY_RUN)
    assert done.returncode == 0, done.stderr
    assert "removed 1 staging directory left by a killed writer" in done.stderr
    assert not [p for p in tmp_path.glob(".res.*.partial") if p != other]
    assert other.is_dir()  # not res's
    assert (out / "manifest.json").exists()


def test_stale_staging_is_cleaned_only_under_the_lock(tmp_path):
    out = tmp_path / "res"
    with pytest.raises(RuntimeError):
        clean_stale_staging(out)  # without the lock it cannot tell dead writers from live
    set_aside = tmp_path / ".res.abcdefgh.old" / "res"  # killed while swapping directories
    set_aside.mkdir(parents=True)
    (set_aside / "manifest.json").write_text("{}")
    with lock.locked(out):
        assert clean_stale_staging(out) == 1
    assert (out / "manifest.json").exists()  # the last complete results are put back
    assert not (tmp_path / ".res.abcdefgh.old").exists()


# --- the lock itself -----------------------------------------------------------------------
def test_lock_records_the_holder_nests_and_is_removed_when_released(tmp_path):
    out = tmp_path / "d"
    with lock.locked(out):
        recorded = json.loads(lock.lock_path(out).read_text())
        assert recorded["pid"] == os.getpid() and recorded["host"] == socket.gethostname()
        with lock.locked(tmp_path / "." / "d"):  # the same directory, nested
            assert lock.holds(out)
        assert lock.holds(out) and lock.lock_path(out).exists()
    assert not lock.holds(out) and not lock.lock_path(out).exists()


def test_staged_directory_refuses_while_another_process_writes(tmp_path):
    out = tmp_path / "res"
    proc = holder(tmp_path, out)
    try:
        with pytest.raises(ResultsError, match=rf"pid {proc.pid} on host"):
            with staged_directory(out):
                pass
    finally:
        kill(proc)
    with staged_directory(out) as staging:  # the holder is gone: taken over
        (staging / "x").write_text("1")
    assert (out / "x").read_text() == "1"


# --- run ids key the resolved scenario -----------------------------------------------------
def base_copy(tmp_path, headcount):
    """A copy of the mentoring scenario with ``headcount`` employees (edited in place)."""
    text = MENTORING.read_text(encoding="utf-8").replace("headcount = 1000",
                                                          f"headcount = {headcount}", 1)
    path = tmp_path / "base.toml"
    path.write_text(text, encoding="utf-8")
    return path


def small(base):
    return sweep_from_dict({"base": str(base), "replications": 2, "seed": 7,
                            "set": {"horizon_weeks": 8, "programme.duration_weeks": 4,
                                    "programme.start_week": 0},
                            "factors": {"programme.mentees_per_mentor": [1, 2]}},
                           "<test>", ROOT)


def test_run_ids_key_the_resolved_base_scenario(tmp_path):
    base = base_copy(tmp_path, 30)
    before = [s.id for s in small(base).runs()]
    assert before == [s.id for s in small(base).runs()]  # stable
    base_copy(tmp_path, 31)  # the base file edited, the sweep file not
    after = [s.id for s in small(base).runs()]
    assert len(set(after)) == 4 and not set(before) & set(after)


def test_an_edited_base_never_mixes_with_old_runs(tmp_path):
    base = base_copy(tmp_path, 30)
    out = tmp_path / "out"
    run_sweep(small(base), out, progress=False)
    old = read_summary(out)
    base_copy(tmp_path, 34)
    with pytest.raises(ResultsError, match="different sweep"):
        run_sweep(small(base), out, progress=False)
    outcome = run_sweep(small(base), out, progress=False, force_new=True)
    assert outcome.ran == 4 and outcome.skipped == 0
    new = read_summary(out)
    assert not set(old["id"]) & set(new["id"])
    assert (new["headcount"] > old["headcount"].max()).all()  # 34 people, not 30
    assert_store_sound(out, 4)


def test_lock_file_that_is_a_directory_is_one_line(tmp_path):
    out = tmp_path / "d"
    lock.lock_path(out).mkdir()
    with pytest.raises(ResultsError, match=rf"^{out}: cannot make the lock file .*\.d\.lock"):
        lock.acquire(out)


def test_another_thread_is_refused_like_another_process(tmp_path):
    import threading

    out = tmp_path / "d"
    seen = []

    def other():
        try:
            with lock.locked(out):
                seen.append("locked")
        except ResultsError as exc:
            seen.append(str(exc))

    with lock.locked(out):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(seen) == 1 and f"pid {os.getpid()}" in seen[0]


def test_a_link_to_the_directory_shares_its_lock(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    link = tmp_path / "link"
    link.symlink_to(out, target_is_directory=True)
    proc = holder(tmp_path, out)
    try:
        with pytest.raises(ResultsError, match=rf"^{link}: in use .*pid {proc.pid}"):
            lock.acquire(link)
    finally:
        kill(proc)


FORKING = """
import os, sys, time
from sim.experiment.lock import acquire
acquire(sys.argv[1])
if os.fork() == 0:  # a child that outlives its parent (as a figure process may)
    os.write(1, b"child\\n")
    time.sleep(60)
    os._exit(0)
os.write(1, b"parent\\n")
time.sleep(60)
"""


def test_a_forked_child_does_not_keep_its_dead_parents_lock(tmp_path, capfd):
    out = tmp_path / "d"
    script = tmp_path / "forking.py"
    script.write_text(FORKING)
    proc = subprocess.Popen([sys.executable, "-c", f"import os; os.setsid(); "
                             f"os.execv({sys.executable!r}, [{sys.executable!r}, "
                             f"{str(script)!r}, {str(out)!r}])"],
                            cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    assert {proc.stdout.readline().strip() for _ in range(2)} == {"child", "parent"}
    kill(proc)  # the parent dies; its child lives on
    try:
        with lock.locked(out):  # the lock died with its holder
            assert lock.holds(out)
        assert "stale lock" in capfd.readouterr().err
    finally:
        os.killpg(proc.pid, signal.SIGKILL)


def test_a_directory_under_a_plain_file_cannot_be_locked_in_one_line(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    out = tmp_path / "file" / "sub" / "out"
    with pytest.raises(ResultsError, match=rf"^{out}: cannot make the directory it goes in"):
        lock.acquire(out)


def test_optimise_on_a_directory_being_written_is_refused_before_the_search(tmp_path):
    out = tmp_path / "opt"
    proc = holder(tmp_path, out)
    try:
        refused = cli("optimise", "mentoring", *TINY[:-1], "--trials", 50, "--reps", 1,
                      "--confirm-reps", 2, "--out", out)
        assert refused.returncode == 2
        assert f"{out}: in use by another mentorsim process (pid {proc.pid}" in \
            one_line(refused.stderr)
        assert "trial" not in refused.stdout  # no design was tried (progress is shown)
    finally:
        kill(proc)
