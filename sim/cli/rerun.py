"""``mentorsim rerun``: run a finished run again and check it reproduces bit for bit.

A run directory (written by ``mentorsim run``) holds the resolved scenario and the seed
in its ``manifest.json``; a sweep directory holds the base scenario (``manifest.json`` or
``sweep.json``) and, in each ``runs/<id>.parquet``, the run's parameters and seed. Either
is run again and the new weekly time series is compared with the stored one, column by
column, byte for byte. Exit code 0: identical; 1: different (the first differing column
and week are printed); 2: the directory cannot be read.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ResultsError

if TYPE_CHECKING:  # imported where used, so `mentorsim --help` does not load pandas
    import numpy as np
    import pandas as pd

EXIT_DIFFERENT = 1


def register(subparsers) -> None:
    """Add the ``rerun`` subcommand."""
    rerun = subparsers.add_parser(
        "rerun", help="run a finished run again and check it reproduces bit for bit",
        description="Re-run the run in DIR (a `mentorsim run` results directory, or one run "
                    "of a sweep directory with --run-id) from its manifest and compare the "
                    "new weekly time series with the stored one. Exit code 0 if identical, "
                    "1 if not.")
    rerun.add_argument("directory", metavar="DIR", help="results directory of a run or sweep")
    rerun.add_argument("--run-id", metavar="ID",
                       help="the run of a sweep directory (a file name in DIR/runs/)")
    rerun.add_argument("--out", metavar="DIR2",
                       help="also write the re-run's results (a run results directory)")
    rerun.set_defaults(func=execute)


@dataclass
class Rerun:
    """A stored run and what is needed to run it again.

    Attributes:
        label: How to name the run in messages (directory, and run id for a sweep).
        scenario: The resolved scenario of the run.
        seed: Its seed.
        stored: The stored weekly time series (indexed by week).
        stored_path: The file it was read from.
        versions: Package versions recorded when the run was made (may be empty).
        provenance: Code provenance recorded when the run was made, if any.

    """

    label: str
    scenario: Any
    seed: int
    stored: pd.DataFrame = field(repr=False)
    stored_path: Path
    versions: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, Any] | None = None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: unreadable (not a JSON object)")
    return data


def _read_parquet(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise ResultsError(f"{path}: no such file; the stored results are incomplete")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on a bad file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsError(f"{path}: unreadable Parquet ({reason})") from None


def load_rerun(directory: str | Path, run_id: str | None = None) -> Rerun:
    """Read what a re-run of a stored run needs.

    Args:
        directory: A run results directory, or a sweep results directory.
        run_id: The run of a sweep directory; must be None for a run directory.

    Returns:
        The scenario, seed and stored time series.

    Raises:
        ResultsError: The directory, its manifest or its time series is missing or
            unreadable, or ``run_id`` is missing/unknown for a sweep directory.
        ScenarioError: The stored scenario no longer validates.

    """
    from sim.config import scenario_from_dict

    directory = Path(directory)
    if not directory.is_dir():
        raise ResultsError(f"{directory}: no such results directory")
    manifest_path = directory / "manifest.json"
    is_sweep = (directory / "sweep.json").is_file()
    if not is_sweep and not manifest_path.is_file():
        raise ResultsError(f"{directory}: no manifest.json; not a complete results directory")
    manifest = _read_json(manifest_path) if manifest_path.is_file() else {}
    if is_sweep or manifest.get("kind") == "sweep":
        return _load_sweep_run(directory, manifest, run_id)
    if run_id is not None:
        raise ResultsError(f"{directory}: --run-id {run_id}: not a sweep directory")
    if manifest.get("kind", "run") != "run" or "scenario" not in manifest \
            or "seed" not in manifest:
        raise ResultsError(f"{manifest_path}: not the manifest of a run (needs kind = 'run', "
                           "scenario and seed)")
    scenario = scenario_from_dict(manifest["scenario"], f"{manifest_path}: scenario")
    path = directory / "timeseries.parquet"
    return Rerun(str(directory), scenario, int(manifest["seed"]), _read_parquet(path), path,
                 manifest.get("versions") or {}, manifest.get("provenance"))


def _load_sweep_run(directory: Path, manifest: dict[str, Any], run_id: str | None) -> Rerun:
    from sim.config import scenario_from_dict, with_overrides

    if run_id is None:
        raise ResultsError(f"{directory}: is a sweep directory; name one run with --run-id ID "
                           f"(the file names in {directory}/runs/)")
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ResultsError(f"{directory}: --run-id {run_id!r}: not a run id")
    identity = _read_json(directory / "sweep.json") if (directory / "sweep.json").is_file() \
        else {}
    base = manifest.get("base_scenario") or identity.get("base_scenario")
    if base is None:
        raise ResultsError(f"{directory}: neither manifest.json nor sweep.json holds the base "
                           "scenario (a sweep written by an older mentorsim); finish the "
                           "sweep first")
    path = directory / "runs" / f"{run_id}.parquet"
    if not path.is_file():
        raise ResultsError(f"{directory}: --run-id {run_id}: no such run in {directory}/runs/")
    try:
        import pyarrow.parquet as pq

        from sim.experiment.runner import _META_KEY

        meta = json.loads(pq.read_schema(path).metadata[_META_KEY])
    except Exception as exc:  # noqa: BLE001 - a damaged file or missing metadata
        raise ResultsError(f"{path}: unreadable run file ({type(exc).__name__}: {exc})") \
            from None
    frame = _read_parquet(path)
    stored = frame.drop(columns=["id"]).set_index("week")
    source = f"{directory}/runs/{run_id}.parquet"
    scenario = with_overrides(scenario_from_dict(base, f"{directory}: base scenario"),
                              meta["parameters"], source)
    return Rerun(f"{directory} run {run_id}", scenario, int(meta["seed"]), stored, path,
                 manifest.get("versions") or {},
                 manifest.get("provenance") or identity.get("provenance"))


def reproduce(scenario_json: str, seed: int) -> pd.DataFrame:
    """Run a scenario (given as JSON text) with ``seed``; return its weekly time series.

    A plain module-level function of plain arguments, so it can be sent to a process pool
    or a Dask worker.
    """
    from sim.config import scenario_from_dict
    from sim.experiment.run import run_scenario

    scenario = scenario_from_dict(json.loads(scenario_json), "<rerun>")
    return run_scenario(scenario, seed=seed).timeseries


def first_difference(stored: pd.DataFrame, fresh: pd.DataFrame) -> str | None:
    """Where two time series first differ, bit for bit; None if they are identical.

    Args:
        stored: The stored time series (indexed by week).
        fresh: The re-run's time series.

    Returns:
        None, or one line naming the first differing column and week with both values.

    """
    import numpy as np

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
    import numpy as np

    x = np.ascontiguousarray(a).view(np.uint8).reshape(len(a), -1)
    y = np.ascontiguousarray(b).view(np.uint8).reshape(len(b), -1)
    return np.flatnonzero((x != y).any(axis=1))


def execute(args: argparse.Namespace) -> int:
    """Re-run, compare, print the verdict; optionally write the re-run's results."""
    from sim.experiment.run import run_scenario, versions

    rerun = load_rerun(args.directory, args.run_id)
    if args.out and Path(args.out).resolve() in (Path(args.directory).resolve(),
                                                 rerun.stored_path.parent.resolve()):
        raise ResultsError(f"{args.out}: --out must not be the directory being re-run")
    result = run_scenario(rerun.scenario, seed=rerun.seed, source=rerun.label)
    difference = first_difference(rerun.stored, result.timeseries)
    shape = f"{len(rerun.stored)} weeks x {rerun.stored.shape[1]} columns, seed {rerun.seed}"
    if difference is None:
        print(f"{rerun.label}: reproduced: {rerun.stored_path.name} is identical bit for bit "
              f"({shape})")
    else:
        print(f"{rerun.label}: NOT reproduced: {difference} ({shape})")
        changed = {k: (v, versions().get(k)) for k, v in rerun.versions.items()
                   if k != "platform" and versions().get(k) != v}
        if changed:
            print("  versions then -> now: " + ", ".join(
                f"{k} {a} -> {b}" for k, (a, b) in sorted(changed.items())))
        if rerun.provenance:
            from sim.experiment.provenance import describe_difference, fingerprint, same_code

            if not same_code(rerun.provenance, fingerprint()):
                print("  model code: " + describe_difference(rerun.provenance, fingerprint()))
    if args.out:
        out = Path(args.out)
        _write(out, rerun, result, difference is None)
        print(f"wrote {out}/: " + ", ".join(sorted(p.name for p in out.iterdir())))
    return 0 if difference is None else EXIT_DIFFERENT


def _write(out: Path, rerun: Rerun, result, reproduced: bool) -> None:
    """Write the re-run as a run results directory (atomically, manifest last)."""
    from sim.cli.run import RUN_FILES
    from sim.experiment.store import (
        MANIFEST,
        commit_directory,
        prepare_directory,
        write_json,
        write_parquet,
    )

    staging = prepare_directory(out, RUN_FILES)
    try:
        write_parquet(staging / "timeseries.parquet", result.timeseries)
        write_json(staging / "summary.json", result.summary)
        (staging / "scenario.toml").write_text(rerun.scenario.to_toml(), encoding="utf-8")
        manifest = {**result.manifest, "rerun_of": rerun.label, "reproduced": reproduced}
        write_json(staging / MANIFEST, manifest)
        commit_directory(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
