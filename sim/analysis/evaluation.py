"""Evaluation as the HPT literature does it: a control arm, Kirkpatrick levels, ROI, equity.

The control arm is the same scenario and seed with the programme switched off. Because
the environment, the staff in post and every per-person weekly draw are shared (common
random numbers), differences between the arms are the programme's doing, and each member
of staff in post at week 0 can be compared with themselves: the *same person* with and
without the programme (their slot keeps ``pid = slot + 1`` while they stay).

Levels (Kirkpatrick; Phillips):
1. reaction — relationship quality, early endings, completions;
2. learning — mentees' skill gain and gap closed, against themselves in the control arm
   (at the end, and 12 months into their pair), multi-skilling breadth, and the formal
   mentors' own gain;
3. behaviour — mentees' on-the-job performance and commitment, as differences and
   standardised differences (d), like for like: the same people at the same number of
   weeks since their first formal match (6 and 12 months in, and a year after the pair's
   planned end), over the SD of the control arm's values of those same people
   (:mod:`sim.analysis.effect_profile`); and their retention at those times;
4. results — organisation performance, output, retention, promotions, time to
   proficiency, knowledge lost;
5. ROI = (monetised benefits - costs) / costs x 100 by Phillips' rules, discounted week
   by week, with the benefit-cost ratio and a range (:mod:`sim.analysis.roi`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.effect_profile import EffectProfile, at, headline_weeks
from sim.analysis.equity import equity_headline, equity_profile
from sim.analysis.roi import roi
from sim.config import Scenario, with_overrides
from sim.model.relationships import FORMAL, INFORMAL
from sim.model.workforce import same_people
from sim.units import WEEKS_PER_YEAR


def control_scenario(scenario: Scenario) -> Scenario:
    """The same scenario with the formal programme and the interventions switched off.

    The interventions on the enablers (``[[interventions]]``: job aids, tools,
    incentives) are left out too, so the comparison measures everything the scenario
    does about its gap, mentoring or not.
    """
    return with_overrides(
        scenario, {"programme.enabled": False, "interventions": [],
                   "name": f"{scenario.name} (control)"},
        f"<control of {scenario.name}>",
    )


def has_control_arm(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` is evaluated against a control arm.

    With ``evaluation.control = "no_programme"`` and something to evaluate: the
    programme or an intervention.
    """
    return scenario.evaluation.control == "no_programme" and (
        scenario.programme.enabled or bool(scenario.interventions))


def _same_people(treated, control) -> np.ndarray:
    """Slots held at the end, in both arms, by the same person (staff in post or a hire).

    Hires are counter-keyed by vacancy slot and week, so a hire present in both arms is
    the same person (:func:`sim.model.workforce.same_people`).
    """
    return same_people(treated.workforce, control.workforce)


def _nan_mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.shape[0] else float("nan")


def _breadth(model) -> np.ndarray:
    """Competencies at or above the required level, per slot (multi-skilling breadth)."""
    return np.count_nonzero(model.workforce.skills >= model.environment.required, axis=1)


