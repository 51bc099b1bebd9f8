"""Run a sweep into a resumable results directory.

Layout of a sweep's results directory ``DIR``::

    sweep.json          which sweep this directory belongs to (written first)
    design.parquet      every run: point, replication, seed, id, factor values
    runs/<id>.parquet   one per finished run: its weekly time series with the run id;
                        the run's end-of-run summary, seed and parameters are stored in
                        the file's Parquet metadata, so a run is on disk exactly when its
                        file is
    failures/<id>.json  one per run that raised (removed if a later attempt succeeds)
    summary.parquet     one row per run: id, replication, seed, parameters, results
    failures.parquet    one row per failed run: id, replication, seed, parameters, error
    manifest.json       written last: the sweep, resolved base scenario, versions, times,
                        counts. Present exactly when the sweep finished.

Every file is written atomically (temporary name, then rename). Results stream to
``runs/`` as runs finish; ``summary.parquet`` and ``failures.parquet`` are rebuilt from
``runs/`` and ``failures/`` at the end. Re-running the same sweep into the same directory
resumes: runs whose file exists are skipped, failed runs are tried again. A directory of
a different sweep is refused, and so is one written by different model code: ``sweep.json``
records the code's provenance (:func:`sim.experiment.provenance.fingerprint`), and runs
made by other
code are never mixed with this code's runs (``force_new=True`` discards them and starts
again).

A chunk whose worker call fails without reporting its runs (a worker process killed, a
lost connection) is submitted again, up to ``CHUNK_ATTEMPTS`` times in all, before its
runs are recorded as failed; Dask also reschedules the tasks of a worker that dies.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
import time
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.config import scenario_from_dict, with_overrides
from sim.errors import ResultsError
from sim.experiment.designs import RunSpec, Sweep
from sim.experiment.executors import check_options, make_executor
from sim.experiment.provenance import describe_difference, fingerprint, same_code
from sim.experiment.run import run_scenario, versions
from sim.experiment.store import MANIFEST, atomic_write, write_json, write_parquet
from sim.model.reporters import HEADLINE

IDENTITY = "sweep.json"
DESIGN = "design.parquet"
SUMMARY = "summary.parquet"
FAILURES = "failures.parquet"
RUNS = "runs"
FAILED = "failures"
_META_KEY = b"mentorsim.run"
_MAX_CHUNK = 16
CHUNK_ATTEMPTS = 3
ANALYSIS = "analysis"


# --- in the worker -----------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _base_scenario(text: str):
    return scenario_from_dict(json.loads(text), "<sweep base>")


def run_one(base: str, parameters: dict[str, Any], seed: int) -> tuple[pd.DataFrame, dict]:
    """Run one design point with one seed.

    Args:
        base: The base scenario as JSON text (plain data travels cheaply to workers).
        parameters: Dotted overrides of the design point.
        seed: The replication seed.

    Returns:
        The weekly time series and the end-of-run summary.

    """
    scenario = with_overrides(_base_scenario(base), parameters, "<design point>")
    result = run_scenario(scenario, seed=seed)
    return result.timeseries, result.summary


def run_chunk(base: str, jobs: Sequence[tuple[str, dict[str, Any], int]]) -> list[dict]:
    """Run several runs in one worker call; a run that raises is reported, not raised.

    Args:
        base: The base scenario as JSON text.
        jobs: ``(id, parameters, seed)`` of each run.

    Returns:
        One outcome dict per job: ``id``, ``ok``, and ``timeseries`` and ``summary`` or
        ``error_type`` and ``error_message``.

    """
    outcomes = []
    for run_id, parameters, seed in jobs:
        try:
            timeseries, summary = run_one(base, parameters, seed)
            outcomes.append({"id": run_id, "ok": True, "timeseries": timeseries,
                             "summary": summary})
        except Exception as exc:  # noqa: BLE001 - recorded as a failed run
            outcomes.append(_failure(run_id, exc))
    return outcomes


def _failure(run_id: str, exc: BaseException) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return {"id": run_id, "ok": False, "error_type": type(exc).__name__,
            "error_message": f"{exc}{where}"}


# --- the results store -------------------------------------------------------------------
class SweepStore:
    """The results directory of one sweep.

    Args:
        directory: The results directory.
        sweep: The sweep whose results it holds.
        force_new: Discard the results of a sweep directory written by another sweep or
            by other model code, and start again (a directory that is not a sweep's is
            still refused).

    Raises:
        ResultsError: The directory holds something else, another sweep's results, or
            results of other model code.

    """

    def __init__(self, directory: str | Path, sweep: Sweep, force_new: bool = False) -> None:
        self.directory = Path(directory)
        self.sweep = sweep
        self.runs_dir = self.directory / RUNS
        self.failed_dir = self.directory / FAILED
        self._claim(force_new)

    def _reset(self) -> None:
        """Remove what a sweep writes in the directory (and nothing else)."""
        for name in (MANIFEST, IDENTITY):  # manifest first: never complete-looking
            (self.directory / name).unlink(missing_ok=True)
        for name in (DESIGN, SUMMARY, FAILURES, "failures.csv", "summary.csv"):
            (self.directory / name).unlink(missing_ok=True)
        for name in (RUNS, FAILED, ANALYSIS):
            shutil.rmtree(self.directory / name, ignore_errors=True)

    def _claim(self, force_new: bool = False) -> None:
        identity = self.directory / IDENTITY
        fingerprint = self.sweep.fingerprint()
        provenance = code_provenance()
        if self.directory.exists() and not self.directory.is_dir():
            raise ResultsError(f"{self.directory}: exists and is not a directory")
        if identity.exists():
            try:
                found = json.loads(identity.read_text(encoding="utf-8"))
                if not isinstance(found, dict):
                    raise ValueError("not a JSON object")
            except (OSError, ValueError) as exc:
                if not force_new:
                    raise ResultsError(
                        f"{identity}: unreadable ({exc}); use a new --out, or start the "
                        f"sweep again with --force-new (or by deleting {self.directory})"
                    ) from None
                found = {}
            problem = None
            if found.get("fingerprint") != fingerprint:
                problem = (
                    f"holds results of a different sweep ({found.get('source')!r}, "
                    f"fingerprint {found.get('fingerprint')}; this sweep is {fingerprint})"
                )
            elif not same_code(found.get("provenance"), provenance):
                problem = (
                    "holds results of other model code ("
                    + describe_difference(found.get("provenance"), provenance)
                    + "), which are not mixed with this code's"
                )
            if problem and not force_new:
                raise ResultsError(
                    f"{self.directory}: {problem}; use a new --out, or start the sweep "
                    f"again with --force-new (or by deleting {self.directory})"
                )
            if problem:
                self._reset()
        elif self.directory.exists() and any(self.directory.iterdir()):
            raise ResultsError(
                f"{self.directory}: exists and is not a sweep results directory; "
                "choose another --out"
            )
        if not identity.exists():
            write_json(identity, {
                "kind": "sweep", "source": self.sweep.source, "fingerprint": fingerprint,
                "provenance": provenance, "created": _now(),
                "base_scenario": self.sweep.scenario.model_dump(mode="json"),
            })
        (self.directory / MANIFEST).unlink(missing_ok=True)  # incomplete until the end
        for directory in (self.runs_dir, self.failed_dir):
            directory.mkdir(parents=True, exist_ok=True)
            for tmp in directory.glob(".*.tmp"):  # left by a killed writer
                tmp.unlink(missing_ok=True)

    def run_path(self, run_id: str) -> Path:
        """The file of a finished run."""
        return self.runs_dir / f"{run_id}.parquet"

    def done(self) -> set[str]:
        """Ids of the runs on disk."""
        return {p.stem for p in self.runs_dir.glob("*.parquet")}

    def write_design(self, specs: Sequence[RunSpec]) -> None:
        """Write ``design.parquet``: every run with its point, replication, seed and id."""
        rows = [{"point": s.point, "replication": s.replication, "seed": s.seed, "id": s.id,
                 **s.parameters} for s in specs]
        write_parquet(self.directory / DESIGN, pd.DataFrame(rows))

    def write_run(self, spec: RunSpec, timeseries: pd.DataFrame, summary: dict) -> None:
        """Write one finished run (its time series, with summary in the metadata)."""
        frame = timeseries.reset_index()
        frame.insert(0, "id", spec.id)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {"id": spec.id, "replication": spec.replication, "seed": spec.seed,
                "parameters": spec.parameters, "summary": summary}
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), _META_KEY: json.dumps(meta).encode()}
        )
        atomic_write(self.run_path(spec.id), lambda tmp: pq.write_table(table, tmp))
        (self.failed_dir / f"{spec.id}.json").unlink(missing_ok=True)

    def write_failure(self, spec: RunSpec, error_type: str, message: str) -> None:
        """Record a run that raised."""
        write_json(self.failed_dir / f"{spec.id}.json", {
            "id": spec.id, "replication": spec.replication, "seed": spec.seed,
            "parameters": spec.parameters, "error_type": error_type,
            "error_message": message,
        })

    def read_summary_rows(self, ids: Iterable[str]) -> list[dict]:
        """Summary rows of the given finished runs, read from their files' metadata."""
        rows = []
        for run_id in sorted(ids):
            meta = json.loads(pq.read_schema(self.run_path(run_id)).metadata[_META_KEY])
            rows.append({"id": meta["id"], "replication": meta["replication"],
                         "seed": meta["seed"], **meta["parameters"], **meta["summary"]})
        return rows

    def rebuild(self, specs: Sequence[RunSpec]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rebuild ``summary.parquet`` and ``failures.parquet`` from the per-run files."""
        wanted = {s.id for s in specs}
        done = self.done() & wanted
        summary = pd.DataFrame(self.read_summary_rows(done))
        names = [f.name for f in self.sweep.factors]
        if summary.empty:
            summary = pd.DataFrame(columns=["id", "replication", "seed", *names])
        summary = summary[order_columns(summary.columns, names)]
        failures = []
        for path in sorted(self.failed_dir.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            if record["id"] in wanted and record["id"] not in done:
                failures.append({"id": record["id"], "replication": record["replication"],
                                 "seed": record["seed"], **record["parameters"],
                                 "error_type": record["error_type"],
                                 "error_message": record["error_message"]})
        columns = ["id", "replication", "seed", *names, "error_type", "error_message"]
        failed = pd.DataFrame(failures, columns=columns)
        write_parquet(self.directory / SUMMARY, summary.reset_index(drop=True))
        write_parquet(self.directory / FAILURES, failed)
        return summary, failed


def order_columns(columns: Iterable[str], factors: Sequence[str]) -> list[str]:
    """Order summary columns: id, replication, seed, factors, headline results, the rest."""
    columns = list(columns)
    first = [c for c in ("id", "replication", "seed", *factors) if c in columns]
    headline = [c for c in HEADLINE if c in columns and c not in first]
    rest = [c for c in columns if c not in first and c not in headline]
    return first + headline + rest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def code_provenance() -> dict[str, Any]:
    """The running code's provenance as recorded in ``sweep.json`` and the manifest."""
    return dict(fingerprint())


# --- running -----------------------------------------------------------------------------
@dataclass
class SweepOutcome:
    """What a call of :func:`run_sweep` did.

    Attributes:
        directory: The results directory.
        runs: Unique runs of the sweep.
        done: Runs on disk at the end.
        failed: Runs that raised.
        skipped: Runs found on disk at the start (resumed).
        ran: Runs attempted in this call.
        seconds: Wall time of the runs attempted in this call.
        summary: The rebuilt summary table.
        failures: The failures table.

    """

    directory: Path
    runs: int
    done: int
    failed: int
    skipped: int
    ran: int
    seconds: float
    summary: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    failures: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def runs_per_second(self) -> float:
        """Runs attempted per second of wall time in this call."""
        return self.ran / self.seconds if self.seconds > 0 else math.nan


def unique_runs(specs: Sequence[RunSpec]) -> list[RunSpec]:
    """The runs with distinct ids (rounded integer levels can repeat a design point)."""
    seen: dict[str, RunSpec] = {}
    for spec in specs:
        seen.setdefault(spec.id, spec)
    return list(seen.values())


def chunk_size(n_runs: int, workers: int) -> int:
    """Runs per worker call: about four calls per worker, at most 16 runs each."""
    if workers <= 1:
        return 1
    return max(1, min(_MAX_CHUNK, math.ceil(n_runs / (4 * workers))))


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    force_new: bool = False,
) -> SweepOutcome:
    """Run (or resume) a sweep into ``out``.

    Args:
        sweep: The validated sweep.
        out: The results directory.
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes (default: CPUs).
        scheduler: Dask scheduler address (default: a local cluster).
        progress: Show a tqdm bar (done, failed, time left).
        force_new: Discard results in ``out`` of another sweep or of other model code
            and start again, instead of refusing.

    Returns:
        Counts, timing and the rebuilt tables.

    Raises:
        ResultsError: ``out`` holds something other than this sweep's results, or
            results of other model code.
        MentorsimError: Unknown executor or fewer than one worker (before anything is
            written).

    """
    from tqdm import tqdm

    check_options(executor, workers)
    started = _now()
    store = SweepStore(out, sweep, force_new)
    specs = sweep.runs()
    store.write_design(specs)
    runs = unique_runs(specs)
    on_disk = store.done()
    todo = [s for s in runs if s.id not in on_disk]
    base = json.dumps(sweep.scenario.model_dump(mode="json"))
    failed = 0
    clock = time.perf_counter()
    with make_executor(executor, workers, scheduler) as pool:
        n_workers = getattr(pool, "workers", 1)
        size = chunk_size(len(todo), n_workers)
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        limit = 1 if n_workers <= 1 else 2 * n_workers
        bar = tqdm(total=len(runs), initial=len(runs) - len(todo), unit="run",
                   desc=sweep.spec.name or Path(sweep.source).stem, disable=not progress,
                   dynamic_ncols=True)
        bar.set_postfix(failed=0, refresh=False)
        in_flight: dict[Future, list[RunSpec]] = {}
        attempts: dict[tuple[str, ...], int] = {}
        retry: list[list[RunSpec]] = []
        pending = iter(chunks)
        try:
            _fill(pool, _retries_first(retry, pending), in_flight, limit, base)
            while in_flight:
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = in_flight.pop(future)
                    key = tuple(s.id for s in chunk)
                    attempts[key] = attempts.get(key, 0) + 1
                    if _call_failed(future) and attempts[key] < CHUNK_ATTEMPTS:
                        retry.append(chunk)  # the worker call itself failed: try again
                        continue
                    failed += _store_chunk(store, chunk, future)
                    bar.update(len(chunk))
                    bar.set_postfix(failed=failed, refresh=False)
                _fill(pool, _retries_first(retry, pending), in_flight, limit, base)
        except BrokenExecutor as exc:
            raise ResultsError(
                f"{store.directory}: the worker processes died ({exc}); finished runs are "
                "kept, run the same command again to resume"
            ) from None
        finally:
            for future in in_flight:
                future.cancel()
            bar.close()
    seconds = time.perf_counter() - clock
    summary, failures = store.rebuild(specs)
    outcome = SweepOutcome(store.directory, len(runs), len(summary), len(failures),
                           len(runs) - len(todo), len(todo), seconds, summary, failures)
    write_json(store.directory / MANIFEST, _manifest(sweep, outcome, started, executor,
                                                     n_workers, scheduler))
    return outcome


