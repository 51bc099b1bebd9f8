"""A comparison of programme designs: a sweep whose factor is the design.

Every scenario (design) is run with the same replication seeds
(``SeedSequence(seed).spawn(n)``, see :func:`sim.experiment.designs.replication_seeds`),
so replication ``r`` of every design meets the same workforce, the same environment and
the same person-by-person draws (common random numbers). The runs go through the one
runner (:mod:`sim.experiment.runner`), so a comparison streams each run to disk,
records failures, resumes by re-running the same command, and runs serially, in a
process pool or on Dask from the same code.

Run ids hash the design's name, its resolved scenario and the seed, so a re-run reuses
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

import pandas as pd

from sim.analysis.comparison import Comparison, comparison_statistics
from sim.config import Scenario, check_seed
from sim.errors import ResultsError
from sim.experiment.designs import RunSpec, replication_seeds, run_id
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

    @classmethod
    def build(cls, scenarios: Mapping[str, Scenario], reps: int = 10, seed: int | None = None,
              sources: Mapping[str, str] | None = None) -> ComparisonSweep:
        """Check the options and spawn the replication seeds.

        Args:
            scenarios: Design name to scenario; the first is the reference.
            reps: Replications (seeds) per design; at least 2.
            seed: Root seed (default: the first scenario's seed).
            sources: Where each scenario came from (default: its name).

        Raises:
            ResultsError: No scenario, or fewer than 2 replications.
            ScenarioError: ``seed`` is negative or wider than 63 bits.

        """
        if not scenarios:
            raise ResultsError("compare: no scenario to compare")
        if reps < 2:
            raise ResultsError(f"--reps = {reps}: need at least 2 replications for an interval")
        root = next(iter(scenarios.values())).seed if seed is None \
            else check_seed(seed, "--seed")
        return cls(dict(scenarios), tuple(replication_seeds(root, reps)), root,
                   dict(sources or {n: n for n in scenarios}))

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
        """Every design with every seed; the id hashes name, resolved scenario and seed."""
        return [
            RunSpec(run_id({"scenario": name, "resolved": self._digests[name]}, seed), point,
                    r, seed, {"scenario": name})
            for point, name in enumerate(self.scenarios)
            for r, seed in enumerate(self.seeds)
        ]

    def job(self, spec: RunSpec) -> tuple[str, dict[str, Any]]:
        """The design's scenario as JSON text, with no overrides."""
        return self._texts[spec.parameters["scenario"]], {}

    def fingerprint(self) -> str:
        """Hash of the designs (names and resolved scenarios) and the seeds."""
        data = {"designs": self._digests, "seeds": list(self.seeds)}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def identity(self) -> dict[str, Any]:
        """What ``sweep.json`` records: the designs, resolved (for ``rerun``), and seeds."""
        return {"scenarios": self.names, "root_seed": self.root_seed,
                "resolved": {n: s.model_dump(mode="json") for n, s in self.scenarios.items()}}

    def owner_problem(self, found: dict[str, Any]) -> str | None:
        """None: runs are keyed by their design's content, so any comparison may resume here."""
        return None

    def manifest(self) -> dict[str, Any]:
        """What a comparison's manifest records about it."""
        return {"scenarios": self.names, "sources": dict(self.sources),
                "root_seed": self.root_seed, "seeds": list(self.seeds),
                "resolved": {n: s.model_dump(mode="json") for n, s in self.scenarios.items()}}


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
    """Run into ``out``; ``report`` None: a temporary directory (no report, no manifest)."""
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
    comparison = Comparison(plan.names, list(plan.seeds), runs,
                            pd.concat(frames, ignore_index=True), pd.DataFrame(),
                            pd.DataFrame(), dict(plan.scenarios))
    comparison.stats, comparison.differences = comparison_statistics(
        runs, plan.names, comparison.metrics)
    if report is not None:
        report(comparison, out)
        write_json(out / MANIFEST, run_manifest(plan, outcome))
    return comparison, outcome


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
                      report: ReportHook | None = None) -> Comparison:
    """Run scenarios with common random numbers and compute their statistics.

    Args:
        scenarios: Name to scenario; the first is the reference of the differences.
        reps: Replications (seeds) per scenario.
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

    Returns:
        The comparison.

    Raises:
        ResultsError: Fewer than 2 replications, or a run failed.
        ScenarioError: ``seed`` is negative or wider than 63 bits.

    """
    plan = ComparisonSweep.build(scenarios, reps, seed, sources)
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
