"""Executors: in-process, a local process pool, or Dask, behind one interface.

All three are :class:`concurrent.futures.Executor`s, made by :func:`make_executor` as
context managers, so one code path (``submit`` plus ``concurrent.futures.wait``) serves::

    with make_executor("processes", workers=2, warm_up=load_model) as ex:
        future = ex.submit(fn, *args)

Nothing here knows what runs on it: the client passes the worker warm-up (a module-level
function, run once in every new worker process; the sweep runner's imports the model so
numba's cached kernels are loaded before the first run). Importing mesa forces
multiprocessing's start method to ``spawn``; the process pool gets an explicit spawn
context and its workers are reused across calls, so the start-up is paid once per worker.

Workers die with the process that started them: every pool worker is bound to it
(:func:`sim.experiment.lifetime.init_worker`: SIGKILL on the parent's death, SIGINT left
to the parent), and leaving the ``with`` block by an exception (Ctrl-C, SIGTERM, an
error) ends the pool's workers instead of waiting for their runs; leaving it normally
waits for them. A local Dask cluster's worker processes exit by themselves when the pipe
from their nanny (in this process) closes, which a SIGKILL of this process does too
(Dask's own watchdog, ``distributed.process``); tests/cli/test_signals.py checks both.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from sim.errors import MentorsimError
from sim.experiment import lifetime
from sim.experiment.memory import call_releasing

ExecutorKind = Literal["serial", "processes", "dask"]
KINDS: tuple[str, ...] = ("serial", "processes", "dask")


class SerialExecutor(Executor):
    """Runs each submitted call at once, in this process (for debugging and small sweeps).

    Attributes:
        workers: Always 1.

    """

    workers = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now and return its finished future.

        Memory a call leaves behind is released after it
        (:func:`sim.experiment.memory.call_releasing`).
        """
        future: Future = Future()
        try:
            future.set_result(call_releasing(fn, *args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - the future carries it
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future


class _ReleasingPool(ProcessPoolExecutor):
    """A process pool whose workers release a finished call's memory (see SerialExecutor)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit ``fn(*args, **kwargs)``, run through :func:`call_releasing`."""
        return super().submit(call_releasing, fn, *args, **kwargs)


def default_workers() -> int:
    """Number of CPUs this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def check_options(kind: str, workers: int | None) -> None:
    """Check an executor kind and worker count before anything is started or written.

    Raises:
        MentorsimError: Unknown kind, fewer than one worker, or more than
            :func:`sim.experiment.limits.max_workers`.

    """
    from sim.experiment.limits import check_workers

    if kind not in KINDS:
        raise MentorsimError(f"--executor = {kind!r}: expected one of {', '.join(KINDS)}")
    if workers is not None and workers < 1:
        raise MentorsimError(f"--workers = {workers}: expected at least 1")
    if workers is not None and kind != "serial":
        check_workers(workers)


@contextmanager
def make_executor(
    kind: str = "serial", workers: int | None = None, scheduler: str | None = None,
    warm_up: Callable[[], Any] | None = None,
) -> Iterator[Executor]:
    """An executor of the given kind, shut down on leaving the ``with`` block.

    Args:
        kind: ``"serial"``, ``"processes"`` or ``"dask"``.
        workers: Worker processes (processes; dask local cluster); default: CPUs.
        scheduler: Address of a running Dask scheduler; None starts a
            ``LocalCluster(n_workers=workers, threads_per_worker=1)``.
        warm_up: Run once in every worker process before its first call (a picklable,
            module-level function); not run by the serial executor, whose process has
            what the caller imported.

    Yields:
        The executor; its ``workers`` attribute says how many runs go at once.

    Raises:
        MentorsimError: Unknown kind, or Dask is not installed or unreachable.

    """
    check_options(kind, workers)
    if kind == "serial":
        yield SerialExecutor()
    elif kind == "processes":
        n = workers or default_workers()
        pool = _ReleasingPool(
            max_workers=n, mp_context=multiprocessing.get_context("spawn"),
            initializer=lifetime.init_worker, initargs=(os.getpid(), lifetime.by_name(warm_up)),
        )
        pool.workers = n  # type: ignore[attr-defined]
        unregister = lifetime.register_children(lambda: _pool_pids(pool))
        try:
            yield pool
        except BaseException:
            stop_pool(pool)
            raise
        else:
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except BaseException:  # a Ctrl-C while the last runs finish: stop, do not wait
                stop_pool(pool)
                raise
        finally:
            unregister()
    else:
        with _dask_executor(workers, scheduler, warm_up) as executor:
            yield executor


def _pool_pids(pool: ProcessPoolExecutor) -> list[int]:
    processes = getattr(pool, "_processes", None) or {}
    return [p.pid for p in list(processes.values()) if p.pid is not None]


def stop_pool(pool: ProcessPoolExecutor, grace_seconds: float = 2.0) -> None:
    """Stop a process pool now: cancel what is queued, end its workers, do not wait.

    The workers are sent SIGTERM, then SIGKILL after ``grace_seconds`` if still alive;
    ``shutdown(wait=True)`` would wait for the runs in progress, which is what a second
    Ctrl-C used to hang on.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(grace_seconds)
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
                process.join(grace_seconds)


@contextmanager
def _dask_executor(workers: int | None, scheduler: str | None,
                   warm_up: Callable[[], Any] | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MentorsimError(
            "--executor dask needs dask.distributed: pip install -e '.[dask]'"
        ) from None
    cluster = None
    unregister = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,  # not a warning per task cancelled by Ctrl-C
            )
            unregister = lifetime.register_children(lambda: lifetime.children_of(os.getpid()))
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="20s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        if unregister is not None:
            unregister()
        raise MentorsimError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    try:
        if warm_up is not None:
            client.run(warm_up)
        executor = client.get_executor(pure=False)
        threads = sum(client.nthreads().values())
        executor.workers = max(threads, 1)  # type: ignore[attr-defined]
        yield executor
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        if unregister is not None:
            unregister()
