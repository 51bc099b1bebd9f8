"""The programme's effect on the same people, by weeks since their first formal match.

An end-of-run difference mixes people matched in week 4 with people matched last month,
so its value depends on the horizon. :class:`EffectProfile` measures like for like
instead: it is stepped with both arms in lockstep (see :func:`run_in_lockstep`) and, each
week, compares every formal mentee who is the *same person* in both arms (same pid, both
in post) with themselves in the control arm, at the same τ = weeks since their first
formal match in the treated arm. The standardised performance difference at τ is the
mean difference divided by the standard deviation (ddof = 1) of the control arm's values
of those same people at that τ, so the yardstick is the comparison group, not all staff.
Commitment is already on a standardised scale (SD units of the attitude measure, 0 =
baseline): the model holds no between-person spread of baseline attitude, so without
informal mentoring every control value is 0 and a sample SD would be 0 (or, with it, the
small spread that informal ties alone make). Its d is therefore the mean difference in
those units; the control arm's sample SD is reported beside it
(``commitment_sd_control``).

Retention follows the cohort of people who were the same person in both arms when they
were matched: at each τ, the share of them still employed in each arm (looked up by pid
in each arm separately, since a person who quits in one arm stops being "the same
person").

Everything per week is vectorised (``np.bincount`` over τ; sorted pid look-ups); no Python
loop visits people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

#: Fewer people than this at a τ and the headline figures there are nan.
MIN_PEOPLE = 10
#: τ (weeks since first formal match) of the headline figures, besides "a year after".
SIX_MONTHS_WEEKS = 26
TWELVE_MONTHS_WEEKS = 52
#: "A year after the pair ends" is the planned duration plus this many weeks.
A_YEAR_WEEKS = 52

#: Columns of :meth:`EffectProfile.frame`, in order.
COLUMNS = (
    "n", "performance_difference", "performance_sd_control", "performance_d",
    "commitment_difference", "commitment_sd_control", "commitment_d", "skill_difference",
    "cohort", "retained_treated", "retained_control", "retention_difference",
)


class EffectProfile:
    """Like-for-like differences of formal mentees by weeks since their first match.

    Call :meth:`observe` once after every week, with both arms stepped to the same week
    (``treated.step(); control.step(); profile.observe(treated, control)``).

    Args:
        horizon_weeks: The run's horizon (the largest τ that can be observed).

    Attributes:
        horizon_weeks: As given.
        n: int64 (horizon + 1,) same-person mentee-weeks observed at each τ.
        cohort: int64 (horizon + 1,) people of the retention cohort observed at each τ.

    """

    def __init__(self, horizon_weeks: int) -> None:
        if horizon_weeks < 0:
            raise ValueError(f"horizon_weeks must be >= 0, got {horizon_weeks}")
        self.horizon_weeks = int(horizon_weeks)
        size = self.horizon_weeks + 1
        self.n = np.zeros(size, dtype=np.int64)
        self.cohort = np.zeros(size, dtype=np.int64)
        self.kept_treated = np.zeros(size, dtype=np.int64)
        self.kept_control = np.zeros(size, dtype=np.int64)
        self._sums = {name: np.zeros(size, dtype=np.float64) for name in (
            "performance_difference", "performance_control", "performance_control_sq",
            "commitment_difference", "commitment_control", "commitment_control_sq",
            "skill_difference",
        )}
        # the tracked people, sorted by pid: first-match week, planned duration, and
        # whether they were the same person in both arms when matched (retention cohort)
        self._pid = np.empty(0, dtype=np.int64)
        self._week = np.empty(0, dtype=np.int64)
        self._duration = np.empty(0, dtype=np.int64)
        self._at_match = np.empty(0, dtype=np.bool_)
        self.last_week: int | None = None

    @classmethod
    def for_model(cls, treated: Any) -> EffectProfile:
        """A profile sized for the horizon of ``treated`` (a MentoringModel)."""
        return cls(treated.horizon_weeks)

    @property
    def tracked(self) -> int:
        """How many people have entered a formal pair in the treated arm so far."""
        return int(self._pid.shape[0])

    @property
    def planned_duration_weeks(self) -> int | None:
        """Median planned duration of the tracked people's first formal pair (None if none)."""
        if not self._duration.shape[0]:
            return None
        return int(np.median(self._duration))

    def observe(self, treated: Any, control: Any) -> None:
        """Record one week: both arms must have made the same number of steps.

        Args:
            treated: The :class:`~sim.model.model.MentoringModel` with the programme (or
                anything with ``steps``, ``workforce``, ``environment.weights`` and
                ``job_performance()``).
            control: The control arm, stepped to the same week.

        Raises:
            ValueError: The arms are at different weeks, or a week is observed twice or
                beyond the horizon.

        """
        week = int(treated.steps)
        if int(control.steps) != week:
            raise ValueError(f"arms out of lockstep: treated at week {week}, control at "
                             f"{int(control.steps)}")
        if self.last_week is not None and week <= self.last_week:
            raise ValueError(f"week {week} observed after week {self.last_week}")
        self.last_week = week
        from sim.model.workforce import same_people  # here: the figures import this module

        t_wf, c_wf = treated.workforce, control.workforce
        same = same_people(t_wf, c_wf)
        self._enter(week, t_wf, same)
        if not self._pid.shape[0]:
            return
        size = self.horizon_weeks + 1

        slots = np.flatnonzero(same)
        index, found = self._lookup(t_wf.pid[slots])
        slots, index = slots[found], index[found]
        tau = week - self._week[index]
        if np.any(tau > self.horizon_weeks):
            raise ValueError(f"week {week} is beyond the horizon {self.horizon_weeks}")
        self.n += np.bincount(tau, minlength=size)
        t_job = treated.job_performance()[slots]
        c_job = control.job_performance()[slots]
        t_commit, c_commit = t_wf.commitment[slots], c_wf.commitment[slots]
        weights = treated.environment.weights
        skill = (t_wf.skills[slots] - c_wf.skills[slots]) @ weights
        sums = self._sums
        for name, values in (
            ("performance_difference", t_job - c_job),
            ("performance_control", c_job),
            ("performance_control_sq", c_job * c_job),
            ("commitment_difference", t_commit - c_commit),
            ("commitment_control", c_commit),
            ("commitment_control_sq", c_commit * c_commit),
            ("skill_difference", skill),
        ):
            sums[name] += np.bincount(tau, weights=values, minlength=size)

        cohort = self._at_match
        tau = week - self._week[cohort]
        pid = self._pid[cohort]
        self.cohort += np.bincount(tau, minlength=size)
        self.kept_treated += np.bincount(tau, weights=_employed(pid, t_wf),
                                         minlength=size).astype(np.int64)
        self.kept_control += np.bincount(tau, weights=_employed(pid, c_wf),
                                         minlength=size).astype(np.int64)

    def _enter(self, week: int, t_wf: Any, same: np.ndarray) -> None:
        """Start tracking people in a formal pair in the treated arm for the first time."""
        from sim.model.relationships import FORMAL  # here: the figures import this module

        formal = np.flatnonzero(t_wf.active & (t_wf.pair_kind == FORMAL))
        if not formal.shape[0]:
            return
        _, known = self._lookup(t_wf.pid[formal])
        new = formal[~known]
        if not new.shape[0]:
            return
        pid = np.concatenate([self._pid, t_wf.pid[new].astype(np.int64)])
        order = np.argsort(pid, kind="stable")
        self._pid = pid[order]
        self._week = np.concatenate([self._week, np.full(new.shape[0], week, np.int64)])[order]
        self._duration = np.concatenate(
            [self._duration, t_wf.pair_duration_weeks[new].astype(np.int64)])[order]
        self._at_match = np.concatenate([self._at_match, same[new]])[order]

    def _lookup(self, pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index into the tracked (sorted) arrays of each pid, and whether it is tracked."""
        if not self._pid.shape[0]:
            return np.zeros(pid.shape[0], dtype=np.int64), np.zeros(pid.shape[0], bool)
        index = np.minimum(np.searchsorted(self._pid, pid), self._pid.shape[0] - 1)
        return index, self._pid[index] == pid

    def frame(self) -> pd.DataFrame:
        """The profile as a DataFrame indexed by τ (``weeks_since_match``).

        Rows run from τ = 0 to the largest τ observed. Columns (:data:`COLUMNS`):
        ``n`` same-person mentees at τ; ``performance_difference`` and
        ``commitment_difference`` their mean differences (treated minus control) of
        on-the-job performance and commitment; ``performance_sd_control`` and
        ``commitment_sd_control`` the SD (ddof = 1) of the control arm's values of the
        same people at τ; ``performance_d`` the performance difference over that SD (nan
        below 2 people or with no spread); ``commitment_d`` the commitment difference in
        its own SD units (see the module docstring); ``skill_difference`` the mean
        strategy-weighted skill difference; ``cohort`` the people who were the same person
        in both arms at their match and whose τ was reached; ``retained_treated`` and
        ``retained_control`` the share of them still employed at τ in each arm, and
        ``retention_difference`` treated minus control.
        """
        reached = np.flatnonzero((self.n > 0) | (self.cohort > 0))
        rows = int(reached[-1]) + 1 if reached.shape[0] else 0
        n = self.n[:rows].astype(np.float64)
        cohort = self.cohort[:rows].astype(np.float64)
        s = {name: values[:rows] for name, values in self._sums.items()}
        with np.errstate(invalid="ignore", divide="ignore"):
            out = {"n": self.n[:rows]}
            for measure in ("performance", "commitment"):
                out[f"{measure}_difference"] = s[f"{measure}_difference"] / n
                out[f"{measure}_sd_control"] = _sample_sd(
                    n, s[f"{measure}_control"], s[f"{measure}_control_sq"])
            sd = out["performance_sd_control"]
            out["performance_d"] = np.where(sd > 0, out["performance_difference"] / sd,
                                            np.nan)
            out["commitment_d"] = out["commitment_difference"]
            out["skill_difference"] = s["skill_difference"] / n
            out["cohort"] = self.cohort[:rows]
            out["retained_treated"] = self.kept_treated[:rows] / cohort
            out["retained_control"] = self.kept_control[:rows] / cohort
            out["retention_difference"] = out["retained_treated"] - out["retained_control"]
        frame = pd.DataFrame({name: out[name] for name in COLUMNS},
                             index=pd.RangeIndex(rows, name="weeks_since_match"))
        return frame


def _sample_sd(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """SD (ddof = 1) from a count, sum and sum of squares per τ (nan below 2 values)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = squares - total * total / n
        # values all (nearly) equal: what is left is rounding, not spread
        spread = np.where(spread > 1e-12 * squares, spread, 0.0)
        variance = spread / (n - 1.0)
    return np.where(n > 1, np.sqrt(variance), np.nan)


def _employed(pid: np.ndarray, workforce: Any) -> np.ndarray:
    """1.0 where a pid is in post in ``workforce``, else 0.0."""
    return np.isin(pid, workforce.pid[workforce.active]).astype(np.float64)


def at(frame: pd.DataFrame, tau: int | None, column: str, count: str = "n") -> float:
    """A profile's ``column`` at ``tau``; nan if τ is not reached or too few people there.

    Args:
        frame: A profile (:meth:`EffectProfile.frame`), indexed by τ.
        tau: Weeks since match (None gives nan).
        column: The column to read.
        count: The column whose value at τ must be at least :data:`MIN_PEOPLE`
            (``n``, or ``cohort`` for retention).

    Returns:
        The value, or nan.

    """
    if tau is None or frame is None or tau not in frame.index:
        return float("nan")
    if frame.at[tau, count] < MIN_PEOPLE:
        return float("nan")
    return float(frame.at[tau, column])


def headline_weeks(duration_weeks: int | None) -> dict[str, int | None]:
    """The τ of the headline figures: ``6m``, ``12m`` and ``after_1y`` (duration + a year)."""
    return {
        "6m": SIX_MONTHS_WEEKS,
        "12m": TWELVE_MONTHS_WEEKS,
        "after_1y": None if duration_weeks is None else duration_weeks + A_YEAR_WEEKS,
    }


def run_in_lockstep(treated: Any, control: Any, profile: EffectProfile | None = None,
                    after_week: Callable[[], None] | None = None) -> EffectProfile:
    """Step both arms together to the treated arm's horizon, observing each week.

    Stepping in lockstep changes no number: each arm's randomness is its own.

    Args:
        treated: The model with the programme (not yet run).
        control: The control arm, at the same week.
        profile: The collector (default: a new one sized for ``treated``).
        after_week: Called after each week (e.g. a progress bar's update).

    Returns:
        The profile.

    """
    profile = EffectProfile.for_model(treated) if profile is None else profile
    while treated.running:
        treated.step()
        control.step()
        profile.observe(treated, control)
        if after_week is not None:
            after_week()
    return profile
