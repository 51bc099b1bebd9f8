"""Calibration by ABC-SMC (pyabc): which parameter values make the model reproduce the targets.

:func:`run_calibration` runs pyabc's ABC-SMC over a scenario's priors
(:func:`sim.config.uncertainty.resolved_priors`; each scipy prior becomes a ``pyabc.RV``):
a particle's parameters are applied to the scenario (:func:`~sim.config.uncertainty.apply_draw`),
the scenario is run to the latest target week, and the distance is the sum of squared
standardised differences of the statistics from the targets
(:mod:`sim.analysis.calibration`). Each generation lowers the acceptance threshold epsilon
to the median distance of the last; the last generation's weighted particles are the
posterior. Afterwards a posterior predictive check runs the scenario once for each of a
number of posterior draws.

A calibration directory (written through a staging directory, so an interrupted
calibration leaves nothing that looks complete)::

    posterior.parquet              the last generation's particles (one column per
                                   parameter) and their normalised ``weight``
    predictive.parquet             the posterior predictive runs: parameters and statistics
    abc.db                         pyabc's database (sqlite; pyabc.History("sqlite:///..."))
    calibration.json               targets, priors, settings, per-generation epsilon and
                                   acceptance, posterior summary, manifest
    posterior_marginals.png        prior against posterior per parameter (drawn by a hook)
    posterior_predictive.png       predictive distribution of each statistic against target

Seeds: every particle's randomness (its proposal and its run's seed) comes from its own
stream, ``SeedSequence([seed, call, index])``, and particles are accepted in index order,
so a calibration is reproducible given ``--seed`` whatever the number of ``--workers``
(:class:`SeededSampler`). With ``--scheduler`` (pyabc's ``DaskDistributedSampler``) the
workers draw from their own streams: the posterior is then reproducible only in
distribution.

:func:`posterior_draws` resamples the posterior by weight into parameter sets, usable in
place of prior draws (e.g. one per replication of a comparison).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.calibration import (
    STATISTICS,
    Targets,
    check_targets,
    distance,
    simulate_statistics,
)
from sim.config import Scenario, scenario_from_dict
from sim.config.schema import Prior, numeric_field
from sim.config.uncertainty import apply_draw, prior_set, resolved_priors
from sim.errors import MentorsimError, ResultsError, ScenarioError
from sim.experiment.provenance import fingerprint
from sim.experiment.run import versions
from sim.experiment.store import (
    read_json,
    read_parquet,
    staged_directory,
    write_json,
    write_parquet,
)

CALIBRATION_FORMAT = 1
CALIBRATION_FILES = frozenset({
    "posterior.parquet", "predictive.parquet", "abc.db", "calibration.json",
    "posterior_marginals.png", "posterior_predictive.png",
})
#: Posterior predictive runs by default (at most the population size).
PREDICTIVE_RUNS = 100

FigureHook = Callable[["CalibrationResult", Path], None]


# --- priors as pyabc sees them -------------------------------------------------------------
def calibration_priors(scenario: Scenario, parameters: Sequence[str] | None = None
                       ) -> dict[str, Prior]:
    """The priors to calibrate: the scenario's resolved priors, else the literature set.

    Args:
        scenario: The scenario (its ``[uncertainty]``).
        parameters: Only these of them (dotted names); None = all.

    Raises:
        ScenarioError: A named parameter has no prior (the ones with priors are listed).

    """
    priors = resolved_priors(scenario) or prior_set("literature")
    if parameters is None:
        return priors
    unknown = [name for name in parameters if name not in priors]
    if unknown:
        raise ScenarioError(f"--parameters: {unknown[0]!r} has no prior in the scenario "
                            f"(priors: {', '.join(priors)})")
    return {name: priors[name] for name in parameters}


def pyabc_rv(prior: Prior):
    """The prior as a ``pyabc.RV`` (scipy's name, shapes, loc and scale)."""
    import pyabc

    from sim.config.schema import PRIOR_SHAPES

    shapes = [getattr(prior, name) for name in PRIOR_SHAPES[prior.dist]]
    return pyabc.RV(prior.dist, *shapes, loc=prior.loc, scale=prior.scale)


def pyabc_prior(priors: dict[str, Prior]):
    """A ``pyabc.Distribution`` of the priors, by dotted field name."""
    import pyabc

    return pyabc.Distribution(**{name: pyabc_rv(prior) for name, prior in priors.items()})


def field_values(parameters: dict[str, float]) -> dict[str, Any]:
    """Parameters as scenario values: moved into each field's range, ints rounded."""
    values: dict[str, Any] = {}
    for name, value in parameters.items():
        kind, lo, lo_open, hi, hi_open = numeric_field(name)
        low = -math.inf if lo is None else (np.nextafter(lo, math.inf) if lo_open else lo)
        high = math.inf if hi is None else (np.nextafter(hi, -math.inf) if hi_open else hi)
        clipped = float(np.clip(float(value), low, high))
        values[name] = int(round(clipped)) if kind is int else clipped
    return values


# --- the model and distance pyabc calls -----------------------------------------------------
class Simulator:
    """pyabc's model: apply a particle's parameters, run, return the statistics.

    Plain data (scenario and targets as JSON) so it pickles cheaply to workers. The run's
    seed is drawn from numpy's global stream, which :class:`SeededSampler` seeds per
    particle.
    """

    def __init__(self, scenario: Scenario, targets: Targets) -> None:
        self.scenario_json = scenario.model_dump_json()
        self.targets_json = targets.model_dump_json()
        self._cache: tuple[Scenario, Targets] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"scenario_json": self.scenario_json, "targets_json": self.targets_json}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _cache=None)

    def parts(self) -> tuple[Scenario, Targets]:
        """The scenario and targets (parsed once per process)."""
        if self._cache is None:
            self._cache = (scenario_from_dict(json.loads(self.scenario_json), "<calibration>"),
                           Targets.model_validate_json(self.targets_json))
        return self._cache

    def run(self, parameters: dict[str, float], seed: int) -> dict[str, float]:
        """The statistics of one run with ``parameters`` and ``seed``."""
        scenario, targets = self.parts()
        particle = apply_draw(scenario, field_values(parameters), "<calibration particle>")
        return simulate_statistics(particle, seed, targets)

    def __call__(self, parameters: Any) -> dict[str, float]:
        """The model pyabc calls: a particle's parameters -> its statistics."""
        return self.run(dict(parameters), int(np.random.randint(0, 2**62)))


