"""The results layer: run directories and the run files of a sweep, written and read back.

A run directory (``mentorsim run``, :func:`write_run_directory`)::

    timeseries.parquet          the model reporters, one row per week
    summary.json                end-of-run results (and the flattened evaluation)
    scenario.toml               the scenario as resolved, every default written out
    gaps_by_group.csv           needs assessment: gap by group and competency
    causes.csv                  cause analysis: the gap by cause, group and competency
    recommendations.csv         the intervention for each cause, its share of the gap
    adaptations.csv             formative evaluation: every adaptation of the programme,
                                with its week and reason (headers only when none)
    evaluation.json             Kirkpatrick levels, ROI, equity (with a control arm)
    control_timeseries.parquet  the control arm's reporters (with a control arm)
    forecast.json               planning, before the run (programme on): mentor supply and
                                demand per matching, cost, budget warnings
    objectives.csv              the plan's objectives: met, missed or not reached (and in
                                the control arm), when the plan has objectives
    effect_profile.csv          formal mentees vs themselves by weeks since first match
                                (with a control arm; index ``weeks_since_match``)
    equity_profile.csv          the equity gaps by week, the run's and the control arm's
                                (sim.analysis.equity; with an underrepresented group and
                                a majority)
    *.png                       figures, drawn by a hook (``mentorsim run`` draws them with
                                sim.viz; the library writes data files only)
    manifest.json               written last: scenario, seed, versions, code and CPU

It is written as a whole into a staging directory and renamed into place
(:func:`sim.experiment.store.staged_directory`), so it either exists complete or not at all.

A sweep's (or comparison's) run file ``runs/<id>.parquet`` holds the run's weekly time
series with an ``id`` column; its id, replication, seed, parameters, end-of-run summary,
the CPU it ran on and the rest of its identity (a digest of its resolved scenario, the
code that made it: :data:`sim.experiment.runner.RUN_IDENTITY`, checked on resume) are in
the Parquet metadata under :data:`RUN_METADATA` (:func:`write_run_file`,
:func:`read_run_file`).

:func:`read_stored_run` reads either kind back as a :class:`StoredRun` (what a re-run
needs), and :func:`first_difference` compares a stored time series with a fresh one bit
for bit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.analysis.equity import equity_profile, has_groups
from sim.config import Scenario, check_seed, scenario_from_dict, with_overrides
from sim.errors import ResultsError
from sim.experiment.store import (
    MANIFEST,
    atomic_write,
    read_json,
    read_parquet,
    staged_directory,
    write_json,
    write_parquet,
)

if TYPE_CHECKING:
    from sim.experiment.run import RunResult

TIMESERIES = "timeseries.parquet"
RUN_DATA_FILES = frozenset({
    TIMESERIES, "summary.json", "scenario.toml", "gaps_by_group.csv", "causes.csv",
    "recommendations.csv",
    "evaluation.json", "control_timeseries.parquet", "effect_profile.csv", "adaptations.csv",
    "forecast.json", "objectives.csv", "equity_profile.csv",
})
RUN_FIGURES = frozenset({"plot.png", "gaps.png", "programme_vs_control.png",
                         "effect_profile.png", "equity.png"})
RUN_FILES = RUN_DATA_FILES | RUN_FIGURES
"""The names a run directory may hold besides ``manifest.json``: an existing directory with
anything else is not replaced."""
RUN_METADATA = b"mentorsim.run"
"""Key of a run file's Parquet metadata (JSON: id, replication, seed, parameters, scenario,
code, summary, cpu, and draw with parameter uncertainty)."""
IDENTITY = "sweep.json"
RUNS = "runs"

FigureHook = Callable[["RunResult", Path], Any]
"""Draws a run's figures into a directory (called with the staging directory)."""


