"""A rollout directory (``mentorsim rollout``): the plan of :mod:`sim.analysis.rollout` on disk.

::

    needs_by_group.csv    mean gap by group and competency (the week read)
    causes.csv            the gap by cause, group and competency
    recommendations.csv   the intervention for each cause, its share of the gap
    first_cohort.csv      the first cohort by group, role and tenure band (counts only)
    supply.csv            mentor supply and demand per matching, the first year
    pairs.csv             the first matching's pairs, with ids (only when asked for)
    rollout.md            a plain-language summary
    manifest.json         written last: scenario, seed, versions (a roster by file)

Written as a whole through :func:`sim.experiment.store.staged_directory`, so it exists
complete or not at all, and a directory written without pairs holds no ids (an earlier
``pairs.csv`` there goes with the rest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.analysis.rollout import Rollout, rollout_markdown
from sim.experiment.run import make_manifest
from sim.experiment.store import MANIFEST, staged_directory, write_json

PAIRS = "pairs.csv"
ROLLOUT_FILES = frozenset({"needs_by_group.csv", "causes.csv", "recommendations.csv",
                           "first_cohort.csv", "supply.csv", PAIRS, "rollout.md"})
"""The names a rollout directory may hold besides ``manifest.json``."""


def rollout_manifest(plan: Rollout, source: str | None = None) -> dict[str, Any]:
    """The manifest of a rollout directory: a run's, of kind ``rollout``.

    Like a run's it names a roster by its file and SHA-256, never by its people.
    """
    manifest = make_manifest(plan.scenario, plan.seed, source)
    manifest.update(kind="rollout", week=plan.week,
                    first_matching_week=plan.first_matching_week,
                    pairs=plan.pairs is not None,
                    ids=plan.id_source if plan.pairs is not None else None)
    return manifest


def write_rollout_directory(out: str | Path, plan: Rollout,
                            source: str | None = None) -> Path:
    """Write ``plan`` as a rollout directory: complete, or (on any exception) not at all.

    Args:
        out: The directory (an earlier rollout directory there is replaced).
        plan: The plan (``pairs.csv`` only when it has pairs).
        source: Where the scenario came from (recorded in the manifest).

    Returns:
        The directory written.

    Raises:
        ResultsError: ``out`` exists and is not a rollout directory.

    """
    with staged_directory(out, ROLLOUT_FILES) as staging:
        plan.needs_by_group.to_csv(staging / "needs_by_group.csv", index_label="group")
        plan.causes.to_csv(staging / "causes.csv", index=False)
        plan.recommendations.to_csv(staging / "recommendations.csv", index=False)
        plan.first_cohort.to_csv(staging / "first_cohort.csv", index=False)
        plan.supply.to_csv(staging / "supply.csv", index=False)
        pairs_file = None
        if plan.pairs is not None:
            plan.pairs.to_csv(staging / PAIRS, index=False)
            pairs_file = PAIRS
        (staging / "rollout.md").write_text(rollout_markdown(plan, pairs_file),
                                            encoding="utf-8")
        write_json(staging / MANIFEST, rollout_manifest(plan, source))
    return Path(out)
