"""The one runner: streaming to disk, resume, failure records, retries, foreign directories.

Kills at random moments (SIGKILL, twice) with a restart through the console entry, chunks
whose worker call fails, a Dask worker killed mid-sweep and writers that crash mid-write
never lose a run, duplicate one or leave a directory that looks finished.
"""

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.experiment.results as results
import sim.experiment.runner as runner
from sim.cli import main
from sim.errors import ResultsError
from sim.experiment import provenance
from sim.experiment.designs import load_sweep
from sim.experiment.executors import SerialExecutor
from sim.experiment.runner import run_sweep
from tests.experiment.sweeps import (
    assert_store_sound,
    read_summary,
    slowed_cli,
    sweep_file,
    tiny,
)
from tests.paths import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def test_sweep_writes_store_and_resumes(tmp_path):
    sweep = tiny()
    out = tmp_path / "out"
    first = run_sweep(sweep, out, progress=False)
    assert (first.runs, first.done, first.failed) == (8, 8, 0)
    for name in ("manifest.json", "sweep.json", "design.parquet", "summary.parquet",
                 "failures.parquet"):
        assert (out / name).exists()
    runs = sorted((out / "runs").glob("*.parquet"))
    assert len(runs) == 8
    one = pd.read_parquet(runs[0])
    assert (one["id"] == runs[0].stem).all() and len(one) == 21
    reference = read_summary(out)
    assert {"performance", "programme.duration_weeks", "seed"} <= set(reference.columns)

    for path in runs[:3]:
        path.unlink()
    (out / "summary.parquet").unlink()
    again = run_sweep(sweep, out, progress=False)
    assert (again.skipped, again.ran, again.done) == (5, 3, 8)
    pd.testing.assert_frame_equal(read_summary(out), reference, check_exact=True)


