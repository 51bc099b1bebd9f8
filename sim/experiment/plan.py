"""``mentorsim plan``: decide between programme designs for one organisation.

A plan file (:mod:`sim.config.plan_file`) names an organisation and the designs to
choose from. Each design is the organisation with its programme switched on, the plan's
programme overrides and a control arm (``evaluation.control = "no_programme"``), so every
design gets a full evaluation; the reference, :data:`~sim.config.plan_file.REFERENCE`, is
the organisation with its programme switched off. They run as one comparison
(:class:`~sim.experiment.compare.ComparisonSweep`: the same seeds and, by default, the
same Latin-hypercube parameter draws in every design), so each design's ROI is paired
with the reference's run of the same replication (``paired_roi_percent``) and carries an
interval.

:func:`decide` turns the comparison into a :class:`Decision`: the probability that each
design is best on each metric, the budget and objective flags
(:mod:`sim.analysis.decision`), the effect's time profile and, given a Sobol-over-priors
result directory, its top priors. The runs keep only their weekly series and summaries,
not the lockstep effect profile, so the profile is made once here: the design most
likely best on the effect, on the first replication's seed and draw
(:func:`sim.analysis.effect_profile.run_in_lockstep`). The report is
:mod:`sim.viz.decision_report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.comparison import Comparison
from sim.analysis.decision import budget_flags, objective_table, probability_best
from sim.analysis.effect_profile import MIN_PEOPLE, run_in_lockstep
from sim.analysis.evaluation import control_scenario
from sim.config import Scenario, apply_draw, load_scenario, with_overrides
from sim.config.plan_file import (
    REFERENCE,
    DecisionMetric,
    PlanFile,
    load_plan_file,
    organisation_source,
)
from sim.errors import ResultsError
from sim.experiment.compare import ComparisonSweep, run_comparison
from sim.experiment.paths import safe_name
from sim.experiment.runner import SweepOutcome
from sim.experiment.store import write_json

SOBOL_SWEEP = "experiments/sweeps/sobol_priors.toml"
"""The bundled Sobol-over-priors sweep the report points to."""

EFFECT_METRICS = ("effect_size_d", "performance")
"""The metrics whose best design gets the effect profile, first present first."""


@dataclass
class Decision:
    """What a plan's report shows.

    Attributes:
        plan: The plan file, validated.
        source: Where it came from.
        comparison: The comparison of the reference and the designs.
        metrics: The decision metrics.
        p_best: :func:`sim.analysis.decision.probability_best` of every metric.
        budget: :func:`sim.analysis.decision.budget_flags`.
        objectives: :func:`sim.analysis.decision.objective_table`.
        profile: The effect profile (``EffectProfile.frame()``) of ``profile_design``;
            None when no design has a programme to profile.
        profile_design: The design profiled.
        profile_seed: The seed it was run with.
        profile_note: How the profile was made, for the report.
        sensitivity: The top priors of a Sobol-over-priors analysis (outcome, factor,
            ST, ST_conf, S1, S1_conf), or None.
        sensitivity_source: The directory they came from.

    """

    plan: PlanFile
    source: str
    comparison: Comparison
    metrics: list[DecisionMetric]
    p_best: pd.DataFrame
    budget: pd.DataFrame
    objectives: pd.DataFrame
    profile: pd.DataFrame | None = field(default=None, repr=False)
    profile_design: str | None = None
    profile_seed: int | None = None
    profile_note: str = ""
    sensitivity: pd.DataFrame | None = field(default=None, repr=False)
    sensitivity_source: str | None = None

    @property
    def names(self) -> list[str]:
        """The designs, the reference first."""
        return list(self.comparison.names)

    @property
    def title(self) -> str:
        """The report's title."""
        return f"Decision: {self.plan.name or Path(self.source).stem}"


