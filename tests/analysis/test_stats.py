"""sim.analysis.stats against values worked out by hand (t tables, Welch's df, small bootstraps)."""

import math
import warnings

import numpy as np
import pytest

from sim.analysis import stats

T_975_2 = 4.302652729749464  # t table: two-sided 95%, 2 degrees of freedom
T_975_3 = 3.182446305284263  # 3 degrees of freedom


def test_mean_ci_is_the_t_interval():
    ci = stats.mean_ci([2.0, 4.0, 6.0])  # mean 4, sd 2, se 2/sqrt(3)
    assert (ci.n, ci.estimate, ci.sd) == (3, 4.0, 2.0)
    assert ci.half == pytest.approx(T_975_2 * 2 / math.sqrt(3), rel=1e-12)  # 4.96828
    assert (ci.low, ci.high) == pytest.approx((4 - 4.9682754235, 4 + 4.9682754235))
    assert stats.mean_ci([1.0, 2.0, 3.0, 4.0]).low == pytest.approx(0.4457397432, rel=1e-9)


def test_mean_ci_level_changes_the_width():
    ci90 = stats.mean_ci([2.0, 4.0, 6.0], level=0.90)
    assert ci90.half == pytest.approx(2.919985580353726 * 2 / math.sqrt(3), rel=1e-12)
    assert ci90.level == 0.90


def test_mean_ci_drops_non_finite_values():
    ci = stats.mean_ci([2.0, np.nan, 4.0, np.inf, 6.0])
    assert ci.n == 3 and ci.estimate == 4.0 and ci.half == pytest.approx(4.9682754235)


@pytest.mark.parametrize("values", [[], [1.0], [np.nan, 1.0], [np.nan]])
def test_fewer_than_two_values_give_no_interval(values):
    ci = stats.mean_ci(values)
    assert math.isnan(ci.low) and math.isnan(ci.high) and math.isnan(ci.sd)
    assert ci.n == len([v for v in values if np.isfinite(v)])
    assert (ci.estimate == 1.0) if ci.n else math.isnan(ci.estimate)


def test_constant_values_give_a_zero_width_interval():
    ci = stats.mean_ci([0.3, 0.3, 0.3])
    assert ci.low == ci.high == pytest.approx(0.3)


def test_row_is_a_table_row():
    assert stats.mean_ci([2.0, 4.0, 6.0]).row() == pytest.approx(
        {"n": 3, "mean": 4.0, "sd": 2.0, "ci_low": 4 - 4.9682754235,
         "ci_high": 4 + 4.9682754235})


def test_t_interval_is_vectorised_and_nan_below_two():
    low, high = stats.t_interval(np.array([4.0, 1.0, 5.0]), np.array([2.0, 1.0, 0.0]),
                                 np.array([3, 1, 4]))
    assert high[0] - 4.0 == pytest.approx(4.9682754235)
    assert np.isnan(low[1]) and np.isnan(high[1])
    assert low[2] == high[2] == 5.0


def test_paired_ci_is_the_interval_of_the_differences():
    treated, reference = [3.0, 5.0, 4.0, 6.0], [1.0, 4.0, 2.0, 5.0]  # differences 2, 1, 2, 1
    ci = stats.paired_ci(treated, reference)
    assert ci.estimate == 1.5 and ci.n == 4
    assert ci.sd == pytest.approx(math.sqrt(1 / 3))
    assert ci.half == pytest.approx(T_975_3 * math.sqrt(1 / 3) / 2, rel=1e-12)  # 0.91869
    assert ci.half == pytest.approx(0.9186933, rel=1e-6)


def test_paired_ci_drops_a_pair_with_a_nan_on_either_side():
    ci = stats.paired_ci([3.0, np.nan, 5.0, 4.0, 6.0, 9.0], [1.0, 7.0, 4.0, 2.0, 5.0, np.nan])
    assert ci.n == 4 and ci.estimate == 1.5
    with pytest.raises(ValueError, match="same length"):
        stats.paired_ci([1.0, 2.0], [1.0])


def test_welch_ci_by_hand():
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0]  # variances 5/3 and 4
    ci = stats.welch_ci(a, b)
    va, vb = (5 / 3) / 4, 4 / 3
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 2)
    assert df == pytest.approx(3.2347188264)
    assert ci.estimate == -1.5 and ci.n == 7
    assert (ci.low, ci.high) == pytest.approx((-5.542327954923, 2.542327954923), rel=1e-9)
    # t(0.975, 3.2347) = 3.0557 times the unpooled standard error sqrt(1.75)
    assert ci.half == pytest.approx(3.0557 * math.sqrt(va + vb), rel=1e-4)


