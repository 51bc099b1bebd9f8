"""Run a stored run again and check that it reproduces bit for bit.

:func:`reproduce` re-runs a :class:`~sim.experiment.results.StoredRun` (read with
:func:`~sim.experiment.results.read_stored_run`) in this process and compares the new
weekly time series with the stored one (:func:`~sim.experiment.results.first_difference`);
when they differ, :meth:`Reproduction.changes` says what changed since the run was made:
package versions, model code, CPU.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.config import scenario_from_dict
from sim.errors import ResultsError
from sim.experiment.provenance import (
    cpu,
    describe_cpu_difference,
    describe_difference,
    fingerprint,
    same_code,
)
from sim.experiment.results import StoredRun, first_difference, write_run_directory
from sim.experiment.run import RunResult, run_scenario, versions


@dataclass
class Reproduction:
    """A stored run and its re-run.

    Attributes:
        stored: The stored run.
        result: The re-run.
        difference: Where the time series first differ (None: identical bit for bit).

    """

    stored: StoredRun
    result: RunResult = field(repr=False)
    difference: str | None

    @property
    def reproduced(self) -> bool:
        """Whether the re-run's time series is identical bit for bit."""
        return self.difference is None

    def changes(self) -> list[str]:
        """What differs from when the run was made: versions, model code, CPU.

        Returns:
            Lines such as ``"versions then -> now: numpy 2.3.0 -> 2.4.1"``, ``"model code:
            written by ..."`` and ``"CPU: the same as recorded (znver4, 57 features)"``;
            the CPU line is always there, the others only when something changed.

        """
        now = versions()
        changed = {k: (v, now.get(k)) for k, v in self.stored.versions.items()
                   if k != "platform" and now.get(k) != v}
        lines = []
        if changed:
            lines.append("versions then -> now: " + ", ".join(
                f"{k} {a} -> {b}" for k, (a, b) in sorted(changed.items())))
        if self.stored.provenance and not same_code(self.stored.provenance, fingerprint()):
            lines.append("model code: " + describe_difference(self.stored.provenance,
                                                               fingerprint()))
        lines.append("CPU: " + describe_cpu_difference(self.stored.cpu, cpu()))
        return lines

    def write(self, out: str | Path) -> Path:
        """Write the re-run as a run directory whose manifest names the run it repeats.

        Raises:
            ResultsError: ``out`` is where the stored run is, or exists and is not a run
                directory.

        """
        check_out(self.stored, out)
        return write_run_directory(out, self.result, manifest={
            "rerun_of": self.stored.label, "reproduced": self.reproduced})


def check_out(stored: StoredRun, out: str | Path) -> None:
    """Refuse to write a re-run over the run it repeats (checked before re-running).

    Raises:
        ResultsError: ``out`` is the stored run's directory or the folder of its file.

    """
    if Path(out).resolve() in {stored.directory.resolve(), stored.path.parent.resolve()}:
        raise ResultsError(f"{out}: --out must not be the directory being re-run")


def reproduce(stored: StoredRun) -> Reproduction:
    """Run ``stored`` again with its scenario and seed and compare the time series."""
    result = run_scenario(stored.scenario, seed=stored.seed, source=stored.label)
    return Reproduction(stored, result, first_difference(stored.timeseries, result.timeseries))


def reproduce_timeseries(scenario_json: str, seed: int) -> pd.DataFrame:
    """Run a scenario (given as JSON text) with ``seed``; return its weekly time series.

    A plain module-level function of plain arguments, so it can be sent to a process pool
    or a Dask worker.
    """
    scenario = scenario_from_dict(json.loads(scenario_json), "<rerun>")
    return run_scenario(scenario, seed=seed).timeseries
