"""Statistics over replications, on :mod:`scipy.stats`: t, paired, Welch and bootstrap intervals.

Every interval here is over **replications at fixed parameters**: it says how well the
mean (or ratio) of the model's output under one set of settings is known from this many
seeds. It says nothing about uncertainty in the parameters themselves; a sweep or a
sensitivity analysis (:mod:`sim.analysis.sensitivity`) speaks to that.

Conventions shared by every function: non-finite values (NaN, inf) are dropped first
(pairwise for paired data); with fewer than two values left the interval is NaN; with
zero spread a t-interval has zero width.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval.

    Attributes:
        estimate: The point estimate (a mean, a difference of means, a ratio).
        low: Lower end of the interval (NaN if there is none).
        high: Upper end of the interval (NaN if there is none).
        n: Values the estimate rests on (pairs for paired data; both groups for Welch).
        sd: Standard deviation of the values (of the differences, for paired data);
            NaN where there is no single one.
        level: Confidence level.

    """

    estimate: float
    low: float
    high: float
    n: int
    sd: float = math.nan
    level: float = LEVEL

    @property
    def half(self) -> float:
        """Half-width of the interval."""
        return (self.high - self.low) / 2

    def row(self) -> dict[str, float]:
        """The interval as a table row: n, mean (the estimate), sd, ci_low, ci_high."""
        return {"n": self.n, "mean": self.estimate, "sd": self.sd, "ci_low": self.low,
                "ci_high": self.high}


def _finite(values: ArrayLike) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    return x[np.isfinite(x)]


