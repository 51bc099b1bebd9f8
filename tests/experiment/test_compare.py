"""A comparison is a sweep whose factor is the design: streamed, resumable, failures kept."""

import json

import pandas as pd
import pytest

import sim.experiment.runner as runner
from sim.config import with_overrides
from sim.errors import ResultsError
from sim.experiment import compare, provenance
from sim.experiment.compare import ComparisonSweep, compare_scenarios, run_comparison
from sim.experiment.runner import run_sweep
from sim.viz import comparison_report
from tests.experiment.sweeps import assert_store_sound, tiny, tiny_designs


def compare_fixed(**kwargs):
    """The tiny designs compared with every parameter at its default (no priors drawn)."""
    return compare_scenarios(tiny_designs(), uncertainty=False, **kwargs)


@pytest.fixture(scope="module")
def comparison():
    return compare_fixed(reps=6, seed=3, progress=False)


@pytest.fixture
def counted(monkeypatch):
    """Counts the runs made in this process (the serial executor runs them here)."""
    made = []
    real = runner.run_one

    def counting(base, parameters, seed):
        made.append(seed)
        return real(base, parameters, seed)

    monkeypatch.setattr(runner, "run_one", counting)
    return made


def names(directory):
    return {p.name for p in directory.iterdir()}


def frames_equal(a, b):
    for name in ("runs", "timeseries", "stats", "differences"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_same_seeds_for_every_scenario(comparison):
    runs = comparison.runs
    assert len(runs) == 12 and list(runs.columns[:3]) == ["scenario", "replication", "seed"]
    for name in comparison.names:
        assert runs[runs["scenario"] == name]["seed"].tolist() == comparison.seeds
    ts = comparison.timeseries
    assert len(ts) == 12 * 21 and list(ts.columns[:3]) == ["scenario", "replication", "week"]
    assert ts.groupby(["scenario", "replication"]).size().eq(21).all()


def test_a_comparison_is_a_sweep_directory(tmp_path, comparison):
    out = tmp_path / "cmp"
    again = compare_fixed(reps=6, seed=3, progress=False, out=out,
                              sources={"baseline": "b.toml", "mentoring": "m.toml"})
    frames_equal(again, comparison)  # through the disk, the same numbers as in memory
    assert_store_sound(out, 12)
    design = pd.read_parquet(out / "design.parquet")
    assert design["scenario"].tolist() == ["baseline"] * 6 + ["mentoring"] * 6
    summary = pd.read_parquet(out / "summary.parquet")
    assert set(summary["scenario"]) == {"baseline", "mentoring"} and summary["id"].is_unique
    identity = json.loads((out / "sweep.json").read_text())
    assert identity["kind"] == "compare" and set(identity["resolved"]) == {"baseline",
                                                                         "mentoring"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["seeds"] == comparison.seeds
    assert manifest["sources"] == {"baseline": "b.toml", "mentoring": "m.toml"}
    assert manifest["counts"] == {"runs": 12, "done": 12, "failed": 0, "resumed": 0,
                                  "ran": 12}
    assert manifest["provenance"]["code"] == provenance.fingerprint()["code"]
    assert manifest["provenance"]["cpu"] == provenance.cpu()


def test_resume_skips_finished_runs(tmp_path, counted):
    out = tmp_path / "cmp"
    first = compare_fixed(reps=3, seed=3, progress=False, out=out)
    assert len(counted) == 6
    assert len(compare_fixed(reps=3, seed=3, progress=False,
                                 out=out).runs) == 6
    assert len(counted) == 6  # a finished comparison: nothing run again
    for path in sorted((out / "runs").iterdir())[:2]:
        path.unlink()
    (out / "manifest.json").unlink()  # as an interrupted comparison leaves it
    plan = ComparisonSweep.build(tiny_designs(), 3, 3, uncertainty=False)
    resumed, outcome = run_comparison(plan, out, progress=False)
    assert len(counted) == 8 and (outcome.skipped, outcome.ran) == (4, 2)
    frames_equal(resumed, first)


def test_more_replications_and_an_edited_design_run_only_the_new_runs(tmp_path, counted):
    out = tmp_path / "cmp"
    compare_fixed(reps=3, seed=3, progress=False, out=out)
    _, outcome = run_comparison(ComparisonSweep.build(tiny_designs(), 5, 3, uncertainty=False), out,
                                progress=False)
    assert (outcome.skipped, outcome.ran) == (6, 4)  # replications 3 and 4 of each design
    designs = tiny_designs()
    designs["mentoring"] = with_overrides(designs["mentoring"],
                                          {"programme.mentees_per_mentor": 2}, "<test>")
    edited, outcome = run_comparison(ComparisonSweep.build(designs, 5, 3, uncertainty=False), out,
                                     progress=False)
    assert (outcome.skipped, outcome.ran) == (5, 5) and len(counted) == 6 + 4 + 5
    assert len(list((out / "runs").iterdir())) == 10  # the old design's runs are gone
    assert edited.scenarios["mentoring"].programme.mentees_per_mentor == 2


def test_a_failed_run_is_recorded_and_the_others_finish(tmp_path, monkeypatch):
    real = runner.run_scenario
    plan = ComparisonSweep.build(tiny_designs(), 3, 3, uncertainty=False)
    bad_seed = plan.seeds[1]

    def flaky(scenario, seed=None, **kwargs):
        if scenario.programme.enabled and seed == bad_seed:
            raise RuntimeError("boom")
        return real(scenario, seed=seed, **kwargs)

    monkeypatch.setattr(runner, "run_scenario", flaky)
    out = tmp_path / "cmp"
    with pytest.raises(ResultsError) as info:
        run_comparison(plan, out, progress=False)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{out}: 1 of 6 runs failed")
    assert f"mentoring replication 1 (seed {bad_seed}" in message and "boom" in message
    assert "run the same command again" in message
    assert not (out / "manifest.json").exists() and not (out / "report.md").exists()
    assert len(list((out / "runs").iterdir())) == 5
    failures = pd.read_parquet(out / "failures.parquet")
    assert failures[["scenario", "seed", "error_type"]].values.tolist() == [
        ["mentoring", bad_seed, "RuntimeError"]]

    monkeypatch.undo()  # the same command again runs only the failed run
    done, outcome = run_comparison(plan, out, progress=False)
    assert (outcome.ran, outcome.skipped, outcome.failed) == (1, 5, 0)
    assert (out / "manifest.json").exists() and not list((out / "failures").iterdir())
    frames_equal(done, compare_fixed(reps=3, seed=3, progress=False))


def test_in_memory_comparison_names_the_failed_run(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "run_scenario", boom)
    with pytest.raises(ResultsError, match=r"^compare: 6 of 6 runs failed, e\.g\. baseline "
                                           r"replication 0"):
        compare_fixed(reps=3, seed=3, progress=False)


def test_interrupted_comparison_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    real = runner.run_one
    made = []

    def interrupted(*args):
        if len(made) == 3:
            raise KeyboardInterrupt
        made.append(1)
        return real(*args)

    out = tmp_path / "cmp"
    compare_fixed(reps=2, seed=3, progress=False, out=out,
                      report=comparison_report.write_report)
    assert {"report.md", "stats.csv", "trajectory_performance.png"} <= names(out)
    monkeypatch.setattr(runner, "run_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        compare_fixed(reps=4, seed=3, progress=False, out=out,
                          report=comparison_report.write_report)
    assert names(out) == {"sweep.json", "design.parquet", "runs", "failures"}
    assert len(list((out / "runs").iterdir())) == 4 + 3
    monkeypatch.undo()
    _, outcome = run_comparison(ComparisonSweep.build(tiny_designs(), 4, 3, uncertainty=False), out,
                                progress=False, report=comparison_report.write_report)
    assert (outcome.skipped, outcome.ran) == (7, 1)
    assert_store_sound(out, 8)
    assert {"report.md", "report.html", "manifest.json"} <= names(out)


@pytest.mark.slow
def test_serial_process_pool_and_dask_give_identical_comparisons(comparison):
    pooled = compare_fixed(reps=6, seed=3, executor="processes",
                               workers=2, progress=False)
    frames_equal(pooled, comparison)
    pytest.importorskip("distributed")
    on_dask = compare_fixed(reps=6, seed=3, executor="dask", workers=2,
                                progress=False)
    frames_equal(on_dask, comparison)


def test_refuses_a_sweep_directory_and_a_foreign_one(tmp_path):
    run_sweep(tiny(factors={"programme.mentees_per_mentor": [1]}), tmp_path / "sweep",
              progress=False)
    with pytest.raises(ResultsError, match="holds the results of a sweep, not of a "
                                           "comparison.*--force-new"):
        compare_fixed(reps=2, progress=False, out=tmp_path / "sweep")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.tex").write_text("precious")
    with pytest.raises(ResultsError, match="not a comparison results directory"):
        compare_fixed(reps=2, progress=False, out=tmp_path / "mine")
    assert (tmp_path / "mine/thesis.tex").read_text() == "precious"
    forced = compare_fixed(reps=2, progress=False,
                               out=tmp_path / "sweep", force_new=True)
    assert len(forced.runs) == 4
    assert_store_sound(tmp_path / "sweep", 4)


def test_options_are_checked_before_anything_is_written(tmp_path):
    with pytest.raises(ResultsError, match="--reps = 1"):
        compare_fixed(reps=1, out=tmp_path / "a")
    with pytest.raises(Exception, match="--workers = 0"):
        compare_fixed(reps=2, workers=0, out=tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_unique_names():
    assert compare.unique_names(["a/x.toml", "b/x.toml", "y.toml", "x"]) == \
        ["x", "x_2", "y", "x_3"]


def test_a_report_that_fails_leaves_no_manifest(tmp_path):
    def broken(comparison, directory):
        (directory / "report.md").write_text("PARTIAL")
        raise OSError("disk full")

    out = tmp_path / "cmp"
    with pytest.raises(OSError):
        compare_fixed(reps=2, seed=3, progress=False, out=out,
                          report=broken)
    assert not (out / "manifest.json").exists()
    compare_fixed(reps=2, seed=3, progress=False, out=out,
                      report=comparison_report.write_report)
    assert (out / "manifest.json").exists() and "PARTIAL" not in (out / "report.md").read_text()
