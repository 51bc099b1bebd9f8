"""The one runner: sweeps and comparisons into a resumable results directory.

It runs any :class:`Plan`: a :class:`~sim.experiment.designs.Sweep` (design points of a
base scenario) or a :class:`~sim.experiment.compare.ComparisonSweep` (a sweep whose
factor is the design). Layout of the results directory ``DIR``::

    sweep.json          whose results these are (kind, fingerprint, code; written first)
    design.parquet      every run: point, replication, seed, id, factor values
    parameters.parquet  with parameter uncertainty only: every run's drawn parameter set
                        (id, point, replication, seed, draw, one column per drawn field)
    runs/<id>.parquet   one per finished run: its weekly time series with the run id;
                        id, replication, seed, parameters, end-of-run summary and CPU in
                        the file's Parquet metadata (:mod:`sim.experiment.results`), so a
                        run is on disk exactly when its file is
    failures/<id>.json  one per run that raised (removed if a later attempt succeeds)
    quarantine/         run files and failure records found unreadable, or not the run
                        they are named for, on resume (moved here, never deleted)
    summary.parquet     one row per run: id, replication, seed, factors, results
    failures.parquet    one row per failed run: id, replication, seed, factors, error
    manifest.json       written last (:func:`run_manifest`). Present exactly when the
                        plan finished.

Every file is written atomically (temporary name, then rename). Results stream to
``runs/`` as runs finish; ``summary.parquet`` and ``failures.parquet`` are rebuilt from
``runs/`` and ``failures/`` at the end. Re-running the same plan into the same directory
resumes: runs whose file exists are skipped, failed runs are tried again. A directory of
a different plan is refused, and so is one written by different model code: ``sweep.json``
records the code's provenance (:func:`sim.experiment.provenance.fingerprint`), and runs
made by other code are never mixed with this code's runs (``force_new=True`` discards
them and starts again).

One writer at a time: the runner holds the directory's lock
(:mod:`sim.experiment.lock`) from before it changes anything until the manifest is
written, so a second sweep or comparison on the same directory is refused at once with
one line naming the holder; holding it, the runner removes the temporary files and
staging directories a killed writer left there.

Every run file records the run's identity (:data:`RUN_IDENTITY`: id, seed, parameters,
a digest of the run's resolved scenario and the code that made it). On resume each run
file on disk is checked against the run it is named for; a file that is unreadable or
does not match (truncated, copied under another run's name, made from another scenario
or by other code) is moved to ``quarantine/`` and the run made again, with one line on
stderr. Nothing is removed before it is known to be stale: a finished directory keeps its
manifest, summary and report until a run is actually to be made.

A chunk whose worker call fails without reporting its runs (a worker process killed, a
lost connection) is submitted again, up to ``CHUNK_ATTEMPTS`` times in all, before its
runs are recorded as failed; Dask also reschedules the tasks of a worker that dies.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import shutil
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from sim.config import scenario_from_dict, with_overrides
from sim.errors import ResultsError
from sim.experiment.designs import RunSpec
from sim.experiment.executors import make_executor
from sim.experiment.limits import check_plan
from sim.experiment.lock import locked, notice
from sim.experiment.provenance import cpu, describe_difference, fingerprint, same_code
from sim.experiment.results import (
    IDENTITY,
    RUNS,
    read_run_file,
    read_run_meta,
    write_run_file,
)
from sim.experiment.run import run_scenario, versions
from sim.experiment.store import (
    MANIFEST,
    clean_stale_staging,
    read_json,
    write_json,
    write_parquet,
)
from sim.model.reporters import HEADLINE

DESIGN = "design.parquet"
PARAMETERS = "parameters.parquet"
SUMMARY = "summary.parquet"
FAILURES = "failures.parquet"
FAILED = "failures"
QUARANTINE = "quarantine"
RUN_IDENTITY = ("id", "seed", "parameters", "scenario", "code")
"""What a run file's metadata must match on resume: the run's id (also its file's name),
seed, parameters (factor values), ``scenario`` (:func:`scenario_digest` of the run's base
scenario and overrides) and ``code`` (the model code's hash and mentorsim's version)."""
ANALYSIS = "analysis"
REPORT_FILES = ("report.md", "report.html", "summary.csv", "stats.parquet", "stats.csv",
                "trajectory_*.png", "parameters.csv", "variance.csv", "better.csv")
"""The files of a comparison's report (glob patterns), written beside its runs."""
_MAX_CHUNK = 16
CHUNK_ATTEMPTS = 3
_NOUNS = {"sweep": "sweep", "compare": "comparison"}


class Plan(Protocol):
    """What the runner runs: every run's id, seed and scenario, and whose results they are.

    :class:`~sim.experiment.designs.Sweep` and
    :class:`~sim.experiment.compare.ComparisonSweep` are plans.

    Attributes:
        kind: ``"sweep"`` or ``"compare"``, recorded in ``sweep.json`` and the manifest.
        source: Where the plan came from, named in messages.
        label: Shown on the progress bar.
        columns: The factor columns of ``design.parquet``, the summary and the failures
            (the keys of every run's ``parameters``).
        derived: Files made from the runs after they finished (a report), as glob
            patterns; removed when a run of the plan starts, so an unfinished directory
            shows none.

    """

    kind: str
    source: str
    label: str
    columns: tuple[str, ...]
    derived: tuple[str, ...]

    def runs(self) -> list[RunSpec]:
        """Every run, in design order."""

    def job(self, spec: RunSpec) -> tuple[str, dict[str, Any]]:
        """The run's base scenario as JSON text and the dotted overrides to apply to it."""

    def fingerprint(self) -> str:
        """Hash of what determines the plan's results (recorded in ``sweep.json``)."""

    def identity(self) -> dict[str, Any]:
        """What ``sweep.json`` records besides kind, source, fingerprint and provenance."""

    def owner_problem(self, found: dict[str, Any]) -> str | None:
        """Why a directory whose ``sweep.json`` holds ``found`` is not this plan's, or None."""

    def manifest(self) -> dict[str, Any]:
        """What the manifest records about the plan."""


# --- in the worker -----------------------------------------------------------------------
def warm_up() -> None:
    """Run in every new worker process: unpickling it imports this module and the model.

    Loading the model's modules (numba's dispatchers among them) before the first chunk
    keeps start-up out of the first runs' time.
    """


@functools.lru_cache(maxsize=32)
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
        jobs: ``(id, overrides, seed)`` of each run.

    Returns:
        One outcome dict per job: ``id``, ``ok``, and ``timeseries``, ``summary`` and
        ``cpu`` (the worker's, see :func:`sim.experiment.provenance.cpu`) or
        ``error_type`` and ``error_message``.

    """
    outcomes = []
    for run_id, parameters, seed in jobs:
        try:
            timeseries, summary = run_one(base, parameters, seed)
            outcomes.append({"id": run_id, "ok": True, "timeseries": timeseries,
                             "summary": summary, "cpu": cpu()})
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
    """The results directory of one plan (a sweep, or a comparison).

    Args:
        directory: The results directory.
        plan: The plan whose results it holds.
        force_new: Discard the results of a directory written for another plan or by
            other model code, and start again (a directory that is not a sweep's or a
            comparison's is still refused).

    Raises:
        ResultsError: The directory holds something else, another plan's results, or
            results of other model code.

    """

    def __init__(self, directory: str | Path, plan: Plan, force_new: bool = False) -> None:
        self.directory = Path(directory)
        self.plan = plan
        self.runs_dir = self.directory / RUNS
        self.failed_dir = self.directory / FAILED
        self._claim(force_new)

    def _reset(self) -> None:
        """Remove what a sweep or comparison writes in the directory (and nothing else)."""
        for name in (MANIFEST, IDENTITY):  # manifest first: never complete-looking
            (self.directory / name).unlink(missing_ok=True)
        for name in (DESIGN, PARAMETERS, SUMMARY, FAILURES):
            (self.directory / name).unlink(missing_ok=True)
        for name in (RUNS, FAILED, QUARANTINE, ANALYSIS, *REPORT_FILES):
            self._remove(name)

    def _remove(self, pattern: str) -> None:
        """Remove the files and directories of the directory that match ``pattern``."""
        for path in self.directory.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def _claim(self, force_new: bool = False) -> None:
        plan, identity = self.plan, self.directory / IDENTITY
        noun = _NOUNS.get(plan.kind, plan.kind)
        provenance = code_provenance()
        if self.directory.exists() and not self.directory.is_dir():
            raise ResultsError(f"{self.directory}: exists and is not a directory")
        self._check_kinds()
        found: dict[str, Any] = {}
        if identity.exists():
            advice = (f"use a new --out, or start the {noun} again with --force-new (or by "
                      f"deleting {self.directory})")
            try:
                found = read_json(identity)
            except ResultsError as exc:
                if not force_new:
                    raise ResultsError(f"{exc}; {advice}") from None
            problem = self._problem(found, provenance) if found else "unreadable sweep.json"
            if problem and not force_new:
                raise ResultsError(f"{self.directory}: {problem}; {advice}")
            if problem:
                self._reset()
                found = {}
        elif self.directory.exists() and any(self.directory.iterdir()):
            raise ResultsError(
                f"{self.directory}: exists and is not a {noun} results directory; "
                "choose another --out"
            )
        write_json(identity, {
            "kind": plan.kind, "source": plan.source, "fingerprint": plan.fingerprint(),
            "provenance": provenance, "created": found.get("created", _now()),
            **plan.identity(),
        })
        self._clean()

    def _check_kinds(self) -> None:
        """Refuse, in one line, a file where a directory belongs or the other way round.

        Raises:
            ResultsError: e.g. ``DIR/runs`` is a file, or ``DIR/summary.parquet`` a
                directory (mentorsim never makes either: someone else's).

        """
        for name in (IDENTITY, MANIFEST, DESIGN, PARAMETERS, SUMMARY, FAILURES):
            path = self.directory / name
            if path.exists() and not path.is_file():
                raise ResultsError(f"{path}: is a directory, not the file mentorsim writes "
                                   "there; move it away")
        for name in (RUNS, FAILED, QUARANTINE):
            path = self.directory / name
            if (path.exists() or path.is_symlink()) and not path.is_dir():
                raise ResultsError(f"{path}: is a file, not the directory mentorsim writes "
                                   "there; move it away")

    def _clean(self) -> None:
        """Remove what a killed writer left: temporary files and staging directories.

        Only with the directory's lock held (the runner holds it), so no live writer's
        files are taken.
        """
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self.failed_dir.mkdir(parents=True, exist_ok=True)
        left = [p for d in (self.directory, self.runs_dir, self.failed_dir)
                for p in d.glob(".*.tmp") if p.is_file()]
        left += [p for p in self.directory.glob(".staged.*.partial") if p.is_dir()]
        for path in left:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if left:
            notice(f"{self.directory}: removed {len(left)} temporary file"
                   f"{'' if len(left) == 1 else 's'} left by a killed writer")

    def unfinish(self) -> None:
        """Mark the directory unfinished before anything in it changes.

        Removes the manifest (first), the tables rebuilt at the end and the plan's
        derived files (a report).
        """
        for name in (MANIFEST, SUMMARY, FAILURES):
            (self.directory / name).unlink(missing_ok=True)
        for pattern in self.plan.derived:
            self._remove(pattern)

    def _problem(self, found: dict[str, Any], provenance: dict[str, Any]) -> str | None:
        """Why the recorded identity ``found`` is not this plan's with this code, or None."""
        kind = found.get("kind", "sweep")
        if kind != self.plan.kind:
            return (f"holds the results of a {_NOUNS.get(kind, kind)}, not of a "
                    f"{_NOUNS.get(self.plan.kind, self.plan.kind)}")
        problem = self.plan.owner_problem(found)
        if problem is None and not same_code(found.get("provenance"), provenance):
            problem = ("holds results of other model code ("
                       + describe_difference(found.get("provenance"), provenance)
                       + "), which are not mixed with this code's")
        return problem

    def run_path(self, run_id: str) -> Path:
        """The file of a finished run."""
        return self.runs_dir / f"{run_id}.parquet"

    def done(self) -> set[str]:
        """Ids of the runs on disk (checked or not: see :meth:`check`)."""
        return {p.stem for p in self.runs_dir.glob("*.parquet")}

    def check(self, specs: Sequence[RunSpec]) -> tuple[set[str], list[tuple[Path, str]]]:
        """Check every run file and failure record on disk against the run it is named for.

        A run file that is unreadable, or whose recorded identity (:data:`RUN_IDENTITY`)
        is not its run's, and a failure record that is unreadable or names another run,
        are unsound: pass them to :meth:`quarantine`, and their runs are made again.
        Files of runs not in ``specs`` are left to :meth:`prune`.

        Returns:
            The ids of the sound run files, and the unsound files with the reason of each
            (reading a run file's footer takes about 1 ms; nothing is kept in memory).

        """
        by_id = {s.id: s for s in specs}
        code = _code_identity()
        sound: set[str] = set()
        bad: list[tuple[Path, str]] = []
        for path in sorted(self.runs_dir.glob("*.parquet")):
            spec = by_id.get(path.stem)
            if spec is None:
                continue
            try:
                meta = read_run_meta(path)
            except ResultsError as exc:
                bad.append((path, str(exc).split(": ", 1)[-1]))
                continue
            problem = _identity_problem(meta, self.identity_of(spec, code))
            if problem:
                bad.append((path, problem))
            else:
                sound.add(spec.id)
        for path in sorted(self.failed_dir.glob("*.json")):
            try:
                record = read_json(path)
            except ResultsError as exc:
                bad.append((path, str(exc).split(": ", 1)[-1]))
                continue
            missing = sorted(_FAILURE_KEYS - set(record))
            if missing:
                bad.append((path, f"not a failure record (no {', '.join(missing)})"))
            elif record["id"] != path.stem:
                bad.append((path, f"the failure record of run {record['id']}, not of run "
                                  f"{path.stem}"))
        return sound, bad

    def quarantine(self, bad: Sequence[tuple[Path, str]]) -> None:
        """Move files aside into ``quarantine/`` (never deleted) and say so on one line."""
        if not bad:
            return
        where = self.directory / QUARANTINE
        where.mkdir(exist_ok=True)
        for path, _ in bad:
            target = where / f"{path.parent.name}-{path.name}"
            k = 1
            while target.exists():
                target, k = where / f"{path.parent.name}-{path.stem}.{k}{path.suffix}", k + 1
            os.replace(path, target)
        path, why = bad[0]
        more = f" (and {len(bad) - 1} more file{'s' if len(bad) > 2 else ''})" \
            if len(bad) > 1 else ""
        runs = sum(p.suffix == ".parquet" for p, _ in bad)
        again = "" if not runs else ("; its run is made again" if len(bad) == 1
                                     else "; their runs are made again")
        notice(f"{path}: {why}{more}; moved to {where}/{again}")

    def identity_of(self, spec: RunSpec, code: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
        """What the run file of ``spec`` records as its identity (:data:`RUN_IDENTITY`)."""
        return {"id": spec.id, "seed": spec.seed, "parameters": spec.parameters,
                "scenario": scenario_digest(*self.plan.job(spec)),
                "code": code or _code_identity()}

    def finished(self) -> bool:
        """Whether the directory's manifest is readable and of this very plan."""
        try:
            manifest = read_json(self.directory / MANIFEST)
        except ResultsError:
            return False
        return manifest.get("fingerprint") == self.plan.fingerprint() and \
            manifest.get("kind") == self.plan.kind and (self.directory / SUMMARY).is_file()

    def strays(self, wanted: set[str]) -> list[Path]:
        """Run files and failure records of runs not in ``wanted`` (see :meth:`prune`)."""
        return [path for directory, suffix in ((self.runs_dir, ".parquet"),
                                               (self.failed_dir, ".json"))
                for path in directory.glob(f"*{suffix}") if path.stem not in wanted]

    def prune(self, wanted: set[str]) -> int:
        """Remove run files and failure records of runs not in ``wanted``; how many runs.

        A sweep's directory holds only its own runs; a comparison's may hold runs of
        designs (or replications) it no longer has.
        """
        removed = 0
        for directory, suffix in ((self.runs_dir, ".parquet"), (self.failed_dir, ".json")):
            for path in directory.glob(f"*{suffix}"):
                if path.stem not in wanted:
                    path.unlink(missing_ok=True)
                    removed += suffix == ".parquet"
        return removed

    def write_design(self, specs: Sequence[RunSpec]) -> None:
        """Write ``design.parquet``: every run with its point, replication, seed and id."""
        rows = [{"point": s.point, "replication": s.replication, "seed": s.seed, "id": s.id,
                 **s.parameters} for s in specs]
        write_parquet(self.directory / DESIGN, pd.DataFrame(rows))
        drawn = [{"id": s.id, "point": s.point, "replication": s.replication, "seed": s.seed,
                  "draw": s.draw, **s.drawn} for s in specs if s.draw is not None]
        if drawn:
            write_parquet(self.directory / PARAMETERS, pd.DataFrame(drawn))
        else:
            (self.directory / PARAMETERS).unlink(missing_ok=True)

    def write_run(self, spec: RunSpec, timeseries: pd.DataFrame, summary: dict,
                  cpu: dict[str, Any] | None = None) -> None:
        """Write one finished run (its time series; summary and CPU in the metadata)."""
        meta = {**self.identity_of(spec), "replication": spec.replication,
                "summary": summary, "cpu": cpu}
        if spec.draw is not None:  # the drawn parameters, so the run can be made again
            meta["draw"] = {"index": spec.draw, "values": spec.drawn}
        write_run_file(self.run_path(spec.id), timeseries, meta)
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
            meta = read_run_meta(self.run_path(run_id))
            rows.append({"id": meta["id"], "replication": meta["replication"],
                         "seed": meta["seed"], **meta["parameters"], **meta["summary"]})
        return rows

    def read_runs(self, ids: Iterable[str]) -> Iterator[tuple[pd.DataFrame, dict[str, Any]]]:
        """The weekly time series (indexed by week) and metadata of finished runs."""
        for run_id in ids:
            yield read_run_file(self.run_path(run_id))

    def rebuild(self, specs: Sequence[RunSpec]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rebuild ``summary.parquet`` and ``failures.parquet`` from the per-run files."""
        wanted = {s.id for s in specs}
        done = self.done() & wanted
        summary = pd.DataFrame(self.read_summary_rows(done))
        names = list(self.plan.columns)
        if summary.empty:
            summary = pd.DataFrame(columns=["id", "replication", "seed", *names])
        summary = summary[order_columns(summary.columns, names)]
        failures = []
        for path in sorted(self.failed_dir.glob("*.json")):
            try:
                record = read_json(path)
            except ResultsError:
                continue  # not one of this call's records (they are checked on resume)
            if record.get("id") == path.stem and _FAILURE_KEYS <= set(record) \
                    and record["id"] in wanted and record["id"] not in done:
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


_FAILURE_KEYS = frozenset({"id", "replication", "seed", "parameters", "error_type",
                           "error_message"})


def scenario_digest(base: str, overrides: dict[str, Any]) -> str:
    """Digest of a run's resolved scenario: its base scenario's JSON text and overrides.

    SHA-1 (16 hex digits) of the base text and the canonical JSON of the overrides,
    which together determine the scenario the run is made from.
    """
    digest = hashlib.sha1(base.encode())
    digest.update(json.dumps(overrides, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()[:16]


def _code_identity() -> dict[str, Any]:
    """The code's hash and mentorsim's version, as each run file records them."""
    provenance = code_provenance()
    return {"code": provenance.get("code"), "version": provenance.get("version")}


def _identity_problem(meta: dict[str, Any], expected: dict[str, Any]) -> str | None:
    """Why a run file's metadata is not the identity expected of it, or None."""
    for key in RUN_IDENTITY:
        if key not in meta:
            return f"records no {key} (written before run files carried their identity)"
        found, wanted = (json.dumps(v, sort_keys=True) for v in (meta[key], expected[key]))
        if found != wanted:
            if key == "id":
                return f"holds run {meta['id']}, not run {expected['id']}"
            return f"records {key} {found[:80]}, but run {expected['id']} has {wanted[:80]}"
    return None


def code_provenance() -> dict[str, Any]:
    """The running code's provenance as recorded in ``sweep.json`` and the manifest."""
    return dict(fingerprint())


# --- running -----------------------------------------------------------------------------
@dataclass
class SweepOutcome:
    """What a call of :func:`run_plan` (or :func:`run_sweep`) did.

    Attributes:
        directory: The results directory.
        runs: Unique runs of the plan.
        done: Runs on disk at the end.
        failed: Runs that raised.
        skipped: Runs found on disk at the start (resumed).
        ran: Runs attempted in this call.
        seconds: Wall time of the runs attempted in this call.
        summary: The rebuilt summary table.
        failures: The failures table.
        executor: ``kind``, ``workers`` and ``scheduler`` of the executor used.
        started: When this call started (ISO 8601, UTC).
        finished: When its runs finished and the tables were rebuilt.

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
    executor: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    finished: str = ""

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
    sweep: Plan,
    out: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    force_new: bool = False,
) -> SweepOutcome:
    """Run (or resume) a sweep into ``out`` and write its manifest.

    The arguments, the return value and the errors are those of :func:`run_plan`. The
    manifest is written even if some runs failed (they are in ``failures.parquet`` and are
    tried again by a re-run). The directory's lock is held until it is written.
    """
    check_plan(sweep, executor, workers, scheduler)  # runs, workers, memory: before any claim
    with locked(out):
        outcome = run_plan(sweep, out, executor, workers, scheduler, progress, force_new)
        write_json(outcome.directory / MANIFEST, run_manifest(sweep, outcome))
    return outcome


def run_plan(
    plan: Plan,
    out: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    force_new: bool = False,
) -> SweepOutcome:
    """Run (or resume) the runs of a plan into ``out``; the caller writes the manifest.

    Takes the directory's lock (:mod:`sim.experiment.lock`; the caller may hold it
    already, to keep it until its manifest is written), claims the directory, writes
    ``design.parquet``, checks the runs on disk against their identity (quarantining the
    unsound), and, if any run is to be made, removes the manifest and runs every run not
    on disk on the executor, streaming each to ``runs/`` as it finishes (or to
    ``failures/`` if it raised); then rebuilds the tables.

    Args:
        plan: A sweep or a comparison.
        out: The results directory.
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes (default: CPUs).
        scheduler: Dask scheduler address (default: a local cluster).
        progress: Show a tqdm bar (done, failed, time left).
        force_new: Discard results in ``out`` of another plan or of other model code
            and start again, instead of refusing.

    Returns:
        Counts, timing and the rebuilt tables.

    Raises:
        ResultsError: ``out`` holds something other than this plan's results, or
            results of other model code; another process is writing it; or the worker
            processes died.
        MentorsimError: Unknown executor or fewer than one worker (before anything is
            written).

    """
    check_plan(plan, executor, workers, scheduler)  # runs, workers, memory: before any claim
    with locked(out):
        return _run_plan(plan, Path(out), executor, workers, scheduler, progress, force_new)


def _run_plan(plan: Plan, out: Path, executor: str, workers: int | None,
              scheduler: str | None, progress: bool, force_new: bool) -> SweepOutcome:
    """:func:`run_plan`, with the lock of ``out`` held."""
    from tqdm import tqdm

    started = _now()
    clean_stale_staging(out)
    store = SweepStore(out, plan, force_new)
    specs = plan.runs()
    runs = unique_runs(specs)
    wanted = {s.id for s in runs}
    on_disk, unsound = store.check(runs)
    todo = [s for s in runs if s.id not in on_disk]
    if todo or unsound or store.strays(wanted) or not store.finished():
        store.unfinish()  # the manifest first: nothing looks finished while it changes
    store.quarantine(unsound)
    store.prune(wanted)
    store.write_design(specs)
    failed = 0
    clock = time.perf_counter()
    with make_executor(executor, workers, scheduler, warm_up=warm_up) as pool:
        n_workers = getattr(pool, "workers", 1)
        chunks = _chunks(plan, todo, chunk_size(len(todo), n_workers))
        limit = 1 if n_workers <= 1 else 2 * n_workers
        bar = tqdm(total=len(runs), initial=len(runs) - len(todo), unit="run",
                   desc=plan.label, disable=not progress, dynamic_ncols=True)
        bar.set_postfix(failed=0, refresh=False)
        in_flight: dict[Future, tuple[str, list[RunSpec]]] = {}
        attempts: dict[tuple[str, ...], int] = {}
        retry: list[tuple[str, list[RunSpec]]] = []
        pending = iter(chunks)
        try:
            _fill(pool, plan, _retries_first(retry, pending), in_flight, limit)
            while in_flight:
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    base, chunk = in_flight.pop(future)
                    key = tuple(s.id for s in chunk)
                    attempts[key] = attempts.get(key, 0) + 1
                    if _call_failed(future) and attempts[key] < CHUNK_ATTEMPTS:
                        retry.append((base, chunk))  # the worker call failed: try again
                        continue
                    failed += _store_chunk(store, chunk, future)
                    bar.update(len(chunk))
                    bar.set_postfix(failed=failed, refresh=False)
                _fill(pool, plan, _retries_first(retry, pending), in_flight, limit)
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
    return SweepOutcome(store.directory, len(runs), len(summary), len(failures),
                        len(runs) - len(todo), len(todo), seconds, summary, failures,
                        {"kind": executor, "workers": n_workers, "scheduler": scheduler},
                        started, _now())


def _chunks(plan: Plan, todo: Sequence[RunSpec], size: int) -> list[tuple[str, list[RunSpec]]]:
    """Chunks of at most ``size`` runs that share a base scenario, in design order."""
    groups: dict[str, list[RunSpec]] = {}
    for spec in todo:
        groups.setdefault(plan.job(spec)[0], []).append(spec)
    return [(base, group[i:i + size]) for base, group in groups.items()
            for i in range(0, len(group), size)]


def _retries_first(retry: list, pending: Iterator):
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


def _fill(pool, plan: Plan, pending: Iterator, in_flight: dict, limit: int) -> None:
    while len(in_flight) < limit:
        item = next(pending, None)
        if item is None:
            return
        base, chunk = item
        jobs = [(s.id, plan.job(s)[1], s.seed) for s in chunk]
        in_flight[pool.submit(run_chunk, base, jobs)] = item


def _store_chunk(store: SweepStore, chunk: list[RunSpec], future: Future) -> int:
    try:
        outcomes = future.result()
    except Exception as exc:  # noqa: BLE001 - a worker died or the call could not be sent
        outcomes = [_failure(spec.id, exc) for spec in chunk]
    failed = 0
    for spec, outcome in zip(chunk, outcomes, strict=True):
        if outcome["ok"]:
            store.write_run(spec, outcome["timeseries"], outcome["summary"],
                            outcome.get("cpu"))
        else:
            store.write_failure(spec, outcome["error_type"], outcome["error_message"])
            failed += 1
    return failed


def run_manifest(plan: Plan, outcome: SweepOutcome) -> dict[str, Any]:
    """The manifest of a finished plan: what it was, with which code, how it went."""
    return {
        "format": 1,
        "kind": plan.kind,
        **plan.manifest(),
        "fingerprint": plan.fingerprint(),
        "versions": versions(),
        "provenance": code_provenance(),
        "executor": outcome.executor,
        "started": outcome.started,
        "finished": outcome.finished,
        "counts": {"runs": outcome.runs, "done": outcome.done, "failed": outcome.failed,
                   "resumed": outcome.skipped, "ran": outcome.ran},
        "seconds": round(outcome.seconds, 3),
        "runs_per_second": round(outcome.runs_per_second, 3) if outcome.ran else None,
    }
