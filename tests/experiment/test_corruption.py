"""Corrupted state in a results directory (issue 18, class 2).

A finished sweep (or comparison) whose files were damaged, truncated, copied under
another name or replaced: every run file is checked against its identity on resume, an
unsound one is moved to ``quarantine/`` and its run made again (one notice line), the
tables and the manifest are rebuilt, and the numbers are those of the undamaged
directory. Readers (``analyse``, ``rerun``) give one line, never a traceback. Nothing is
removed before it is known that something must change.
"""

import json
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.experiment.runner as runner
from sim.cli import main
from sim.errors import ResultsError
from sim.experiment.compare import ComparisonSweep, run_comparison
from sim.experiment.designs import load_sweep
from sim.experiment.results import RUN_METADATA
from sim.experiment.runner import run_sweep
from tests.experiment.sweeps import assert_store_sound, read_summary, sweep_file, tiny_designs

N_RUNS = 4


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished sweep of 4 small runs (copied by each test, never changed)."""
    root = tmp_path_factory.mktemp("finished")
    path = sweep_file(root, levels=(1, 2), replications=2, headcount=30, weeks=8)
    run_sweep(load_sweep(path), root / "out", progress=False)
    return path, root / "out"


@pytest.fixture
def copy(finished, tmp_path):
    """The sweep file and a fresh copy of the finished directory."""
    path, out = finished
    target = tmp_path / "out"
    shutil.copytree(out, target)
    return path, target


def resume(path, out, capsys):
    """The sweep's command again, in this process: exit code and stderr lines."""
    code = main(["sweep", str(path), "--out", str(out), "--quiet", "--no-analysis"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert not any("Traceback" in line for line in err)
    return code, err


def run_files(out):
    return sorted((out / "runs").glob("*.parquet"))


def rewrite_meta(path, **changes):
    """Rewrite a run file's metadata: ``key=value`` sets, ``key=None`` removes."""
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[RUN_METADATA])
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    table = table.replace_schema_metadata({**table.schema.metadata,
                                           RUN_METADATA: json.dumps(meta).encode()})
    pq.write_table(table, path)


def assert_recovered(finished, out):
    """Every run once, the manifest back, the numbers those of the undamaged sweep."""
    assert_store_sound(out, N_RUNS)
    pd.testing.assert_frame_equal(read_summary(out), read_summary(finished[1]),
                                  check_exact=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["done"] == N_RUNS


# --- run files -----------------------------------------------------------------------------
def test_truncated_run_file_is_quarantined_and_made_again(finished, copy, capsys):
    path, out = copy
    damaged = run_files(out)[1]
    data = damaged.read_bytes()[:1000]
    damaged.write_bytes(data)
    code, err = resume(path, out, capsys)
    assert code == 0
    assert len(err) == 1 and err[0].startswith(f"mentorsim: notice: {damaged}: unreadable")
    assert f"moved to {out}/quarantine/; its run is made again" in err[0]
    assert (out / "quarantine" / f"runs-{damaged.name}").read_bytes() == data  # kept
    assert_recovered(finished, out)


def test_run_file_copied_under_another_runs_name_is_not_counted_twice(finished, copy, capsys):
    path, out = copy
    first, second = run_files(out)[:2]
    shutil.copy(first, second)
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1
    assert f"{second}: holds run {first.stem}, not run {second.stem}" in err[0]
    assert sorted(read_summary(out)["id"]) == sorted(s.id for s in load_sweep(path).runs())
    assert_recovered(finished, out)


@pytest.mark.parametrize(("change", "reason"), [
    ({"seed": 12345}, "records seed 12345"),
    ({"parameters": {"programme.mentees_per_mentor": 3}}, "records parameters"),
    ({"scenario": "0123456789abcdef"}, "records scenario \"0123456789abcdef\""),
    ({"code": {"code": "feed", "version": "0.0.1"}}, "records code"),
    ({"scenario": None}, "records no scenario (written before run files carried"),
])
def test_run_file_of_another_run_is_quarantined(finished, copy, capsys, change, reason):
    path, out = copy
    target = run_files(out)[2]
    rewrite_meta(target, **change)
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1
    assert err[0].startswith(f"mentorsim: notice: {target}: {reason}")
    assert (out / "quarantine" / f"runs-{target.name}").exists()
    assert_recovered(finished, out)


def test_several_damaged_files_give_one_notice(finished, copy, capsys):
    path, out = copy
    for damaged in run_files(out)[:3]:
        damaged.write_bytes(b"")
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1
    assert "(and 2 more files)" in err[0] and "their runs are made again" in err[0]
    assert len(list((out / "quarantine").iterdir())) == 3
    assert_recovered(finished, out)


# --- nothing removed before it must be ----------------------------------------------------
def test_a_finished_sweep_keeps_its_manifest_until_work_is_needed(finished, copy,
                                                                  monkeypatch):
    path, out = copy
    manifest = (out / "manifest.json").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("no executor")

    monkeypatch.setattr(runner, "make_executor", broken)
    with pytest.raises(RuntimeError):
        run_sweep(load_sweep(path), out, progress=False)
    assert (out / "manifest.json").read_bytes() == manifest  # nothing to do: kept
    assert (out / "summary.parquet").exists()

    run_files(out)[0].write_bytes(b"PAR1")  # now a run must be made again
    with pytest.raises(RuntimeError):
        run_sweep(load_sweep(path), out, progress=False)
    assert not (out / "manifest.json").exists()  # incomplete while it is not
    assert len(list((out / "quarantine").iterdir())) == 1  # moved aside, not deleted
    monkeypatch.undo()
    assert run_sweep(load_sweep(path), out, progress=False).ran == 1
    assert_recovered(finished, out)


def test_resuming_a_finished_sweep_rewrites_nothing_it_need_not(finished, copy, monkeypatch):
    path, out = copy
    calls = []
    monkeypatch.setattr(runner.SweepStore, "unfinish", lambda self: calls.append(1))
    outcome = run_sweep(load_sweep(path), out, progress=False)
    assert outcome.skipped == N_RUNS and outcome.ran == 0 and calls == []
    assert_recovered(finished, out)


# --- the tables, the manifest, failure records --------------------------------------------
DAMAGE = {"garbage": b"garbage", "empty": b"", "json array": b"[1, 2]",
          "truncated": None}


@pytest.mark.parametrize("name", ["summary.parquet", "design.parquet", "manifest.json",
                                  "failures.parquet"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_table_or_manifest_is_rebuilt_on_resume(finished, copy, capsys, name,
                                                         damage):
    path, out = copy
    target = out / name
    original = target.read_bytes()
    target.write_bytes(DAMAGE[damage] if DAMAGE[damage] is not None
                       else original[:len(original) // 2])
    code, err = resume(path, out, capsys)
    assert code == 0 and err == []
    assert_recovered(finished, out)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "design.parquet"),
                                  pd.read_parquet(finished[1] / "design.parquet"))


@pytest.mark.parametrize("name", ["summary.parquet", "design.parquet", "manifest.json"])
def test_analyse_of_a_damaged_sweep_is_one_line(copy, capsys, name):
    _, out = copy
    (out / name).write_bytes(b"garbage")
    assert main(["analyse", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and f"{out}/{name}: unreadable" in lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(("text", "reason"), [
    ("{\"id\": 1", "unreadable"),
    ("[]", "unreadable (not a JSON object)"),
    ("{}", "not a failure record (no error_message"),
    ("{\"a\": 1}", "not a failure record"),
])
def test_stray_failure_record_is_quarantined(finished, copy, capsys, text, reason):
    path, out = copy
    stray = out / "failures" / "0123456789abcdef.json"
    stray.write_text(text)
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1
    assert err[0].startswith(f"mentorsim: notice: {stray}: {reason}")
    assert not stray.exists() and (out / "quarantine" / f"failures-{stray.name}").exists()
    assert len(pd.read_parquet(out / "failures.parquet")) == 0
    assert_recovered(finished, out)


def test_failure_record_named_for_another_run_is_quarantined(finished, copy, capsys):
    path, out = copy
    ids = [p.stem for p in run_files(out)]
    record = {"id": ids[0], "replication": 0, "seed": 1, "parameters": {},
              "error_type": "ValueError", "error_message": "x"}
    stray = out / "failures" / f"{ids[1]}.json"
    stray.write_text(json.dumps(record))
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1
    assert f"the failure record of run {ids[0]}, not of run {ids[1]}" in err[0]
    assert_recovered(finished, out)


# --- rerun ---------------------------------------------------------------------------------
def test_rerun_of_a_run_file_copied_under_another_name_is_one_line(copy, capsys):
    _, out = copy
    first, second = run_files(out)[:2]
    shutil.copy(first, second)
    assert main(["rerun", str(out), "--run-id", second.stem]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"holds run {first.stem}, not run {second.stem}" in err[0]


def test_rerun_reads_an_unfinished_sweep_whose_manifest_is_damaged(copy, capsys):
    _, out = copy
    (out / "manifest.json").write_bytes(b"{\"trunc")
    run = run_files(out)[0].stem
    assert main(["rerun", str(out), "--run-id", run]) == 0  # from sweep.json
    assert "reproduced" in capsys.readouterr().out


# --- a comparison --------------------------------------------------------------------------
def test_damaged_comparison_is_recovered_with_the_same_numbers(tmp_path, capsys):
    plan = ComparisonSweep.build(tiny_designs(), reps=2, seed=3, uncertainty=False)
    out = tmp_path / "cmp"
    first, _ = run_comparison(plan, out, progress=False)
    files = run_files(out)
    files[0].write_bytes(files[0].read_bytes()[:500])
    shutil.copy(files[1], files[2])
    (out / "summary.parquet").write_bytes(b"")
    again, outcome = run_comparison(plan, out, progress=False)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "(and 1 more file)" in err[0]
    assert outcome.ran == 2 and outcome.skipped == 2
    pd.testing.assert_frame_equal(again.runs, first.runs, check_exact=True)
    pd.testing.assert_frame_equal(again.stats, first.stats, check_exact=True)
    assert (out / "manifest.json").exists()


def test_a_direct_read_of_a_damaged_run_file_is_one_line(copy):
    from sim.experiment.results import read_run_file

    _, out = copy
    damaged = run_files(out)[0]
    damaged.write_bytes(b"PAR1garbagePAR1")
    with pytest.raises(ResultsError, match=rf"{damaged}: unreadable run file"):
        read_run_file(damaged)


# --- more of our own -----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "make", "says"), [
    ("runs", "file", "is a file, not the directory"),
    ("failures", "file", "is a file, not the directory"),
    ("quarantine", "file", "is a file, not the directory"),
    ("summary.parquet", "dir", "is a directory, not the file"),
    ("design.parquet", "dir", "is a directory, not the file"),
])
def test_a_file_where_a_directory_belongs_is_one_line(copy, capsys, name, make, says):
    path, out = copy
    target = out / name
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink(missing_ok=True)
    target.mkdir() if make == "dir" else target.write_text("someone's")
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--no-analysis"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{target}: {says}" in err[0]
    assert target.exists() and (out / "manifest.json").exists()  # nothing touched


def test_a_run_quarantined_twice_keeps_both_copies(finished, copy, capsys):
    path, out = copy
    damaged = run_files(out)[0]
    for attempt in (b"first", b"second"):
        damaged.write_bytes(attempt)
        assert resume(path, out, capsys)[0] == 0
    kept = sorted(p.read_bytes() for p in (out / "quarantine").iterdir())
    assert kept == [b"first", b"second"]
    assert_recovered(finished, out)


def test_a_directory_named_as_a_run_file_is_quarantined(finished, copy, capsys):
    path, out = copy
    target = run_files(out)[3]
    target.unlink()
    target.mkdir()
    code, err = resume(path, out, capsys)
    assert code == 0 and len(err) == 1 and f"{target}: not a file" in err[0]
    assert_recovered(finished, out)


def test_files_a_killed_writer_left_in_the_directory_are_removed(finished, copy, capsys):
    path, out = copy
    (out / ".staged.abcdefgh.partial").mkdir()  # a comparison's report being staged
    (out / ".summary.parquet.abcdefgh.tmp").write_text("half")
    (out / "runs" / ".x.parquet.abcdefgh.tmp").write_text("half")
    code, err = resume(path, out, capsys)
    assert code == 0 and err == [f"mentorsim: notice: {out}: removed 3 temporary files left "
                                 "by a killed writer"]
    assert not [p for p in out.rglob(".*") if p.name != ".gitkeep"]
    assert_recovered(finished, out)
