"""Staff rosters: the staff in post at week 0 read from a file, checked with pandera.

A scenario's ``[roster]`` (:class:`~sim.config.schema.RosterSettings`) names a CSV,
Parquet or Excel (.xlsx) file with one row per person: ``id``, ``group``,
``tenure_years``, ``age_years``, optionally ``role``, and a rating per competency (columns
named as in ``organisation.competencies``; ``roster.columns`` maps our names to the
file's). :func:`read_roster` reads it, validates it with a pandera schema (lazily: every
problem is collected) and turns the first problem, by row and then by column, into one
:class:`~sim.errors.ScenarioError` line::

    roster.csv: row 7, column 'technical' = 6.0: rating off the scale 1 .. 5

Rows are numbered as a spreadsheet shows them: the header is row 1, the first person
row 2 (Parquet files alike). The roster's people are personal data: their ids stay in the
process (:attr:`Roster.ids`, the workforce's ``roster_ids``); what a run writes is
aggregates.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.config.schema import ROSTER_COLUMNS, Scenario
from sim.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

MIN_AGE_YEARS = 16.0  # no one in post is younger; working life starts here
HEADER_ROWS = 1  # row numbers count the header, as a spreadsheet does
READERS = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}
_TEXT = ("id", "group", "role")
_SHOWN = 60  # longest value shown in a message, in characters


@dataclass(frozen=True, eq=False)
class Roster:
    """A validated roster, as arrays in file order (read-only).

    Attributes:
        path: The file, absolute.
        sha256: SHA-256 of the file's bytes (hex), for the run manifest.
        ids: object (N,) the people's ids as strings: personal data, never written out.
        group: int8 (N,) index into the scenario's ``workforce.groups``.
        role: int8 (N,) index into ``workforce.roles``, or None when the file has no role
            column or the scenario no roles (roles are then drawn from the role shares).
        tenure_years: float64 (N,); age_years: float64 (N,).
        skills: float64 (N, K) the ratings mapped linearly onto [0, 1].

    """

    path: Path
    sha256: str
    ids: np.ndarray
    group: np.ndarray
    role: np.ndarray | None
    tenure_years: np.ndarray
    age_years: np.ndarray
    skills: np.ndarray

    @property
    def size(self) -> int:
        """Number of people (the headcount at week 0)."""
        return int(self.ids.shape[0])

    def manifest(self) -> dict[str, Any]:
        """What a run manifest records of the roster: its path, digest and size (no people)."""
        return {"path": str(self.path), "sha256": self.sha256, "rows": self.size}


def roster_file(scenario: Scenario) -> Path:
    """The absolute path of the scenario's roster file (a relative one: from the cwd).

    :func:`~sim.config.loading.load_scenario` has already made a path from a scenario
    file absolute (relative to that file's directory).

    Raises:
        ValueError: The scenario has no roster.

    """
    if scenario.roster is None:
        raise ValueError(f"scenario {scenario.name!r} has no [roster]")
    return Path(scenario.roster.path).expanduser().absolute()


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_roster(scenario: Scenario) -> Roster:
    """Read and validate the scenario's roster file (cached while the file is unchanged).

    Args:
        scenario: A scenario with a ``[roster]``.

    Returns:
        The roster, its arrays read-only.

    Raises:
        ScenarioError: One line naming the file and, for a bad value, the row, the column
            and the value: the file is missing, unreadable, of an unknown kind or empty; a
            column is missing; a rating is not a number or off the scale; an id is
            missing or repeated; a group or role is not the scenario's; a tenure is
            negative or longer than the working life since age 16; an age is below 16 or
            not below the retirement age.

    """
    path = roster_file(scenario)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file (roster.path)") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    if not S_ISREG(stat.st_mode):  # a pipe or device would be read without end
        raise ScenarioError(f"{path}: not a regular file (roster.path)")
    settings = scenario.roster
    assert settings is not None
    wf = scenario.workforce
    return _read(
        path, stat.st_mtime_ns, stat.st_size, settings.rating_min, settings.rating_max,
        tuple(sorted(settings.columns.items())), tuple(scenario.organisation.competencies),
        tuple(g.name for g in wf.groups), tuple(r.name for r in wf.roles),
        wf.retirement_age_years,
    )


@functools.lru_cache(maxsize=8)
def _read(path: Path, _mtime: int, _size: int, rating_min: float, rating_max: float,
          columns: tuple[tuple[str, str], ...], competencies: tuple[str, ...],
          groups: tuple[str, ...], roles: tuple[str, ...], retirement_age: float) -> Roster:
    """The roster at ``path`` (its mtime and size in the cache key: an edit re-reads it)."""
    frame = _load(path)
    names = {ours: dict(columns).get(ours, ours) for ours in (*ROSTER_COLUMNS, *competencies)}
    has_role = bool(roles) and ("role" in dict(columns) or names["role"] in frame.columns)
    wanted = [c for c in (*ROSTER_COLUMNS, *competencies) if c != "role" or has_role]
    frame = _text_columns(frame, [names[c] for c in _TEXT if c in wanted])
    schema = _schema(names, wanted, competencies, rating_min, rating_max, groups, roles,
                     retirement_age)
    valid = _validate(path, frame, schema, names)
    if len(valid) < 2:
        raise ScenarioError(f"{path}: {len(valid)} data row{'s' * (len(valid) != 1)}; a "
                            "roster needs at least 2 staff")
    ratings = valid[[names[c] for c in competencies]].to_numpy(dtype=np.float64)
    roster = Roster(
        path=path,
        sha256=file_digest(path),
        ids=valid[names["id"]].to_numpy(dtype=object),
        group=_codes(valid[names["group"]], groups),
        role=_codes(valid[names["role"]], roles) if has_role else None,
        tenure_years=valid[names["tenure_years"]].to_numpy(dtype=np.float64),
        age_years=valid[names["age_years"]].to_numpy(dtype=np.float64),
        skills=(ratings - rating_min) / (rating_max - rating_min),
    )
    for array in (roster.ids, roster.group, roster.role, roster.tenure_years,
                  roster.age_years, roster.skills):
        if array is not None:
            array.setflags(write=False)
    return roster


def _load(path: Path) -> pd.DataFrame:
    """The file as a frame with a 0-based row index; text cells as read, numbers as numbers."""
    import pandas as pd

    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise ScenarioError(f"{path}: unknown roster file extension {path.suffix!r} "
                            f"(expected {', '.join(READERS)})")
    try:
        if kind == "CSV":
            frame = pd.read_csv(path, dtype=str, skipinitialspace=True)
        elif kind == "Parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_excel(path, sheet_name=0, dtype=str)
    except pd.errors.EmptyDataError:
        raise ScenarioError(f"{path}: empty file (no header, no rows)") from None
    except ImportError as exc:
        raise ScenarioError(f"{path}: cannot read {kind} files here ({exc})") from None
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ScenarioError(f"{path}: cannot read as {kind}: {reason[:200]}") from None
    except Exception as exc:  # noqa: BLE001 - readers raise their own kinds (zip, arrow)
        raise ScenarioError(f"{path}: cannot read as {kind}: {type(exc).__name__}: "
                            f"{str(exc)[:200]}") from None
    if frame.columns.empty:
        raise ScenarioError(f"{path}: empty file (no header, no rows)")
    if frame.empty:
        raise ScenarioError(f"{path}: no data rows (only a header); a roster needs at "
                            "least 2 staff")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.reset_index(drop=True)


def _text_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Id, group and role cells as stripped strings (missing stays missing)."""
    import pandas as pd

    frame = frame.copy()
    for name in columns:
        if name in frame.columns:
            frame[name] = frame[name].map(
                lambda v: v if pd.isna(v) else _as_text(v)).astype(object)
    return frame


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as a number in a spreadsheet
    return str(value).strip()


def _schema(names: dict[str, str], wanted: list[str], competencies: tuple[str, ...],
            rating_min: float, rating_max: float, groups: tuple[str, ...],
            roles: tuple[str, ...], retirement_age: float) -> Any:
    """The pandera schema of a roster; each check's error text is the reason shown."""
    import pandera.pandas as pa

    scale = f"rating off the scale {rating_min:g} .. {rating_max:g}"
    columns = {
        names["id"]: pa.Column(object, nullable=False, unique=True,
                               report_duplicates="exclude_first"),
        names["group"]: pa.Column(object, pa.Check.isin(
            list(groups), error=f"not one of the scenario's workforce.groups {list(groups)}"),
            nullable=False),
        names["tenure_years"]: pa.Column(float, pa.Check.ge(0, error="negative tenure"),
                                         nullable=False, coerce=True),
        names["age_years"]: pa.Column(float, [
            pa.Check.ge(MIN_AGE_YEARS, error=f"age below {MIN_AGE_YEARS:g}"),
            pa.Check.lt(retirement_age, error="age not below workforce.retirement_age_years "
                        f"= {retirement_age:g}")], nullable=False, coerce=True),
    }
    if "role" in wanted:
        columns[names["role"]] = pa.Column(object, pa.Check.isin(
            list(roles), error=f"not one of the scenario's workforce.roles {list(roles)}"),
            nullable=False)
    for competency in competencies:
        columns[names[competency]] = pa.Column(
            float, pa.Check.in_range(rating_min, rating_max, error=scale), nullable=False,
            coerce=True)
    tenure, age = names["tenure_years"], names["age_years"]
    working_life = pa.Check(
        lambda df: ~(df[tenure] > df[age] - MIN_AGE_YEARS),
        error=f"tenure longer than the working life since age {MIN_AGE_YEARS:g} "
              f"({age} - {MIN_AGE_YEARS:g})")
    return pa.DataFrameSchema(columns, checks=[working_life], strict=False)


_REASONS = {
    "column_in_dataframe": "column is missing",
    "field_uniqueness": "duplicate id",
    "not_nullable": "missing value",
}


def _validate(path: Path, frame: pd.DataFrame, schema: Any,
              names: dict[str, str]) -> pd.DataFrame:
    """The frame validated (numbers coerced), or the first failure as one ScenarioError."""
    import pandera.errors

    try:
        return schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise ScenarioError(_first_failure(path, frame, exc.failure_cases, names)) from None
    except pandera.errors.SchemaError as exc:  # raised eagerly by some checks
        raise ScenarioError(f"{path}: {str(exc).splitlines()[0]}") from None


def _first_failure(path: Path, frame: pd.DataFrame, cases: pd.DataFrame,
                   names: dict[str, str]) -> str:
    """One line for the first failure case by row, then by the file's column order."""
    import pandas as pd

    cases = cases.copy()
    missing = cases[cases["check"] == "column_in_dataframe"]
    if len(missing):
        column = str(missing["failure_case"].iloc[0])
        ours = next((o for o, t in names.items() if t == column), column)
        hint = "" if ours != column else f"; set roster.columns.{ours} to the file's name"
        listed = ", ".join(map(repr, frame.columns[:12])) + (
            ", ..." if len(frame.columns) > 12 else "")
        return (f"{path}: column {column!r} is missing (the file has {listed or 'none'})"
                f"{hint}")
    # a frame-wide check is reported once per column: keep the tenure's
    wide = cases["schema_context"] == "DataFrameSchema"
    cases = cases[~wide | (cases["column"] == names["tenure_years"])]
    cases = cases[cases["index"].notna()]  # a check that failed as a whole (after coercion)
    if cases.empty:
        return f"{path}: not a valid roster"
    order = {c: i for i, c in enumerate(frame.columns)}
    # by row; in a row a cell's own problem before the frame-wide one, then by column
    cases = cases.assign(
        _row=cases["index"].astype(int),
        _wide=cases["schema_context"] == "DataFrameSchema",
        _col=cases["column"].map(lambda c: order.get(c, len(order))),
        _num=cases["check"].map(lambda c: str(c).startswith(("coerce_dtype", "dtype"))),
    ).sort_values(["_row", "_wide", "_col", "_num"], ascending=[True, True, True, False],
                  kind="stable")
    first = cases.iloc[0]
    row, column = int(first["_row"]), str(first["column"])
    check = str(first["check"])
    if check.startswith(("coerce_dtype", "dtype")):
        reason = "not a number"
    else:
        reason = _REASONS.get(check, check)
    value = frame.at[row, column] if column in frame.columns else first["failure_case"]
    value = _shown(None if pd.isna(value) else _number(value))
    more = len(cases.drop_duplicates(["_row", "column"])) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return (f"{path}: row {row + HEADER_ROWS + 1}, column {column!r} = {value}: {reason}"
            f"{tail}")


def _number(value: Any) -> Any:
    """A cell as the user typed it: a number where it reads as one, else the text."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value.item() if isinstance(value, np.generic) else value


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _codes(column: pd.Series, names: tuple[str, ...]) -> np.ndarray:
    """Category indices of validated names."""
    index = {name: i for i, name in enumerate(names)}
    return np.fromiter((index[v] for v in column), dtype=np.int8, count=len(column))
