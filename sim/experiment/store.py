"""Results on disk: atomic files, a manifest that marks a directory complete.

A results directory is complete exactly when its ``manifest.json`` exists: the manifest
is written last, and every file is written to a temporary name and renamed into place,
so an interrupted write never leaves a file or directory that looks finished.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ResultsError

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


def prepare_directory(out: Path, known_files: set[str]) -> Path:
    """Make a fresh staging directory beside ``out`` for a whole-directory write.

    Args:
        out: The results directory that :func:`commit_directory` will replace.
        known_files: Names a results directory of this kind holds; an existing ``out``
            holding anything else is refused rather than overwritten.

    Raises:
        ResultsError: ``out`` exists and is not a results directory of this kind.

    """
    out = Path(out)
    if out.exists():
        names = {p.name for p in out.iterdir()} if out.is_dir() else None
        if names is None or not names <= known_files | {MANIFEST}:
            raise ResultsError(
                f"{out}: exists and is not a mentorsim results directory; choose another --out"
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    os.chmod(staging, _DIR_MODE)
    return staging


def commit_directory(staging: Path, out: Path) -> None:
    """Replace ``out`` with the finished ``staging`` directory."""
    out = Path(out)
    if out.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
        os.replace(out, trash / out.name)
        os.replace(staging, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, out)


def read_manifest(directory: Path) -> dict[str, Any]:
    """Read the manifest of a complete results directory.

    Raises:
        ResultsError: The directory or its manifest is missing or unreadable.

    """
    path = Path(directory) / MANIFEST
    if not Path(directory).is_dir():
        raise ResultsError(f"{directory}: no such results directory")
    if not path.exists():
        raise ResultsError(f"{directory}: no {MANIFEST}; the results are incomplete")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: unreadable manifest ({exc})") from None
