"""Equity by group, week by week: access, sponsorship, quality, support, service, careers.

Every figure compares the members of underrepresented groups with everyone else, in the
same week, so the gaps have a time profile (docs/ODD.md 7.6). The two informal ratios are
like for like: the ties the underrepresented found (and the sponsorship chance they got)
over what the same requests would have had at the majority's rates of the same weeks
(:meth:`sim.model.informal.InformalMentoring.access`), so they depend neither on the
groups' size or tenure nor on how the pool changes over the run.
"""

from __future__ import annotations

import numpy as np

from sim.kernels import GROUP_SUM_NAMES, group_sums

#: name -> description of the weekly equity reporters (under = underrepresented).
EQUITY_REPORTERS: dict[str, str] = {
    "informal_access_ratio": "informal ties the underrepresented found so far, over those "
    "the same requests would have found at the majority's rate of the same weeks",
    "informal_sponsorship_ratio": "the same for the chance of sponsorship per request (the "
    "mentors' standing)",
    "underrepresented_in_pair": "share of the underrepresented in a pair now",
    "majority_in_pair": "share of the majority in a pair now",
    "underrepresented_sponsored": "share of the underrepresented with an active sponsor",
    "majority_sponsored": "share of the majority with an active sponsor",
    "underrepresented_pair_quality": "mean quality of the underrepresented's pairs now",
    "majority_pair_quality": "mean quality of the majority's pairs now",
    "underrepresented_support": "mean psychosocial share of the underrepresented's pairs "
    "(below 1 across group lines)",
    "underrepresented_senior_share": "share of the seniors who are underrepresented",
    "underrepresented_service_hours": "mean weekly service hours of underrepresented seniors",
    "majority_service_hours": "mean weekly service hours of majority seniors",
    "underrepresented_level": "mean career level of the underrepresented",
    "majority_level": "mean career level of the majority",
    "underrepresented_quits": "underrepresented employees who quit this week",
    "majority_quits": "majority employees who quit this week",
    "underrepresented_headcount": "underrepresented employees in post",
}

#: Equity reporters that are a mean over a set that can be empty (no tie, pair or senior of
#: a group yet), so nan in such a week; the others are always finite.
MAY_BE_NAN: frozenset[str] = frozenset({
    "informal_access_ratio", "informal_sponsorship_ratio", "underrepresented_in_pair",
    "majority_in_pair", "underrepresented_sponsored", "majority_sponsored",
    "underrepresented_pair_quality", "majority_pair_quality", "underrepresented_support",
    "underrepresented_senior_share", "underrepresented_service_hours",
    "majority_service_hours", "underrepresented_level", "majority_level",
})


def _under_mean(values: np.ndarray, under: np.ndarray) -> float:
    """Mean of the underrepresented groups' finite entries (nan if none)."""
    values = values[under]
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.shape[0] else float("nan")


def _per(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else float("nan")


def equity_week(model) -> dict[str, float]:
    """Compute this week's equity reporters (see :data:`EQUITY_REPORTERS`).

    One pass of :func:`sim.kernels.group_sums` over the slots gives every count and total,
    for the underrepresented and for everyone else.

    Args:
        model: A :class:`~sim.model.model.MentoringModel` after its weekly flows.

    Returns:
        One float per name of :data:`EQUITY_REPORTERS` (nan where a group is empty).

    """
    wf = model.workforce
    under_group = wf.underrepresented
    sums = group_sums(
        wf.active, under_group[wf.group], wf.mentor, wf.sponsored, wf.quality,
        wf.psychosocial, wf.tenure_weeks, model.scenario.programme.mentor_min_tenure_weeks,
        model.service.hours, wf.level, check=model.steps == 0,
    )
    s = dict(zip(GROUP_SUM_NAMES, sums.tolist(), strict=True))
    access = model.informal.like_for_like()
    quits = model.last_flows.quits if model.last_flows is not None else np.empty(0, np.int64)
    quit_under = int(np.count_nonzero(under_group[wf.group[quits]])) if quits.shape[0] else 0
    n_senior = s["under_seniors"] + s["major_seniors"]
    return {
        "informal_access_ratio": _under_mean(access["access_ratio"], under_group),
        "informal_sponsorship_ratio": _under_mean(access["sponsorship_ratio"], under_group),
        "underrepresented_in_pair": _per(s["under_paired"], s["under_headcount"]),
        "majority_in_pair": _per(s["major_paired"], s["major_headcount"]),
        "underrepresented_sponsored": _per(s["under_sponsored"], s["under_headcount"]),
        "majority_sponsored": _per(s["major_sponsored"], s["major_headcount"]),
        "underrepresented_pair_quality": _per(s["under_pair_quality"], s["under_paired"]),
        "majority_pair_quality": _per(s["major_pair_quality"], s["major_paired"]),
        "underrepresented_support": _per(s["under_pair_support"], s["under_paired"]),
        "underrepresented_senior_share": _per(s["under_seniors"], n_senior),
        "underrepresented_service_hours": _per(s["under_service_hours"], s["under_seniors"]),
        "majority_service_hours": _per(s["major_service_hours"], s["major_seniors"]),
        "underrepresented_level": _per(s["under_level"], s["under_headcount"]),
        "majority_level": _per(s["major_level"], s["major_headcount"]),
        "underrepresented_quits": float(quit_under),
        "majority_quits": float(quits.shape[0] - quit_under),
        "underrepresented_headcount": s["under_headcount"],
    }
