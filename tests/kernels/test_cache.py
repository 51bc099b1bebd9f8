"""numba's on-disk cache holds every kernel, serial twins included: a warm process compiles
nothing (what start-up time and the memory estimate count on)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

CHILD = """
import json, sys
import numba.core.dispatcher
from sim import kernels
from sim.model.model import MentoringModel

for threshold in (0, 2**62):  # every parallel kernel, then every serial twin
    kernels.set_parallel_min_bytes(threshold)
    MentoringModel("mentoring", rng=1, **{"organisation.headcount": 200, "horizon_weeks": 12,
                                         "programme.start_week": 0,
                                         "programme.duration_weeks": 8}).run()
found = {id(v): v for name, module in list(sys.modules.items()) if name.startswith("sim")
         for v in vars(module).values() if isinstance(v, numba.core.dispatcher.Dispatcher)}
found.update((id(v), v) for v in kernels.SERIAL.values())
used = [d for d in found.values() if d.signatures]
print(json.dumps({
    "used": sorted(d.py_func.__qualname__ for d in used),
    "misses": sorted(d.py_func.__qualname__ for d in used if sum(d.stats.cache_misses.values())),
}))
"""


def run_child(cache: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          cwd=ROOT, timeout=600, env={**os.environ, "NUMBA_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.slow
def test_a_warm_process_loads_every_kernel_and_twin_from_the_cache(tmp_path):
    first = run_child(tmp_path)  # an empty cache: compiles every kernel and writes it
    second = run_child(tmp_path)
    kernels = {"_learn_week", "_pair_deltas", "_weekly_sums", "_age_and_leave",
               "_update_outcomes", "_gap_scores"}
    expected = kernels | {f"{name}_serial" for name in kernels} | {"_counter_uniforms",
                                                                    "_pair_index"}
    assert expected <= set(first["misses"])  # compiled, not found
    assert expected <= set(second["used"]) <= set(first["used"])
    # (a function called only from other kernels, like _performance_and_gap, is compiled
    # on its own when its callers are; its code is in theirs, so a warm process skips it)
    assert second["misses"] == []