# --- a run directory ---------------------------------------------------------------------
def write_run_files(directory: str | Path, result: RunResult,
                    figures: FigureHook | None = None,
                    manifest: dict[str, Any] | None = None) -> None:
    """Write a run's files into ``directory``, the manifest last.

    Args:
        directory: Where to write (usually the staging directory of
            :func:`~sim.experiment.store.staged_directory`).
        result: The run (see :func:`sim.experiment.run.run_scenario`).
        figures: Draws the figures into the directory (before the manifest).
        manifest: Entries added to the run's manifest.

    """
    directory = Path(directory)
    write_parquet(directory / TIMESERIES, result.timeseries)
    write_json(directory / "summary.json", result.summary)
    if result.scenario is not None:
        (directory / "scenario.toml").write_text(result.scenario.to_toml(), encoding="utf-8")
    if "gaps_by_group" in result.tables:
        result.tables["gaps_by_group"].to_csv(directory / "gaps_by_group.csv",
                                              index_label="group")
    if "causes" in result.tables:
        result.tables["causes"].to_csv(directory / "causes.csv", index=False)
    if "recommendations" in result.tables:
        result.tables["recommendations"].to_csv(directory / "recommendations.csv",
                                                index=False)
    if "adaptations" in result.tables:
        result.tables["adaptations"].to_csv(directory / "adaptations.csv", index=False)
    if result.forecast is not None:
        write_json(directory / "forecast.json", result.forecast.to_dict())
    if "objectives" in result.tables:
        result.tables["objectives"].to_csv(directory / "objectives.csv", index=False)
    if "effect_profile" in result.tables:
        result.tables["effect_profile"].to_csv(directory / "effect_profile.csv",
                                               index_label="weeks_since_match")
    if has_groups(result.timeseries):
        equity_profile(result.timeseries, result.control_timeseries).to_csv(
            directory / "equity_profile.csv", index_label="week")
    if result.evaluation is not None:
        write_json(directory / "evaluation.json", result.evaluation)
    if result.control_timeseries is not None:
        write_parquet(directory / "control_timeseries.parquet", result.control_timeseries)
    if figures is not None:
        figures(result, directory)
    write_json(directory / MANIFEST, {**result.manifest, **(manifest or {})})


def write_run_directory(out: str | Path, result: RunResult,
                        figures: FigureHook | None = None,
                        manifest: dict[str, Any] | None = None) -> Path:
    """Write a run directory as a whole: complete, or (on any exception) not at all.

    Args:
        out: The run directory (an earlier run directory there is replaced).
        result: The run.
        figures: Draws the figures into the staging directory (names of
            :data:`RUN_FIGURES`).
        manifest: Entries added to the run's manifest.

    Returns:
        The directory written.

    Raises:
        ResultsError: ``out`` exists and is not a run directory.

    """
    with staged_directory(out, RUN_FILES) as staging:
        write_run_files(staging, result, figures, manifest)
    return Path(out)


# --- a run file of a sweep ---------------------------------------------------------------
def write_run_file(path: str | Path, timeseries: pd.DataFrame, meta: dict[str, Any]) -> None:
    """Write one run of a sweep: its weekly time series, ``meta`` in the Parquet metadata.

    Args:
        path: The file (written atomically).
        timeseries: Weekly reporters, indexed by week.
        meta: ``id``, ``replication``, ``seed``, ``parameters``, ``scenario``, ``code``,
            ``summary`` and ``cpu`` (and ``draw``).

    """
    frame = timeseries.reset_index()
    frame.insert(0, "id", meta["id"])
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), RUN_METADATA: json.dumps(meta).encode()}
    )
    atomic_write(Path(path), lambda tmp: pq.write_table(table, tmp))


def read_run_meta(path: str | Path) -> dict[str, Any]:
    """The metadata of a run file (without reading its rows).

    Raises:
        ResultsError: The file is missing, damaged or not a run file.

    """
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"{path}: {'not a file' if path.exists() else 'no such run file'}")
    try:
        meta = json.loads(pq.read_metadata(path).metadata[RUN_METADATA])
    except Exception as exc:  # noqa: BLE001 - a damaged file or missing metadata
        raise ResultsError(f"{path}: unreadable run file ({type(exc).__name__}: {exc})") \
            from None
    if not isinstance(meta, dict) or not {"id", "seed", "parameters"} <= set(meta):
        raise ResultsError(f"{path}: unreadable run file (metadata without id, seed and "
                           "parameters)")
    return meta


