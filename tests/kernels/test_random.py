"""The counter-based random streams (sim/kernels/random.py) against tests/naive.py."""

import numpy as np
import pytest

from sim.kernels import counter_uniforms
from tests import naive


@pytest.mark.parametrize("stream", [1, 2, 3])
def test_counter_uniforms_match_naive_and_are_uniform(stream):
    pids = np.arange(1, 20_001, dtype=np.int64)
    draws = counter_uniforms(987654321, 12, pids, stream)
    expected = [naive.counter_uniform(987654321, 12, int(p), stream) for p in pids[:200]]
    np.testing.assert_array_equal(draws[:200], expected)
    assert np.all((draws >= 0) & (draws < 1))
    assert abs(draws.mean() - 0.5) < 0.01
    assert abs(draws.std() - np.sqrt(1 / 12)) < 0.005
    # a different week or stream gives unrelated draws
    other = counter_uniforms(987654321, 13, pids, stream)
    assert abs(np.corrcoef(draws, other)[0, 1]) < 0.03




def test_counter_uniforms_rejects_other_ids():
    with pytest.raises(ValueError, match="pids must be a 1-d int64 array"):
        counter_uniforms(1, 2, np.arange(5, dtype=np.int32), 1)
    with pytest.raises(ValueError, match="pids must be a 1-d int64 array"):
        counter_uniforms(1, 2, np.zeros((2, 2), dtype=np.int64), 1)


def test_counter_uniform_columns_are_the_streams_one_by_one():
    from sim.kernels import counter_uniform_columns, counter_uniforms

    pids = np.array([1, 7, 123456789, 2**40], dtype=np.int64)
    columns = counter_uniform_columns(99, 12, pids, 1000, 5)
    assert columns.shape == (4, 5)
    for c in range(5):
        np.testing.assert_array_equal(columns[:, c], counter_uniforms(99, 12, pids, 1000 + c))
    assert counter_uniform_columns(99, 12, pids, 1000, 0).shape == (4, 0)
    with pytest.raises(ValueError):
        counter_uniform_columns(99, 12, pids.astype(np.int32), 1000, 2)