class Distance:
    """pyabc's distance: :func:`sim.analysis.calibration.distance` to the targets."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def __call__(self, x: dict[str, float], x_0: dict[str, float] | None = None) -> float:  # noqa: ARG002
        """The distance of the statistics ``x`` from the targets (``x_0`` is their values)."""
        return distance(x, self.targets)


# --- the calibration ------------------------------------------------------------------------
@dataclass
class CalibrationResult:
    """A finished calibration (what its directory holds).

    Attributes:
        posterior: The last generation's particles: one column per parameter, ``weight``
            (normalised to sum 1).
        predictive: Posterior predictive runs: ``draw``, the parameters, the statistics.
        generations: Per generation ``t``, ``epsilon``, ``samples`` (evaluations),
            ``particles`` and ``acceptance`` (particles / samples).
        priors: The priors calibrated, by dotted name.
        targets: The targets.
        info: The contents of ``calibration.json``.

    """

    posterior: pd.DataFrame
    predictive: pd.DataFrame
    generations: pd.DataFrame
    priors: dict[str, Prior]
    targets: Targets
    info: dict[str, Any] = field(default_factory=dict)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under normalised ``weights`` (interpolated)."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = np.cumsum(w) - 0.5 * w
    cum /= w.sum()
    return float(np.interp(q, cum, v))


def posterior_summary(posterior: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Weighted mean, sd and 5%, 50%, 95% quantiles of each parameter."""
    weights = posterior["weight"].to_numpy(float)
    out = {}
    for name in posterior.columns.drop("weight"):
        values = posterior[name].to_numpy(float)
        mean = float(np.average(values, weights=weights))
        out[name] = {
            "mean": mean,
            "sd": float(math.sqrt(np.average((values - mean) ** 2, weights=weights))),
            "q05": weighted_quantile(values, weights, 0.05),
            "q50": weighted_quantile(values, weights, 0.5),
            "q95": weighted_quantile(values, weights, 0.95),
        }
    return out


