"""Calibration targets: the summary statistics an organisation or a study can supply.

A targets file (TOML) names statistics of :data:`STATISTICS`, each a table with the
observed ``value``, its uncertainty ``sd`` (a standard error, or how far one would trust
the figure) and the ``week`` it refers to (weeks after the start of the run)::

    [annual_quit_rate]
    value = 0.14
    sd = 0.02
    week = 104
    source = "HR records: leavers over mean headcount, last 12 months"

:func:`load_targets` validates it with one-line errors naming the file, the field and the
value (as scenarios are, :mod:`sim.config.loading`). :func:`observe` runs a scenario to
the latest target week, recording what the statistics need; :func:`statistics` computes
them; :func:`distance` is ABC's distance, the sum of squared standardised differences
``((stat - value) / sd)**2``. ``sim.experiment.calibrate`` runs ABC-SMC on them.

"Week W" is the state after W weekly steps (row W of the model's time series).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ConfigDict, Field, ValidationError, model_validator

from sim.analysis.effect_profile import TWELVE_MONTHS_WEEKS, EffectProfile, at
from sim.analysis.evaluation import control_scenario
from sim.config import Scenario
from sim.config.loading import _error_line
from sim.config.schema import StrictValues
from sim.config.toml import read_toml
from sim.errors import ScenarioError
from sim.model import MentoringModel
from sim.model.relationships import EARLY_WINDOW_WEEKS, FORMAL
from sim.units import WEEKS_PER_YEAR

#: A statistic the model cannot produce (nan: no hire became proficient, no pair ended its
#: window, too few mentees for d) counts as this many squared SDs in the distance.
MISSING_PENALTY = 1.0e4


class Target(StrictValues):
    """One observed summary statistic and its uncertainty.

    Attributes:
        value: The observed figure.
        sd: Its uncertainty (standard error, or the spread one would accept), > 0.
        week: The week it refers to (weeks after the run's start; at most the horizon).
        source: Where the figure comes from (free text, kept in ``calibration.json``).

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)
    week: int = Field(ge=1, le=5200)
    source: str = ""


class Targets(StrictValues):
    """A targets file: a description and at least one statistic of :data:`STATISTICS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    annual_quit_rate: Target | None = None
    median_weeks_to_proficiency: Target | None = None
    proficient_share: Target | None = None
    early_ending_share: Target | None = None
    effect_size_d: Target | None = None

    @model_validator(mode="after")
    def _check(self) -> Targets:
        if not self.items():
            raise ValueError(f"no targets: give at least one of {', '.join(STATISTICS)}")
        for name, target in self.items().items():
            least = STATISTICS[name].min_week
            if target.week < least:
                raise ValueError(f"{name}.week = {target.week}: must be at least {least} "
                                 f"({STATISTICS[name].description})")
        return self

    def items(self) -> dict[str, Target]:
        """The targets given, by statistic name (in :data:`STATISTICS` order)."""
        return {name: getattr(self, name) for name in STATISTICS
                if getattr(self, name) is not None}

    @property
    def needs_control(self) -> bool:
        """Whether a statistic needs a control arm (``effect_size_d``: twice the cost)."""
        return any(STATISTICS[name].needs_control for name in self.items())

    @property
    def last_week(self) -> int:
        """The latest week a target refers to (the runs stop there)."""
        return max(target.week for target in self.items().values())


@dataclass
class Observation:
    """A model stepped to the latest target week, with what the statistics need.

    Attributes:
        model: The model (with the programme), stepped ``weeks`` times.
        control: Its control arm (no programme), stepped in lockstep, if a target needs it.
        profile: The like-for-like effect profile of the two arms (with a control).
        proficient_by_week: ``proficient_by_week[w]`` = how many entries of
            ``model.proficiency_weeks`` were recorded by week ``w``.
        early_by_start: Formal pairs that ended early within their first
            ``EARLY_WINDOW_WEEKS`` (26) weeks, by the week they started.

    """

    model: MentoringModel
    control: MentoringModel | None = None
    profile: EffectProfile | None = None
    proficient_by_week: list[int] = field(default_factory=list)
    early_by_start: Counter[int] = field(default_factory=Counter)


def check_targets(targets: Targets, scenario: Scenario, source: str = "<targets>") -> None:
    """Refuse targets the scenario cannot produce (a week past the horizon; d without a programme).

    Raises:
        ScenarioError: One line naming the targets file, the field and the value.

    """
    for name, target in targets.items().items():
        if target.week > scenario.horizon_weeks:
            raise ScenarioError(f"{source}: {name}.week = {target.week}: after the scenario's "
                                f"horizon_weeks = {scenario.horizon_weeks}")
    if targets.needs_control and not scenario.programme.enabled:
        raise ScenarioError(f"{source}: effect_size_d: the scenario {scenario.name!r} has no "
                            "programme to compare with a control arm")


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file.

    Raises:
        ScenarioError: One line naming the file, the field and the value (missing file,
            malformed TOML, an unknown statistic, a negative sd, ...).

    """
    data = read_toml(path)
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_error_line(str(path), exc, data)) from None