def t_interval(mean: ArrayLike, sd: ArrayLike, n: ArrayLike,
               level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """The t-interval of means from their summaries, element by element.

    ``mean ± t(level, n - 1) · sd / √n`` with the critical value from
    :func:`scipy.stats.t.interval`. For tables of many means at once (one per design and
    week); :func:`mean_ci` does the same from the values.

    Args:
        mean: Sample means.
        sd: Sample standard deviations (``ddof=1``).
        n: Sample sizes.
        level: Confidence level.

    Returns:
        Lower and upper ends (arrays of the broadcast shape); NaN where ``n < 2``.

    """
    from scipy import stats

    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        _, critical = stats.t.interval(level, df)
        half = critical * np.asarray(sd, dtype=float) / np.sqrt(n)
    mean = np.asarray(mean, dtype=float)
    return mean - half, mean + half


def mean_ci(values: ArrayLike, level: float = LEVEL) -> Interval:
    """Mean of replicate values with its t-interval (non-finite values dropped).

    Args:
        values: One value per replication.
        level: Confidence level.

    Returns:
        The mean, its interval, n and sd (``ddof=1``); the interval and sd are NaN with
        fewer than two values, the mean NaN with none.

    """
    x = _finite(values)
    n = x.size
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    low, high = t_interval(mean, sd, n, level)
    return Interval(mean, float(low), float(high), n, sd, level)


def paired_ci(treated: ArrayLike, reference: ArrayLike, level: float = LEVEL) -> Interval:
    """Mean difference ``treated - reference``, paired by replication, with its t-interval.

    Replication ``r`` of both arms shares its seed (common random numbers), so the
    differences are taken seed by seed and most seed-to-seed noise cancels. A pair with a
    non-finite value on either side is dropped.

    Args:
        treated: One value per replication.
        reference: The same replications of the reference, in the same order.
        level: Confidence level.

    Returns:
        The interval of the mean difference (n = pairs, sd of the differences).

    Raises:
        ValueError: The arms have different numbers of replications.

    """
    a = np.asarray(treated, dtype=float).ravel()
    b = np.asarray(reference, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same length, got {a.size} and {b.size}")
    return mean_ci(a - b, level)


def welch_ci(treated: ArrayLike, reference: ArrayLike, level: float = LEVEL) -> Interval:
    """Difference of means ``treated - reference`` as if unpaired: Welch's t-interval.

    From :meth:`scipy.stats.ttest_ind` with ``equal_var=False``; shown beside the paired
    interval to make plain what pairing by seed buys.

    Args:
        treated: Values of one arm (non-finite dropped).
        reference: Values of the other arm (non-finite dropped).
        level: Confidence level.

    Returns:
        The difference of means and its interval (n = both arms together, sd NaN); NaN
        when either arm has fewer than two values; zero width when neither varies.

    """
    from scipy import stats

    a, b = _finite(treated), _finite(reference)
    n = a.size + b.size
    estimate = float(a.mean() - b.mean()) if a.size and b.size else math.nan
    if a.size < 2 or b.size < 2:
        return Interval(estimate, math.nan, math.nan, n, level=level)
    if a.std() == 0 and b.std() == 0:
        return Interval(estimate, estimate, estimate, n, level=level)
    with warnings.catch_warnings():
        # one constant arm: scipy warns of precision loss, but its variance is exactly 0
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        interval = stats.ttest_ind(a, b, equal_var=False).confidence_interval(level)
    return Interval(estimate, float(interval.low), float(interval.high), n, level=level)


def bootstrap_ci(samples: Sequence[ArrayLike], statistic: Callable[..., np.ndarray],
                 level: float = LEVEL, paired: bool = True, resamples: int = 9999,
                 seed: int = 0, method: str = "BCa") -> Interval:
    """A bootstrap interval of any statistic of replicate values (:func:`scipy.stats.bootstrap`).

    Args:
        samples: One array per argument of ``statistic``.
        statistic: ``statistic(*samples, axis=-1)``, vectorised along ``axis``.
        level: Confidence level.
        paired: Resample replications together across ``samples`` (rows with a non-finite
            value anywhere are dropped); otherwise each sample on its own.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling, so the interval is reproducible.
        method: ``"BCa"`` (bias-corrected and accelerated), ``"percentile"`` or ``"basic"``.

    Returns:
        The statistic of the data with its interval (n = replications, the smallest sample
        if unpaired); NaN with fewer than two replications, or where the bootstrap
        distribution is degenerate or undefined.

    """
    from scipy import stats

    arrays = [np.asarray(s, dtype=float).ravel() for s in samples]
    if paired:
        if len({a.size for a in arrays}) > 1:
            raise ValueError("paired samples need the same length, got "
                             f"{', '.join(str(a.size) for a in arrays)}")
        keep = np.logical_and.reduce([np.isfinite(a) for a in arrays])
        arrays = [a[keep] for a in arrays]
    else:
        arrays = [a[np.isfinite(a)] for a in arrays]
    n = min(a.size for a in arrays)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = float(statistic(*arrays, axis=-1)) if n else math.nan
        if n < 2:
            return Interval(estimate, math.nan, math.nan, n, level=level)
        result = stats.bootstrap(tuple(arrays), statistic, n_resamples=resamples,
                                 paired=paired, confidence_level=level, method=method,
                                 rng=np.random.default_rng(seed))
    low, high = result.confidence_interval
    return Interval(estimate, float(low), float(high), n, level=level)


def _ratio_of_sums(numerator: np.ndarray, denominator: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.sum(numerator, axis=axis) / np.sum(denominator, axis=axis)


def ratio_ci(numerator: ArrayLike, denominator: ArrayLike, level: float = LEVEL,
             resamples: int = 9999, seed: int = 0) -> Interval:
    """Ratio of pooled counts ``Σ numerator / Σ denominator`` with a paired BCa bootstrap.

    For rates pooled over replications (quits per person-week, a hazard ratio), where a
    mean of per-replication ratios would weight small denominators too much. The
    replications are resampled, each keeping its numerator and denominator together.

    Args:
        numerator: One count per replication.
        denominator: The matching count of each replication.
        level: Confidence level.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling.

    Returns:
        The pooled ratio with its interval (see :func:`bootstrap_ci`).

    """
    return bootstrap_ci((numerator, denominator), _ratio_of_sums, level, paired=True,
                        resamples=resamples, seed=seed)


def replications_for_width(sd: float, width: float, level: float = LEVEL) -> int | None:
    """Smallest n whose t-interval of a mean is at most ``width`` wide (full width).

    Solves ``2 · t(level, n - 1) · sd / √n ≤ width``. The width falls with n, and the
    normal approximation ``(2 · z · sd / width)²`` is a lower bound (``t > z``), so the
    search doubles from there and then bisects.

    Args:
        sd: Standard deviation of one replication (of the paired differences).
        width: Wanted full width of the interval, in the metric's units.
        level: Confidence level.

    Returns:
        The number of replications (at least 2), or None if ``sd`` is not finite or
        ``width`` is not positive.

    """
    from scipy import stats

    if not math.isfinite(sd) or not width > 0:
        return None
    if sd == 0:
        return 2

    def too_wide(n: int) -> bool:
        return bool(2 * stats.t.interval(level, n - 1)[1] * sd / math.sqrt(n) > width)

    low = max(2, math.ceil((2 * stats.norm.interval(level)[1] * sd / width) ** 2))
    if not too_wide(low):
        return low
    high = 2 * low
    while too_wide(high):
        low, high = high, 2 * high
    while high - low > 1:  # too_wide(low) and not too_wide(high)
        middle = (low + high) // 2
        low, high = (middle, high) if too_wide(middle) else (low, middle)
    return high