def evaluate(treated, control,
             profile: EffectProfile | pd.DataFrame | None = None) -> dict[str, Any]:
    """Compare a run with its control arm (both already run to the horizon).

    The like-for-like figures (``..._6m``, ``..._12m``, ``..._after_1y``, and
    ``effect_size_d``, the 12-month performance d) come from ``profile``, collected while
    the two arms were stepped in lockstep
    (:func:`sim.analysis.effect_profile.run_in_lockstep`); without one they are nan. Each
    is nan when the horizon does not reach that τ or fewer than
    :data:`~sim.analysis.effect_profile.MIN_PEOPLE` people are observed there. The
    ``..._end`` figures and the plain differences are at the end of the run, over the
    staff in post at week 0 who are still there in both arms and were ever in a formal
    pair; they depend on the horizon (matches of every age are mixed).

    Args:
        treated: The :class:`~sim.model.model.MentoringModel` with the programme.
        control: The same scenario and seed without it.
        profile: The effect profile of the two arms (the collector or its frame).

    Returns:
        Nested dict: ``level1_reaction`` .. ``level5_roi``, ``equity``, ``sample``.

    """
    scenario = treated.scenario
    t_frame, c_frame = treated.timeseries(), control.timeseries()
    t_wf, c_wf = treated.workforce, control.workforce
    rel = treated.relationships
    same = _same_people(treated, control)
    mentees = np.flatnonzero(same & t_wf.ever_formal)
    t_job, c_job = treated.job_performance(), control.job_performance()
    weights = treated.environment.weights
    duration = scenario.programme.duration_weeks
    if isinstance(profile, EffectProfile):
        duration = profile.planned_duration_weeks or duration
        profile = profile.frame()
    taus = headline_weeks(duration)

    def by_tau(column: str, count: str = "n") -> dict[str, float]:
        return {when: at(profile, tau, column, count) for when, tau in taus.items()}

    mentors = np.flatnonzero(same_people(t_wf, c_wf) & t_wf.trained)

    started = rel.count(FORMAL, "started")
    level1 = {
        "mean_quality": float(t_frame["mean_quality_formal"].mean()),
        "early_ending_share": rel.count(FORMAL, "ended_early") / started if started else np.nan,
        "completion_share": rel.count(FORMAL, "completed") / started if started else np.nan,
        "pairs_started": float(started),
    }
    skill_t = t_wf.skills[mentees] @ weights
    skill_c = c_wf.skills[mentees] @ weights
    level2 = {
        "skill_gain": _nan_mean(skill_t - skill_c),
        "gap_closed": _nan_mean(c_wf.gap[mentees] - t_wf.gap[mentees]),
        "share_better_off": _nan_mean((skill_t > skill_c).astype(float)),
        "skill_gain_12m": by_tau("skill_difference")["12m"],
        "mentor_skill_gain": _nan_mean(
            (t_wf.skills[mentors] - c_wf.skills[mentors]) @ weights
        ),
        "breadth_gain": _nan_mean(
            (_breadth(treated)[mentees] - _breadth(control)[mentees]).astype(float)
        ),
    }
    diff = t_job[mentees] - c_job[mentees]
    control_sd = float(c_job[c_wf.active].std(ddof=1)) if c_wf.n_active > 1 else np.nan
    performance_d = by_tau("performance_d")
    commitment_d = by_tau("commitment_d")
    retention = by_tau("retention_difference", "cohort")
    level3 = {
        "effect_size_d": performance_d["12m"],
        **{f"performance_d_{when}": value for when, value in performance_d.items()},
        **{f"commitment_d_{when}": value for when, value in commitment_d.items()},
        **{f"retention_difference_{when}": value for when, value in retention.items()},
        "performance_difference": _nan_mean(diff),
        "performance_d_end": _nan_mean(diff) / control_sd if control_sd > 0 else np.nan,
        "commitment_difference": _nan_mean(t_wf.commitment[mentees] - c_wf.commitment[mentees]),
    }
    last = slice(-13, None)
    years = max(treated.steps, 1) / WEEKS_PER_YEAR
    quits_t, quits_c = float(t_frame["quits"].sum()), float(c_frame["quits"].sum())
    level4 = {
        "performance_difference": float(
            t_frame["performance"].iloc[last].mean() - c_frame["performance"].iloc[last].mean()
        ),
        "output_fte_weeks": float(t_frame["output_fte"].sum() - c_frame["output_fte"].sum()),
        "quits_avoided": quits_c - quits_t,
        "annual_quit_rate_difference": (quits_t - quits_c) / years / treated.initial_headcount,
        "retention_difference": (
            treated.initial_staff_retained() - control.initial_staff_retained()
        ) / treated.initial_headcount,
        "promotions_difference": float(t_frame["promotions"].sum() - c_frame["promotions"].sum()),
        "time_to_proficiency_difference": float(
            np.median(treated.proficiency_weeks) - np.median(control.proficiency_weeks)
        ) if treated.proficiency_weeks and control.proficiency_weeks else np.nan,
        "knowledge_lost_difference": float(
            t_frame["knowledge_lost"].sum() - c_frame["knowledge_lost"].sum()
        ),
    }
    level5 = roi(scenario, t_frame, c_frame)
    equity = equity_report(treated, control)
    return {
        "level1_reaction": level1,
        "level2_learning": level2,
        "level3_behaviour": level3,
        "level4_results": level4,
        "level5_roi": level5,
        "equity": equity,
        "sample": {
            "same_person_mentees": float(mentees.shape[0]),
            "same_person_mentors": float(mentors.shape[0]),
            "profile_mentees_at_match": (
                float(profile["n"].iloc[0]) if profile is not None and len(profile)
                else np.nan
            ),
            "profile_mentees_12m": at(profile, taus["12m"], "n", "n"),
        },
    }


