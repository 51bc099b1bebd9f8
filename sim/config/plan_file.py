"""A plan file: programme designs to decide between, for ``mentorsim plan``.

A plan names an ``organisation`` (a scenario file, relative to the plan file, or a bundled
scenario name), the designs to compare as ``[designs.NAME]`` tables of programme
overrides (dotted keys under ``programme.``, and the cost fields of ``evaluation.``), a
``budget``, ``[[objectives]]`` (as a scenario's ``[plan]`` objectives), the ``metrics``
to decide on (at most :data:`MAX_METRICS`), ``reps`` and ``seed``::

    organisation = "mentoring"
    budget = 150000
    metrics = ["performance", "d", "cost", "roi"]

    [designs.new_hires_first]
    programme.eligibility = "new_hires"

    [[objectives]]
    name = "proficiency"
    metric = "proficient_share"
    target = 0.6
    by_week = 104

Every error is one :class:`~sim.errors.ScenarioError` line naming the file, the field and
the value; unknown keys are refused. The reference of the decision, ``no programme``
(:data:`REFERENCE`), is the organisation with its programme switched off; it is added by
:mod:`sim.experiment.plan`, not written in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from sim.config.loading import _error_line, check_seed
from sim.config.schema import Objective, StrictValues, check_text
from sim.config.toml import read_toml
from sim.errors import ScenarioError

REFERENCE = "no programme"
"""The name of the reference design: the organisation without a programme."""

MAX_METRICS = 8
"""At most this many decision metrics (the headline table's columns)."""

EVALUATION_COST_FIELDS = (
    "employment_cost_loading", "output_value_multiplier", "output_value_range",
    "discount_rate_per_year", "replacement_cost_share", "coordination_hours_per_pair",
    "cost_per_pair", "fixed_cost",
)
"""The ``evaluation.`` fields a design may set (its costs and money values)."""


@dataclass(frozen=True)
class DecisionMetric:
    """A metric a plan decides on.

    Attributes:
        key: Its name in the plan file (``"d"``).
        column: The comparison's column (``"effect_size_d"``).
        label: How the report names it.
        better: ``"higher"``, ``"lower"`` or ``"zero"`` (nearer zero, either side: a gap
            between groups, which a programme can also overshoot): which way is better.
        unit: ``"money"``, ``"percent"``, ``"share"``, ``"weeks"`` or ``""``.

    """

    key: str
    column: str
    label: str
    better: Literal["higher", "lower", "zero"]
    unit: str = ""


METRICS: dict[str, DecisionMetric] = {m.key: m for m in (
    DecisionMetric("performance", "performance", "performance (end)", "higher"),
    DecisionMetric("d", "effect_size_d", "performance d at 12 months", "higher"),
    DecisionMetric("time_to_proficiency", "time_to_proficiency_weeks",
                   "time to proficiency (weeks)", "lower", "weeks"),
    DecisionMetric("retention", "retention", "retention of staff in post", "higher", "share"),
    DecisionMetric("access_gap", "access_gap", "access gap (majority − underrepresented)",
                   "zero", "share"),
    DecisionMetric("cost", "programme_cost", "cost", "lower", "money"),
    DecisionMetric("net_benefit", "level5_roi.net_benefit", "net benefit", "higher", "money"),
    DecisionMetric("roi", "paired_roi_percent", "ROI (%)", "higher", "percent"),
    DecisionMetric("proficient_share", "proficient_share", "proficient share", "higher",
                   "share"),
    DecisionMetric("skill_gap", "skill_gap", "skill gap", "lower"),
    DecisionMetric("quit_rate", "annual_quit_rate", "annual quit rate", "lower", "share"),
    DecisionMetric("formal_access_gap", "formal_access_gap", "formal access gap", "zero",
                   "share"),
    DecisionMetric("benefit_cost_ratio", "level5_roi.benefit_cost_ratio",
                   "benefit-cost ratio", "higher"),
    DecisionMetric("commitment_d", "level3_behaviour.commitment_d_12m",
                   "commitment d at 12 months", "higher"),
    DecisionMetric("performance_difference", "level4_results.performance_difference",
                   "performance difference (evaluation)", "higher"),
)}
"""The metrics a plan may decide on, by their plan-file name."""

DEFAULT_METRICS = ("performance", "d", "time_to_proficiency", "retention", "access_gap",
                   "cost", "net_benefit", "roi")
"""The metrics decided on when a plan names none."""


class PlanFile(StrictValues):
    """A validated plan file (see the module docstring).

    Attributes:
        name: The plan's name (default: the file's stem).
        description: One line on what is decided.
        organisation: A scenario file (relative to the plan file) or bundled name.
        designs: Design name to its overrides, as dotted keys.
        budget: Money for the programme over the horizon; None = no limit.
        objectives: What the programme should achieve, and by when.
        metrics: The plan-file names of the metrics decided on (:data:`METRICS`).
        reps: Replications (parameter draws with uncertainty).
        seed: Root seed (default: the organisation's).

    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str | None = Field(None, min_length=1)
    description: str = ""
    organisation: str = Field(min_length=1)
    designs: dict[str, dict[str, Any]] = Field(min_length=1)
    budget: float | None = Field(None, ge=0)
    objectives: list[Objective] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1,
                               max_length=MAX_METRICS)
    reps: int = Field(10, ge=2, le=10_000)
    seed: int | None = None

    @field_validator("designs", mode="before")
    @classmethod
    def _flatten_designs(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        designs = {}
        for name, table in value.items():
            try:  # a design's name is a column and a label
                check_text(name, allow_lines=False)
            except ValueError as exc:
                raise ValueError(f"{name!r}: {exc}") from None
            if not isinstance(table, dict):
                raise ValueError(f"{name}: expected a table of programme overrides, got "
                                 f"{table!r}")
            if name == REFERENCE:
                raise ValueError(f"{name!r} is the reference (the organisation without a "
                                 "programme), added by mentorsim plan; name the design "
                                 "otherwise")
            designs[name] = _design_overrides(name, table)
        return designs

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str]) -> list[str]:
        for key in value:
            if key not in METRICS:
                raise ValueError(f"unknown metric {key!r}; expected one of "
                                 f"{', '.join(METRICS)}")
        if len(set(value)) != len(value):
            raise ValueError(f"a metric is named twice: {value}")
        return value

    @field_validator("objectives")
    @classmethod
    def _unique_objectives(cls, value: list[Objective]) -> list[Objective]:
        names = [o.name for o in value]
        if len(set(names)) != len(names):
            raise ValueError(f"two objectives share a name: {names}")
        return value

    @property
    def decision_metrics(self) -> list[DecisionMetric]:
        """The metrics decided on, in the plan's order."""
        return [METRICS[key] for key in self.metrics]


def _design_overrides(name: str, table: dict[str, Any]) -> dict[str, Any]:
    """A design's table as dotted overrides; only ``programme.`` and evaluation costs."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            dotted = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                walk(dotted, value)
            else:
                flat[dotted] = value

    walk("", table)
    for dotted in flat:
        section, _, rest = dotted.partition(".")
        if section == "programme" and rest:
            continue
        if section == "evaluation" and rest in EVALUATION_COST_FIELDS:
            continue
        if section == "evaluation":
            raise ValueError(f"{name}: {dotted}: a design may set only the evaluation's cost "
                             f"fields ({', '.join(EVALUATION_COST_FIELDS)})")
        raise ValueError(f"{name}: {dotted}: a design may override only programme.* (and "
                         "evaluation cost fields); the organisation is the plan's "
                         "'organisation'")
    return flat


def plan_from_dict(data: dict[str, Any], source: str = "<plan>") -> PlanFile:
    """Validate a plan's mapping (as read from TOML).

    Raises:
        ScenarioError: One line naming the source, the field and the value.

    """
    try:
        plan = PlanFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_error_line(source, exc, data)) from None
    if plan.seed is not None:
        check_seed(plan.seed, f"{source}: seed")
    return plan


def load_plan_file(path: str | Path) -> PlanFile:
    """Read and validate a plan file.

    Raises:
        ScenarioError: The file is missing or malformed, or a field is unknown or invalid
            (one line: file, field, value).

    """
    if not str(path).strip():  # Path("") would be the directory "."
        raise ScenarioError(f"plan = {str(path)!r}: an empty path; give a plan file")
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such plan file")
    return plan_from_dict(read_toml(path), str(path))


def organisation_source(plan: PlanFile, plan_path: str | Path) -> str:
    """The organisation's scenario: a file relative to the plan file, else a bundled name."""
    candidate = Path(plan_path).parent / plan.organisation
    return str(candidate) if candidate.is_file() else plan.organisation
