"""Thread policy of the parallel kernels: serial twins, when to go parallel, how many threads.

Importing this module changes nothing outside it: it neither reads sysfs nor touches
``os.environ`` or ``numba.config``. The process-wide settings are applied by
:func:`configure_threading`, once per process, and every public entry point that can
start numba's threads calls it first (:func:`kernel_for`, :func:`set_threads`, hence
every kernel wrapper and the model). A program that runs numba parallel code of its own
before any kernel of ours should call it first, since numba fixes its threading layer when
it starts its threads. The size of the last-level cache is read from sysfs on the first
:func:`kernel_for` (:func:`parallel_min_bytes`).

The policy:

* **Threading layer**: OpenMP with the passive wait policy where numba has it, else
  numba's own workqueue layer. Passive OpenMP threads sleep between parallel regions
  instead of spinning, so a core held by another process does not slow them many times
  over, and they start faster than the workqueue layer's
  (``python benchmarks/threading_layers.py [--busy]`` measures the three). The user's
  ``NUMBA_THREADING_LAYER`` and ``OMP_WAIT_POLICY`` win.
* **Serial twins**: each parallel kernel is compiled twice from one source, threaded and
  serial (:func:`with_serial_twin`); :func:`kernel_for` takes the serial twin while a call
  touches less than a quarter of the last-level cache.
* **Thread count**: all cores, or what :func:`set_threads` says (sweeps set 1 per worker).

None of this changes a number: each row is computed by one thread with the same code.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from pathlib import Path

import numba
from numba import njit
from numba.np.ufunc import parallel as _numba_parallel

# Serial twins of the parallel kernels: the same source compiled without threads, for
# small organisations, where waking worker threads costs more than the work (and a
# worker pool already has one process per core). ``SERIAL[parallel_kernel]`` is its twin.
SERIAL: dict = {}

LAYER_PRIORITY = ("omp", "workqueue", "tbb")  # numba's threading layers, first found wins
OMP_WAIT_POLICY = "passive"

_took_hold: bool | None = None  # None: the policy is not applied yet
_parallel_min_bytes: int | None = None  # None: a quarter of the last-level cache, read lazily
_thread_limit: int | None = None


def with_serial_twin(**options) -> Callable:
    """Compile a ``prange`` kernel twice: parallel (returned) and serial (in ``SERIAL``).

    Args:
        **options: Further ``numba.njit`` options of both versions (``cache=True`` always).

    """

    def decorate(fn):
        name = f"{fn.__name__}_serial"
        twin = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__,
                                  fn.__closure__)
        twin.__qualname__ = name
        twin.__doc__ = f"Serial twin of :func:`{fn.__name__}` (same source, one thread)."
        parallel = njit(cache=True, parallel=True, **options)(fn)
        SERIAL[parallel] = njit(cache=True, **options)(twin)
        return parallel

    return decorate


def configure_threading() -> bool:
    """Apply the threading policy to this process: OpenMP with passive wait, else workqueue.

    Sets ``OMP_WAIT_POLICY=passive`` unless the environment has a wait policy, and numba's
    threading-layer priority to ``LAYER_PRIORITY`` unless ``NUMBA_THREADING_LAYER`` is set.
    Idempotent and cheap after the first call. Called by :func:`kernel_for` and
    :func:`set_threads`; call it yourself before numba parallel code of your own.

    Returns:
        Whether the policy took hold: False when numba had started its threads (and chosen
        a layer) before the first call.

    """
    global _took_hold
    if _took_hold is None:
        _took_hold = not _numba_parallel._is_initialized
        os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)
        if "NUMBA_THREADING_LAYER" not in os.environ:
            numba.config.THREADING_LAYER_PRIORITY = list(LAYER_PRIORITY)
            numba.config.THREADING_LAYER = "default"
    return _took_hold


CPU_CACHE = Path("/sys/devices/system/cpu/cpu0/cache")


def last_level_cache_bytes(default: int = 32 * 2**20, root: Path = CPU_CACHE) -> int:
    """Size of the largest CPU cache this machine reports, else ``default``.

    Args:
        default: Bytes to assume where no size can be read.
        root: The directory of the CPU's ``index*/size`` files (Linux sysfs).

    """
    sizes = []
    for entry in Path(root).glob("index*/size"):
        try:
            text = entry.read_text().strip().upper()
            sizes.append(int(text[:-1]) * {"K": 2**10, "M": 2**20}[text[-1]]
                         if text[-1] in "KM" else int(text))
        except (OSError, ValueError, KeyError, IndexError):
            continue
    return max(sizes) if sizes else default


# A kernel runs on one thread while the data it touches is small: the rest of the week
# runs on the main thread, and waking a second thread and moving cache-resident data to
# it costs more than it saves. Measured whole weeks, one thread against two (OpenMP,
# passive wait): N = 1e4, K = 32: 1.2 against 1.7 ms; N = 3e4, K = 16: 2.5 against 2.6 ms;
# N = 1e5, K = 32: 9.4 against 8.4 ms; N = 1e6, K = 16: 97 against 71 ms. The crossover,
# near 8 MB of touched data, is a quarter of this machine's last-level cache.
def parallel_min_bytes() -> int:
    """Bytes of touched data from which a kernel goes parallel (a quarter of the LLC).

    Read from sysfs on the first call, unless :func:`set_parallel_min_bytes` set it.
    """
    global _parallel_min_bytes
    if _parallel_min_bytes is None:
        _parallel_min_bytes = last_level_cache_bytes() // 4
    return _parallel_min_bytes


def set_parallel_min_bytes(n_bytes: int | None) -> int | None:
    """Set the threshold of :func:`parallel_min_bytes` (None: back to a quarter of the LLC).

    Tests set 0 (always parallel) or a huge value (always the serial twins).

    Returns:
        The previous setting (None if it was the default and not read yet), to restore.

    """
    global _parallel_min_bytes
    previous = _parallel_min_bytes
    _parallel_min_bytes = None if n_bytes is None else int(n_bytes)
    return previous


def threads_for(n_bytes: int) -> int:
    """How many threads a kernel that touches ``n_bytes`` of data should use."""
    limit = numba.config.NUMBA_NUM_THREADS if _thread_limit is None else _thread_limit
    return 1 if n_bytes < parallel_min_bytes() else limit


def kernel_for(kernel, n_rows: int, bytes_per_row: int):
    """The parallel ``kernel`` or, where one thread serves the work best, its serial twin.

    Applies the threading policy first (:func:`configure_threading`, once per process).

    Args:
        kernel: A parallel kernel made by :func:`with_serial_twin` (a key of ``SERIAL``).
        n_rows: Rows the call visits.
        bytes_per_row: Bytes of data it touches per row (its footprint, not its traffic).

    """
    if _took_hold is None:
        configure_threading()
    return SERIAL[kernel] if threads_for(n_rows * bytes_per_row) == 1 else kernel


def set_threads(threads: int | None) -> int:
    """Set how many threads the parallel kernels use in this thread (None: all cores).

    Results do not depend on it (counter-based draws, start-of-week snapshots); sweeps
    running one model per core set it to 1 so workers do not oversubscribe the machine.
    Applies the threading policy first, since this starts numba's threads.

    Returns:
        The thread count now in force.

    """
    global _thread_limit
    configure_threading()
    _thread_limit = threads
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS if threads is None else threads)
    return numba.get_num_threads()
