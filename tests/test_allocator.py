"""The allocator policy: with it, a large array freed and made again faults no page in."""

import subprocess
import sys

import pytest

from tests.paths import ROOT

_SCRIPT = """
import resource, sys
import numpy as np
from sim.allocator import keep_freed_memory, return_freed_memory
print(keep_freed_memory())
faults = []
for _ in range(4):  # 48 MB: above glibc's largest mmap threshold (32 MB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    a = np.empty(6_000_000); a.fill(1.0); del a
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(min(faults[1:]))
print(return_freed_memory())
"""


def _faults(env_value: str | None) -> tuple[bool, int, bool]:
    import os

    env = dict(os.environ)
    env.pop("MENTORSIM_KEEP_FREED_MEMORY", None)
    if env_value is not None:
        env["MENTORSIM_KEEP_FREED_MEMORY"] = env_value
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.split()
    return out[0] == "True", int(out[1]), out[2] == "True"


def test_freed_memory_is_reused_without_faulting_pages_in_and_given_back_on_request():
    applied, faults, returned = _faults(None)
    if not applied:
        pytest.skip("the C library is not glibc")
    left_alone, faults_without, _ = _faults("0")
    assert not left_alone
    # 48 MB is ~11,700 pages of 4 kB (24 of 2 MB where numpy's huge pages are granted):
    # without the policy glibc maps and unmaps the array each time; with it, none
    assert faults < 10 <= faults_without
    assert returned  # the freed 48 MB went back to the system
