"""Run one scenario with one seed and gather what a results store needs.

Used by the CLI and by experiment runners; knows nothing of files (see
:mod:`sim.experiment.results`).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from typing import Any

import pandas as pd

from sim.analysis.effect_profile import EffectProfile, run_in_lockstep
from sim.analysis.evaluation import control_scenario, evaluate, flatten, has_control_arm
from sim.analysis.forecast import Forecast
from sim.analysis.forecast import forecast as make_forecast
from sim.analysis.objectives import evaluate_objectives
from sim.config import Scenario, check_seed
from sim.experiment.provenance import fingerprint, roster_record
from sim.experiment.resources import check_memory
from sim.model import MentoringModel
from sim.model.formative import adaptations_frame
from sim.model.model import free_model
from sim.model.needs import cause_table, gap_table, recommend
from sim.model.reporters import run_summary

MANIFEST_FORMAT = 1
_PACKAGES = ("mentorsim", "mesa", "numpy", "numba", "pandas", "pydantic", "pyarrow")


@dataclass
class RunResult:
    """The outcome of one run.

    Attributes:
        timeseries: The model reporters, one row per week (week 0 = before the first step).
        summary: End-of-run results (see :func:`sim.model.reporters.run_summary`), plus the
            flattened evaluation when there is a control arm.
        manifest: What is needed to reproduce the run: scenario as resolved, seed, versions.
        evaluation: Kirkpatrick levels, ROI and equity against the control arm, if any.
        control_timeseries: The control arm's reporters, if any.
        tables: Needs assessment tables at the end of the run (gaps by group and
            competency; cause analysis), the formative evaluation's ``adaptations``
            (:func:`sim.model.formative.adaptations_frame`) and, with a control arm,
            ``effect_profile``: the
            formal mentees' like-for-like differences by weeks since their first match
            (see :class:`sim.analysis.effect_profile.EffectProfile`).
        scenario: The scenario as run.
        forecast: The planning forecast made before the run (with the programme on;
            :func:`sim.analysis.forecast.forecast`), written as ``forecast.json``.
        verdict: Cause analysis's plain line when mentoring addresses too little of the
            gap ("mentoring is the wrong answer here: ..."; ``causes`` and
            ``recommendations`` in ``tables``), else None.

    """

    timeseries: pd.DataFrame
    summary: dict[str, float]
    manifest: dict[str, Any] = field(default_factory=dict)
    evaluation: dict[str, Any] | None = None
    control_timeseries: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    scenario: Scenario | None = field(default=None, repr=False)
    verdict: str | None = None
    forecast: Forecast | None = field(default=None, repr=False)


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape a run's numbers."""
    return dict(_versions())


@cache
def _versions() -> tuple[tuple[str, str], ...]:
    # read once per process: package metadata does not change under a running process,
    # and reading it costs ~8 ms, more than a small run's model setup
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return tuple(found.items())


def make_manifest(scenario: Scenario, seed: int, source: str | None = None) -> dict[str, Any]:
    """A manifest for a run of ``scenario`` with ``seed``.

    Besides the resolved scenario, the seed and the package versions it records the model
    code's provenance and the CPU (:func:`sim.experiment.provenance.fingerprint`), which
    ``mentorsim rerun`` reports when a re-run differs, and with a ``[roster]`` its file's
    resolved path and SHA-256 (:func:`sim.experiment.provenance.roster_record`; None
    without one).
    """
    return {
        "format": MANIFEST_FORMAT,
        "kind": "run",
        "scenario_source": source,
        "scenario": scenario.model_dump(mode="json"),
        "seed": seed,
        "versions": versions(),
        "provenance": fingerprint(),
        "roster": roster_record(scenario),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    progress: bool = False,
    source: str | None = None,
    forecast: Forecast | None = None,
) -> RunResult:
    """Run ``scenario`` to its horizon (with its control arm, in lockstep, if it has one).

    With ``evaluation.control = "no_programme"`` the programme arm and the control arm are
    stepped together week by week, an :class:`~sim.analysis.effect_profile.EffectProfile`
    observing both after each week; the numbers are those of two separate runs.

    Args:
        scenario: The validated scenario.
        seed: Seed of all randomness; None uses the scenario's seed.
        progress: Show a tqdm progress bar over weeks.
        source: Where the scenario came from (recorded in the manifest and named in
            errors).
        forecast: The forecast already made for this scenario and seed (``mentorsim
            run`` prints its warnings first); None makes it when the programme is on and
            the scenario has a plan (objectives or a budget), before the models are built
            (a sweep's runs without a plan skip its week-0 model).

    Returns:
        The time series, the end-of-run summary and the manifest.

    Raises:
        ScenarioError: ``seed`` is negative or more than 63 bits.
        ResourceLimitError: The run would need more memory than is available (checked
            before anything is allocated, see :func:`sim.experiment.resources.check_memory`).

    """
    where = source or "<scenario>"
    seed = scenario.seed if seed is None else check_seed(seed, f"{where}: seed")
    check_memory(scenario, where)
    if forecast is None and scenario.programme.enabled and _has_plan(scenario):
        forecast = make_forecast(scenario, seed)
    with_control = has_control_arm(scenario)  # the programme or an intervention
    if with_control:
        model, control, profile = _run_arms(scenario, seed, progress)
    else:
        model = _run_model(scenario, seed, progress)
    summary = run_summary(model)
    summary["adaptations"] = float(len(model.adaptations))
    result = RunResult(
        timeseries=model.timeseries(),
        summary=summary,
        manifest=make_manifest(scenario, seed, source),
        tables={
            "gaps_by_group": gap_table(model),
            "causes": cause_table(model),
            "recommendations": (advice := recommend(model)).table,
            "adaptations": adaptations_frame(model.adaptations),
        },
        scenario=scenario,
        verdict=advice.verdict,
    )
    if with_control:
        result.evaluation = evaluate(model, control, profile)
        result.control_timeseries = control.timeseries()
        result.tables["effect_profile"] = profile.frame()
        summary.update(flatten(result.evaluation))
    if scenario.programme.enabled:  # planning: the forecast before, the objectives after
        result.forecast = forecast
    if scenario.plan.objectives:
        result.tables["objectives"] = evaluate_objectives(
            scenario, result.timeseries, result.control_timeseries)
    free_model(model)  # the result holds no arrays of the models: they go now
    if with_control:
        free_model(control)
    return result


def _has_plan(scenario: Scenario) -> bool:
    plan = scenario.plan
    return bool(plan.objectives) or plan.budget is not None or plan.mentor_hours_budget is not None


def _run_arms(scenario: Scenario, seed: int, progress: bool
              ) -> tuple[MentoringModel, MentoringModel, EffectProfile]:
    """The programme arm and its control arm, stepped in lockstep with an effect profile."""
    model = MentoringModel(scenario=scenario, rng=seed)
    control = MentoringModel(scenario=control_scenario(scenario), rng=seed)
    if not progress:
        return model, control, run_in_lockstep(model, control)
    from tqdm import tqdm

    with tqdm(total=scenario.horizon_weeks, unit="week",
              desc=f"{scenario.name} and control") as bar:
        profile = run_in_lockstep(model, control, after_week=bar.update)
    return model, control, profile


def _run_model(scenario: Scenario, seed: int, progress: bool) -> MentoringModel:
    model = MentoringModel(scenario=scenario, rng=seed)
    if not progress:
        return model.run()
    from tqdm import tqdm

    with tqdm(total=scenario.horizon_weeks, unit="week", desc=scenario.name) as bar:
        while model.running:
            model.step()
            bar.update()
    return model
