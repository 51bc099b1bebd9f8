"""TOML in and out: reading a file with one-line errors, writing a scenario back."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from sim.errors import ScenarioError

MAX_TOML_BYTES = 16 * 2**20
"""Largest scenario, sweep, plan or targets file read (they are a few kB)."""


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every way it can fail into a one-line ScenarioError."""
    if not str(path).strip():  # Path("") would be the directory "."
        raise ScenarioError(f"{str(path)!r}: an empty path; give a TOML file")
    path = Path(path)
    try:
        info = path.stat()
    except (FileNotFoundError, OSError):
        info = None  # read_text below says why
    if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: not a regular file (a pipe or device would be read "
                            "without end)")
    if info is not None and info.st_size > MAX_TOML_BYTES:
        raise ScenarioError(f"{path}: {info.st_size / 2**20:.0f} MB, too large for a TOML "
                            f"input file (at most {MAX_TOML_BYTES // 2**20} MB)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(f"{path}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    if not text.strip():
        raise ScenarioError(f"{path}: the file is empty")
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer of thousands of digits
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Write nested dicts of scalars, lists and tables as TOML, with :mod:`tomli_w`.

    TOML has no null: keys whose value is ``None`` are left out (at any depth), so a field
    whose default is ``None`` reads back as ``None``. A list of tables is written as an
    array of tables (inline where a table fits on a line).

    Args:
        data: The mapping to write, e.g. ``scenario.model_dump(mode="json")``.

    Returns:
        The TOML text, ending in a newline.

    Raises:
        TypeError: A value TOML cannot hold (e.g. a set or an arbitrary object).

    """
    return tomli_w.dumps(_without_none(data))


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_without_none(item) for item in value]
    return value
