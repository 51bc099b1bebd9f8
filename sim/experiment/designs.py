"""Sweep files: which scenario fields to vary, how, how often and with which seeds.

A sweep file is TOML, validated once into a frozen :class:`Sweep`::

    base = "mentoring"                        # bundled name, or a path relative to the file
    design = "grid"                           # or "lhs", "sobol"
    replications = 3
    seed = 20260101                           # root seed of the replication seeds
    samples = 16                              # lhs/sobol: base sample size N

    [set]                                     # fixed overrides of the base scenario
    "organisation.headcount" = 300

    [factors]                                 # any scenario field, by dotted name
    "programme.duration_weeks" = [13, 26, 52] # grid: the levels
    # lhs/sobol: bounds [lo, hi] instead

    [sobol]                                   # sobol: also vary priors (the model's
    priors = "literature"                     # assumptions), see sim.experiment.prior_sweeps

Factors and fixed overrides may also be written as nested tables
(``[factors.programme] duration_weeks = [13, 26]``). Every factor name is checked against
the :class:`~sim.config.Scenario` schema, and every level (or both bounds) is applied to
the base scenario and validated, so a sweep that starts has only valid design points.

Seeds: ``np.random.SeedSequence(seed).spawn(replications)``; child ``r`` becomes the
integer ``child.generate_state(1, np.uint64)[0] >> 1`` (63 bits, non-negative). The same
replication seeds are used at every design point (common random numbers), and asking for
more replications keeps the seeds of the first ones.

Each run has a stable id: the first 16 hex digits of the SHA-1 of the canonical JSON
(sorted keys, no spaces) of ``{"parameters": ..., "scenario": ..., "seed": ...}``, where
``scenario`` is the digest of the resolved base scenario (:attr:`Sweep.base_digest`: the
base file's content with the fixed overrides applied, every default written out). So an
edited base scenario gives other run ids, and its runs never pass for the old ones.

Parameter uncertainty (off by default in a sweep)::

    uncertainty = true                        # draw the priors once per replication

draws the base scenario's priors (its ``[uncertainty]``, or the bundled literature set
if it has none) by Latin hypercube, one set per replication, the same set at every design
point (:func:`parameter_draws`, seeded from the sweep's seed); a prior on a field the
sweep varies or fixes (``[factors]``, ``[set]``) is refused. The draws are recorded in
``parameters.parquet`` and in each run's file, and each run's id hashes its draw.

A :class:`Sweep` is a plan of :mod:`sim.experiment.runner` (it says which runs there are,
how each is made from the base scenario, and what its results directory records).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError

from sim.config import Prior, Scenario, read_toml, scenario_from_dict, with_overrides
from sim.config.bundled import is_bundled, scenario_file
from sim.config.schema import StrictValues
from sim.config.uncertainty import draw_parameters, prior_set, prior_values, resolved_priors
from sim.errors import MentorsimError, ScenarioError
from sim.experiment.prior_sweeps import SobolOptions, select_priors

Design = Literal["grid", "lhs", "sobol"]


class SweepFile(StrictValues):
    """The sweep file as written (before factor names and levels are checked)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    base: str = Field(min_length=1, description="base scenario: a path relative to the sweep "
                      "file, or a bundled scenario's name")
    name: str = ""
    description: str = ""
    design: Design = "grid"
    factors: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict, alias="set")
    samples: int | None = Field(None, ge=1, le=1_000_000, description="lhs/sobol: N")
    second_order: bool = Field(True, description="sobol: Saltelli sample for S2 too")
    sobol: SobolOptions | None = Field(None, description="sobol: priors to vary and outcomes "
                                       "to analyse (sim.experiment.prior_sweeps)")
    replications: int = Field(1, ge=1, le=100_000)
    seed: int = Field(20260101, ge=0, lt=2**63)
    uncertainty: bool = Field(False, description="draw the base scenario's priors (or the "
                              "literature set) once per replication, by Latin hypercube")