def observe(scenario: Scenario, seed: int, targets: Targets) -> Observation:
    """Run ``scenario`` (and its control arm if a target needs it) to the latest target week.

    Args:
        scenario: The scenario (its horizon at least the latest target week).
        seed: Seed of the run; the control arm gets the same seed.
        targets: What will be computed (decides the control arm and the bookkeeping).

    Returns:
        The :class:`Observation`.

    """
    model = MentoringModel(scenario, rng=seed)
    control = profile = None
    if targets.needs_control:
        control = MentoringModel(control_scenario(scenario), rng=seed)
        profile = EffectProfile.for_model(model)
    track_early = targets.early_ending_share is not None
    obs = Observation(model, control, profile, [0])
    rel = model.relationships
    ended = rel.count(FORMAL, "ended_early")
    seen: Counter[int] = Counter()
    for _ in range(targets.last_week):
        week = model.steps
        model.step()
        if control is not None and profile is not None:
            control.step()
            profile.observe(model, control)
        obs.proficient_by_week.append(len(model.proficiency_weeks))
        if track_early and rel.count(FORMAL, "ended_early") != ended:
            ended = rel.count(FORMAL, "ended_early")
            new = rel.formal_early_by_start - seen
            seen = Counter(rel.formal_early_by_start)
            for start, count in new.items():
                if week - start <= EARLY_WINDOW_WEEKS:
                    obs.early_by_start[start] += count
    return obs


# --- the statistics: each a function of an observation and the target's week -------------
def annual_quit_rate(obs: Observation, week: int) -> float:
    """Quits per head over the 52 weeks up to ``week`` (annualised if ``week`` < 52)."""
    frame = obs.model.timeseries()
    window = frame.loc[max(1, week - WEEKS_PER_YEAR + 1):week]
    return float(window["quits"].sum() / window["headcount"].mean()
                 * WEEKS_PER_YEAR / window.shape[0])


def median_weeks_to_proficiency(obs: Observation, week: int) -> float:
    """Median weeks from hire to proficiency of the hires proficient by ``week`` (nan if none)."""
    values = obs.model.proficiency_weeks[:obs.proficient_by_week[week]]
    return float(np.median(values)) if values else math.nan


def proficient_share(obs: Observation, week: int) -> float:
    """Share of staff at or above the proficiency threshold at ``week``."""
    return float(obs.model.timeseries().at[week, "proficient_share"])


def early_ending_share(obs: Observation, week: int) -> float:
    """Of the formal pairs started by ``week`` - 26, the share that ended early within 26 weeks.

    Only pairs whose whole 26-week window lies before ``week`` count, so the share is a
    pilot's "ended early within six months / started" (nan if none started).
    """
    last_start = week - EARLY_WINDOW_WEEKS  # a pair started at step s shows in row s + 1
    started = obs.model.timeseries().at[last_start, "formal_pairs_started"]
    early = sum(count for start, count in obs.early_by_start.items() if start < last_start)
    return float(early / started) if started > 0 else math.nan


def effect_size_d(obs: Observation, week: int) -> float:  # noqa: ARG001 - the profile to week
    """Like-for-like 12-month performance d of formal mentees (control arm; profile to ``week``)."""
    if obs.profile is None:
        raise ValueError("effect_size_d needs an observation with a control arm")
    return at(obs.profile.frame(), TWELVE_MONTHS_WEEKS, "performance_d")


@dataclass(frozen=True)
class Statistic:
    """A calibration statistic: its function, what it means, what it needs."""

    function: Callable[[Observation, int], float]
    description: str
    needs_control: bool = False
    min_week: int = 1


STATISTICS: dict[str, Statistic] = {
    "annual_quit_rate": Statistic(
        annual_quit_rate, "quits per head over the 52 weeks up to week"),
    "median_weeks_to_proficiency": Statistic(
        median_weeks_to_proficiency, "median weeks from hire to proficiency, hires proficient "
        "by week"),
    "proficient_share": Statistic(proficient_share, "share of staff proficient at week"),
    "early_ending_share": Statistic(
        early_ending_share, "formal pairs ended early within 26 weeks / started, pairs "
        "started by week - 26", min_week=EARLY_WINDOW_WEEKS + 1),
    "effect_size_d": Statistic(
        effect_size_d, "like-for-like 12-month performance d of formal mentees against a "
        "control arm", needs_control=True, min_week=TWELVE_MONTHS_WEEKS + 1),
}


def statistics(obs: Observation, targets: Targets) -> dict[str, float]:
    """The targets' statistics of one observation, by name."""
    return {name: STATISTICS[name].function(obs, target.week)
            for name, target in targets.items().items()}


def simulate_statistics(scenario: Scenario, seed: int, targets: Targets) -> dict[str, float]:
    """Run ``scenario`` with ``seed`` and return the targets' statistics."""
    return statistics(observe(scenario, seed, targets), targets)


def distance(stats: Mapping[str, Any], targets: Targets) -> float:
    """Sum over targets of ``((stat - value) / sd)**2`` (nan adds :data:`MISSING_PENALTY`)."""
    total = 0.0
    for name, target in targets.items().items():
        value = float(stats[name])
        if math.isnan(value):
            total += MISSING_PENALTY
        else:
            total += ((value - target.value) / target.sd) ** 2
    return total
