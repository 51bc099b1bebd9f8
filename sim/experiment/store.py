"""Results on disk: atomic files, staged directories, a manifest that marks completion.

A results directory is complete exactly when its ``manifest.json`` exists: the manifest
is written last, every file is written to a temporary name and renamed into place
(:func:`atomic_write`), and a directory written as a whole is written out of sight and
renamed into place (:func:`staged_directory`; :func:`staged_files` for files joining a
directory), so an interrupted write never leaves a file or directory that looks
finished. The layouts of run and sweep directories are in
:mod:`sim.experiment.results` and :mod:`sim.experiment.runner`.

One writer at a time: :func:`staged_directory` holds the directory's lock
(:mod:`sim.experiment.lock`) while it writes, and so does the runner of sweeps and
comparisons. Holding the lock, a writer knows that every staging directory
(``.NAME.XXXXXXXX.partial``) or set-aside old directory (``.NAME.XXXXXXXX.old``) of its
directory was left by a writer that died, and removes it (:func:`clean_stale_staging`),
with a one-line notice; a lock-less writer could not tell them from a live writer's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ResultsError
from sim.experiment.lock import holds, locked, notice

MANIFEST = "manifest.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
_DIR_MODE = 0o777 & ~_umask()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp_path)`` then rename into place (same directory)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically (NaN written as null)."""
    text = json.dumps(_nan_to_none(data), indent=2, sort_keys=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write a DataFrame as Parquet (pyarrow), atomically."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, engine="pyarrow"))


def _nan_to_none(data: Any) -> Any:
    if isinstance(data, float) and data != data:
        return None
    if isinstance(data, dict):
        return {k: _nan_to_none(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_nan_to_none(v) for v in data]
    return data


def _prepare_directory(out: Path, known_files: Collection[str]) -> Path:
    """Make a fresh staging directory beside ``out`` (refusing an ``out`` that is not ours)."""
    if out.exists():
        names = {p.name for p in out.iterdir()} if out.is_dir() else None
        if names is None or not names <= set(known_files) | {MANIFEST}:
            raise ResultsError(
                f"{out}: exists and is not a mentorsim results directory; choose another --out"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    os.chmod(staging, _DIR_MODE)
    return staging


def _staging_pattern(name: str) -> re.Pattern[str]:
    """Names of the staging and set-aside directories of ``name``.

    ``tempfile.mkdtemp``'s eight random characters exactly, so ``.a.b.XXXXXXXX.partial``
    (of ``a.b``) is not taken for one of ``a``.
    """
    return re.compile(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}\.(partial|old)")


def clean_stale_staging(out: str | Path) -> int:
    """Remove the staging directories a dead writer of ``out`` left beside it.

    Call it holding the lock of ``out`` (:mod:`sim.experiment.lock`): then no live writer
    of ``out`` has a staging directory. A set-aside old directory (``.NAME.XXXXXXXX.old``,
    left by a writer killed while it swapped the new directory in) is put back in place
    when ``out`` is missing, so the last complete results are never lost.

    Returns:
        How many directories were removed or put back (each time with a notice).

    Raises:
        RuntimeError: The lock of ``out`` is not held (a bug).

    """
    out = Path(out)
    if not holds(out):
        raise RuntimeError(f"{out}: clean_stale_staging needs the directory's lock")
    if not out.parent.is_dir():
        return 0
    pattern = _staging_pattern(out.name)
    stale = sorted(p for p in out.parent.iterdir() if pattern.fullmatch(p.name) and p.is_dir())
    for path in stale:
        kept = path / out.name
        if path.suffix == ".old" and kept.is_dir() and not out.exists():
            os.replace(kept, out)
            notice(f"{out}: put back the results a killed writer had set aside in {path}")
        shutil.rmtree(path, ignore_errors=True)
    if stale:
        notice(f"{out}: removed {len(stale)} staging director"
               f"{'y' if len(stale) == 1 else 'ies'} left by a killed writer "
               f"({', '.join(p.name for p in stale[:3])}{', ...' if len(stale) > 3 else ''})")
    return len(stale)


def _commit_directory(staging: Path, out: Path) -> None:
    """Replace ``out`` with the finished ``staging`` directory."""
    if out.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
        os.replace(out, trash / out.name)
        os.replace(staging, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, out)


@contextmanager
def staged_directory(out: str | Path, known_files: Collection[str] = ()) -> Iterator[Path]:
    """Write a whole directory out of sight, then put it in place at once.

    The lock of ``out`` is held throughout (a second writer of ``out`` is refused at
    once, naming the holder), and staging directories left beside ``out`` by a killed
    writer are removed on entering (:func:`clean_stale_staging`).

    Everything is written into a hidden staging directory beside ``out``; leaving the
    ``with`` block normally replaces ``out`` with it (one rename), and leaving it by any
    exception, ``KeyboardInterrupt`` included, removes the staging directory and leaves
    ``out`` as it was::

        with staged_directory(out, RUN_FILES) as staging:
            write_parquet(staging / "timeseries.parquet", frame)
            write_json(staging / MANIFEST, manifest)

    Args:
        out: The directory to write (replaced if it exists).
        known_files: The names a directory of this kind holds (besides ``manifest.json``);
            an existing ``out`` holding anything else is refused, so a user's own files
            are never replaced.

    Yields:
        The staging directory to write into.

    Raises:
        ResultsError: ``out`` exists and is not a results directory of this kind, or
            another process is writing it (raised on entering, before anything is
            written).

    """
    out = Path(out)
    with locked(out):
        clean_stale_staging(out)
        staging = _prepare_directory(out, known_files)
        try:
            yield staging
            _commit_directory(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


@contextmanager
def staged_files(directory: str | Path) -> Iterator[Path]:
    """Write a set of files out of sight, then move them into an existing directory.

    Like :func:`staged_directory`, but for files that join a directory holding other
    things (a comparison's report beside its runs): leaving the ``with`` block normally
    moves every file written into the staging directory into ``directory`` (one rename
    each, replacing a file of the same name); leaving it by any exception removes the
    staging directory and ``directory`` keeps what it had. Write the directory's
    manifest after the block, so a directory with a manifest has every file.

    Args:
        directory: Where the files go (made if missing).

    Yields:
        The staging directory to write into (flat: subdirectories are not moved).

    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staged.", suffix=".partial", dir=directory))
    os.chmod(staging, _DIR_MODE)
    try:
        yield staging
        for path in sorted(staging.iterdir()):
            if path.is_file():
                os.replace(path, directory / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_json(path: str | Path) -> dict[str, Any]:
    """Read a JSON object written by mentorsim.

    Raises:
        ResultsError: The file is missing, unreadable or not a JSON object.

    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: unreadable (not a JSON object)")
    return data


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read a Parquet file written by mentorsim.

    Raises:
        ResultsError: The file is missing or not readable as Parquet.

    """
    path = Path(path)
    if not path.is_file():
        raise ResultsError(f"{path}: no such file; the stored results are incomplete")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds on a bad file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ResultsError(f"{path}: unreadable Parquet ({reason})") from None


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """Read the manifest of a complete results directory.

    Raises:
        ResultsError: The directory or its manifest is missing or unreadable.

    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ResultsError(f"{directory}: no such results directory")
    if not (directory / MANIFEST).exists():
        raise ResultsError(f"{directory}: no {MANIFEST}; the results are incomplete")
    return read_json(directory / MANIFEST)