def plan_scenarios(plan: PlanFile, source: str | Path) -> dict[str, Scenario]:
    """The reference and every design of a plan, as scenarios (the reference first).

    Raises:
        ScenarioError: The organisation is missing or invalid, or a design's overrides
            are (one line naming the plan file, the design and the field).

    """
    organisation = load_scenario(organisation_source(plan, source))
    scenarios = {REFERENCE: with_overrides(
        organisation, {"programme.enabled": False, "name": REFERENCE},
        f"{source}: organisation")}
    for name, overrides in plan.designs.items():
        scenarios[name] = with_overrides(
            organisation, {"programme.enabled": True, "evaluation.control": "no_programme",
                           **overrides, "name": name}, f"{source}: designs.{name}")
    return scenarios


def build_sweep(plan: PlanFile, source: str | Path, reps: int | None = None,
                uncertainty: bool = True,
                seeds_per_draw: int | None = None) -> ComparisonSweep:
    """The plan's comparison: the reference and the designs, the same seeds and draws."""
    scenarios = plan_scenarios(plan, source)
    sources = {n: f"{source}: {'organisation' if n == REFERENCE else 'designs.' + n}"
               for n in scenarios}
    return ComparisonSweep.build(scenarios, reps or plan.reps, plan.seed, sources,
                                 uncertainty, seeds_per_draw)


def effect_profile_of(scenario: Scenario, seed: int,
                      draw: dict[str, Any] | None = None) -> pd.DataFrame:
    """The lockstep effect profile of one run of ``scenario`` and its control arm."""
    from sim.model import MentoringModel

    if draw:
        scenario = apply_draw(scenario, draw)
    treated = MentoringModel(scenario=scenario, rng=seed)
    control = MentoringModel(scenario=control_scenario(scenario), rng=seed)
    return run_in_lockstep(treated, control).frame()


def read_sensitivity(directory: str | Path, top: int = 3) -> pd.DataFrame:
    """The ``top`` priors by total Sobol index of a Sobol-over-priors analysis.

    The outcome is the first whose name has ``roi`` in it, else the first.

    Raises:
        ResultsError: No ``analysis/sobol.csv`` (or ``sobol.csv``) in ``directory``.

    """
    directory = Path(directory)
    for path in (directory / "analysis" / "sobol.csv", directory / "sobol.csv"):
        if path.is_file():
            table = pd.read_csv(path)
            break
    else:
        raise ResultsError(f"--sensitivity {directory}: no analysis/sobol.csv; run mentorsim "
                           f"sweep {SOBOL_SWEEP} --out {directory} and mentorsim analyse "
                           f"{directory} first")
    if table.empty:
        raise ResultsError(f"--sensitivity {directory}: sobol.csv has no indices")
    outcomes = list(pd.unique(table["outcome"]))
    outcome = next((o for o in outcomes if "roi" in str(o).lower()), outcomes[0])
    rows = table[table["outcome"] == outcome].sort_values("ST", ascending=False)
    return rows.head(top).reset_index(drop=True)


def decide(plan: PlanFile, source: str | Path, comparison: Comparison,
           sweep: ComparisonSweep | None = None, sensitivity: str | Path | None = None,
           profile: bool = True) -> Decision:
    """The decision's numbers from a finished comparison.

    Args:
        plan: The plan file.
        source: Where it came from.
        comparison: The comparison of :func:`build_sweep`'s sweep.
        sweep: That sweep (its first draw is the profile's); None: no draw.
        sensitivity: A Sobol-over-priors result directory, or None.
        profile: Make the effect profile of the design most likely best on the effect.

    Returns:
        The decision.

    """
    metrics = plan.decision_metrics
    names = comparison.names
    p_best = probability_best(comparison.runs, names, [(m.column, m.better) for m in metrics])
    decision = Decision(
        plan, str(source), comparison, metrics, p_best,
        budget_flags(comparison.stats, names, plan.budget),
        objective_table(comparison.timeseries, names, plan.objectives))
    if sensitivity is not None:
        decision.sensitivity = read_sensitivity(sensitivity)
        decision.sensitivity_source = str(sensitivity)
    if profile and len(names) > 1:
        _add_profile(decision, sweep)
    return decision


