"""Bundled scenarios: the files of the top-level ``scenarios/`` shipped as package data.

They are installed as the package ``sim.scenarios`` (see ``pyproject.toml``) and read with
:mod:`importlib.resources`, so ``load_scenario("mentoring")`` works from a checkout, an
editable install and a wheel installed anywhere. A scenario argument is resolved as: an
existing file, else the name of a bundled scenario, else a one-line
:class:`~sim.errors.ScenarioError` that lists the bundled names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sim.errors import ScenarioError

PACKAGE = "sim.scenarios"
SUFFIX = ".toml"


def _directory() -> Traversable:
    return resources.files(PACKAGE)


def names() -> list[str]:
    """The names of the bundled scenarios (file stems), sorted."""
    return sorted(entry.name.removesuffix(SUFFIX) for entry in _directory().iterdir()
                  if entry.name.endswith(SUFFIX) and entry.is_file())


def is_bundled(scenario: str | Path) -> bool:
    """Whether ``scenario`` is the name of a bundled scenario (``"mentoring"``)."""
    return str(scenario) in names()


def _resource(name: str) -> Traversable:
    if not is_bundled(name):
        raise ScenarioError(f"{name}: not a bundled scenario ({_listing()})")
    return _directory() / f"{name}{SUFFIX}"


def _listing() -> str:
    return "bundled: " + ", ".join(names())


def text(name: str) -> str:
    """The TOML text of the bundled scenario ``name``, comments included.

    Raises:
        ScenarioError: ``name`` is not a bundled scenario; the message lists them.

    """
    return _resource(name).read_text(encoding="utf-8")


def description(name: str) -> str:
    """The one-line description of a bundled scenario.

    It is the first sentence of the comment at the top of the file (the comment lines up
    to the first empty one, joined), e.g. ``"Baseline: a 1,000-person professional
    organisation over three years, no programme."``; empty if the file starts without one.

    Raises:
        ScenarioError: ``name`` is not a bundled scenario; the message lists them.

    """
    words: list[str] = []
    for line in text(name).splitlines():
        if not line.startswith("#"):
            break
        content = line.lstrip("#").strip()
        if not content:
            break
        words.append(content)
    return " ".join(words)


def descriptions() -> dict[str, str]:
    """Every bundled scenario's name and one-line description, sorted by name."""
    return {name: description(name) for name in names()}


def data_file(scenario: str | Path, file: Path, relative: str) -> str:
    """A data file a scenario names (``roster.path``), as an absolute path.

    An absolute path is kept; a relative one is taken from the scenario file's directory,
    or, when ``scenario`` is the name of a bundled scenario (no file of that name here),
    from the bundled scenarios' package directory, so a wheel installed anywhere finds the
    files shipped beside its scenarios (``rosters/example_roster.csv``).

    Args:
        scenario: The scenario argument (a path or a bundled name).
        file: The file :func:`scenario_file` yielded for it.
        relative: The path as the scenario gives it.

    Returns:
        The absolute path, as a string.

    """
    target = Path(relative).expanduser()
    if target.is_absolute():
        return str(target)
    if is_bundled(scenario) and not Path(scenario).is_file():
        return str(Path(str(_directory().joinpath(*target.parts))).resolve())
    return str((file.parent / target).resolve())


@contextmanager
def scenario_file(scenario: str | Path) -> Iterator[Path]:
    """The file a scenario argument stands for, as a context manager yielding its path.

    An existing file is used as given; so is any other path that is there but cannot be
    read as a file (a directory, a symlink loop), for the reader to say why. Otherwise the
    argument must be the name of a bundled scenario, whose file is yielded (extracted to a
    temporary file while the context lasts, should the package live in an archive).

    Args:
        scenario: A path to a TOML file, or a bundled scenario's name (``"mentoring"``).

    Yields:
        The path of the file to read.

    Raises:
        ScenarioError: Neither an existing file nor a bundled name; one line naming the
            argument and listing the bundled scenarios.

    """
    path = Path(scenario)
    if not is_bundled(scenario):
        try:
            path.stat()
        except FileNotFoundError:
            raise ScenarioError(
                f"{scenario}: no such file, nor a bundled scenario ({_listing()})") from None
        except OSError:
            pass  # there but unreadable: the reader names the reason
        yield path
    elif path.is_file():
        yield path
    else:
        with resources.as_file(_resource(str(scenario))) as file:
            yield file