@dataclass(frozen=True)
class Factor:
    """One varied scenario field.

    Attributes:
        name: Dotted scenario field, e.g. ``programme.duration_weeks``.
        levels: Grid levels (grid design), else None.
        bounds: ``(lo, hi)`` for lhs/sobol, else None.
        integer: The field is an integer; sampled values are rounded.
        prior: A prior's distribution (``[sobol] priors``): sampled on [0, 1] (``bounds``)
            and mapped through its ppf, else None.

    """

    name: str
    levels: tuple[Any, ...] | None = None
    bounds: tuple[float, float] | None = None
    integer: bool = False
    prior: Prior | None = None


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: a design point with one replication seed.

    Attributes:
        id: Stable id (see :func:`run_id`).
        point: Index of the design point.
        replication: Index of the replication seed.
        seed: The replication seed.
        parameters: Factor values, by dotted name.
        draw: Index of the run's parameter draw (None without parameter uncertainty).
        drawn: The drawn parameter values, by dotted name (applied after ``parameters``).

    """

    id: str
    point: int
    replication: int
    seed: int
    parameters: dict[str, Any]
    draw: int | None = None
    drawn: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep.

    Attributes:
        source: The sweep file (or a label), used in messages.
        spec: The sweep file's contents, validated.
        base_source: Path of the base scenario.
        scenario: The base scenario with the fixed overrides applied.
        factors: The varied fields, in file order.
        priors: The priors drawn once per replication (empty unless ``uncertainty``).

    """

    kind: ClassVar[str] = "sweep"
    derived: ClassVar[tuple[str, ...]] = ()

    source: str
    spec: SweepFile
    base_source: str
    scenario: Scenario
    factors: tuple[Factor, ...]
    priors: dict[str, Prior] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The sweep's name, or its file's stem (shown on the progress bar)."""
        return self.spec.name or Path(self.source).stem

    @property
    def columns(self) -> tuple[str, ...]:
        """The factor names (columns of the design and summary tables)."""
        return tuple(f.name for f in self.factors)

    @cached_property
    def _base_json(self) -> str:
        return json.dumps(self.scenario.model_dump(mode="json"))

    @cached_property
    def base_digest(self) -> str:
        """SHA-1 (16 hex digits) of the resolved base scenario's canonical JSON (run ids)."""
        text = _canonical(self.scenario.model_dump(mode="json"))
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def job(self, spec: RunSpec) -> tuple[str, dict[str, Any]]:
        """The base scenario as JSON text; the run's factor values and draw as overrides."""
        return self._base_json, {**spec.parameters, **spec.drawn}

    def identity(self) -> dict[str, Any]:
        """What ``sweep.json`` records: the resolved base scenario (for ``rerun``)."""
        return {"base_scenario": self.scenario.model_dump(mode="json")}

    def owner_problem(self, found: dict[str, Any]) -> str | None:
        """Why a directory recorded as ``found`` holds another sweep's runs, or None."""
        if found.get("fingerprint") == self.fingerprint():
            return None
        return (f"holds results of a different sweep ({found.get('source')!r}, "
                f"fingerprint {found.get('fingerprint')}; this sweep is {self.fingerprint()})")

    def manifest(self) -> dict[str, Any]:
        """What a sweep's manifest records about it."""
        source = Path(self.source)
        return {
            "sweep_source": self.source,
            "sweep_text": source.read_text(encoding="utf-8") if source.is_file() else None,
            "sweep": self.spec.model_dump(mode="json", by_alias=True),
            "base_source": self.base_source,
            "base_scenario": self.scenario.model_dump(mode="json"),
            "factors": list(self.columns),
            "problem": self.problem if self.spec.design != "grid" else None,
            "priors": {f.name: f.prior.model_dump(mode="json")
                       for f in self.factors if f.prior is not None},
            "seeds": self.seeds(),
            "uncertainty": ({"priors": {n: p.model_dump(mode="json")
                                        for n, p in self.priors.items()},
                             "draws": self.draws()} if self.priors else None),
        }

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem of a lhs/sobol design."""
        return {
            "num_vars": len(self.factors),
            "names": [f.name for f in self.factors],
            "bounds": [list(f.bounds or (0.0, 1.0)) for f in self.factors],
        }

    def seeds(self) -> list[int]:
        """The replication seeds (the same at every design point)."""
        return replication_seeds(self.spec.seed, self.spec.replications)

    def points(self) -> list[dict[str, Any]]:
        """The design points, in design order (Saltelli order for sobol)."""
        return design_points(self)

    def draws(self) -> list[dict[str, Any]]:
        """One parameter set per replication (empty dicts without ``uncertainty``)."""
        return parameter_draws(self.priors, self.spec.replications, self.spec.seed)

    def runs(self) -> list[RunSpec]:
        """Every run: each design point with each replication seed (and its draw)."""
        seeds = self.seeds()
        base = self.base_digest
        if not self.priors:
            return [
                RunSpec(run_id(point, seed, base), p, r, seed, point)
                for p, point in enumerate(self.points())
                for r, seed in enumerate(seeds)
            ]
        draws = self.draws()
        return [
            RunSpec(run_id({**point, "draw": draws[r]}, seed, base), p, r, seed, point, r,
                    draws[r])
            for p, point in enumerate(self.points())
            for r, seed in enumerate(seeds)
        ]

    def fingerprint(self) -> str:
        """Hash of what determines the results: the sweep and the resolved base scenario."""
        data = {
            "sweep": self.spec.model_dump(mode="json", exclude={"name", "description"} | (
                {"sobol"} if self.spec.sobol is None else set())),  # older sweeps' hashes
            "scenario": self.scenario.model_dump(mode="json"),
        }
        data["sweep"].pop("base")
        if not data["sweep"]["uncertainty"]:
            data["sweep"].pop("uncertainty")  # the fingerprint of a sweep from before it
        else:
            data["priors"] = {n: p.model_dump(mode="json") for n, p in self.priors.items()}
        return hashlib.sha1(_canonical(data).encode()).hexdigest()[:16]

    def scenario_for(self, parameters: Mapping[str, Any]) -> Scenario:
        """The scenario of a design point."""
        return with_overrides(self.scenario, parameters, self.source)


def replication_seeds(root: int, replications: int) -> list[int]:
    """Integer seeds of ``replications`` replications from a root seed.

    Args:
        root: The root seed.
        replications: How many seeds.

    Returns:
        ``SeedSequence(root).spawn(replications)``, each child as a 63-bit integer.

    """
    children = np.random.SeedSequence(root).spawn(replications)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def parameter_seed(root: int) -> int:
    """The seed of a plan's parameter draws, from its root seed.

    ``SeedSequence([root, 1])``, a stream apart from the replication seeds (the children
    of ``SeedSequence(root)``), as a 63-bit integer: the same root seed gives the same
    draws whichever executor runs them.
    """
    state = np.random.SeedSequence([int(root), 1]).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(1))


def parameter_draws(priors: Mapping[str, Prior], n: int, root: int) -> list[dict[str, Any]]:
    """``n`` Latin-hypercube parameter sets over ``priors``, seeded from ``root``."""
    return draw_parameters(dict(priors), n, parameter_seed(root))


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def run_id(parameters: Mapping[str, Any], seed: int, scenario: str | None = None) -> str:
    """Stable id of a run: SHA-1 of canonical JSON of parameters and seed, 16 hex digits.

    Args:
        parameters: The run's factor values (and anything else that tells runs apart).
        seed: Its seed.
        scenario: A digest of the scenario the parameters apply to (a sweep's
            :attr:`Sweep.base_digest`), hashed in too when given.

    """
    data: dict[str, Any] = {"parameters": dict(parameters), "seed": int(seed)}
    if scenario is not None:
        data["scenario"] = scenario
    text = _canonical(data)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


# --- loading -----------------------------------------------------------------------------
def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    Args:
        path: The sweep TOML file.

    Returns:
        The validated sweep.

    Raises:
        ScenarioError: One line naming the file, the field and the value.

    """
    path = Path(path)
    return sweep_from_dict(read_toml(path), str(path), path.parent)