def _add_profile(decision: Decision, sweep: ComparisonSweep | None) -> None:
    """Profile the design most likely best on the effect (not the reference)."""
    comparison = decision.comparison
    designs = decision.names[1:]
    column = next((c for c in EFFECT_METRICS if c in comparison.runs.columns
                   and comparison.runs[comparison.runs["scenario"].isin(designs)][c]
                   .notna().any()), "performance")
    chances = probability_best(comparison.runs, designs, [(column, "higher")])
    best = str(chances.sort_values("p_best", ascending=False, kind="stable")
               .iloc[0]["design"])
    seed = int(comparison.seeds[0])
    draw = sweep.draws[0] if sweep is not None and sweep.draws else None
    decision.profile = effect_profile_of(comparison.scenarios[best], seed, draw)
    decision.profile_design, decision.profile_seed = best, seed
    draw_text = " and the first parameter draw" if draw else ""
    decision.profile_note = (
        f"The comparison's runs keep no effect profile, so {best} (the design most likely "
        f"best on {column} over the designs) was run once more with its control arm in "
        f"lockstep, on the first replication's seed ({seed}){draw_text}: one run, so the "
        f"profile shows its shape, not its spread; weeks with fewer than {MIN_PEOPLE} "
        "mentees observed are left out.")


ReportWriter = Callable[[Decision, Path], Any]
"""Writes a decision's report into the results directory (before the manifest)."""


def default_plan_out(plan: PlanFile, source: str | Path) -> Path:
    """``results/plan-<name>`` (a separator in the name replaced by ``_``)."""
    return Path("results") / safe_name(f"plan-{plan.name or Path(source).stem}")


def run_decision(path: str | Path, reps: int | None = None, out: str | Path | None = None,
                 uncertainty: bool = True, seeds_per_draw: int | None = None,
                 executor: str = "serial", workers: int | None = None,
                 scheduler: str | None = None, progress: bool = True,
                 force_new: bool = False, sensitivity: str | Path | None = None,
                 report: ReportWriter | None = None
                 ) -> tuple[Decision, SweepOutcome, ComparisonSweep]:
    """Load a plan file, run (or resume) its comparison and decide.

    Args:
        path: The plan file.
        reps: Replications (default: the plan's ``reps``).
        out: Results directory (default :func:`default_plan_out`); resumable like a
            comparison's.
        uncertainty: Draw the parameters (False: ``--no-uncertainty``).
        seeds_per_draw: Seeds per draw (default as :meth:`ComparisonSweep.build`).
        executor: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes.
        scheduler: Dask scheduler address.
        progress: Show a progress bar.
        force_new: Discard results in ``out`` of a sweep or of other model code.
        sensitivity: A Sobol-over-priors result directory for the report.
        report: Writes the report (e.g. :func:`sim.viz.decision_report.write_decision`),
            called with the decision and ``out`` before the manifest is written.

    Returns:
        The decision, what the runner did, and the comparison's sweep.

    Raises:
        ScenarioError: The plan file, its organisation or a design is invalid.
        ResultsError: A run failed, or ``out`` holds something else.

    """
    plan = load_plan_file(path)
    sweep = build_sweep(plan, path, reps, uncertainty, seeds_per_draw)
    if sensitivity is not None:
        read_sensitivity(sensitivity)  # refuse a wrong directory before the runs
    directory = Path(out) if out is not None else default_plan_out(plan, path)
    made: list[Decision] = []

    def hook(comparison: Comparison, where: Path) -> None:
        decision = decide(plan, path, comparison, sweep, sensitivity)
        made.append(decision)
        write_json(where / "plan.json", {"source": str(path),
                                         **plan.model_dump(mode="json")})
        if report is not None:
            report(decision, where)

    _, outcome = run_comparison(sweep, directory, executor, workers, scheduler, progress,
                                force_new, hook)
    return made[0], outcome, sweep
