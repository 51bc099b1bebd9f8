"""Informal seekers and free seniors (sim/kernels/pools.py) against tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import STREAM_INFORMAL, free_seniors, informal_seekers
from tests import naive


def _state(n, seed):
    rng = np.random.default_rng(seed)
    mentor = np.where(rng.random(n) < 0.2, rng.integers(0, n, n), -1).astype(np.int32)
    return dict(
        active=rng.random(n) < 0.9, mentor=mentor,
        load=rng.integers(0, 4, n).astype(np.int16) * (rng.random(n) < 0.3),
        pid=rng.integers(1, 10**9, n).astype(np.int64),
        tenure=rng.integers(0, 800, n).astype(np.int32), performance=rng.random(n),
        willingness=rng.random(n),
    )


@pytest.mark.parametrize("seed", range(8))
def test_informal_seekers_match_naive(seed):
    s = _state(300, seed)
    got = informal_seekers(s["active"], s["mentor"], s["load"].astype(np.int16), s["pid"],
                           12345 + seed, 7, 0.3)
    assert STREAM_INFORMAL == 5  # the naive reference spells the stream out
    expected = naive.informal_seekers(s["active"].tolist(), s["mentor"].tolist(),
                                      s["load"].tolist(), s["pid"].tolist(), 12345 + seed,
                                      7, 0.3)
    assert got.dtype == np.int64 and got.tolist() == expected
    assert 0 < len(expected) < 300


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("willing_share", [0.3, np.inf])
def test_free_seniors_match_naive(seed, willing_share):
    s = _state(300, seed)
    load = s["load"].astype(np.int16)
    slots, places = free_seniors(s["active"], s["mentor"], s["tenure"], s["performance"],
                                 load, s["willingness"], 260, 0.4, willing_share, 3)
    expected = naive.free_seniors(s["active"].tolist(), s["mentor"].tolist(),
                                  s["tenure"].tolist(), s["performance"].tolist(),
                                  load.tolist(), s["willingness"].tolist(), 260, 0.4,
                                  willing_share, 3)
    assert slots.tolist() == expected[0] and places.tolist() == expected[1]
    assert len(expected[0]) > 0 and min(expected[1]) >= 1


def test_pools_refuse_wrong_dtypes():
    s = _state(10, 0)
    with pytest.raises(ValueError, match="load"):
        informal_seekers(s["active"], s["mentor"], s["load"].astype(np.int64), s["pid"], 1,
                         0, 0.5)
    with pytest.raises(ValueError, match="tenure_weeks"):
        free_seniors(s["active"], s["mentor"], s["tenure"].astype(np.int64), s["performance"],
                     s["load"].astype(np.int16), s["willingness"], 1, 0.0, 1.0, 2)


@pytest.mark.parametrize("seed", range(6))
def test_service_hours_match_naive(seed):
    from sim.kernels import service_hours

    s = _state(200, seed)
    group = np.random.default_rng(seed).integers(0, 3, 200).astype(np.int8)
    per_senior, out = np.empty(3), np.full(200, -1.0)
    got = service_hours(s["active"], s["tenure"], group, 300, 4.5, 0.8 if seed % 2 else 50.0,
                        per_senior, out)
    expected = naive.service_hours(s["active"].tolist(), s["tenure"].tolist(), group.tolist(),
                                   300, 4.5, 0.8 if seed % 2 else 50.0, 3)
    assert got is out
    assert out.tolist() == expected
    assert (out > 0).any() and (out == 0).any()