def test_run_files_and_manifest_record_the_cpu(tmp_path):
    out = tmp_path / "out"
    run_sweep(tiny(factors={"programme.mentees_per_mentor": [1]}), out, progress=False)
    here = provenance.cpu()
    assert here["name"] and here["features"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["provenance"]["cpu"] == here
    for path in (out / "runs").iterdir():
        assert results.read_run_meta(path)["cpu"] == here


def test_failing_run_is_recorded_and_others_finish(tmp_path, monkeypatch):
    real = runner.run_scenario

    def flaky(scenario, seed=None, **kwargs):
        if scenario.programme.duration_weeks == 8 and scenario.programme.mentees_per_mentor == 2:
            raise RuntimeError("boom")
        return real(scenario, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run_scenario", flaky)
    outcome = run_sweep(tiny(), tmp_path / "out", progress=False)
    assert (outcome.done, outcome.failed) == (6, 2)
    failures = pd.read_parquet(tmp_path / "out/failures.parquet")
    assert len(failures) == 2 and set(failures["error_type"]) == {"RuntimeError"}
    assert failures["error_message"].str.contains("boom").all()
    assert set(failures["programme.mentees_per_mentor"]) == {2}
    assert (tmp_path / "out/manifest.json").exists()

    monkeypatch.setattr(runner, "run_scenario", real)  # a retry succeeds
    retry = run_sweep(tiny(), tmp_path / "out", progress=False)
    assert (retry.ran, retry.done, retry.failed) == (2, 8, 0)
    assert pd.read_parquet(tmp_path / "out/failures.parquet").empty


def test_refuses_directory_of_another_sweep(tmp_path):
    out = tmp_path / "out"
    run_sweep(tiny(), out, progress=False)
    other = tiny(factors={"programme.duration_weeks": [4, 6]})
    with pytest.raises(ResultsError, match="different sweep"):
        run_sweep(other, out, progress=False)
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign/notes.txt").write_text("mine")
    with pytest.raises(ResultsError, match="not a sweep results directory"):
        run_sweep(tiny(), tmp_path / "foreign", progress=False)


@pytest.mark.slow
def test_serial_processes_and_dask_give_identical_results(tmp_path):
    pytest.importorskip("distributed")
    sweep = tiny("lhs", {"programme.meetings_per_month": [0.5, 4.0],
                         "programme.mentees_per_mentor": [1, 3]}, samples=6)
    run_sweep(sweep, tmp_path / "serial", progress=False)
    run_sweep(sweep, tmp_path / "processes", "processes", workers=2, progress=False)
    run_sweep(sweep, tmp_path / "dask", "dask", workers=2, progress=False)
    reference = read_summary(tmp_path / "serial")
    assert len(reference) == 12
    for kind in ("processes", "dask"):
        pd.testing.assert_frame_equal(read_summary(tmp_path / kind), reference,
                                      check_exact=True)


# --- interrupted sweeps ---------------------------------------------------------------------
@pytest.mark.slow
def test_sigkill_then_resume_gives_every_run_once(tmp_path):
    path = sweep_file(tmp_path, levels=(1, 2, 3), replications=8)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, str(slowed_cli(tmp_path, 0.15)), "sweep", str(path), "--out",
         str(out), "--quiet", "--no-analysis"], cwd=ROOT, env=ENV)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "runs").glob("*.parquet"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(list((out / "runs").glob("*.parquet")))
    assert 3 <= partial < 24 and not (out / "manifest.json").exists()

    sweep = load_sweep(path)
    resumed = run_sweep(sweep, out, progress=False)
    assert resumed.skipped == partial and resumed.done == 24
    fresh = run_sweep(sweep, tmp_path / "fresh", progress=False)
    assert fresh.ran == 24
    summary = read_summary(out)
    assert summary["id"].is_unique and len(summary) == 24
    assert len(list((out / "runs").iterdir())) == 24  # no stray temporary files
    pd.testing.assert_frame_equal(summary, read_summary(tmp_path / "fresh"), check_exact=True)


@pytest.mark.slow
def test_sweep_killed_twice_at_random_moments_then_resumed_by_the_cli(tmp_path):
    sweep = sweep_file(tmp_path)
    out = tmp_path / "killed"
    command = [sys.executable, str(slowed_cli(tmp_path)), "sweep", str(sweep), "--out",
               str(out), "--quiet", "--no-analysis"]
    rng = np.random.default_rng(20260101)
    for _ in range(2):
        before = len(list((out / "runs").glob("*.parquet"))) if out.exists() else 0
        proc = subprocess.Popen(command, cwd=ROOT, env=ENV)
        deadline = time.time() + 60
        while time.time() < deadline and \
                len(list((out / "runs").glob("*.parquet"))) <= before:
            time.sleep(0.02)
        time.sleep(float(rng.uniform(0.0, 0.4)))  # a random moment after a run file appears
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert not (out / "manifest.json").exists()
        for path in (out / "runs").glob("*.parquet"):  # whatever is there is whole
            pq.read_table(path)
    done = subprocess.run([sys.executable, "-m", "sim.cli", *command[2:]], cwd=ROOT, env=ENV,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "12 of 12 runs done, 0 failed" in done.stdout
    assert_store_sound(out, 12)
    fresh = run_sweep(load_sweep(sweep), tmp_path / "fresh", progress=False)
    assert fresh.ran == 12
    pd.testing.assert_frame_equal(read_summary(out), read_summary(tmp_path / "fresh"),
                                  check_exact=True)


# --- worker calls that fail as a whole --------------------------------------------------------
class FlakyExecutor(SerialExecutor):
    """Fails every worker call as a whole (a lost worker) ``fails`` times per chunk."""

    def __init__(self, fails):
        self.fails = fails
        self.seen = {}

    def submit(self, fn, /, *args, **kwargs):
        key = tuple(job[0] for job in args[1])
        self.seen[key] = self.seen.get(key, 0) + 1
        if self.seen[key] <= self.fails:
            future = Future()
            future.set_exception(OSError("connection to worker lost"))
            return future
        return super().submit(fn, *args, **kwargs)


@contextmanager
def flaky(fails):
    executor = FlakyExecutor(fails)

    @contextmanager
    def make(*args, **kwargs):
        yield executor

    yield make, executor


def test_lost_worker_calls_are_retried(tmp_path, monkeypatch):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1, 2), replications=2))
    with flaky(runner.CHUNK_ATTEMPTS - 1) as (make, executor):
        monkeypatch.setattr(runner, "make_executor", make)
        outcome = run_sweep(sweep, tmp_path / "out", progress=False)
    assert (outcome.done, outcome.failed) == (4, 0)
    assert set(executor.seen.values()) == {runner.CHUNK_ATTEMPTS}
    monkeypatch.undo()
    run_sweep(sweep, tmp_path / "fresh", progress=False)
    pd.testing.assert_frame_equal(read_summary(tmp_path / "out"),
                                  read_summary(tmp_path / "fresh"), check_exact=True)


def test_calls_that_keep_failing_are_recorded_not_lost(tmp_path, monkeypatch):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1, 2), replications=2))
    with flaky(runner.CHUNK_ATTEMPTS) as (make, _):
        monkeypatch.setattr(runner, "make_executor", make)
        outcome = run_sweep(sweep, tmp_path / "out", progress=False)
    assert (outcome.done, outcome.failed) == (0, 4)
    failures = pd.read_parquet(tmp_path / "out/failures.parquet")
    assert set(failures["error_type"]) == {"OSError"}
    monkeypatch.undo()
    again = run_sweep(sweep, tmp_path / "out", progress=False)  # a re-run finishes them
    assert (again.ran, again.done, again.failed) == (4, 4, 0)