def calibration_manifest(scenario: Scenario, seed: int, source: str | None,
                         targets_source: str | None) -> dict[str, Any]:
    """What reproduces a calibration: scenario as resolved, targets file, seed, versions."""
    return {
        "format": CALIBRATION_FORMAT,
        "kind": "calibration",
        "scenario_source": source,
        "targets_source": targets_source,
        "scenario": scenario.model_dump(mode="json"),
        "seed": seed,
        "versions": versions() | {"pyabc": _pyabc_version()},
        "provenance": fingerprint(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _pyabc_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pyabc")
    except metadata.PackageNotFoundError:
        return "not installed"


def _require_pyabc() -> None:
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise MentorsimError('calibration needs pyabc: pip install "mentorsim[calibration]"'
                             ) from None


def _quiet_pyabc(progress: bool) -> None:
    import logging

    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.INFO if progress else logging.WARNING)


def run_calibration(
    scenario: Scenario,
    targets: Targets,
    out: str | Path,
    *,
    population: int = 100,
    generations: int = 5,
    workers: int = 1,
    seed: int = 0,
    parameters: Sequence[str] | None = None,
    scheduler: str | None = None,
    predictive_runs: int = PREDICTIVE_RUNS,
    source: str | None = None,
    targets_source: str | None = None,
    figures: FigureHook | None = None,
    progress: bool = True,
) -> CalibrationResult:
    """Calibrate the scenario's priors to the targets by ABC-SMC and write the directory.

    Args:
        scenario: The scenario (its headcount and horizon set the cost of a run; runs stop
            at the latest target week).
        targets: The targets (:func:`sim.analysis.calibration.load_targets`).
        out: The calibration directory (replaced if it is one already).
        population: Particles per generation.
        generations: Generations of ABC-SMC (at most; each lowers epsilon).
        workers: Processes evaluating particles.
        seed: Seed of the whole calibration.
        parameters: Calibrate only these of the priors (others keep the scenario's value).
        scheduler: A Dask scheduler address: sample with pyabc's DaskDistributedSampler.
        predictive_runs: Posterior predictive runs (weighted draws from the posterior).
        source: How the scenario was named (for the manifest).
        targets_source: The targets file (for the manifest and messages).
        figures: Draws the figures into the staging directory before it is committed.
        progress: Let pyabc log each generation (epsilon, acceptance) on stderr.

    Returns:
        The :class:`CalibrationResult`.

    Raises:
        ScenarioError: Targets the scenario cannot produce, or an unknown parameter.
        MentorsimError: pyabc is not installed.

    """
    _require_pyabc()
    import pyabc

    if population < 2 or generations < 1 or workers < 1 or predictive_runs < 1:
        raise ScenarioError("--population must be >= 2, --generations, --workers and the "
                            "predictive runs >= 1")
    from sim.experiment.limits import check_runs

    # at least population x generations runs (ABC-SMC rejects some): before anything starts
    check_runs(population * generations,
               f"--population = {population} x --generations = {generations}")
    check_targets(targets, scenario, targets_source or "<targets>")
    priors = calibration_priors(scenario, parameters)
    for name in priors:
        numeric_field(name)
    _quiet_pyabc(progress)
    simulator = Simulator(scenario, targets)
    observed = {name: target.value for name, target in targets.items().items()}
    from sim.experiment.abc_sampler import SeededSampler, particle_seed

    sampler = SeededSampler(seed, workers)
    dask_sampler = None
    if scheduler is not None:
        from distributed import Client

        dask_sampler = pyabc.sampler.DaskDistributedSampler(dask_client=Client(scheduler))
    np.random.seed(particle_seed(seed, 0, 0))  # pyabc's own draws in this process
    random.seed(particle_seed(seed, 0, 1))
    try:
        with staged_directory(out, CALIBRATION_FILES) as staging:
            abc = pyabc.ABCSMC(simulator, pyabc_prior(priors), Distance(targets),
                               population_size=population,
                               sampler=dask_sampler if dask_sampler is not None else sampler)
            abc.new(f"sqlite:///{staging / 'abc.db'}", observed)
            history = abc.run(max_nr_populations=generations)
            frame, weights = history.get_distribution(m=0, t=history.max_t)
            posterior = frame[list(priors)].reset_index(drop=True)
            posterior["weight"] = np.asarray(weights, float) / np.sum(weights)
            pops = history.get_all_populations()
            pops = pops[pops["t"] >= 0].reset_index(drop=True)
            gens = pd.DataFrame({
                "t": pops["t"].astype(int), "epsilon": pops["epsilon"].astype(float),
                "samples": pops["samples"].astype(int),
                "particles": pops["particles"].astype(int),
            })
            gens["acceptance"] = gens["particles"] / gens["samples"]
            gens["wall_time_s"] = pops["wall_time"].astype(float)

            predictive = _predictive(posterior, simulator, sampler, seed, predictive_runs)
            info = {
                "targets": {name: t.model_dump() for name, t in targets.items().items()},
                "targets_description": targets.description,
                "statistics": {name: STATISTICS[name].description for name in targets.items()},
                "priors": {name: p.model_dump() for name, p in priors.items()},
                "settings": {"population": population, "generations": generations,
                             "workers": workers, "seed": seed, "scheduler": scheduler,
                             "predictive_runs": predictive_runs,
                             "sampler": "DaskDistributedSampler" if scheduler else
                             "SeededSampler", "epsilon": "median of the last generation",
                             "distance": "sum of ((statistic - value) / sd)^2"},
                "generations": gens.to_dict(orient="records"),
                "evaluations": int(gens["samples"].sum()),
                "posterior": posterior_summary(posterior),
                "predictive": _predictive_summary(predictive, targets),
                "manifest": calibration_manifest(scenario, seed, source, targets_source),
            }
            result = CalibrationResult(posterior, predictive, gens, priors, targets, info)
            write_parquet(staging / "posterior.parquet", posterior)
            write_parquet(staging / "predictive.parquet", predictive)
            if figures is not None:
                figures(result, staging)
            write_json(staging / "calibration.json", info)  # last: the directory is whole
    finally:
        sampler.close()
    return result


def _predictive(posterior: pd.DataFrame, simulator: Simulator, sampler: Any,
                seed: int, runs: int) -> pd.DataFrame:
    """Run the scenario once for each of ``runs`` posterior draws (weighted resampling)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2**31 - 1]))
    names = list(posterior.columns.drop("weight"))
    picks = rng.choice(len(posterior), size=runs, p=posterior["weight"].to_numpy(float))
    draws = [{name: float(posterior.at[i, name]) for name in names} for i in picks]
    seeds = rng.integers(0, 2**62, size=runs).tolist()
    stats = sampler.predict(simulator.run, draws, seeds)
    frame = pd.DataFrame(draws)
    frame.insert(0, "draw", np.arange(runs))
    return pd.concat([frame, pd.DataFrame(stats)], axis=1)


def _predictive_summary(predictive: pd.DataFrame, targets: Targets) -> dict[str, Any]:
    out = {}
    for name, target in targets.items().items():
        values = predictive[name].to_numpy(float)
        values = values[~np.isnan(values)]
        inside = np.abs(values - target.value) <= target.sd
        out[name] = {
            "target": target.value, "sd": target.sd,
            "mean": float(values.mean()) if values.size else math.nan,
            "q05": float(np.quantile(values, 0.05)) if values.size else math.nan,
            "q95": float(np.quantile(values, 0.95)) if values.size else math.nan,
            "within_one_sd": float(inside.mean()) if values.size else math.nan,
            "missing": int(predictive[name].isna().sum()),
        }
    return out


# --- the posterior in place of the priors -----------------------------------------------------
def read_posterior(directory: str | Path) -> pd.DataFrame:
    """The posterior particles and weights of a calibration directory.

    Raises:
        ResultsError: Not a complete calibration directory.

    """
    directory = Path(directory)
    if not (directory / "calibration.json").is_file():
        raise ResultsError(f"{directory}: not a calibration directory (no calibration.json; "
                           "run mentorsim calibrate)")
    return read_parquet(directory / "posterior.parquet")


def read_calibration(directory: str | Path) -> dict[str, Any]:
    """The ``calibration.json`` of a calibration directory."""
    read_posterior(directory)
    return read_json(Path(directory) / "calibration.json")


def posterior_draws(directory: str | Path, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter sets resampled by weight from a calibration's posterior.

    Usable wherever prior draws are (:func:`sim.config.uncertainty.draw_parameters`):
    each a dict of dotted field name -> value, moved into the field's range and rounded
    for int fields; apply one with :func:`sim.config.uncertainty.apply_draw`.

    Args:
        directory: A calibration directory (``mentorsim calibrate --out``).
        n: How many sets.
        seed: Seed of the resampling (the same seed gives the same sets).

    Returns:
        ``n`` dicts.

    Raises:
        ResultsError: Not a complete calibration directory.

    """
    posterior = read_posterior(directory)
    weights = posterior["weight"].to_numpy(float)
    picks = np.random.default_rng(seed).choice(len(posterior), size=n, p=weights / weights.sum())
    names = list(posterior.columns.drop("weight"))
    return [field_values({name: float(posterior.at[i, name]) for name in names})
            for i in picks.tolist()]