def sweep_from_dict(data: Mapping[str, Any], source: str, root: str | Path = ".") -> Sweep:
    """Validate a sweep given as nested dicts (as read from TOML).

    Args:
        data: The sweep's contents.
        source: Where it came from, for messages.
        root: Directory the ``base`` path is relative to.

    Returns:
        The validated sweep.

    Raises:
        ScenarioError: One line naming the source, the field and the value.

    """
    try:
        spec = SweepFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            raise ScenarioError(f"{source}: unknown key {loc!r}") from None
        if first["type"] == "missing":
            raise ScenarioError(f"{source}: {loc}: required field is missing") from None
        value = first.get("input")
        raise ScenarioError(f"{source}: {loc} = {value!r}: {first['msg']}") from None
    base_path = Path(root) / spec.base
    if not base_path.exists() and is_bundled(spec.base):
        base_path = Path(spec.base)  # a bundled scenario's name, e.g. "mentoring"
    try:
        with scenario_file(base_path) as file:
            base_data = read_toml(file)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: base = {spec.base!r}: {exc}") from None
    fixed = _flatten(spec.overrides)
    for name in fixed:
        _field_type(name, source, "set")
    scenario = scenario_from_dict(base_data, str(base_path))
    scenario = with_overrides(scenario, fixed, f"{source}: set")
    factors = tuple(
        _factor(name, value, spec, scenario, source)
        for name, value in _flatten(spec.factors).items()
    )
    factors += _prior_factors(spec, scenario, source, {f.name for f in factors})
    if spec.design != "grid":
        if not factors:
            raise ScenarioError(f"{source}: design = {spec.design!r} needs at least one factor")
        if spec.samples is None:
            raise ScenarioError(f"{source}: samples: required with design = {spec.design!r}")
        if spec.design == "sobol" and spec.samples & (spec.samples - 1):
            raise ScenarioError(
                f"{source}: samples = {spec.samples}: must be a power of 2 for a Sobol design"
            )
    check_design_size(spec, factors, source)
    priors = _sweep_priors(spec, scenario, factors, fixed, source)
    sweep = Sweep(source, spec, str(base_path), scenario, factors, priors)
    _check_points(sweep)
    return sweep


