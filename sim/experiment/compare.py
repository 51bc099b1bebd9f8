"""A comparison of programme designs: a sweep whose factor is the design.

Every scenario (design) is run with the same replication seeds
(``SeedSequence(seed).spawn(n)``, see :func:`sim.experiment.designs.replication_seeds`),
so replication ``r`` of every design meets the same workforce, the same environment and
the same person-by-person draws (common random numbers). The runs go through the one
runner (:mod:`sim.experiment.runner`), so a comparison streams each run to disk,
records failures, resumes by re-running the same command, and runs serially, in a
process pool or on Dask from the same code.

Parameter uncertainty (on by default; ``uncertainty=False`` or ``--no-uncertainty``
fixes every parameter at the designs' values, as before): the priors are the union of
the designs' resolved priors (:func:`sim.config.resolved_priors`), or the bundled
literature set when no design declares any; a field whose value differs between the
designs is not drawn (each design keeps its own value, the comparison is about it).
``reps`` Latin-hypercube draws are made (:func:`sim.experiment.designs.parameter_draws`,
seeded from the root seed), each run with ``seeds_per_draw`` seeds (default 2, so the
variance splits into parameters and chance); replication ``r`` (draw ``r // k``) of every
design uses the same draw and the same seed (common parameters and common random
numbers). The draws are in ``parameters.parquet``, each run's file and the manifest.

Run ids hash the design's name, its resolved scenario, its draw and the seed, so a re-run reuses
every run whose design and seed are unchanged: after editing one scenario only its runs
are made again, and a larger ``reps`` adds only the new replications. The statistics are
in :mod:`sim.analysis.comparison`; the report in :mod:`sim.viz.comparison_report`.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sim.analysis.comparison import (
    Comparison,
    comparison_statistics,
    probability_better,
    variance_split,
)
from sim.analysis.roi import roi
from sim.config import Scenario, apply_draw, check_seed, prior_set, resolved_priors
from sim.config.schema import Prior
from sim.errors import ResultsError, ScenarioError
from sim.experiment.designs import RunSpec, parameter_draws, replication_seeds, run_id
from sim.experiment.executors import check_options
from sim.experiment.limits import check_comparison_size
from sim.experiment.lock import locked
from sim.experiment.results import RUNS, read_run_file
from sim.experiment.runner import REPORT_FILES, SweepOutcome, run_manifest, run_plan
from sim.experiment.store import MANIFEST, write_json


@dataclass(frozen=True)
class ComparisonSweep:
    """The runs of a comparison: every design with every replication seed.

    A plan of :mod:`sim.experiment.runner`; build it with :meth:`build`.

    Attributes:
        scenarios: Design name to scenario; the first is the reference.
        seeds: The replication seeds, shared by every design.
        root_seed: The root seed they were spawned from.
        sources: Where each design's scenario came from, for the manifest.
        source: Named in messages.
        priors: The priors drawn (empty: parameters fixed at the designs' values).
        draws: One parameter set per draw (empty without priors).
        seeds_per_draw: Seeds (runs) per draw; replication ``r`` uses draw ``r // k``.
        prior_label: Where the priors came from, for the report.
        not_drawn: Prior fields left out because the designs differ on them.

    """

    kind: ClassVar[str] = "compare"
    columns: ClassVar[tuple[str, ...]] = ("scenario",)
    derived: ClassVar[tuple[str, ...]] = REPORT_FILES
    label: ClassVar[str] = "compare"

    scenarios: Mapping[str, Scenario]
    seeds: tuple[int, ...]
    root_seed: int
    sources: Mapping[str, str] = field(default_factory=dict)
    source: str = "compare"
    priors: Mapping[str, Prior] = field(default_factory=dict)
    draws: tuple[dict[str, Any], ...] = ()
    seeds_per_draw: int = 1
    prior_label: str = ""
    not_drawn: tuple[str, ...] = ()

    @classmethod
    def build(cls, scenarios: Mapping[str, Scenario], reps: int = 10, seed: int | None = None,
              sources: Mapping[str, str] | None = None, uncertainty: bool = True,
              seeds_per_draw: int | None = None,
              posterior: str | Path | None = None) -> ComparisonSweep:
        """Check the options, spawn the replication seeds and draw the parameters.

        Args:
            scenarios: Design name to scenario; the first is the reference.
            reps: Replications per design; at least 2. With parameter uncertainty, the
                parameter draws (each run with ``seeds_per_draw`` seeds).
            seed: Root seed (default: the first scenario's seed).
            sources: Where each scenario came from (default: its name).
            uncertainty: Draw the priors (the designs', else the literature set) once
                per replication; False fixes the parameters (the runs of before).
            seeds_per_draw: Seeds per draw (default 2 with uncertainty, else 1).
            posterior: A calibration directory (``mentorsim calibrate --out``): its
                posterior, resampled by weight, replaces the priors of the fields it
                calibrated (the other priors are drawn as before).

        Raises:
            ResultsError: No scenario, fewer than 2 replications, or fewer than one seed
                per draw.
            ScenarioError: ``seed`` is negative or wider than 63 bits, or two designs
                give different priors for one field.

        """
        if not scenarios:
            raise ResultsError("compare: no scenario to compare")
        if reps < 2:
            raise ResultsError(f"--reps = {reps}: need at least 2 replications for an interval")
        k = seeds_per_draw if seeds_per_draw is not None else (2 if uncertainty else 1)
        if k < 1:
            raise ResultsError(f"--seeds-per-draw = {k}: need at least 1 seed per draw")
        check_comparison_size(len(scenarios), reps, k)  # before any seed is made
        root = next(iter(scenarios.values())).seed if seed is None \
            else check_seed(seed, "--seed")
        priors, label, not_drawn = (common_priors(scenarios) if uncertainty
                                    else ({}, "", ()))
        if posterior is not None:
            if not uncertainty:
                raise ResultsError("--posterior with --no-uncertainty: the posterior is a "
                                   "distribution to draw from; drop one of them")
            return cls._with_posterior(scenarios, reps, root, sources, k, priors, label,
                                       not_drawn, Path(posterior))
        if not priors:
            return cls(dict(scenarios), tuple(replication_seeds(root, reps * k)), root,
                       dict(sources or {n: n for n in scenarios}), seeds_per_draw=k,
                       not_drawn=not_drawn)
        return cls(dict(scenarios), tuple(replication_seeds(root, reps * k)), root,
                   dict(sources or {n: n for n in scenarios}), priors=priors,
                   draws=tuple(parameter_draws(priors, reps, root)), seeds_per_draw=k,
                   prior_label=label, not_drawn=not_drawn)

    @classmethod
    def _with_posterior(cls, scenarios: Mapping[str, Scenario], reps: int, root: int,
                        sources: Mapping[str, str] | None, k: int,
                        priors: Mapping[str, Prior], label: str,
                        not_drawn: tuple[str, ...], directory: Path) -> ComparisonSweep:
        """A plan whose draws take the calibrated fields from a posterior.

        Each replication's calibrated fields are a weighted resample of the posterior
        (:func:`sim.experiment.calibrate.posterior_draws`), the other prior fields a Latin
        hypercube over their priors as without a posterior; a calibrated field the designs
        differ on is left out like any other.
        """
        from sim.experiment.calibrate import posterior_draws, read_calibration

        info = read_calibration(directory)
        calibrated = {d: Prior.model_validate(p) for d, p in info["priors"].items()
                      if d not in not_drawn}
        others = {d: p for d, p in priors.items() if d not in calibrated}
        from_prior = parameter_draws(others, reps, root) if others else [{}] * reps
        from_posterior = posterior_draws(directory, reps, root)
        draws = [{**a, **{d: v for d, v in b.items() if d in calibrated}}
                 for a, b in zip(from_prior, from_posterior, strict=True)]
        every = dict(sorted({**others, **calibrated}.items()))
        label = f"posterior of {directory} ({len(calibrated)} fields)" + (
            f" + {label} for the rest" if others else "")
        return cls(dict(scenarios), tuple(replication_seeds(root, reps * k)), root,
                   dict(sources or {n: n for n in scenarios}), priors=every,
                   draws=tuple(dict(sorted(d.items())) for d in draws), seeds_per_draw=k,
                   prior_label=label, not_drawn=not_drawn)

    def draw_of(self, replication: int) -> int:
        """The draw index of a replication (``replication // seeds_per_draw``)."""
        return replication // self.seeds_per_draw

    def uncertainty(self) -> dict[str, Any] | None:
        """What was drawn, for the comparison and its report (None: nothing)."""
        if not self.priors:
            return None
        return {"priors": len(self.priors), "label": self.prior_label,
                "draws": len(self.draws), "seeds_per_draw": self.seeds_per_draw,
                "fields": list(self.priors), "not_drawn": list(self.not_drawn)}

    @property
    def names(self) -> list[str]:
        """The design names, the reference first."""
        return list(self.scenarios)

    @cached_property
    def _texts(self) -> dict[str, str]:
        return {n: json.dumps(s.model_dump(mode="json")) for n, s in self.scenarios.items()}

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {n: hashlib.sha1(t.encode()).hexdigest()[:16] for n, t in self._texts.items()}

    def runs(self) -> list[RunSpec]:
        """Every design with every seed; the id hashes name, resolved scenario, draw, seed."""
        if not self.draws:
            return [
                RunSpec(run_id({"scenario": name, "resolved": self._digests[name]}, seed),
                        point, r, seed, {"scenario": name})
                for point, name in enumerate(self.scenarios)
                for r, seed in enumerate(self.seeds)
            ]
        return [
            RunSpec(run_id({"scenario": name, "resolved": self._digests[name],
                            "draw": self.draws[self.draw_of(r)]}, seed),
                    point, r, seed, {"scenario": name}, self.draw_of(r),
                    self.draws[self.draw_of(r)])
            for point, name in enumerate(self.scenarios)
            for r, seed in enumerate(self.seeds)
        ]

    def job(self, spec: RunSpec) -> tuple[str, dict[str, Any]]:
        """The design's scenario as JSON text, with the run's parameter draw as overrides."""
        return self._texts[spec.parameters["scenario"]], dict(spec.drawn)

    def fingerprint(self) -> str:
        """Hash of the designs (names and resolved scenarios), the seeds and the draws."""
        data: dict[str, Any] = {"designs": self._digests, "seeds": list(self.seeds)}
        if self.draws:
            data["draws"] = list(self.draws)
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def identity(self) -> dict[str, Any]:
        """What ``sweep.json`` records: the designs, resolved (for ``rerun``), and seeds."""
        return {"scenarios": self.names, "root_seed": self.root_seed,
                "resolved": {n: s.model_dump(mode="json") for n, s in self.scenarios.items()},
                **({"uncertainty": self._uncertainty_record()} if self.draws else {})}

    def _uncertainty_record(self) -> dict[str, Any]:
        return {**(self.uncertainty() or {}),
                "priors": {n: p.model_dump(mode="json") for n, p in self.priors.items()},
                "draws": list(self.draws)}

    def owner_problem(self, found: dict[str, Any]) -> str | None:
        """None: runs are keyed by their design's content, so any comparison may resume here."""
        return None

    def manifest(self) -> dict[str, Any]:
        """What a comparison's manifest records about it."""
        return {"scenarios": self.names, "sources": dict(self.sources),
                "root_seed": self.root_seed, "seeds": list(self.seeds),
                "resolved": {n: s.model_dump(mode="json") for n, s in self.scenarios.items()},
                "uncertainty": self._uncertainty_record() if self.draws else None}


def _field_value(scenario: Scenario, dotted: str) -> Any:
    """The value of a dotted scenario field (list items by index)."""
    value: Any = scenario.model_dump(mode="json")
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value.get(part)
    return value


OUTSIDE_PROGRAMME_IGNORED = ("programme", "name", "description")
"""Top-level fields :func:`differing_fields` ignores: the design, and its labels."""


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted leaf fields of a dumped scenario (tables and lists of tables walked)."""
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        found = {}
        for i, item in enumerate(value):
            found.update(_leaves(item, f"{prefix}.{i}"))
        return found
    return {prefix: value}


def differing_fields(scenarios: Mapping[str, Scenario]) -> list[str]:
    """Dotted fields outside ``programme`` (and ``name``/``description``) that differ.

    A comparison of programme designs should differ only in the programme; anything
    else (the workforce, the organisation) is compared along with it.

    Returns:
        The fields whose value differs between the scenarios (or is missing in some), in
        the scenario's field order.

    """
    dumps = [_leaves({k: v for k, v in s.model_dump(mode="json").items()
                      if k not in OUTSIDE_PROGRAMME_IGNORED}) for s in scenarios.values()]
    fields = list(dict.fromkeys(f for d in dumps for f in d))
    missing = object()
    return [f for f in fields
            if len({json.dumps(d.get(f, missing), default=str, sort_keys=True)
                    for d in dumps}) > 1]


def common_priors(scenarios: Mapping[str, Scenario]
                  ) -> tuple[dict[str, Prior], str, tuple[str, ...]]:
    """The priors a comparison draws: the union of the designs' resolved priors.

    Without any, the bundled literature set. A field whose value differs between the
    designs is left out (each design keeps its own value).

    Returns:
        The priors, a label of where they came from, and the fields left out.

    Raises:
        ScenarioError: Two designs give different priors for the same field.

    """
    priors: dict[str, Prior] = {}
    sets: list[str] = []
    own = False
    for name, scenario in scenarios.items():
        for dotted, prior in resolved_priors(scenario).items():
            if dotted in priors and priors[dotted] != prior:
                raise ScenarioError(f"compare: {name}: uncertainty: the prior on {dotted!r} "
                                    "differs from another design's; give every design the "
                                    "same prior")
            priors[dotted] = prior
        sets += [s for s in scenario.uncertainty.include if s not in sets]
        own = own or bool(scenario.uncertainty.priors)
    if not priors:
        priors, sets = prior_set("literature"), ["literature"]
    label = " + ".join([f"{s} set" for s in sets] + (["the designs' own"] if own else []))
    designs = list(scenarios.values())
    not_drawn = tuple(d for d in priors
                      if len({json.dumps(_field_value(s, d)) for s in designs}) > 1)
    return ({d: p for d, p in sorted(priors.items()) if d not in not_drawn}, label,
            not_drawn)


ReportHook = Callable[[Comparison, Path], Any]
"""Writes a comparison's report into its results directory (before the manifest)."""


def run_comparison(plan: ComparisonSweep, out: str | Path | None = None,
                   executor: str = "serial", workers: int | None = None,
                   scheduler: str | None = None, progress: bool = True,
                   force_new: bool = False,
                   report: ReportHook | None = None) -> tuple[Comparison, SweepOutcome]:
    """Run (or resume) a comparison and compute its statistics.

    Args:
        plan: The comparison's runs.
        out: Results directory (a sweep directory whose factor is ``scenario``); None:
            a temporary directory, removed before returning.
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes.
        scheduler: Dask scheduler address.
        progress: Show a progress bar.
        force_new: Discard results in ``out`` of a sweep or of other model code.
        report: Writes the report into ``out`` once every run has finished (e.g.
            :func:`sim.viz.comparison_report.write_report`); ``manifest.json`` is written
            after it, so a directory with a manifest has its whole report.

    Returns:
        The comparison and what the runner did (counts, timing).

    Raises:
        ResultsError: A run failed (named, with its error; the others are kept in ``out``,
            a re-run tries the failed ones again, and neither report nor manifest is
            written), or ``out`` holds something other than a comparison's results.

    """
    if out is None:
        with tempfile.TemporaryDirectory(prefix="mentorsim-compare-") as tmp:
            return _run(plan, Path(tmp) / "compare", executor, workers, scheduler, progress,
                        force_new, None)
    return _run(plan, Path(out), executor, workers, scheduler, progress, force_new,
                report or (lambda comparison, directory: None))


def _run(plan: ComparisonSweep, out: Path, executor: str, workers: int | None,
         scheduler: str | None, progress: bool, force_new: bool,
         report: ReportHook | None) -> tuple[Comparison, SweepOutcome]:
    """Run into ``out``; ``report`` None: a temporary directory (no report, no manifest).

    The lock of ``out`` is held until the manifest is written.
    """
    check_options(executor, workers)
    with locked(out):
        return _run_locked(plan, out, executor, workers, scheduler, progress, force_new,
                           report)


def _run_locked(plan: ComparisonSweep, out: Path, executor: str, workers: int | None,
                scheduler: str | None, progress: bool, force_new: bool,
                report: ReportHook | None) -> tuple[Comparison, SweepOutcome]:
    outcome = run_plan(plan, out, executor, workers, scheduler, progress, force_new)
    if outcome.failed:
        raise ResultsError(_failure_line(plan, outcome, None if report is None else out))
    specs = plan.runs()
    rows = outcome.summary.set_index("id")
    names = ["scenario", "replication", "seed", "id"]  # the id names the run's file
    runs = rows.loc[[s.id for s in specs]].reset_index()
    runs = runs[names + [c for c in runs.columns if c not in names]]
    frames = []
    for spec in specs:
        frame = read_run_file(out / RUNS / f"{spec.id}.parquet")[0].reset_index()
        frame.insert(0, "replication", spec.replication)
        frame.insert(0, "scenario", spec.parameters["scenario"])
        frames.append(frame)
    runs.insert(4, "draw", [plan.draw_of(s.replication) for s in specs])
    _add_paired_roi(plan, specs, runs, frames)
    comparison = Comparison(plan.names, list(plan.seeds), runs,
                            pd.concat(frames, ignore_index=True), pd.DataFrame(),
                            pd.DataFrame(), dict(plan.scenarios),
                            parameters=_parameters(plan), uncertainty=plan.uncertainty())
    metrics = comparison.metrics
    comparison.stats, comparison.differences = comparison_statistics(
        runs, plan.names, metrics)
    comparison.variance = variance_split(runs, plan.names, metrics)
    comparison.better = probability_better(runs, plan.names, metrics)
    if report is not None:
        report(comparison, out)
        write_json(out / MANIFEST, run_manifest(plan, outcome))
    return comparison, outcome


PAIRED_ROI = "paired_roi_percent"
"""The runs' column of each design's ROI against the reference, replication by replication."""


def _add_paired_roi(plan: ComparisonSweep, specs: Sequence[RunSpec], runs: pd.DataFrame,
                    frames: Sequence[pd.DataFrame]) -> None:
    """Add :data:`PAIRED_ROI` to ``runs``: each design's ROI against the reference.

    Phillips ROI of each design's run against the reference's run of the same
    replication (the control arm; :func:`sim.analysis.roi.roi`), with the design's
    scenario as drawn; NaN for the reference, and where there are no costs.
    """
    reference = {s.replication: f for s, f in zip(specs, frames, strict=True)
                 if s.parameters["scenario"] == plan.names[0]}
    values = []
    for spec, frame in zip(specs, frames, strict=True):
        name = spec.parameters["scenario"]
        if name == plan.names[0] or len(frame) != len(reference[spec.replication]):
            values.append(float("nan"))
            continue
        scenario = plan.scenarios[name]
        if spec.drawn:
            scenario = apply_draw(scenario, spec.drawn)
        with np.errstate(all="ignore"):
            values.append(float(roi(scenario, frame, reference[spec.replication])
                                ["roi_percent"]))
    runs[PAIRED_ROI] = values


def _parameters(plan: ComparisonSweep) -> pd.DataFrame:
    """One row per draw: draw, then each drawn field's value (empty without draws)."""
    return pd.DataFrame([{"draw": d, **draw} for d, draw in enumerate(plan.draws)])


def _failure_line(plan: ComparisonSweep, outcome: SweepOutcome, out: Path | None) -> str:
    """One line naming the first failed run (in design order) and what to do."""
    order = {name: i for i, name in enumerate(plan.names)}
    failures = outcome.failures.assign(_order=outcome.failures["scenario"].map(order))
    first = failures.sort_values(["_order", "replication"]).iloc[0]
    what = (f"{outcome.failed} of {outcome.runs} runs failed, e.g. {first['scenario']} "
            f"replication {first['replication']} (seed {first['seed']}, run {first['id']}): "
            f"{first['error_type']}: {first['error_message']}")
    if out is None:
        return f"compare: {what}"
    return (f"{out}: {what}; finished runs are kept and the failures are in "
            f"{out}/failures.parquet: run the same command again to retry the failed ones")


def compare_scenarios(scenarios: Mapping[str, Scenario], reps: int = 10,
                      seed: int | None = None, executor: str = "serial",
                      workers: int | None = None, scheduler: str | None = None,
                      progress: bool = True, out: str | Path | None = None,
                      force_new: bool = False, sources: Mapping[str, str] | None = None,
                      report: ReportHook | None = None, uncertainty: bool = True,
                      seeds_per_draw: int | None = None,
                      posterior: str | Path | None = None) -> Comparison:
    """Run scenarios with common random numbers (and parameters) and compute statistics.

    Args:
        scenarios: Name to scenario; the first is the reference of the differences.
        reps: Replications per scenario (parameter draws, with uncertainty).
        seed: Root seed (default: the first scenario's seed).
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes.
        scheduler: Dask scheduler address.
        progress: Show a progress bar.
        out: Results directory to run into (resumable); None keeps nothing on disk.
        force_new: Discard results in ``out`` of a sweep or of other model code.
        sources: Where each scenario came from, for the manifest.
        report: Writes the report into ``out`` before the manifest (see
            :func:`run_comparison`).
        uncertainty: Draw the parameters once per replication (see
            :meth:`ComparisonSweep.build`); False fixes them at the designs' values.
        seeds_per_draw: Seeds per parameter draw (default 2 with uncertainty, else 1).
        posterior: A calibration directory whose posterior replaces the priors of the
            fields it calibrated (:meth:`ComparisonSweep.build`).

    Returns:
        The comparison.

    Raises:
        ResultsError: Fewer than 2 replications, or a run failed.
        ScenarioError: ``seed`` is negative or wider than 63 bits.

    """
    plan = ComparisonSweep.build(scenarios, reps, seed, sources, uncertainty, seeds_per_draw,
                                 posterior)
    return run_comparison(plan, out, executor, workers, scheduler, progress, force_new,
                          report)[0]


def unique_names(paths: Sequence[str | Path]) -> list[str]:
    """Scenario names from file stems or bundled names, made unique with a numeric suffix."""
    names: list[str] = []
    for path in paths:
        stem = Path(path).stem
        name, k = stem, 2
        while name in names:
            name, k = f"{stem}_{k}", k + 1
        names.append(name)
    return names


def default_out(names: Sequence[str]) -> Path:
    """``results/compare-<names>``."""
    return Path("results") / ("compare-" + "-".join(names))
