"""The C allocator's policy for the model's arrays: keep freed memory, give it back on request.

glibc serves an allocation above its mmap threshold (at most 32 MB) with a fresh mapping
and unmaps it when it is freed, so the next array of that size faults every page in
again. A week at a million employees makes such arrays (the mentoring deltas: 38 MB at
K = 16; at ten million, every per-person float64 temporary is 80 MB), and on this
project's VM a fresh page costs 2-5 us: up to 9,400 faults, 20-45 ms, in one call
(``docs/performance.md``, "Levers of issue 16"). :func:`keep_freed_memory` tells glibc to
serve every allocation from its heap and not to trim the heap, so a week reuses last
week's memory; :func:`return_freed_memory` gives the free part back to the system (for
a process that runs one large model after another, between runs).

Like the threading policy (:mod:`sim.kernels.threads`), this is a process-wide setting
applied on first use (the first :class:`~sim.model.model.MentoringModel`), and only
where glibc is the C library; ``MENTORSIM_KEEP_FREED_MEMORY=0`` in the environment leaves
the allocator as it is. It changes no number. Standard library only, so the light module
that releases memory between runs (:mod:`sim.experiment.memory`) imports it too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_TRIM_AT = 2**31 - 1  # bytes free at the heap top before glibc trims (mallopt takes an int)

_applied: bool | None = None  # None: not tried yet


def _libc():
    """glibc, or None where the C library is another (musl, macOS) or not loadable."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory() -> bool:
    """Serve every allocation from the heap and keep freed memory there for reuse.

    Idempotent: applied once per process.

    Returns:
        Whether the policy is in force (False where the C library is not glibc, or
        ``MENTORSIM_KEEP_FREED_MEMORY=0``).

    """
    global _applied
    if _applied is None:
        libc = None if os.environ.get("MENTORSIM_KEEP_FREED_MEMORY") == "0" else _libc()
        _applied = bool(
            libc is not None
            and libc.mallopt(_M_MMAP_MAX, 0) == 1
            and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_AT) == 1
        )
    return _applied


def return_freed_memory() -> bool:
    """Give the heap's free memory back to the system (glibc's ``malloc_trim(0)``).

    Returns:
        Whether any memory was given back (False also where the C library is not glibc).

    """
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