def read_run_file(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A run file's weekly time series (indexed by week, as the run made it) and metadata.

    Raises:
        ResultsError: The file is missing, damaged or not a run file.

    """
    meta = read_run_meta(path)
    frame = read_parquet(path)
    return frame.drop(columns=["id"]).set_index("week"), meta


# --- reading a stored run back -----------------------------------------------------------
@dataclass
class StoredRun:
    """A stored run and what is needed to run it again.

    Attributes:
        label: How to name the run in messages (directory, and run id in a sweep).
        directory: The results directory it was read from.
        scenario: The resolved scenario of the run.
        seed: Its seed.
        timeseries: The stored weekly time series (indexed by week).
        path: The file it was read from.
        versions: Package versions recorded when the run was made (may be empty).
        provenance: Code provenance recorded when the run was made, if any.
        cpu: The CPU the run was made on, if recorded (see
            :func:`sim.experiment.provenance.cpu`).

    """

    label: str
    directory: Path
    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame = field(repr=False)
    path: Path
    versions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] | None = None
    cpu: dict[str, Any] | None = None


def read_stored_run(directory: str | Path, run_id: str | None = None) -> StoredRun:
    """Read a run directory, or one run of a sweep or comparison directory.

    Args:
        directory: A run directory, or a sweep or comparison directory (finished or not).
        run_id: The run of a sweep or comparison directory; must be None for a run
            directory.

    Raises:
        ResultsError: The directory, its manifest or its time series is missing or
            unreadable, or ``run_id`` is missing or unknown.
        ScenarioError: The stored scenario no longer validates.

    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ResultsError(f"{directory}: no such results directory")
    if (directory / IDENTITY).is_file():
        return read_sweep_run(directory, run_id)
    if run_id is not None:
        raise ResultsError(f"{directory}: --run-id {run_id}: not a sweep directory")
    return read_run_directory(directory)


def read_run_directory(directory: str | Path) -> StoredRun:
    """Read a run directory written by :func:`write_run_directory`.

    Raises:
        ResultsError: The directory, its manifest or its time series is missing or
            unreadable, or the manifest is not a run's.
        ScenarioError: The stored scenario no longer validates.

    """
    directory = Path(directory)
    path = directory / MANIFEST
    if not directory.is_dir():
        raise ResultsError(f"{directory}: no such results directory")
    if not path.is_file():
        raise ResultsError(f"{directory}: no {MANIFEST}; not a complete results directory")
    manifest = read_json(path)
    if manifest.get("kind", "run") != "run" or "scenario" not in manifest \
            or "seed" not in manifest:
        raise ResultsError(f"{path}: not the manifest of a run (needs kind = 'run', "
                           "scenario and seed)")
    scenario = scenario_from_dict(manifest["scenario"], f"{path}: scenario")
    provenance = manifest.get("provenance")
    seed = check_seed(manifest["seed"], f"{path}: seed")
    return StoredRun(str(directory), directory, scenario, seed,
                     read_parquet(directory / TIMESERIES), directory / TIMESERIES,
                     manifest.get("versions") or {}, provenance,
                     (provenance or {}).get("cpu"))


def read_sweep_run(directory: str | Path, run_id: str | None) -> StoredRun:
    """Read one run of a sweep or comparison directory (finished or not).

    The base scenario (a sweep) or the design's scenario (a comparison) comes from
    ``manifest.json`` or, while the directory is unfinished, ``sweep.json``; the run's
    parameters, seed and CPU from its run file.

    Raises:
        ResultsError: ``run_id`` is missing or not a run of the directory, or a file is
            unreadable.
        ScenarioError: The stored scenario no longer validates.

    """
    directory = Path(directory)
    if run_id is None:
        raise ResultsError(f"{directory}: is a sweep directory; name one run with --run-id ID "
                           f"(the file names in {directory}/{RUNS}/)")
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ResultsError(f"{directory}: --run-id {run_id!r}: not a run id")
    identity = read_json(directory / IDENTITY)
    try:  # an unreadable manifest: the directory is unfinished, sweep.json has the rest
        manifest = read_json(directory / MANIFEST) if (directory / MANIFEST).is_file() else {}
    except ResultsError:
        manifest = {}
    path = directory / RUNS / f"{run_id}.parquet"
    if not path.is_file():
        raise ResultsError(f"{directory}: --run-id {run_id}: no such run in "
                           f"{directory}/{RUNS}/")
    stored, meta = read_run_file(path)
    if meta["id"] != run_id:
        raise ResultsError(f"{path}: holds run {meta['id']}, not run {run_id} (a file copied "
                           "or renamed); a sweep or compare run of the same command moves it "
                           "aside and makes the run again")
    scenario = _scenario_of(directory, identity, manifest, meta, str(path))
    provenance = manifest.get("provenance") or identity.get("provenance")
    seed = check_seed(meta["seed"], f"{path}: seed")
    return StoredRun(f"{directory} run {run_id}", directory, scenario, seed,
                     stored, path,
                     manifest.get("versions") or {}, provenance,
                     meta.get("cpu") or (provenance or {}).get("cpu"))


def _scenario_of(directory: Path, identity: dict[str, Any], manifest: dict[str, Any],
                 meta: dict[str, Any], source: str) -> Scenario:
    """The scenario of one run: a comparison's design, or a sweep's base with overrides."""
    if identity.get("kind") == "compare":
        name = meta["parameters"].get("scenario")
        resolved = identity.get("resolved") or {}
        if name not in resolved:
            raise ResultsError(f"{source}: design {name!r} is not in {directory}/{IDENTITY}")
        design = scenario_from_dict(resolved[name], f"{directory}: scenario {name}")
        drawn = (meta.get("draw") or {}).get("values") or {}
        return with_overrides(design, drawn, source) if drawn else design
    base = manifest.get("base_scenario") or identity.get("base_scenario")
    if base is None:
        raise ResultsError(f"{directory}/{IDENTITY}: holds no base_scenario")
    drawn = (meta.get("draw") or {}).get("values") or {}  # a parameter draw, if any
    return with_overrides(scenario_from_dict(base, f"{directory}: base scenario"),
                          {**meta["parameters"], **drawn}, source)


# --- bit-for-bit comparison --------------------------------------------------------------
def first_difference(stored: pd.DataFrame, fresh: pd.DataFrame) -> str | None:
    """Where two time series first differ, bit for bit; None if they are identical.

    Columns must come in the same order with the same dtypes; numbers are compared byte
    for byte (so ``-0.0`` differs from ``0.0`` and NaN payloads count), other values by
    equality (NaN equal to NaN).

    Args:
        stored: The stored time series (indexed by week).
        fresh: The re-run's time series.

    Returns:
        None, or one line naming the first differing column and week with both values.

    """
    if list(stored.columns) != list(fresh.columns):
        missing = [c for c in stored.columns if c not in fresh.columns]
        extra = [c for c in fresh.columns if c not in stored.columns]
        return (f"the columns differ (only stored: {missing or 'none'}; only re-run: "
                f"{extra or 'none'})" if missing or extra else "the columns are in another order")
    if len(stored) != len(fresh):
        return f"{len(stored)} weeks stored, {len(fresh)} re-run"
    weeks = stored.index.to_numpy()
    if not np.array_equal(weeks, fresh.index.to_numpy()):
        return "the weeks differ"
    for column in stored.columns:
        a, b = stored[column].to_numpy(), fresh[column].to_numpy()
        if a.dtype != b.dtype:
            return f"column {column!r}: stored as {a.dtype}, re-run gives {b.dtype}"
        if a.dtype.kind in "fiubc":
            rows = _differing_rows(a, b)
            if rows.size:
                row = int(rows[0])
                return (f"column {column!r} at week {weeks[row]}: stored {a[row]!r}, "
                        f"re-run {b[row]!r}")
        else:
            for row, (x, y) in enumerate(zip(a, b, strict=True)):
                if not (x == y or (x != x and y != y)):
                    return (f"column {column!r} at week {weeks[row]}: stored {x!r}, "
                            f"re-run {y!r}")
    return None


def _differing_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows whose bytes differ (so -0.0 != 0.0 and NaN payloads count)."""
    x = np.ascontiguousarray(a).view(np.uint8).reshape(len(a), -1)
    y = np.ascontiguousarray(b).view(np.uint8).reshape(len(b), -1)
    return np.flatnonzero((x != y).any(axis=1))
