"""Equity gaps over time: the underrepresented against the majority, week by week, by arm.

The model writes weekly equity reporters into every run's time series
(:data:`sim.model.equity.EQUITY_REPORTERS`). :func:`equity_profile` turns them into the
gaps a planner reads, for the run and (if given) its control arm, so the time profile of
each gap, and how a design moves it, can be seen side by side (docs/ODD.md 7.8):

- ratios, underrepresented over majority (1 = parity): the share in a pair
  (``in_pair_ratio``), the share with an active sponsor (``sponsored_ratio``), senior
  service hours (``service_hours_ratio``), and the trailing 52-week quit rate
  (``quit_rate_ratio``);
- differences, majority minus underrepresented (0 = parity, as in
  :func:`sim.analysis.evaluation.equity_report`): mean pair quality
  (``pair_quality_gap``) and mean career level (``level_gap``);
- the two like-for-like informal ratios as the model reports them
  (``informal_access_ratio``, ``informal_sponsorship_ratio``).

The quit rate of a group over the trailing window is its quits over its head-weeks in the
same weeks (the majority's headcount is ``headcount - underrepresented_headcount``),
annualised (x 52): ``underrepresented_quit_rate`` and ``majority_quit_rate`` are in the
profile beside their ratio. Until 52 weeks have passed the window is the weeks so far
(rows 0 to t), and nan before its 13th week (:data:`QUIT_MIN_WEEKS`).

Every figure is nan in a week where a side is empty or its denominator is 0 (no pair of a
group yet, no majority quit in the window, ...); none is ever infinite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.units import WEEKS_PER_YEAR

#: Weeks of the trailing window of the quit rates.
QUIT_WINDOW_WEEKS = 52
#: Fewer weeks than this in the window and the quit rates are nan (too few quits to say).
QUIT_MIN_WEEKS = 13

#: name -> description of the gaps of :func:`equity_profile` (one column per arm).
MEASURES: dict[str, str] = {
    "in_pair_ratio": "share of the underrepresented in a pair, over the majority's",
    "sponsored_ratio": "share of the underrepresented with an active sponsor, over the "
    "majority's",
    "pair_quality_gap": "mean pair quality, majority minus underrepresented",
    "service_hours_ratio": "mean weekly service hours of underrepresented seniors, over "
    "majority seniors'",
    "level_gap": "mean career level, majority minus underrepresented",
    "quit_rate_ratio": "quit rate of the underrepresented over the majority's, trailing "
    f"{QUIT_WINDOW_WEEKS} weeks",
    "informal_access_ratio": "informal ties found, like for like (the model's reporter)",
    "informal_sponsorship_ratio": "informal sponsorship chance, like for like (the "
    "model's reporter)",
}
#: The annual quit rates by group behind ``quit_rate_ratio`` (also one column per arm).
QUIT_RATES = ("underrepresented_quit_rate", "majority_quit_rate")
#: The reporters a time series needs for :func:`equity_profile`.
NEEDED = (
    "headcount", "underrepresented_headcount", "underrepresented_quits", "majority_quits",
    "underrepresented_in_pair", "majority_in_pair", "underrepresented_sponsored",
    "majority_sponsored", "underrepresented_pair_quality", "majority_pair_quality",
    "underrepresented_service_hours", "majority_service_hours", "underrepresented_level",
    "majority_level", "informal_access_ratio", "informal_sponsorship_ratio",
)
#: Suffix of the control arm's columns.
CONTROL = "_control"


def has_groups(timeseries: pd.DataFrame) -> bool:
    """Whether a run had an underrepresented group and a majority, both with members.

    Args:
        timeseries: A run's weekly reporters.

    Returns:
        True when some week has members of each (False for a time series without the
        equity reporters, such as one stored before they existed).

    """
    if "underrepresented_headcount" not in timeseries or "headcount" not in timeseries:
        return False
    under = timeseries["underrepresented_headcount"].to_numpy(dtype=float)
    majority = timeseries["headcount"].to_numpy(dtype=float) - under
    return bool(np.any((under > 0) & (majority > 0)))


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator``, nan where that is not a finite number."""
    out = numerator.astype(float) / denominator.astype(float)
    return out.where(np.isfinite(out))