def _sweep_priors(spec: SweepFile, scenario: Scenario, factors: tuple[Factor, ...],
                  fixed: Mapping[str, Any], source: str) -> dict[str, Prior]:
    """The priors of a sweep with ``uncertainty = true``.

    The base scenario's, else the literature set; a prior on a field the sweep varies or
    fixes is refused with one line.
    """
    if not spec.uncertainty:
        return {}
    priors = resolved_priors(scenario) or prior_set("literature")
    for name in priors:
        if name in {f.name for f in factors}:
            raise ScenarioError(f"{source}: uncertainty: a prior on {name!r}, which the sweep "
                                "varies (factors); drop the factor or the prior")
        if name in fixed:
            raise ScenarioError(f"{source}: uncertainty: a prior on {name!r}, which the sweep "
                                "fixes ([set]); drop the override or the prior")
    return priors


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _field_type(name: str, source: str, where: str) -> Any:
    """The annotation of a dotted scenario field; ScenarioError if there is none."""
    model: Any = Scenario
    annotation: Any = None
    parts = name.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            raise ScenarioError(
                f"{source}: {where}: {name!r} is not a scenario field ({part!r} unknown)"
            )
        annotation = fields[part].annotation
        i += 1
        if typing.get_origin(annotation) is list and i < len(parts) and parts[i].isdigit():
            annotation = typing.get_args(annotation)[0]
            i += 1
        model = annotation
    return annotation


# Scenario fields that cannot be varied: each run's seed is a replication seed, and
# ``seed`` is also a column of the summary (a factor of that name would clash with it).
_NOT_FACTORS = {
    "seed": "not a factor: each run's seed is one of the replication seeds; set the "
            "sweep's seed and replications instead",
}


def _is_integer(annotation: Any) -> bool:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return annotation is int or int in args


def _is_number(annotation: Any) -> bool:
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return annotation in (int, float) or int in args or float in args


def _factor(name: str, value: Any, spec: SweepFile, base: Scenario, source: str) -> Factor:
    annotation = _field_type(name, source, "factors")
    where = f"{source}: factors.{name}"
    if name in _NOT_FACTORS:
        raise ScenarioError(f"{where} = {value!r}: {_NOT_FACTORS[name]}")
    if not isinstance(value, list) or not value:
        raise ScenarioError(f"{where} = {value!r}: expected a non-empty list")
    if spec.design == "grid":
        for level in value:
            if isinstance(level, list | dict):
                # a list-valued field would pass here and then break every table and
                # analysis keyed by factor value (levels must be hashable scalars)
                raise ScenarioError(f"{where}: level {level!r} is a list or table; a factor's "
                                    "levels are single numbers, strings or true/false")
            _check_level(base, name, level, where)
        return Factor(name, levels=tuple(value), integer=_is_integer(annotation))
    if not _is_number(annotation):
        raise ScenarioError(
            f"{where}: a {spec.design} design needs a numeric field, {name!r} is not"
        )
    if (
        len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not value[0] < value[1]
    ):
        raise ScenarioError(f"{where} = {value!r}: expected bounds [lo, hi] with lo < hi")
    integer = _is_integer(annotation)
    for bound in value:
        _check_level(base, name, round(bound) if integer else float(bound), where)
    return Factor(name, bounds=(float(value[0]), float(value[1])), integer=integer)


