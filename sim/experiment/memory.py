"""Memory given back between runs (the serial executor's calls, every pool worker's).

A finished model is garbage in reference cycles (Mesa's model and its agents), which
Python's full collection reaches only after many new objects, and a model makes few:
without a collection, a serial sweep kept every large run's arrays (a 400,000-employee
run: +234 MB after the sweep), and the C heap kept the pages freed. Standard library
only, so :mod:`sim.experiment.executors` stays light.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from sim.allocator import return_freed_memory

RELEASE_GROWTH_BYTES = 128 * 2**20


class _Released:
    """Resident memory after the last release (per process)."""

    baseline: int | None = None


def resident_bytes() -> int:
    """Resident memory of this process now (``/proc/self/statm``), in bytes; 0 if unknown."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def release_memory() -> None:
    """Give memory of finished runs back: collect reference cycles, trim the C heap.

    A finished model is garbage in reference cycles (Mesa's model and its agents), which
    Python's full collection reaches only after many new objects, and a model makes few:
    without this a serial sweep kept every large run's arrays. ``malloc_trim(0)`` (glibc)
    then returns the freed heap pages to the system.
    """
    gc.collect()
    return_freed_memory()


def release_if_grown(threshold: int = RELEASE_GROWTH_BYTES) -> bool:
    """:func:`release_memory` if resident memory grew by ``threshold`` since the last time.

    A full collection costs ~0.2 s in a process that has imported the model, more than a
    small run, so it is done only after a run that left the process larger.

    Returns:
        Whether memory was released.

    """
    now = resident_bytes()
    if _Released.baseline is None or now < _Released.baseline:
        _Released.baseline = now
        return False
    if now - _Released.baseline < threshold:
        return False
    release_memory()
    _Released.baseline = resident_bytes()
    return True


def call_releasing(fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)``, then :func:`release_if_grown` (an executor's call)."""
    if _Released.baseline is None:
        _Released.baseline = resident_bytes()
    try:
        return fn(*args, **kwargs)
    finally:
        release_if_grown()
