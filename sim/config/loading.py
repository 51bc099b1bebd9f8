"""Loading scenarios: validation with one-line errors, dotted overrides, seeds.

Every error is turned into one :class:`~sim.errors.ScenarioError` line naming the file,
the dotted field and the offending value.
"""

from __future__ import annotations

import copy
import numbers
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config import bundled
from sim.config.schema import MAX_SEED, REMOVED_KEYS, Scenario
from sim.config.toml import read_toml
from sim.errors import ScenarioError


def check_seed(seed: Any, where: str = "--seed") -> int:
    """Refuse a seed that is negative or wider than 63 bits (as the scenario's ``seed``).

    Args:
        seed: The seed, e.g. from ``--seed``.
        where: How to name it in the message (``"--seed"``, ``"FILE: seed"``).

    Returns:
        The seed as an int.

    Raises:
        ScenarioError: One line naming ``where`` and the value.

    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) \
            or not 0 <= int(seed) <= MAX_SEED:  # a stored seed may be anything ("abc", 1.5)
        raise ScenarioError(f"{where} = {_format_value(seed)}: expected an integer from 0 to "
                            f"2**63 - 1 ({MAX_SEED})")
    return int(seed)


def _format_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _error_line(source: str, error: ValidationError, data: Mapping[str, Any]) -> str:
    first = error.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    more = error.error_count() - 1
    tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    if first["type"] == "extra_forbidden":
        if loc in REMOVED_KEYS:
            return f"{source}: {loc!r} is no longer a scenario key: {REMOVED_KEYS[loc]}{tail}"
        return f"{source}: unknown key {loc!r}{tail}"
    if first["type"] == "missing":
        return f"{source}: {loc}: required field is missing{tail}"
    if loc and "input" in first and not isinstance(first["input"], dict):
        return f"{source}: {loc} = {_format_value(first['input'])}: {message}{tail}"
    if loc:
        return f"{source}: {loc}: {message}{tail}"
    return f"{source}: {message}{tail}"


def scenario_from_dict(data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain mapping into a :class:`Scenario`.

    Args:
        data: The scenario as nested dicts (as read from TOML).
        source: Name of where the data came from, used in error messages.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: One line naming the source, the dotted field and the value.

    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_error_line(source, exc, data)) from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``dotted.key=value``; the value is read as a TOML value, else as a string.

    Args:
        text: An override such as ``programme.duration_weeks=26``.

    Returns:
        The dotted key and the parsed value.

    Raises:
        ScenarioError: If the text has no ``=`` or an empty key.

    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text!r}: expected dotted.key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except ValueError as exc:  # an integer of thousands of digits
        raise ScenarioError(f"--set {key}={raw[:20]}...: not a usable value ({exc})") from None
    return key, value


def apply_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, Any], source: str = "<scenario>"
) -> dict[str, Any]:
    """Return a copy of ``data`` with dotted-key overrides applied.

    List items are addressed by index (``workforce.groups.1.share``).

    Raises:
        ScenarioError: If a path crosses a value that is not a table or list.

    """
    result = copy.deepcopy(dict(data))
    for dotted, value in overrides.items():
        parts = dotted.split(".")
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            where = ".".join(parts[: depth + 1])
            if isinstance(node, list):
                node = _list_item(node, part, where, source)
            elif isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                raise ScenarioError(f"{source}: {where} is not a table, cannot set {dotted}")
        last = parts[-1]
        if isinstance(node, list):
            index = _list_index(node, last, dotted, source)
            node[index] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise ScenarioError(f"{source}: cannot set {dotted}: parent is not a table")
    return result


def _list_index(node: list, part: str, where: str, source: str) -> int:
    try:
        index = int(part)
    except ValueError:
        raise ScenarioError(f"{source}: {where}: expected a list index, got {part!r}") from None
    if not -len(node) <= index < len(node):
        raise ScenarioError(f"{source}: {where}: index {index} out of range ({len(node)} items)")
    return index


def _list_item(node: list, part: str, where: str, source: str) -> Any:
    return node[_list_index(node, part, where, source)]


def load_scenario(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario file or bundled scenario, applying dotted overrides first.

    Args:
        path: A TOML scenario file, or the name of a bundled scenario (``"mentoring"``,
            see :func:`sim.config.bundled.names`); an existing file wins over a name.
            ``None`` gives the built-in baseline defaults.
        overrides: ``{"programme.duration_weeks": 26, ...}`` applied before validation.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: The file is missing (and no bundled scenario has the name; the
            message lists them) or malformed, or a field is unknown or out of range; the
            message names the file, the field and the value.

    """
    source = str(path) if path is not None else "<defaults>"
    data: dict[str, Any] = {}
    if path is not None and not str(path).strip():  # Path("") would be the directory "."
        raise ScenarioError(f"scenario = {source!r}: an empty path; give a scenario file or "
                            "a bundled scenario's name")
    if path is not None:
        with bundled.scenario_file(path) as file:
            data = read_toml(file)
            data = _roster_path_resolved(data, path, file)
    if overrides:
        data = apply_overrides(data, overrides, source)
    scenario = scenario_from_dict(data, source)
    if scenario.roster is not None:
        scenario = _with_roster_headcount(scenario, source)
    return scenario


def _roster_path_resolved(data: dict[str, Any], scenario: str | Path,
                          file: Path) -> dict[str, Any]:
    """``data`` with a relative ``roster.path`` made absolute.

    Relative to the scenario file's directory, or, for a bundled scenario, to the bundled
    scenarios' package directory (:func:`sim.config.bundled.data_file`).
    """
    roster = data.get("roster")
    if not isinstance(roster, dict) or not isinstance(roster.get("path"), str) \
            or not roster["path"].strip():
        return data
    resolved = bundled.data_file(scenario, file, roster["path"])
    return {**data, "roster": {**roster, "path": resolved}}


def _with_roster_headcount(scenario: Scenario, source: str) -> Scenario:
    """The scenario with ``organisation.headcount`` set to the roster's rows (read and checked).

    Raises:
        ScenarioError: The roster file is bad (one line: file, row, column, value).

    """
    from sim.config.roster import read_roster

    size = read_roster(scenario).size
    if size == scenario.organisation.headcount:
        return scenario
    return with_overrides(scenario, {"organisation.headcount": size}, source)


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any], source: str) -> Scenario:
    """Return ``scenario`` with dotted overrides applied and the result re-validated."""
    if not overrides:
        return scenario
    data = apply_overrides(scenario.model_dump(mode="json"), overrides, source)
    return scenario_from_dict(data, source)