def equity_report(treated, control) -> dict[str, float]:
    """Access, relationship quality and outcome gaps between groups (majority minus under).

    Gaps are majority minus underrepresented, each with the control arm's and how much
    the programme narrowed it; then the headline of the weekly equity profile
    (:func:`sim.analysis.equity.equity_headline`): each ratio and gap of
    :data:`sim.analysis.equity.MEASURES` in the last week, for the programme
    (``<measure>_end``), the control arm (``..._end_control``) and their difference
    (``..._end_difference``).

    Args:
        treated: The model with the programme, run to the horizon.
        control: The control arm, run to the same horizon.

    Returns:
        The figures; empty when the run ends without members of both an underrepresented
        group and the majority.

    """
    wf = treated.workforce
    active = wf.active
    under = wf.underrepresented[wf.group]
    report: dict[str, float] = {}
    if not under[active].any() or under[active].all():
        return report
    for name, flags in (("access", wf.ever_mentored), ("formal_access", wf.ever_formal)):
        report[f"{name}_majority"] = float(flags[active & ~under].mean())
        report[f"{name}_underrepresented"] = float(flags[active & under].mean())
        report[f"{name}_gap"] = report[f"{name}_majority"] - report[f"{name}_underrepresented"]
    c_wf = control.workforce
    c_under = c_wf.underrepresented[c_wf.group]
    c_active = c_wf.active
    c_flags = c_wf.ever_mentored
    report["access_gap_control"] = float(
        c_flags[c_active & ~c_under].mean() - c_flags[c_active & c_under].mean()
    )
    report["access_gap_narrowed"] = report["access_gap_control"] - report["access_gap"]
    under_groups = wf.underrepresented
    for kind, label in ((FORMAL, "formal"), (INFORMAL, "informal")):
        by_group = treated.relationships.mean_quality_by_group(kind)
        if np.isfinite(by_group).all():
            report[f"quality_gap_{label}"] = float(
                by_group[~under_groups].mean() - by_group[under_groups].mean()
            )

    def performance_gap(model) -> float:
        w = model.workforce
        u = w.underrepresented[w.group]
        return float(w.performance[w.active & ~u].mean() - w.performance[w.active & u].mean())

    report["performance_gap"] = performance_gap(treated)
    report["performance_gap_control"] = performance_gap(control)
    report["performance_gap_narrowed"] = (
        report["performance_gap_control"] - report["performance_gap"]
    )
    report.update(equity_headline(equity_profile(treated.timeseries(), control.timeseries())))
    return report


def flatten(evaluation: dict[str, Any]) -> dict[str, float]:
    """One level of keys (``level5_roi.roi_percent`` ...) for tables; adds ``roi_percent``."""
    flat = {
        f"{section}.{key}": float(value)
        for section, values in evaluation.items()
        for key, value in values.items()
    }
    flat["roi_percent"] = flat.get("level5_roi.roi_percent", float("nan"))
    flat["effect_size_d"] = flat.get("level3_behaviour.effect_size_d", float("nan"))
    return flat
