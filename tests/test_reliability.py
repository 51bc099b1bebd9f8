"""Interrupted and failing work never loses data or mixes results; runs reproduce.

Covers what tests/test_sweep.py does not: kills at random moments (twice) with a restart
through the console entry, chunks whose worker call fails, a Dask worker killed
mid-sweep, writers that crash mid-write, code provenance, ``mentorsim rerun`` (serially,
in a spawn process pool and on Dask) and memory limits.
"""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.experiment.runner as runner
from sim.cli import main
from sim.cli.rerun import first_difference, load_rerun, reproduce
from sim.config import load_scenario
from sim.errors import ResultsError
from sim.experiment import provenance
from sim.experiment.designs import load_sweep
from sim.experiment.executors import SerialExecutor
from sim.experiment.resources import (
    FIXED_OVERHEAD_BYTES,
    MAX_SHARE,
    ResourceLimitError,
    available_memory_bytes,
    check_memory,
    estimate_memory_bytes,
)
from sim.experiment.run import run_scenario
from sim.experiment.runner import run_sweep

ROOT = Path(__file__).absolute().parents[1]
MENTORING = ROOT / "scenarios/mentoring.toml"
SMALL = ["--set", "organisation.headcount=100", "--set", "horizon_weeks=20",
         "--set", "programme.duration_weeks=8"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

SLOWED = """
import sys, time
import sim.experiment.runner as runner
real = runner.run_one
def slow(*args, **kwargs):
    time.sleep(0.1)
    return real(*args, **kwargs)
runner.run_one = slow
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def sweep_file(tmp_path, levels=(1, 2, 3), replications=4, name="s.toml", headcount=100,
               weeks=20):
    path = tmp_path / name
    path.write_text(textwrap.dedent(f"""
        base = "{MENTORING}"
        replications = {replications}
        seed = 11
        [set]
        "organisation.headcount" = {headcount}
        horizon_weeks = {weeks}
        "programme.duration_weeks" = 8
        [factors]
        "programme.mentees_per_mentor" = {list(levels)}
        """), encoding="utf-8")
    return path


def read_summary(directory):
    return pd.read_parquet(Path(directory) / "summary.parquet").sort_values("id") \
        .reset_index(drop=True)


def assert_store_sound(out, n_runs):
    """Every run exactly once, every Parquet file readable, no temporary files."""
    runs = sorted((out / "runs").iterdir())
    assert len(runs) == n_runs and all(p.suffix == ".parquet" for p in runs)
    for path in [*runs, out / "summary.parquet", out / "design.parquet",
                 out / "failures.parquet"]:
        pq.read_table(path)
    summary = read_summary(out)
    assert summary["id"].is_unique and len(summary) == n_runs
    assert (out / "manifest.json").exists()
    assert not list(out.rglob(".*.tmp"))


# --- interrupted sweeps ---------------------------------------------------------------------
@pytest.mark.slow
def test_sweep_killed_twice_at_random_moments_then_resumed_by_the_cli(tmp_path):
    sweep = sweep_file(tmp_path)
    out = tmp_path / "killed"
    script = tmp_path / "slowed.py"
    script.write_text(SLOWED)
    command = [sys.executable, str(script), "sweep", str(sweep), "--out", str(out),
               "--quiet", "--no-analysis"]
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


# --- Dask: a worker killed mid-sweep --------------------------------------------------------
@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


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


# --- atomic writes --------------------------------------------------------------------------
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

    monkeypatch.setattr(runner.pq, "write_table", half_then_crash)
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


def test_crash_mid_write_of_a_run_directory(tmp_path, monkeypatch):
    import sim.experiment.store

    real = sim.experiment.store.write_parquet

    def crash(path, frame):
        real(path, frame)
        raise OSError("I/O error")

    monkeypatch.setattr(sim.experiment.store, "write_parquet", crash)
    out = tmp_path / "r"
    with pytest.raises(OSError):
        main(["run", str(MENTORING), "--out", str(out), "--quiet", *SMALL])
    assert list(tmp_path.iterdir()) == []


# --- provenance -----------------------------------------------------------------------------
def test_fingerprint_is_stable_and_covers_the_code_that_shapes_numbers(tmp_path):
    first = provenance.fingerprint()
    assert first["code"] == provenance.code_hash() and len(first["code"]) == 64
    covered = {p.relative_to(provenance.PACKAGE).as_posix() for p in provenance.source_files()}
    assert first["files"] == len(covered) > 20
    assert {"model/model.py", "kernels/learning.py", "config/schema.py"} <= covered
    assert not any(name.startswith(("cli/", "viz/")) for name in covered)
    child = subprocess.run([sys.executable, "-c", "import json, sim.experiment.provenance as p; "
                            "print(json.dumps(p.fingerprint()))"], capture_output=True,
                           text=True, cwd=tmp_path, env=ENV)
    assert json.loads(child.stdout)["code"] == first["code"]
    copy = tmp_path / "sim"
    for path in provenance.source_files():
        target = copy / path.relative_to(provenance.PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (copy / "model/__pycache__").mkdir()
    assert provenance.code_hash(copy) == first["code"]
    (copy / "model/__pycache__/x.py").write_text("ignored")
    (copy / "cli").mkdir()
    (copy / "cli/run.py").write_text("# an edit to the CLI does not shape numbers\n")
    assert provenance.code_hash(copy) == first["code"]
    assert provenance.code_hash(copy, version="9.9.9") != first["code"]
    (copy / "model/model.py").write_text("# changed\n", encoding="utf-8")
    assert provenance.code_hash(copy) != first["code"]


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


def test_cli_force_new_starts_afresh_when_the_sweep_file_changed(tmp_path, capsys):
    path = sweep_file(tmp_path, levels=(1,), replications=2)
    out = tmp_path / "out"
    command = ["sweep", str(path), "--out", str(out), "--quiet", "--no-analysis"]
    assert main(command) == 0
    capsys.readouterr()
    path = sweep_file(tmp_path, levels=(1, 2), replications=2)  # the sweep file changed
    before = sorted(p.name for p in out.rglob("*"))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different sweep" in err and "--force-new" in err
    assert sorted(p.name for p in out.rglob("*")) == before  # refused: nothing touched
    assert main([*command, "--force-new"]) == 0
    assert "4 of 4 runs done, 0 failed, 0 resumed from disk" in capsys.readouterr().out
    assert json.loads((out / "sweep.json").read_text())["fingerprint"] \
        == load_sweep(path).fingerprint()
    assert_store_sound(out, 4)
    assert main(command) == 0  # now the same sweep: resumed, nothing to run
    assert "4 of 4 runs done, 0 failed, 4 resumed from disk" in capsys.readouterr().out
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.tex").write_text("precious")
    assert main(["sweep", str(path), "--out", str(tmp_path / "mine"), "--quiet",
                 "--no-analysis", "--force-new"]) == 2
    assert "not a sweep results directory" in capsys.readouterr().err
    assert (tmp_path / "mine/thesis.tex").read_text() == "precious"


def test_unreadable_identity_is_one_line(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1,), replications=1))
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.json").write_text("[1, 2")
    with pytest.raises(ResultsError, match="sweep.json: unreadable"):
        run_sweep(sweep, out, progress=False)


# --- rerun ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("rerun") / "r"
    assert main(["run", str(MENTORING), "--out", str(out), "--quiet", "--seed", "3",
                 *SMALL]) == 0
    return out


def rerun_cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", "rerun", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=ENV)


def test_rerun_reproduces_bit_for_bit(run_dir, tmp_path, capsys):
    assert main(["rerun", str(run_dir), "--out", str(tmp_path / "again")]) == 0
    text = capsys.readouterr().out
    assert "reproduced" in text and "NOT" not in text and "seed 3" in text
    manifest = json.loads((tmp_path / "again/manifest.json").read_text())
    assert manifest["reproduced"] is True and manifest["seed"] == 3
    assert main(["rerun", str(tmp_path / "again")]) == 0  # the re-run is itself a run


def test_rerun_reports_the_first_difference(run_dir, tmp_path, capsys):
    import shutil

    tampered = tmp_path / "t"
    shutil.copytree(run_dir, tampered)
    frame = pd.read_parquet(tampered / "timeseries.parquet")
    frame.loc[7, "performance"] = np.nextafter(frame.loc[7, "performance"], 2.0)
    frame.to_parquet(tampered / "timeseries.parquet")
    assert main(["rerun", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "NOT reproduced" in out and "'performance' at week 7" in out


def test_run_manifest_records_code_provenance(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["provenance"] == provenance.fingerprint()
    assert len(manifest["provenance"]["code"]) == 64


def test_rerun_names_the_other_code_when_not_reproduced(run_dir, tmp_path, capsys):
    import shutil

    tampered = tmp_path / "t"
    shutil.copytree(run_dir, tampered)
    manifest = json.loads((tampered / "manifest.json").read_text())
    manifest["provenance"] = {**manifest["provenance"], "code": "0" * 64}
    (tampered / "manifest.json").write_text(json.dumps(manifest))
    frame = pd.read_parquet(tampered / "timeseries.parquet")
    frame.loc[3, "performance"] += 1e-9
    frame.to_parquet(tampered / "timeseries.parquet")
    assert main(["rerun", str(tampered)]) == 1
    out = capsys.readouterr().out
    assert "NOT reproduced" in out and "model code: written by" in out and "000000000000" in out


def test_rerun_user_errors(run_dir, tmp_path):
    import shutil

    (tmp_path / "empty").mkdir()
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "timeseries.parquet").write_bytes(b"not parquet")
    garbled = tmp_path / "garbled"
    shutil.copytree(run_dir, garbled)
    (garbled / "manifest.json").write_text("{")
    for args, fragment in [
        ([tmp_path / "nowhere"], "no such results directory"),
        ([tmp_path / "empty"], "no manifest.json"),
        ([broken], "unreadable Parquet"),
        ([garbled], "unreadable"),
        ([run_dir, "--run-id", "abc"], "not a sweep directory"),
        ([run_dir, "--out", run_dir], "must not be the directory"),
    ]:
        proc = rerun_cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr


def test_rerun_one_run_of_a_sweep(tmp_path, capsys):
    sweep = load_sweep(sweep_file(tmp_path, levels=(1, 2), replications=1))
    out = tmp_path / "sweep"
    run_sweep(sweep, out, progress=False)
    run_id = sorted(p.stem for p in (out / "runs").iterdir())[1]
    assert main(["rerun", str(out), "--run-id", run_id]) == 0
    assert f"run {run_id}: reproduced" in capsys.readouterr().out
    assert main(["rerun", str(out)]) == 2
    assert "--run-id" in capsys.readouterr().err
    (out / "manifest.json").unlink()  # an unfinished sweep: the base is in sweep.json
    assert main(["rerun", str(out), "--run-id", run_id]) == 0


@pytest.mark.slow
def test_rerun_in_a_spawn_pool_and_on_dask_is_identical(run_dir, dask_cluster):
    stored = load_rerun(run_dir)
    text = json.dumps(stored.scenario.model_dump(mode="json"))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = pool.submit(reproduce, text, stored.seed).result()
    assert first_difference(stored.stored, pooled) is None
    _, client = dask_cluster
    on_dask = client.submit(reproduce, text, stored.seed, pure=False).result()
    assert first_difference(stored.stored, on_dask) is None


def test_first_difference_is_bitwise():
    frame = pd.DataFrame({"a": [0.0, 1.0, np.nan], "b": [1, 2, 3]},
                         index=pd.Index([0, 1, 2], name="week"))
    assert first_difference(frame, frame.copy()) is None
    signed = frame.copy()
    signed.loc[0, "a"] = -0.0
    assert "'a' at week 0" in first_difference(frame, signed)
    assert "'b' at week 2" in first_difference(frame, frame.assign(b=[1, 2, 4]))
    assert "columns" in first_difference(frame, frame.drop(columns="b"))
    assert "weeks" in first_difference(frame, frame.iloc[:2])


# --- resources ------------------------------------------------------------------------------
def k_competencies(k, headcount, weeks=52):
    return load_scenario(MENTORING, {
        "organisation.headcount": headcount, "horizon_weeks": weeks,
        "organisation.competencies": [f"c{i:02d}" for i in range(k)],
        "organisation.strategic_weights": [1.0 / k] * (k - 1) + [1.0 - (k - 1) / k],
        "organisation.required_levels": [0.5] * k, "environment.changes": [],
        "programme.duration_weeks": min(26, weeks)})


def test_huge_organisation_is_refused_up_front():
    scenario = k_competencies(64, 50_000_000)
    start = time.perf_counter()
    with pytest.raises(ResourceLimitError) as info:
        check_memory(scenario, "huge.toml")
    assert time.perf_counter() - start < 1.0  # nothing was allocated
    message = str(info.value)
    assert "\n" not in message and "huge.toml" in message and "50000000" in message
    assert "GB" in message and "available" in message
    assert estimate_memory_bytes(scenario) > 50_000_000 * 64 * 8
    assert available_memory_bytes() > 0


def test_small_organisation_fits_and_control_arm_counts_twice():
    scenario = load_scenario(MENTORING)
    assert check_memory(scenario) == estimate_memory_bytes(scenario)
    with pytest.raises(ResourceLimitError):
        check_memory(scenario, available=estimate_memory_bytes(scenario))
    control = load_scenario(MENTORING, {"evaluation.control": "no_programme",
                                        "organisation.headcount": 1_000_000})
    alone = load_scenario(MENTORING, {"organisation.headcount": 1_000_000})
    assert estimate_memory_bytes(control) > 1.9 * (estimate_memory_bytes(alone)
                                                  - FIXED_OVERHEAD_BYTES)


def test_oversized_run_is_refused_by_the_cli_at_once(tmp_path):
    huge = load_scenario(MENTORING, {"organisation.headcount": 50_000_000})
    if estimate_memory_bytes(huge) <= MAX_SHARE * available_memory_bytes():
        pytest.skip(f"this machine has {available_memory_bytes() / 2**30:.0f} GB available, "
                    "enough for 50,000,000 employees")
    with pytest.raises(ResourceLimitError, match="huge.toml: organisation.headcount"):
        run_scenario(huge, source="huge.toml")  # the library refuses too
    out = tmp_path / "results" / "r"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", "scenarios/mentoring.toml",
                           "--set", "organisation.headcount=50000000", "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    seconds = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("mentorsim: error: scenarios/mentoring.toml: "
                                  "organisation.headcount = 50000000 with 6 competencies "
                                  "needs about "), proc.stderr
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []  # not even the parent of --out
    assert seconds < 30  # imports only: nothing was allocated


PEAK = """
import json, sys
from pathlib import Path
import numba.core.dispatcher
import sim.kernels.threads as threads
from sim.config import scenario_from_dict
from sim.experiment.run import run_scenario

def kernels():
    found = {id(v): v for name, module in list(sys.modules.items()) if name.startswith("sim")
             for v in vars(module).values() if isinstance(v, numba.core.dispatcher.Dispatcher)}
    found.update((id(v), v) for v in threads.SERIAL.values())
    return (sum(len(d.signatures) for d in found.values()),
            sum(sum(d.stats.cache_misses.values()) for d in found.values()))

real, small = (scenario_from_dict(json.loads(text)) for text in sys.argv[1:3])
# warm-up: a small run of the same K loads every kernel the real run calls, both the
# parallel kernels and their serial twins (picked by size, see sim.kernels.threads.kernel_for)
for threshold in (0, None):
    threads.set_parallel_min_bytes(threshold)
    run_scenario(small)
loaded, compiled = kernels()
try:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (the peak) to VmRSS
except OSError as exc:
    print(json.dumps({"skip": f"cannot reset the peak RSS (/proc/self/clear_refs): {exc}"}))
    sys.exit(0)
run_scenario(real)
status = Path("/proc/self/status").read_text()
peak = next(int(line.split()[1]) * 1024 for line in status.splitlines()
            if line.startswith("VmHWM:"))
print(json.dumps({"peak": peak, "compiled": compiled, "new_kernels": kernels()[0] - loaded}))
"""


def warm_peak(scenario, small):
    """Peak RSS of running ``scenario`` in a child, after ``small`` loaded every kernel."""
    proc = subprocess.run([sys.executable, "-c", PEAK, json.dumps(scenario.model_dump(mode="json")),
                           json.dumps(small.model_dump(mode="json"))],
                          capture_output=True, text=True, cwd=ROOT, env=ENV)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.splitlines()[-1])
    if "skip" in found:
        pytest.skip(found["skip"])
    return found


@pytest.mark.slow
@pytest.mark.parametrize("k", [6, 16])
def test_memory_estimate_is_an_upper_bound_that_grows_like_the_peak(k):
    """The estimate bounds the peak; its per-employee part is within 1.5x of the growth.

    The fixed part (interpreter, numpy, pandas, Mesa, the loaded kernels) differs between
    environments by tens of MB (which libraries a run imports, the allocator), so the
    tight check is on the slope between two sizes, where arrays dominate.
    """
    small = k_competencies(k, 200, weeks=8)  # past the programme's first matching
    # A cold numba cache (kernels just edited, a fresh checkout) makes the child compile
    # them, and the compiler's memory (hundreds of MB on some machines) stays in the
    # process: a first child fills the on-disk cache, so the measured children only load.
    warm_peak(small, small)
    peaks, estimates = [], []
    for headcount in (100_000, 300_000):
        scenario = k_competencies(k, headcount, weeks=26)
        measured = warm_peak(scenario, small)
        if measured["compiled"]:
            pytest.skip(f"numba compiled {measured['compiled']} kernels in the measured "
                        "child although a child before it ran them: the on-disk cache is not "
                        "written (NUMBA_CACHE_DIR not writable?) or sim/kernels/ changed")
        assert measured["new_kernels"] == 0, "the warm-up did not load every kernel of the run"
        peaks.append(measured["peak"])
        estimates.append(estimate_memory_bytes(scenario))
    mb = [round(x / 2**20) for x in (*peaks, *estimates)]
    assert all(p <= e <= 2 * p for p, e in zip(peaks, estimates, strict=True)), mb
    growth, estimated_growth = peaks[1] - peaks[0], estimates[1] - estimates[0]
    assert growth <= estimated_growth <= 1.5 * growth, mb
