"""Thread policy (sim/kernels/threads.py): same numbers on any thread count, no import-time
side effects, the policy applied on first use."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import numba
import numpy as np

from sim.kernels import (
    SERIAL,
    LearningRates,
    distributions,
    flows,
    kernel_for,
    last_level_cache_bytes,
    learn_week,
    learning,
    matching,
    parallel_min_bytes,
    set_parallel_min_bytes,
    set_threads,
    sums,
    threads_for,
)
from tests.kernels.states import random_state
from tests.paths import ROOT

OPENMP = importlib.util.find_spec("numba.np.ufunc.omppool") is not None


def test_thread_count_does_not_change_results():
    """Counter-based draws and start-of-week inputs: any thread count, same numbers.

    1 and 2 threads of the parallel kernels, and their serial twins.
    """
    state = random_state(3, n=20_000, k=8)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights = state
    rates = LearningRates(0.05, 2.0, 16.0, 0.4, 0.1, 0.02, 0.3)
    results = []
    saved = set_parallel_min_bytes(0)  # parallel kernels
    try:
        for threads in (1, 2):
            set_threads(threads)
            work = skills.copy()
            perf, gap = learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality,
                                   hours,
                                   focus, usage, required, weights, rates, True, 2.0, 5, 9)
            results.append((work, perf, gap))
    finally:
        set_threads(None)
        set_parallel_min_bytes(saved)

    saved = set_parallel_min_bytes(2**62)  # serial twins
    try:
        work = skills.copy()
        perf, gap = learn_week(work, active, pid, aptitude, tenure, mentor, kind, quality, hours,
                               focus, usage, required, weights, rates, True, 2.0, 5, 9)
        results.append((work, perf, gap))
    finally:
        set_parallel_min_bytes(saved)
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


def test_kernel_for_takes_the_serial_twin_below_the_threshold():
    saved = set_parallel_min_bytes(1000)
    try:
        assert kernel_for(sums._weekly_sums, 10, 96) is SERIAL[sums._weekly_sums]  # 960 bytes
        assert kernel_for(sums._weekly_sums, 11, 96) is sums._weekly_sums  # 1,056 bytes
        assert threads_for(999) == 1 and threads_for(1000) == numba.config.NUMBA_NUM_THREADS
        set_threads(1)
        assert threads_for(10**12) == 1
        assert kernel_for(sums._weekly_sums, 10**6, 96) is SERIAL[sums._weekly_sums]
    finally:
        set_threads(None)
        set_parallel_min_bytes(saved)
    assert threads_for(10**12) == numba.config.NUMBA_NUM_THREADS


def test_every_parallel_kernel_has_a_serial_twin_of_the_same_source():
    parallel = [sums._weekly_sums, sums._group_sums, flows._age_and_leave,
                flows._update_outcomes, learning._learn_week, learning._pair_deltas,
                matching._gap_scores, distributions._beta_quantiles]
    assert set(parallel) == set(SERIAL)
    for kernel in parallel:
        twin = SERIAL[kernel]
        assert kernel.targetoptions["parallel"] and "parallel" not in twin.targetoptions
        assert twin.py_func.__code__ is kernel.py_func.__code__
        assert twin.__name__ == kernel.__name__ + "_serial"


def test_parallel_threshold_is_a_quarter_of_the_last_level_cache():
    saved = set_parallel_min_bytes(None)
    try:
        assert parallel_min_bytes() == last_level_cache_bytes() // 4
    finally:
        set_parallel_min_bytes(saved)


def test_last_level_cache_is_the_largest_cache_sysfs_reports(tmp_path):
    for index, size in enumerate(["48K", "1024K", "32768K", "garbage"]):
        (tmp_path / f"index{index}").mkdir()
        (tmp_path / f"index{index}" / "size").write_text(size + "\n")
    (tmp_path / "index9").mkdir()  # a cache without a size file is skipped
    assert last_level_cache_bytes(root=tmp_path) == 32 * 2**20
    (tmp_path / "index4").mkdir()
    (tmp_path / "index4" / "size").write_text("2M")
    (tmp_path / "index5").mkdir()
    (tmp_path / "index5" / "size").write_text("40000000")  # bytes, no unit
    assert last_level_cache_bytes(root=tmp_path) == 40_000_000
    assert last_level_cache_bytes(default=123, root=tmp_path / "missing") == 123


def child(code: str, **env: str) -> dict:
    """Run ``code`` in a fresh interpreter without the policy's variables; its JSON output."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OMP_WAIT_POLICY", "NUMBA_THREADING_LAYER")}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=ROOT, env={**clean, **env}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