@pytest.mark.slow
def test_dask_worker_killed_mid_sweep_loses_no_runs(tmp_path, dask_cluster):
    cluster, client = dask_cluster
    # runs of about half a second each, so the kill lands while most are still to do
    sweep = sweep_file(tmp_path, levels=(1, 2, 3), replications=4, headcount=20_000,
                       weeks=52)
    out = tmp_path / "dask"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(sweep), "--out", str(out), "--quiet",
         "--no-analysis", "--scheduler", cluster.scheduler_address],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    while time.time() < deadline and len(list((out / "runs").glob("*.parquet"))) < 2:
        time.sleep(0.05)
    pids = client.run(os.getpid)
    os.kill(pids[sorted(pids)[0]], signal.SIGKILL)
    killed_at = len(list((out / "runs").glob("*.parquet")))
    stdout, stderr = proc.communicate(timeout=180)
    assert killed_at < 12
    assert proc.returncode == 0, stderr
    assert "12 of 12 runs done, 0 failed" in stdout
    assert_store_sound(out, 12)
    run_sweep(load_sweep(sweep), tmp_path / "serial", progress=False)
    pd.testing.assert_frame_equal(read_summary(out), read_summary(tmp_path / "serial"),
                                  check_exact=True)


# --- writers that crash -----------------------------------------------------------------------
def test_crash_mid_write_of_a_run_file_leaves_no_partial_file(tmp_path, monkeypatch):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1, 2), replications=2))
    real = pq.write_table
    calls = {"n": 0}
    out = tmp_path / "out"

    def half_then_crash(table, where, **kwargs):
        if not str(where).startswith(str(out / "runs")):
            return real(table, where, **kwargs)
        calls["n"] += 1
        if calls["n"] == 3:
            Path(where).write_bytes(b"PAR1 half a file")
            raise OSError("No space left on device")
        return real(table, where, **kwargs)

    monkeypatch.setattr(results.pq, "write_table", half_then_crash)
    with pytest.raises(OSError, match="No space"):
        run_sweep(sweep, out, progress=False)
    files = list((out / "runs").iterdir())
    assert len(files) == 2 and not list(out.rglob(".*.tmp"))
    for path in files:
        pq.read_table(path)
    assert not (out / "manifest.json").exists()
    monkeypatch.undo()
    resumed = run_sweep(sweep, out, progress=False)
    assert (resumed.skipped, resumed.done) == (2, 4)
    assert_store_sound(out, 4)


def test_crash_while_writing_the_tables_leaves_the_sweep_incomplete(tmp_path, monkeypatch):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1,), replications=2))
    real = runner.write_parquet

    def crash_on_summary(path, frame):
        if Path(path).name == "summary.parquet":
            raise OSError("disk full")
        return real(path, frame)

    monkeypatch.setattr(runner, "write_parquet", crash_on_summary)
    with pytest.raises(OSError):
        run_sweep(sweep, tmp_path / "out", progress=False)
    assert not (tmp_path / "out/manifest.json").exists()
    assert not (tmp_path / "out/summary.parquet").exists()


# --- directories of other sweeps and other code -----------------------------------------------
def rewrite_identity(out, **changes):
    path = out / "sweep.json"
    identity = json.loads(path.read_text())
    identity.update(changes)
    identity = {k: v for k, v in identity.items() if v is not None}
    path.write_text(json.dumps(identity))


@pytest.mark.parametrize("recorded", [
    {"code": "0" * 64, "version": "0.0.9", "git_commit": "abc123def456"},
    None,  # written before provenance was recorded
])
def test_sweep_of_other_code_is_refused_not_mixed(tmp_path, recorded):
    sweep_path = sweep_file(tmp_path, levels=(1,), replications=2)
    sweep = load_sweep(sweep_path)
    out = tmp_path / "out"
    run_sweep(sweep, out, progress=False)
    rewrite_identity(out, provenance=recorded)
    (next((out / "runs").iterdir())).unlink()  # an unfinished sweep
    before = sorted(p.name for p in out.rglob("*"))
    code = main(["sweep", str(sweep_path), "--out", str(out), "--quiet", "--no-analysis"])
    assert code == 2
    with pytest.raises(ResultsError) as info:
        run_sweep(sweep, out, progress=False)
    message = str(info.value)
    assert "\n" not in message and "other model code" in message and "new --out" in message
    assert ("0.0.9" in message) if recorded else ("before code provenance" in message)
    assert sorted(p.name for p in out.rglob("*")) == before  # nothing touched

    fresh = run_sweep(sweep, out, progress=False, force_new=True)
    assert (fresh.skipped, fresh.ran, fresh.done) == (0, 2, 2)
    identity = json.loads((out / "sweep.json").read_text())
    manifest = json.loads((out / "manifest.json").read_text())
    assert identity["provenance"]["code"] == manifest["provenance"]["code"] \
        == provenance.fingerprint()["code"]


def test_force_new_still_refuses_a_foreign_directory(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1,), replications=1))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.tex").write_text("precious")
    with pytest.raises(ResultsError, match="not a sweep results directory"):
        run_sweep(sweep, tmp_path / "mine", progress=False, force_new=True)
    assert (tmp_path / "mine/thesis.tex").read_text() == "precious"


def test_unreadable_identity_is_one_line(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1,), replications=1))
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.json").write_text("[1, 2")
    with pytest.raises(ResultsError, match="sweep.json: unreadable") as info:
        run_sweep(sweep, out, progress=False)
    assert "\n" not in str(info.value) and "--force-new" in str(info.value)
    assert run_sweep(sweep, out, progress=False, force_new=True).done == 1
