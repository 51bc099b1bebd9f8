"""The compiled beta quantiles against bisection on scipy's incomplete beta, and scipy's own."""

import numpy as np
import pytest
from scipy.special import betaincinv

from sim.kernels import SERIAL, beta_quantiles, set_threads
from sim.kernels.distributions import _beta_quantiles
from tests import naive


def _shapes(mean, sd):
    max_var = mean * (1.0 - mean)
    var = np.minimum(sd * sd, 0.95 * max_var)
    concentration = max_var / var - 1.0
    return mean * concentration, (1.0 - mean) * concentration


@pytest.mark.parametrize("sd", [0.01, 0.1, 0.2, 0.45])
def test_beta_quantiles_match_bisection_on_the_incomplete_beta(sd):
    rng = np.random.default_rng(int(sd * 1000))
    u = rng.uniform(1e-12, 1.0 - 1e-12, (40, 3))
    mean = rng.uniform(0.02, 0.95, (40, 3))
    got = beta_quantiles(u, mean, sd)
    ref = np.array([[naive.beta_quantile(u[i, k], mean[i, k], sd) for k in range(3)]
                    for i in range(40)])
    assert np.max(np.abs(got - ref)) <= 1e-12


@pytest.mark.parametrize("sd", [0.01, 0.05, 0.1, 0.2, 0.3, 0.499])
def test_beta_quantiles_agree_with_scipy_to_1e_12_over_the_whole_range(sd):
    rng = np.random.default_rng(7)
    u = rng.random((5000, 4))
    u[0] = [1e-300, 1e-16, 1.0 - 2.0**-53, 0.5]  # the ends of the uniforms
    mean = rng.uniform(0.02, 0.95, (5000, 4))
    a, b = _shapes(mean, sd)
    got = beta_quantiles(np.maximum(u, 1e-300), mean, sd)
    ref = betaincinv(a, b, np.maximum(u, 1e-300))
    known = ~np.isnan(ref)  # scipy gives NaN at u = 1e-300 for some shapes; the kernel does not
    assert known.mean() > 0.999
    assert np.max(np.abs(got - ref)[known]) <= 1e-12
    assert np.all((got >= 0.0) & (got <= 1.0))


def test_beta_quantiles_are_monotone_in_the_uniform_and_move_with_the_mean():
    u = np.linspace(0.001, 0.999, 999)[:, None]
    low = beta_quantiles(u, np.full_like(u, 0.3), 0.15)
    high = beta_quantiles(u, np.full_like(u, 0.6), 0.15)
    assert np.all(np.diff(low[:, 0]) > 0)
    assert np.all(high > low)
    assert abs(np.mean(low) - 0.3) < 0.002  # the quantiles of an even grid have the mean


def test_zero_sd_gives_the_means_and_serial_equals_threads():
    rng = np.random.default_rng(3)
    u, mean = rng.random((3000, 8)), rng.uniform(0.1, 0.9, (3000, 8))
    np.testing.assert_array_equal(beta_quantiles(u, mean, 0.0), mean)
    a, b = _shapes(mean, 0.2)
    out_serial, out_parallel = np.empty_like(u), np.empty_like(u)
    SERIAL[_beta_quantiles](u, a, b, out_serial)
    set_threads(2)
    try:
        _beta_quantiles(u, a, b, out_parallel)
    finally:
        set_threads(None)
    np.testing.assert_array_equal(out_serial, out_parallel)


@pytest.mark.parametrize("bad", ["mean", "u", "shape"])
def test_beta_quantiles_refuse_values_outside_the_unit_interval(bad):
    u, mean = np.full((2, 2), 0.5), np.full((2, 2), 0.5)
    if bad == "mean":
        mean[0, 0] = 1.0
    elif bad == "u":
        u[1, 1] = 0.0
    else:
        u = np.full((2, 3), 0.5)
    with pytest.raises(ValueError):
        beta_quantiles(u, mean, 0.1)