def test_welch_ci_edge_cases():
    assert math.isnan(stats.welch_ci([1.0], [1.0, 2.0]).low)
    flat = stats.welch_ci([2.0, 2.0, np.nan], [1.0, 1.0])
    assert flat.low == flat.high == flat.estimate == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one_flat = stats.welch_ci([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    # only the varying arm contributes: mean 1 ± t(2) * 1 / sqrt(3)
    assert one_flat.half == pytest.approx(T_975_2 / math.sqrt(3), rel=1e-9)


def test_percentile_bootstrap_of_two_values_by_hand():
    # resamples of (0, 1): means 0 (1/4), 0.5 (1/2), 1 (1/4): 2.5% and 97.5% are 0 and 1
    ci = stats.bootstrap_ci(([0.0, 1.0],), np.mean, method="percentile")
    assert (ci.estimate, ci.low, ci.high, ci.n) == (0.5, 0.0, 1.0, 2)


def test_ratio_of_sums_resamples_replications_together():
    # replications (1/1, 3/1): pooled ratios 1, 2, 3 with chances 1/4, 1/2, 1/4
    ci = stats.bootstrap_ci(([1.0, 3.0], [1.0, 1.0]), stats._ratio_of_sums,
                            method="percentile")
    assert (ci.estimate, ci.low, ci.high) == (2.0, 1.0, 3.0)
    pooled = stats.ratio_ci([1.0, 3.0, 2.0, 6.0], [1.0, 1.0, 2.0, 2.0])
    assert pooled.estimate == 2.0  # 12 / 6, not the mean of ratios (2.25)
    assert pooled.low < 2.0 < pooled.high


def test_paired_bootstrap_keeps_pairs_together():
    x = np.random.default_rng(1).normal(size=30)

    def difference(a, b, axis=-1):
        return np.mean(a, axis=axis) - np.mean(b, axis=axis)

    paired = stats.bootstrap_ci((x + 0.5, x), difference, method="percentile")
    assert paired.low == pytest.approx(0.5) and paired.high == pytest.approx(0.5)
    unpaired = stats.bootstrap_ci((x + 0.5, x), difference, paired=False, method="percentile")
    assert unpaired.high - unpaired.low > 0.5


def test_bca_bootstrap_of_a_mean_is_close_to_the_t_interval_and_reproducible():
    x = np.random.default_rng(2).normal(10.0, 2.0, size=200)
    boot = stats.bootstrap_ci((x,), np.mean, seed=3)
    t = stats.mean_ci(x)
    assert boot.estimate == pytest.approx(t.estimate)
    assert boot.half == pytest.approx(t.half, rel=0.1)
    assert stats.bootstrap_ci((x,), np.mean, seed=3) == boot
    assert stats.bootstrap_ci((x,), np.mean, seed=4) != boot


def test_bootstrap_nan_and_too_few():
    one = stats.ratio_ci([1.0, np.nan], [1.0, 1.0])
    assert one.n == 1 and one.estimate == 1.0 and math.isnan(one.low)
    with pytest.raises(ValueError, match="same length"):
        stats.ratio_ci([1.0, 2.0], [1.0])


@pytest.mark.parametrize("sd, width, expected", [(1.0, 1.0, 18), (0.01, 0.005, 64)])
def test_replications_for_width_known_values(sd, width, expected):
    # sd 1, width 1: n = 17 gives 2 * 2.1199 / sqrt(17) = 1.028 > 1; n = 18 gives 0.9946
    assert stats.replications_for_width(sd, width) == expected


@pytest.mark.parametrize("sd, width", [(1.0, 0.01), (0.003, 0.005), (5.0, 0.7), (1.0, 30.0)])
def test_replications_for_width_is_the_smallest_n(sd, width):
    from scipy.stats import t

    def full_width(n):
        return 2 * t.ppf(0.975, n - 1) * sd / math.sqrt(n)

    n = stats.replications_for_width(sd, width)
    assert full_width(n) <= width
    assert n == 2 or full_width(n - 1) > width


def test_replications_for_width_degenerate():
    assert stats.replications_for_width(0.0, 0.1) == 2
    assert stats.replications_for_width(math.nan, 0.1) is None
    assert stats.replications_for_width(1.0, 0.0) is None
