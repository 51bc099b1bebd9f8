"""Resource limits: refuse a run up front that would not fit in memory.

:func:`estimate_memory_bytes` is an upper bound of the peak resident
memory of a process that runs a scenario, from the arrays the model holds per employee
(counted from :mod:`sim.model.workforce`), the working arrays its kernels use, the weekly time
series and a fixed overhead (interpreter, numpy, pandas, Mesa, numba and its compiled
kernels). The constants were calibrated on this project's 2-core test machine (numba
0.68, numpy 2.4, pandas 3.1, Mesa 3.3) by running scenarios in a fresh process: "warm" is
the peak (``VmHWM``) of the run itself, measured after a small warm-up run had loaded
every kernel from numba's on-disk cache and ``/proc/self/clear_refs`` had reset the peak
(as ``tests/test_reliability.py`` measures it); "cold" is the whole process's peak with
``NUMBA_CACHE_DIR`` pointing to an empty directory, so every kernel is compiled first:

=========  ===  =====  ===========  ===========  ==============
employees  K    weeks  warm (MB)    cold (MB)    estimate (MB)
=========  ===  =====  ===========  ===========  ==============
1,000      6    52     350          385          465
100,000    6    26     382          463          508
100,000    6    52     382                       508
400,000    6    52     482                       638
1,000,000  6    26     689                       898
100,000    32   52     461                       607
100,000    64   52     560                       729
400,000    64   26     1,193                     1,523
100,000    6    520    383                       516
150,000    16   26     444          511          587
100,000    6    26     401 (control arm)         552
150,000    16   26     485 (control arm)         709
=========  ===  =====  ===========  ===========  ==============

i.e. a fixed ~349 MB once the kernels are loaded (about 305 MB of it is importing
:mod:`sim.experiment.run`: numpy, pandas, numba/llvmlite, Mesa) plus about 150 + 32·K bytes per
employee, and a few kB per week. **A cold numba cache** (first run after installing or
after editing :mod:`sim.kernels`) compiles the kernels in the process: the compiler's
memory (LLVM) is mostly kept, not returned, so the process stays ~95 MB higher for the
rest of the run (~445 MB before any model array here: the 1,000-employee run above
compiles only the serial kernels, the larger ones both twins). Compiler memory depends on
the machine and numba version (a CI machine peaked at 860 MB in a cold-cache run of
100,000 x 6); the second run loads the kernels from the cache.

The estimate uses ``state + 40 + 8·K`` bytes per employee (state = the per-employee
arrays, 151 + 8·K bytes; refitted for 0.6.0 to the measured growth between 100,000 and
300,000 employees, 252 bytes per employee at K = 6 and 367 at K = 16, after a large
organisation came to be built and assessed in blocks of rows and a finished model to be
freed at once: the 0.3.0 fit, 16 + 36·K, was 308 and 750), 464 MB fixed (covering the
cold-cache compile measured here) and 16 kB per week, doubled for the employees and weeks
of a control arm (both models are alive at the end; the doubling is generous).
:func:`check_memory` refuses a scenario whose estimate exceeds
80% of the memory available, before anything is allocated.

The fixed part varies between environments by tens of MB (which libraries a run has
imported: since plots stopped importing pyplot at module load a run holds ~300 MB before
its arrays here, not ~350), so ``tests/test_reliability.py`` checks the estimate as an
upper bound at 100,000 and 300,000 employees and its per-employee growth within 1.5x of
the measured growth (1.14x at K = 6, 1.22x at K = 16 when last run).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sim.analysis.evaluation import has_control_arm
from sim.config import Scenario
from sim.errors import MentorsimError

FIXED_OVERHEAD_BYTES = 464 * 2**20
WORK_BYTES_PER_EMPLOYEE = 40
WORK_BYTES_PER_EMPLOYEE_COMPETENCY = 8
BYTES_PER_WEEK = 16 * 2**10
MAX_SHARE = 0.8


class ResourceLimitError(MentorsimError):
    """A run would need more memory (or other resources) than the machine has."""


def state_bytes_per_employee(n_competencies: int) -> int:
    """Bytes of the per-employee arrays of :class:`sim.model.workforce.Workforce`.

    Counted from the workforce module: the skills (K float64), the traits
    (``TRAIT_DIMENSIONS`` float64), the identity and history arrays made in
    ``Workforce.__init__`` and every array of ``_PERSON_STATE``, plus the two leaver masks.
    """
    from sim.model.workforce import _PERSON_STATE, TRAIT_DIMENSIONS

    fixed = {  # Workforce.__init__, besides _PERSON_STATE
        "aptitude": np.float64, "group": np.int8, "role": np.int8, "age_years": np.float64,
        "active": np.bool_, "pid": np.int64, "hire_week": np.int32,
        "proficient_week": np.int32, "_quit_mask": np.bool_, "_retire_mask": np.bool_,
        "willingness": np.float64,
    }
    total = sum(np.dtype(d).itemsize for d in fixed.values())
    total += sum(np.dtype(d).itemsize for d, _ in _PERSON_STATE.values())
    total += 8 * TRAIT_DIMENSIONS + 8 * n_competencies
    return total


def estimate_memory_bytes(scenario: Scenario) -> int:
    """Upper bound of the peak resident memory of a run of ``scenario``, in bytes.

    Args:
        scenario: The validated scenario.

    Returns:
        Fixed overhead + employees x (state + working arrays) + weeks x time series row,
        with the employees and weeks counted twice when a control arm is run.

    """
    return estimate_bytes(scenario.organisation.headcount, scenario.n_competencies,
                          scenario.horizon_weeks, arms(scenario))


def arms(scenario: Scenario) -> int:
    """Models alive at the end of a run of ``scenario``: 2 with a control arm, else 1."""
    return 2 if has_control_arm(scenario) else 1


def estimate_bytes(headcount: int, n_competencies: int, horizon_weeks: int,
                   n_arms: int = 1) -> int:
    """:func:`estimate_memory_bytes` from the sizes that drive it.

    Args:
        headcount: Employees.
        n_competencies: Competencies K.
        horizon_weeks: Weeks simulated.
        n_arms: 2 with a control arm, else 1.

    """
    per_employee = (state_bytes_per_employee(n_competencies) + WORK_BYTES_PER_EMPLOYEE
                    + WORK_BYTES_PER_EMPLOYEE_COMPETENCY * n_competencies)
    weeks = horizon_weeks + 1
    return int(FIXED_OVERHEAD_BYTES
               + n_arms * (headcount * per_employee + weeks * BYTES_PER_WEEK))


def available_memory_bytes() -> int:
    """Memory this process can still use, in bytes.

    ``MemAvailable`` from ``/proc/meminfo`` (else free physical pages from
    ``os.sysconf``), capped by a cgroup v2 memory limit if one is set.
    """
    available = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError, IndexError):
        available = None
    if available is None:
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            available = 2**63 - 1  # unknown: do not refuse
    limit = _cgroup_headroom()
    return min(available, limit) if limit is not None else available


def _cgroup_headroom() -> int | None:
    """Bytes left under a cgroup v2 memory limit, or None without a limit."""
    root = Path("/sys/fs/cgroup")
    try:
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        current = int((root / "memory.current").read_text().strip())
        return max(int(limit) - current, 0)
    except (OSError, ValueError):
        return None


def format_bytes(n: int) -> str:
    """Bytes as ``"1.5 GB"`` or ``"464 MB"``, for messages."""
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def check_memory(scenario: Scenario, source: str = "<scenario>",
                 available: int | None = None) -> int:
    """Refuse a scenario that would need more than 80% of the memory available.

    Args:
        scenario: The validated scenario.
        source: Where it came from (file name), for the message.
        available: Bytes available (default: :func:`available_memory_bytes`).

    Returns:
        The estimate in bytes, when it fits.

    Raises:
        ResourceLimitError: One line with the estimate and what is available.

    """
    estimate = estimate_memory_bytes(scenario)
    available = available_memory_bytes() if available is None else available
    if estimate > MAX_SHARE * available:
        org = scenario.organisation
        raise ResourceLimitError(
            f"{source}: organisation.headcount = {org.headcount} with "
            f"{scenario.n_competencies} competencies needs about {format_bytes(estimate)} of "
            f"memory, but {format_bytes(available)} is available (at most "
            f"{int(MAX_SHARE * 100)}% may be used); reduce the headcount or the "
            "competencies, or use a larger machine"
        )
    return estimate