def _quit_rate(quits: pd.Series, heads: pd.Series) -> pd.Series:
    """Annual quit rate over the trailing window: quits over head-weeks, x 52."""
    window = {"window": QUIT_WINDOW_WEEKS, "min_periods": QUIT_MIN_WEEKS}
    return _ratio(quits.rolling(**window).sum(), heads.rolling(**window).sum()) \
        * WEEKS_PER_YEAR


def arm_profile(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The gaps of one arm, by week (columns :data:`MEASURES` then :data:`QUIT_RATES`).

    Args:
        timeseries: The arm's weekly reporters, indexed by week.

    Returns:
        One row per week of ``timeseries``.

    Raises:
        ValueError: ``timeseries`` lacks an equity reporter (see :data:`NEEDED`).

    """
    missing = [name for name in NEEDED if name not in timeseries]
    if missing:
        raise ValueError(f"the time series lacks the equity reporters {missing} (a run "
                         "stored before mentorsim 0.3.0?)")
    ts = timeseries.astype({name: float for name in NEEDED})
    under_heads = ts["underrepresented_headcount"]
    majority_heads = ts["headcount"] - under_heads
    under_rate = _quit_rate(ts["underrepresented_quits"], under_heads)
    majority_rate = _quit_rate(ts["majority_quits"], majority_heads)
    frame = pd.DataFrame({
        "in_pair_ratio": _ratio(ts["underrepresented_in_pair"], ts["majority_in_pair"]),
        "sponsored_ratio": _ratio(ts["underrepresented_sponsored"], ts["majority_sponsored"]),
        "pair_quality_gap": ts["majority_pair_quality"] - ts["underrepresented_pair_quality"],
        "service_hours_ratio": _ratio(ts["underrepresented_service_hours"],
                                      ts["majority_service_hours"]),
        "level_gap": ts["majority_level"] - ts["underrepresented_level"],
        "quit_rate_ratio": _ratio(under_rate, majority_rate),
        "informal_access_ratio": ts["informal_access_ratio"],
        "informal_sponsorship_ratio": ts["informal_sponsorship_ratio"],
        "underrepresented_quit_rate": under_rate,
        "majority_quit_rate": majority_rate,
    }, index=timeseries.index)
    frame.index.name = "week"
    return frame


def equity_profile(timeseries: pd.DataFrame,
                   control_timeseries: pd.DataFrame | None = None) -> pd.DataFrame:
    """The equity gaps by week, for a run and (if given) its control arm.

    Args:
        timeseries: The run's weekly reporters, indexed by week.
        control_timeseries: The control arm's (same weeks), or None.

    Returns:
        Indexed by ``week``: the columns of :func:`arm_profile` for the run, then the
        same with the suffix ``_control`` for the control arm (when given; weeks the
        control arm lacks are nan).

    Raises:
        ValueError: A time series lacks an equity reporter.

    """
    profile = arm_profile(timeseries)
    if control_timeseries is None:
        return profile
    control = arm_profile(control_timeseries).reindex(profile.index).add_suffix(CONTROL)
    return pd.concat([profile, control], axis=1)


def equity_headline(profile: pd.DataFrame) -> dict[str, float]:
    """Each gap of :data:`MEASURES` in the last week of a profile, by arm, and the difference.

    Args:
        profile: A profile of :func:`equity_profile` with the control arm's columns.

    Returns:
        ``<measure>_end`` (the run), ``<measure>_end_control`` and
        ``<measure>_end_difference`` (run minus control; the design's doing) for every
        measure; nan where a side is nan (an empty profile gives all nan).

    """
    last = profile.iloc[-1] if len(profile) else pd.Series(dtype=float)
    report: dict[str, float] = {}
    for name in MEASURES:
        run = float(last.get(name, np.nan))
        control = float(last.get(name + CONTROL, np.nan))
        report[f"{name}_end"] = run
        report[f"{name}_end_control"] = control
        report[f"{name}_end_difference"] = run - control
    return report
