"""A run's figures drawn in a child process, its matplotlib imported while the run computes.

Importing matplotlib and drawing a first figure costs about as much as a small run
itself. :class:`FigureProcess` imports pandas (both processes need it) and forks a child
at once, before the parent imports the model; the child imports matplotlib and the
figure modules, draws a throw-away figure (fonts and the PNG writer loaded) and forks a
warm helper, on the other core while the parent imports the model and runs, then waits.
The parent hands it the run's :class:`~sim.viz.run_report.RunFigureData` and a directory
(:meth:`FigureProcess.submit`), writes its data files meanwhile, and waits for the
answer (:meth:`FigureProcess.wait`) before it writes the manifest, so a directory never
looks complete before its figures are written::

    with FigureProcess() as drawer:  # forks here
        result = run_scenario(...)
        with staged_directory(out, RUN_FILES) as staging, drawer:  # stopped first on a fault
            hook = drawer.submit(RunFigureData.of(result), staging)
            write_run_files(staging, result, hook)

Entered again inside the staging block, it is stopped before a failed staging directory
is removed, so it never draws into a directory being removed.

An exception while drawing is raised again in the parent (the child's traceback added as
a note); a child that dies raises :class:`FigureProcessError`. The child ignores Ctrl-C
(the parent handles it and stops the child), runs at a lower priority
(:data:`NICENESS`), ends at SIGTERM whatever handler the parent had installed, dies with
the parent (:func:`sim.experiment.lifetime.bind_to_parent`; a second signal kills it
with the other registered children), and is killed and reaped when the ``with`` block is
left: it has nothing to clean up, since the staging directory it may have been drawing
into is removed after. Where ``fork`` is not available the figures are drawn in the
calling process, as before; so they are where the process may use only one CPU, or where
every other CPU is busy at the start (a child would only take turns with the run).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiment import lifetime

if TYPE_CHECKING:
    from sim.experiment.results import FigureHook
    from sim.experiment.run import RunResult
    from sim.viz.run_report import RunFigureData

#: Niceness added to the child (and its helper): with no idle core, its imports take
#: turns with the run's, and the run should win (measured at load 2: the data ready at
#: 1.53 s instead of 1.78 s, 1.43 s without a child; whole command 2.41 s against 2.50 s).
NICENESS = 10
_in_child = False  # True in a child: its helper inherits the niceness, adds none
#: Relative cost of drawing each figure (measured), to share them between two processes.
COSTS = {"plot.png": 2.0, "gaps.png": 1.0, "programme_vs_control.png": 4.0,
         "effect_profile.png": 1.5, "equity.png": 3.0}


class FigureProcessError(RuntimeError):
    """The process drawing the figures ended without answering (killed, or crashed)."""


class FigureProcess:
    """A child process that draws one run's figures (see the module's docstring).

    Args:
        enabled: False for no figures at all (``--no-plots``): no child, and
            :meth:`submit` returns None.
        warm: Draw a throw-away figure once the modules are imported (loads the fonts and
            the PNG writer before the run's figures are wanted).
        split: After its warm-up the child forks a helper of its own (ready and warm),
            and the two share the figures (:func:`share`): the parent only waits, so
            both cores draw.

    """

    def __init__(self, enabled: bool = True, warm: bool = True, split: bool = True) -> None:
        self.enabled = enabled
        self._pending: tuple[RunFigureData, Path, list[str] | None] | None = None
        self._unregister = lambda: None
        self._process: Any = None
        self._conn: Connection | None = None
        if not enabled or not _can_overlap():
            return  # no figures, or drawn in this process by wait()
        import pandas  # noqa: F401 - both processes need it: imported once, then shared

        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child_end, self._conn, os.getpid(), warm, split, 0 if _in_child else NICENESS),
            name="mentorsim-figures")  # not a daemon: it may fork a helper; always closed
        self._process.start()
        child_end.close()
        self._unregister = lifetime.register_children(self._pids)

    def _pids(self) -> list[int]:
        return [self._process.pid] if self._process is not None else []

    def submit(self, data: RunFigureData, directory: str | Path,
               names: list[str] | None = None) -> FigureHook | None:
        """Start drawing ``data``'s figures into ``directory`` (returns at once).

        Args:
            data: The run's figure data.
            directory: Where the figures go.
            names: Only these figures (see :func:`sim.viz.run_report.draw_run_figures`).

        Returns:
            The figure hook to give :func:`sim.experiment.results.write_run_files` (it
            waits for the figures: :meth:`hook`), or None when not enabled.

        """
        if not self.enabled:
            return None
        if self._pending is not None:
            raise RuntimeError("FigureProcess draws one run's figures")
        self._pending = (data, Path(directory), names)
        if self._conn is not None:
            self._conn.send((data, str(directory), names))
        return self.hook

    def wait(self) -> list[Path]:
        """Wait for the figures submitted; re-raise an exception the drawing raised.

        Returns:
            The files written.

        Raises:
            FigureProcessError: The child ended without answering.

        """
        if self._pending is None:
            raise RuntimeError("FigureProcess.wait: nothing submitted")
        if self._conn is None:
            from sim.viz import run_report

            return run_report.draw_run_figures(*self._pending)
        try:
            reply = self._conn.recv()
        except (EOFError, OSError):
            self._process.join(timeout=5)
            raise FigureProcessError(
                f"the process drawing the figures ended (exit code "
                f"{self._process.exitcode}) before writing them") from None
        if reply[0] == "done":
            return [Path(p) for p in reply[1]]
        _, error, text = reply
        error.add_note(f"raised while drawing the figures, in the child process:\n{text}")
        raise error

    def hook(self, result: RunResult, directory: Path) -> list[Path]:
        """The figure hook of :func:`sim.experiment.results.write_run_files`: :meth:`wait`."""
        return self.wait()

    def close(self) -> None:
        """Kill the child (drawing or not) and reap it; safe to call twice."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process = None
        self._unregister()

    def __enter__(self) -> FigureProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _can_overlap() -> bool:
    """Whether a child can draw beside this process: ``fork`` exists and a CPU is idle.

    With one CPU of ours, or every other CPU busy now (another job running: the kernel's
    count of runnable tasks, ``/proc/loadavg``, the least of three looks), the child
    would only take turns with the run and cost its own imports (measured with one core
    busy: 2.89 s with a child, 2.61 s without).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    count = len(cpus) if cpus is not None else os.cpu_count() or 1
    others = _others_running()
    return count >= 2 and (others is None or others < count - 1)


def _others_running() -> int | None:
    """Tasks running or runnable now besides this one (None where the kernel does not say)."""
    seen = []
    for _ in range(3):
        try:
            fields = Path("/proc/loadavg").read_text().split()
            seen.append(int(fields[3].split("/")[0]) - 1)  # this process is one of them
        except (OSError, ValueError, IndexError):
            return None
        time.sleep(0.001)
    return min(seen)


def share(names: list[str]) -> tuple[list[str], list[str]]:
    """Split figures between two processes, costliest first to the less loaded (by COSTS)."""
    parts: tuple[list[str], list[str]] = ([], [])
    loads = [0.0, 0.0]
    for name in sorted(names, key=lambda n: -COSTS.get(n, 2.0)):
        i = 0 if loads[0] <= loads[1] else 1
        parts[i].append(name)
        loads[i] += COSTS.get(name, 2.0)
    return parts


def _serve(conn: Connection, parent_end: Connection, parent: int, warm: bool,
           split: bool, niceness: int) -> None:
    """The child: import and warm up, then draw the one job the parent sends."""
    parent_end.close()  # so the parent's end closing reaches this process as EOF
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler: just end
    lifetime.ignore_interrupts()  # the parent handles Ctrl-C and stops us
    lifetime.bind_to_parent(parent)
    if niceness:
        os.nice(niceness)  # on a busy machine the run's imports come first (none when idle)
    global _in_child
    _in_child = True  # a helper forked from here keeps this niceness
    failed: Exception | None = None
    helper = None
    try:
        try:
            import sim.viz.run_report  # noqa: F401 - imported while the parent computes

            if warm:
                _warm_up()
            if split:
                helper = FigureProcess(warm=False, split=False)  # forked warm, waits
        except Exception as exc:  # noqa: BLE001 - reported when the figures are wanted
            failed = exc
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone or no longer wants figures
        reply = _answer(job, helper, failed)
    finally:
        if helper is not None:
            helper.close()
    conn.send(reply)


def _answer(job: tuple[RunFigureData, str, list[str] | None], helper: FigureProcess | None,
            failed: Exception | None) -> tuple[Any, ...]:
    """Draw the job's figures: ``("done", paths)`` or ``("failed", error, traceback)``."""
    try:
        if failed is not None:
            raise failed
        return ("done", [str(p) for p in _draw(*job, helper)])
    except Exception as exc:  # noqa: BLE001 - every error goes back to the parent
        text = traceback.format_exc()
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return ("failed", exc, text)


def _draw(data: RunFigureData, directory: str, names: list[str] | None,
          helper: FigureProcess | None) -> list[Path]:
    """Draw the figures, sharing them with ``helper`` if there is one."""
    from sim.viz import run_report

    if helper is None:
        return run_report.draw_run_figures(data, directory, names)
    every = run_report.figure_names(data)
    mine, theirs = share(every if names is None else [n for n in every if n in names])
    if theirs:
        helper.submit(data, directory, theirs)
    drawn = run_report.draw_run_figures(data, directory, mine)
    if theirs:
        drawn += helper.wait()
    order = {name: i for i, name in enumerate(every)}
    return sorted((Path(p) for p in drawn), key=lambda p: order[p.name])


def _warm_up() -> None:
    """Draw a small throw-away figure in the house style (fonts, text, PNG writer)."""
    import io

    from sim.viz.style import figure, house_style

    with house_style():
        fig, axes = figure(1, 1, (2.0, 1.5))
        axes[0, 0].plot([0, 1], [0, 1], label="warm")
        axes[0, 0].set_title("warm")
        axes[0, 0].legend(loc="best")
        fig.savefig(io.BytesIO(), format="png")
