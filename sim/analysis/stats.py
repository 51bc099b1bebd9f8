"""Statistics shared by every analysis: intervals over replications."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

LEVEL = 0.95


def mean_ci(values: Sequence[float] | np.ndarray, level: float = LEVEL) -> dict[str, float]:
    """Mean, sd, n and the t-interval of the mean (NaNs dropped).

    Args:
        values: Replicate values.
        level: Confidence level.

    Returns:
        ``n``, ``mean``, ``sd``, ``half`` (half-width), ``ci_low``, ``ci_high``; the
        interval is NaN with fewer than two values.

    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)) if n > 1 else math.nan
    return {"n": n, "mean": mean, "sd": sd, "half": half,
            "ci_low": mean - half, "ci_high": mean + half}