SETTINGS = """
import json, os, pathlib
import numba
from numba.np.ufunc import parallel

read = []
for name in ("read_text", "read_bytes", "open"):  # record every file read under /sys
    real = getattr(pathlib.Path, name)
    def spy(self, *args, _real=real, **kwargs):
        if str(self).startswith("/sys"):
            read.append(str(self))
        return _real(self, *args, **kwargs)
    setattr(pathlib.Path, name, spy)

def settings():
    return {"environ": dict(os.environ), "layer": numba.config.THREADING_LAYER,
            "priority": list(numba.config.THREADING_LAYER_PRIORITY),
            "threads_started": parallel._is_initialized, "sysfs_read": list(read)}
"""


def test_importing_the_kernels_changes_no_process_wide_setting():
    found = child(SETTINGS + """
before = settings()
import sim.kernels, sim.kernels.threads, sim.model.model, sim.march.model
after = settings()
print(json.dumps({"before": before, "after": after,
                  "policy": sim.kernels.threads._took_hold,
                  "threshold": sim.kernels.threads._parallel_min_bytes}))
""")
    assert found["after"] == found["before"]
    assert not found["after"]["threads_started"] and found["after"]["sysfs_read"] == []
    assert "OMP_WAIT_POLICY" not in found["after"]["environ"]
    assert found["policy"] is None and found["threshold"] is None  # nothing applied yet


def test_first_use_applies_the_policy_before_numba_starts_its_threads():
    found = child(SETTINGS + """
import numpy as np
from sim import kernels
kernels.set_parallel_min_bytes(0)  # parallel kernels, so numba starts its threads
out = np.empty(100)
sums = kernels.weekly_sums(np.ones(100, bool), np.full(100, 0.5), np.zeros(100),
    np.zeros(100), np.full(100, -1, np.int32), np.zeros(100, np.int8), np.zeros(100),
    np.zeros(100), np.zeros(100, np.int16), np.zeros(100, bool), np.zeros(100, bool),
    np.zeros(100, bool), 0.0, False, 40.0, np.ones(100), 0.0, 0.9, out)
print(json.dumps({**settings(), "used": numba.threading_layer(),
                  "took_hold": kernels.configure_threading(),
                  "active": sums[kernels.Sum.ACTIVE], "skill": sums[kernels.Sum.SKILL]}))
""")
    assert found["active"] == 100 and found["skill"] == 50.0
    assert found["environ"]["OMP_WAIT_POLICY"] == "passive"
    assert found["priority"] == ["omp", "workqueue", "tbb"]
    assert found["threads_started"] and found["took_hold"]
    assert found["used"] == ("omp" if OPENMP else "workqueue")
    assert found["sysfs_read"] == []  # the threshold was set, so the cache size is not read


def test_the_users_threading_settings_win():
    found = child(SETTINGS + """
from sim import kernels
kernels.set_threads(1)  # starts numba's threads, so applies the policy first
print(json.dumps({**settings(), "used": numba.threading_layer()}))
""", NUMBA_THREADING_LAYER="workqueue", OMP_WAIT_POLICY="active")
    assert found["environ"]["OMP_WAIT_POLICY"] == "active"
    assert found["used"] == "workqueue"


def test_the_policy_reports_when_numba_started_its_threads_first():
    found = child(SETTINGS + """
numba.get_num_threads()  # starts numba's threads with its own default layer
from sim import kernels
print(json.dumps({"took_hold": kernels.configure_threading()}))
""")
    assert found["took_hold"] is False
