"""The effect's time profile: formal mentees against themselves, by weeks since match.

Top panel: the standardised differences (d) of on-the-job performance and commitment at
each τ (weeks since the first formal match), with the pair's planned end and "a year
after" marked; bottom panel: the retention difference of the cohort matched as the same
person in both arms. Input is the table of
:meth:`sim.analysis.effect_profile.EffectProfile.frame` (``effect_profile.csv`` of a run
directory).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.effect_profile import A_YEAR_WEEKS, MIN_PEOPLE
from sim.viz.style import Margins, figure, house_style, save, series_style, whole_weeks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PROFILE_MARGINS = Margins(top=0.6, hspace=0.5, right=0.3)  # fixed: drawn for every run
SERIES = (("performance_d", "on-the-job performance (over the control SD)"),
          ("commitment_d", "commitment (in its SD units)"))


def plot_effect_profile(profile: pd.DataFrame, duration_weeks: int | None = None,
                        path: str | Path | None = None, title: str = "",
                        min_people: int = MIN_PEOPLE) -> Figure:
    """Performance d and commitment d against τ, and the retention difference.

    Args:
        profile: The effect profile, indexed by weeks since match (columns ``n``,
            ``performance_d``, ``commitment_d``, ``cohort``, ``retention_difference``).
        duration_weeks: The pair's planned duration; marks its end and a year after.
        path: PNG to write, or None.
        title: Figure title.
        min_people: τ with fewer people are not drawn (too few to say anything).

    Returns:
        The figure.

    """
    tau = profile.index.to_numpy()
    enough = profile["n"].to_numpy() >= min_people
    cohort = profile["cohort"].to_numpy() >= min_people
    with house_style():
        fig, axes = figure(2, 1, (6.4, 6.0), PROFILE_MARGINS, sharex=True)
        top, bottom = axes[0, 0], axes[1, 0]
        top.axhline(0.0, color="black", linewidth=0.8)
        for i, (column, label) in enumerate(SERIES):
            values = np.where(enough, profile[column].to_numpy(dtype=float), np.nan)
            top.plot(tau, values, label=label, **series_style(i))
        top.set_ylabel("standardised difference d")
        top.set_title("formal mentees vs themselves without the programme")
        bottom.axhline(0.0, color="black", linewidth=0.8)
        retention = np.where(cohort, profile["retention_difference"].to_numpy(dtype=float),
                             np.nan)
        bottom.plot(tau, retention, label="still employed, programme - control",
                    **series_style(0))
        bottom.set_ylabel("retention difference\n(share of cohort)")
        bottom.set_xlabel("weeks since first formal match")
        bottom.set_title("retention of the cohort matched")
        whole_weeks(bottom)
        if duration_weeks is not None:
            for ax in (top, bottom):
                ax.axvline(duration_weeks, color="#444444", linestyle="--", linewidth=0.9,
                           label="pair's planned end")
                ax.axvline(duration_weeks + A_YEAR_WEEKS, color="#444444", linestyle=":",
                           linewidth=0.9, label="a year after")
        top.legend(loc="best")
        bottom.legend(loc="best")
        fig.suptitle(title or "effect by weeks since match")
    return save(fig, path)
