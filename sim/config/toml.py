"""TOML in and out: reading a file with one-line errors, writing a scenario back."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning every way it can fail into a one-line ScenarioError."""
    path = Path(path)
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
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Write nested dicts of scalars, lists and tables as TOML (the subset scenarios use)."""
    lines: list[str] = []
    _emit_table(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit_table(lines: list[str], prefix: list[str], table: Mapping[str, Any]) -> None:
    for key, value in table.items():
        if value is None or isinstance(value, dict) or _is_table_list(value):
            continue
        lines.append(f"{key} = {_toml_scalar(value)}")
    for key, value in table.items():
        if isinstance(value, dict):
            lines.append("")
            lines.append(f"[{'.'.join([*prefix, key])}]")
            _emit_table(lines, [*prefix, key], value)
    for key, value in table.items():
        if _is_table_list(value):
            for item in value:
                lines.append("")
                lines.append(f"[[{'.'.join([*prefix, key])}]]")
                _emit_table(lines, [*prefix, key], item)