def _prior_factors(spec: SweepFile, base: Scenario, source: str, taken: set[str]
                   ) -> tuple[Factor, ...]:
    """The factors of ``[sobol] priors``: each on [0, 1], through its prior's ppf."""
    if spec.sobol is None:
        return ()
    priors = select_priors(spec.sobol, base, source)
    if priors and spec.design != "sobol":
        raise ScenarioError(f"{source}: sobol.priors: needs design = \"sobol\", not "
                            f"{spec.design!r}")
    for name in priors:
        _field_type(name, source, "sobol.priors")
        if name in taken:
            raise ScenarioError(f"{source}: sobol.priors: {name!r} is also a factor")
    return tuple(Factor(name, bounds=(0.0, 1.0), integer=_is_integer(_field_type(
        name, source, "sobol.priors")), prior=prior) for name, prior in priors.items())


def check_design_size(spec: SweepFile, factors: tuple[Factor, ...], source: str) -> None:
    """Refuse a design of more runs than the limit, from its sizes (before making it).

    See :mod:`sim.experiment.limits` (``MENTORSIM_MAX_RUNS`` raises the limit).

    Raises:
        ResourceLimitError: One line naming the field (``factors``, ``samples``) and
            the size.

    """
    from sim.experiment.limits import check_runs, design_size

    points = design_size(spec.design, spec.samples, [len(f.levels or ()) for f in factors],
                         len(factors), spec.second_order)
    reps = spec.replications
    times = f" x {reps:,} replications" if reps > 1 else ""
    if spec.design == "grid":
        what = f"{source}: factors: a grid of {points:,} points{times}"
    else:
        what = (f"{source}: samples = {spec.samples}: a {spec.design} design of "
                f"{points:,} points ({len(factors)} factor{'s' if len(factors) > 1 else ''})"
                f"{times}")
    check_runs(points * reps, what)


def _check_level(base: Scenario, name: str, level: Any, where: str) -> None:
    try:
        with_overrides(base, {name: level}, "<level>")
    except MentorsimError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise ScenarioError(f"{where}: level {level!r} is invalid: {reason}") from None


def _check_points(sweep: Sweep) -> None:
    for point in sweep.points():
        try:
            sweep.scenario_for(point)
        except MentorsimError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise ScenarioError(
                f"{sweep.source}: factors: the design point {point} is invalid: {reason}"
            ) from None


# --- designs -----------------------------------------------------------------------------
def design_points(sweep: Sweep) -> list[dict[str, Any]]:
    """The design points of a sweep as ``{dotted name: value}`` dicts.

    Grid: the Cartesian product of the levels (first factor varies slowest). LHS:
    ``SALib.sample.latin.sample``; Sobol: ``SALib.sample.sobol.sample`` (Saltelli's scheme,
    N·(2D+2) points, or N·(D+2) without second order). Both are seeded with the sweep's
    root seed; integer fields are rounded; a prior's column (on [0, 1]) is mapped through
    the prior's ppf.
    """
    factors = sweep.factors
    spec = sweep.spec
    if spec.design == "grid":
        names = [f.name for f in factors]
        combos = itertools.product(*(f.levels or () for f in factors))
        return [dict(zip(names, combo, strict=True)) for combo in combos]
    if spec.design == "lhs":
        from SALib.sample import latin

        matrix = latin.sample(sweep.problem, spec.samples, seed=spec.seed)
    else:
        from SALib.sample import sobol

        matrix = sobol.sample(
            sweep.problem, spec.samples, calc_second_order=spec.second_order, seed=spec.seed
        )
    priors = {f.name: f.prior for f in factors if f.prior is not None}
    mapped = prior_values(priors, matrix[:, [f.prior is not None for f in factors]])
    return [
        {
            f.name: int(round(float(x))) if f.integer else float(x)
            for f, x in zip(factors, row, strict=True)
        } | values
        for row, values in zip(matrix, mapped, strict=True)
    ]
