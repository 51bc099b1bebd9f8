"""Inverse CDFs the hiring draws need, compiled: beta quantiles of counter-based uniforms.

A hire's skills are beta quantiles of uniforms keyed by their person id, so the same hire
gets the same skills in every arm of a run. scipy's ``betaincinv`` (Boost's) took ~2.4 us
a quantile, the largest single item of a week at a million employees (60 ms of ~200 at
K = 16, 25,000 quantiles). The kernel here solves ``I_x(a, b) = p`` by Halley's method
from Numerical Recipes' starting guess (Press et al. 2007, section 6.14.2), evaluating the
regularised incomplete beta function by its continued fraction (modified Lentz), and
iterates to round-off; it agrees with scipy to 1e-12 (``tests/kernels/test_distributions.py``,
against ``tests/naive.py::beta_quantiles``, which is scipy) and differs from it only in
the last bits. Each entry is solved alone, so any number of threads gives the same numbers.

Kernels (private, arrays and scalars only) and the public wrapper
:func:`beta_quantiles`, which validates and broadcasts.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sim.kernels.checks import require
from sim.kernels.threads import kernel_for, with_serial_twin

_TINY = 1e-300
_CF_EPS = 1e-16
_CF_MAX_TERMS = 1000
_HALLEY_MAX_STEPS = 40


@njit(cache=True)
def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of ``I_x(a, b)`` by the modified Lentz method."""
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, _CF_MAX_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) <= _CF_EPS:
            break
    return h


@njit(cache=True)
def _regularised_incomplete_beta(a: float, b: float, x: float, log_beta: float) -> float:
    """``I_x(a, b)`` for x in [0, 1]; ``log_beta`` is ``ln B(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - log_beta)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


@njit(cache=True)
def _beta_quantile(p: float, a: float, b: float) -> float:
    """The ``p`` quantile of Beta(a, b): the x in [0, 1] with ``I_x(a, b) = p``.

    Above the median probability the upper tail is solved instead (``1 - x`` is the
    ``1 - p`` quantile of Beta(b, a)), so ``I_x - p`` never loses digits to ``p`` near 1.
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    if p > 0.5:
        return 1.0 - _lower_beta_quantile(1.0 - p, b, a)
    return _lower_beta_quantile(p, a, b)


@njit(cache=True)
def _lower_beta_quantile(p: float, a: float, b: float) -> float:
    """The ``p`` quantile of Beta(a, b) for p in (0, 0.5], by Halley's method."""
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    a1 = a - 1.0
    b1 = b - 1.0
    if a >= 1.0 and b >= 1.0:  # a normal approximation (Abramowitz and Stegun 26.5.22)
        pp = p if p < 0.5 else 1.0 - p
        t = math.sqrt(-2.0 * math.log(pp))
        z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
        if p < 0.5:
            z = -z
        al = (z * z - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = (z * math.sqrt(al + h) / h
             - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h)))
        x = a / (a + b * math.exp(2.0 * w))
    else:  # the two tails' power laws
        lna = math.log(a / (a + b))
        lnb = math.log(b / (a + b))
        t = math.exp(a * lna) / a
        u = math.exp(b * lnb) / b
        w = t + u
        if p < t / w:
            x = math.pow(a * w * p, 1.0 / a)
        else:
            x = 1.0 - math.pow(b * w * (1.0 - p), 1.0 / b)
    last_step = math.inf
    for _ in range(_HALLEY_MAX_STEPS):
        if x <= 0.0 or x >= 1.0:
            return 0.0 if x <= 0.0 else 1.0
        err = _regularised_incomplete_beta(a, b, x, log_beta) - p
        density = math.exp(a1 * math.log(x) + b1 * math.log1p(-x) - log_beta)
        if density == 0.0 or err == 0.0:
            return x
        u = err / density
        correction = u * (a1 / x - b1 / (1.0 - x))
        t = u / (1.0 - 0.5 * (correction if correction < 1.0 else 1.0))
        x_new = x - t
        if x_new <= 0.0:
            x_new = 0.5 * x
        if x_new >= 1.0:
            x_new = 0.5 * (x + 1.0)
        moved = abs(x_new - x)
        # converged, relative to the nearer end of [0, 1] (x or 1 - x is what is used):
        # Halley's method converges cubically, so after a step of 1e-6 the error left is of
        # the order of its cube, below round-off; a step that no longer shrinks once below
        # 1e-9 is moving in the last bits
        scale = x_new if x_new < 0.5 else 1.0 - x_new
        if moved <= 1e-6 * scale or (moved >= last_step and moved <= 1e-9 * scale):
            return x_new
        last_step = moved
        x = x_new
    return x


@with_serial_twin()
def _beta_quantiles(u, a, b, out):
    """``out[i, k]`` = the ``u[i, k]`` quantile of Beta(a[i, k], b[i, k]), row by row."""
    for i in prange(u.shape[0]):
        for k in range(u.shape[1]):
            out[i, k] = _beta_quantile(u[i, k], a[i, k], b[i, k])


def beta_quantiles(u: np.ndarray, mean: np.ndarray, sd: float) -> np.ndarray:
    """Beta quantiles at uniforms ``u``, one per entry of ``mean``, with that mean and sd ``sd``.

    The variance is capped at 95% of its largest possible value for the mean, so the
    shape parameters ``a = m c`` and ``b = (1 - m) c``, with ``c = m (1 - m) / var - 1``,
    are positive.

    Args:
        u: Uniforms in (0, 1), 2-d, the shape of ``mean``.
        mean: Means in (0, 1), 2-d.
        sd: Standard deviation (0 gives the means).

    Returns:
        float64 array in [0, 1] of the shape of ``mean``.

    Raises:
        ValueError: Shapes differ, an array is not 2-d, or a mean or uniform is outside
            (0, 1).

    """
    u = np.ascontiguousarray(u, dtype=np.float64)
    mean = np.ascontiguousarray(mean, dtype=np.float64)
    require(u.ndim == 2 and u.shape == mean.shape, "u and mean must be 2-d, of one shape")
    if mean.size == 0:
        return mean.copy()
    require(bool(np.all((mean > 0.0) & (mean < 1.0))), "means must be in (0, 1)")
    require(bool(np.all((u > 0.0) & (u < 1.0))), "uniforms must be in (0, 1)")
    if sd <= 0:
        return mean.copy()
    max_var = mean * (1.0 - mean)
    var = np.minimum(sd * sd, 0.95 * max_var)
    concentration = max_var / var - 1.0
    out = np.empty_like(mean)
    # compute-bound (~0.5 us an entry), unlike the streaming kernels the cache-based
    # threshold was measured for: threads pay from about 2,000 entries (1 ms of work), so
    # each entry counts as 4 kB of streaming work
    kernel_for(_beta_quantiles, mean.size, 4096)(
        u, mean * concentration, (1.0 - mean) * concentration, out,
    )
    return out