def _retries_first(retry: list[list[RunSpec]], pending):
    """Chunks to submit next: those to retry, then the not yet submitted ones."""
    while retry:
        yield retry.pop(0)
    yield from pending


def _call_failed(future: Future) -> bool:
    """Whether a worker call failed as a whole (not a run raising: those are reported)."""
    if future.cancelled():
        return True
    exc = future.exception()
    if exc is None:
        return False
    if isinstance(exc, BrokenExecutor):
        raise exc  # the pool is gone: stop with one line, keep finished runs
    return True


def _fill(pool, pending, in_flight: dict, limit: int, base: str) -> None:
    while len(in_flight) < limit:
        chunk = next(pending, None)
        if chunk is None:
            return
        jobs = [(s.id, s.parameters, s.seed) for s in chunk]
        in_flight[pool.submit(run_chunk, base, jobs)] = chunk


def _store_chunk(store: SweepStore, chunk: list[RunSpec], future: Future) -> int:
    try:
        outcomes = future.result()
    except Exception as exc:  # noqa: BLE001 - a worker died or the call could not be sent
        outcomes = [_failure(spec.id, exc) for spec in chunk]
    failed = 0
    for spec, outcome in zip(chunk, outcomes, strict=True):
        if outcome["ok"]:
            store.write_run(spec, outcome["timeseries"], outcome["summary"])
        else:
            store.write_failure(spec, outcome["error_type"], outcome["error_message"])
            failed += 1
    return failed


def _manifest(sweep: Sweep, outcome: SweepOutcome, started: str, executor: str,
              workers: int, scheduler: str | None) -> dict[str, Any]:
    source = Path(sweep.source)
    return {
        "format": 1,
        "kind": "sweep",
        "sweep_source": sweep.source,
        "sweep_text": source.read_text(encoding="utf-8") if source.is_file() else None,
        "sweep": sweep.spec.model_dump(mode="json", by_alias=True),
        "fingerprint": sweep.fingerprint(),
        "base_source": sweep.base_source,
        "base_scenario": sweep.scenario.model_dump(mode="json"),
        "factors": [f.name for f in sweep.factors],
        "problem": sweep.problem if sweep.spec.design != "grid" else None,
        "seeds": sweep.seeds(),
        "versions": versions(),
        "provenance": code_provenance(),
        "executor": {"kind": executor, "workers": workers, "scheduler": scheduler},
        "started": started,
        "finished": _now(),
        "counts": {"runs": outcome.runs, "done": outcome.done, "failed": outcome.failed,
                   "resumed": outcome.skipped, "ran": outcome.ran},
        "seconds": round(outcome.seconds, 3),
        "runs_per_second": round(outcome.runs_per_second, 3)
        if outcome.ran else None,
    }
