"""Process lifetime: signals in the command, and child processes that die with it.

Two halves:

* **In the parent** (the ``mentorsim`` command), :func:`handle_signals` makes SIGTERM
  behave like Ctrl-C: the first SIGINT or SIGTERM raises :class:`Interrupted` (a
  :class:`KeyboardInterrupt`, so every ``except KeyboardInterrupt`` cleans up as for
  Ctrl-C); a second one while the first is being handled does not wait for anything:
  it kills the registered child processes (:func:`register_children`) and leaves at
  once with exit code ``128 + signal`` (130 for SIGINT, 143 for SIGTERM).
* **In a child** (a worker of a process pool, the app's server), :func:`bind_to_parent`
  asks Linux to send it SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``, called
  through ctypes), so even a SIGKILL of the command, which nothing can catch, leaves no
  worker behind; where prctl is missing (not Linux) a daemon thread polls the parent's
  pid instead. Workers also ignore SIGINT: Ctrl-C reaches the whole foreground process
  group, and it is the parent's to stop them (a worker interrupted mid-run would only
  send back a ``KeyboardInterrupt`` as its result). A local Dask cluster's workers have
  their own watchdog: they exit when the pipe from their nanny, in this process, closes.

Linux sends the parent-death signal when the *thread* that started the child exits: the
process pool starts its workers from the thread that submits (the main thread of the
command).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

PR_SET_PDEATHSIG = 1
HANDLED = (signal.SIGINT, signal.SIGTERM)
_WATCHDOG_SECONDS = 1.0


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by the first SIGINT or SIGTERM.

    Attributes:
        signum: The signal received.

    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    """What the handler has seen (module state: there is one process)."""

    signum: int | None = None
    count = 0
    children: ClassVar[list[Callable[[], Iterable[int]]]] = []
    message: Callable[[int], str] | None = None
    outputs: ClassVar[dict[Path, tuple[int, int] | None]] = {}


def exit_code(signum: int) -> int:
    """The shell's exit code of a command stopped by ``signum`` (130, 143)."""
    return 128 + int(signum)


def received() -> int | None:
    """The first SIGINT or SIGTERM received under :func:`handle_signals`, or None."""
    return _State.signum


def _handler(signum: int, frame: Any) -> None:  # noqa: ARG001 - signal's signature
    _State.count += 1
    if _State.count == 1:
        _State.signum = signum
        raise Interrupted(signum)
    # A second signal: the first is being handled (workers stopping, files cleaned).
    # Do not wait for any of it: kill the children and go.
    kill_children()
    text = (_State.message(signum) if _State.message else "") or "stopped at once"
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"mentorsim: {signal.Signals(signum).name} again: {text}\n")
        sys.stderr.flush()
    os._exit(exit_code(_State.signum or signum))


@contextlib.contextmanager
def handle_signals(message: Callable[[int], str] | None = None,
                   keep: bool = False) -> Iterator[None]:
    """Handle SIGINT and SIGTERM as described in the module docstring, within the block.

    Args:
        message: Says what is on disk when a second signal stops the command at once
            (called with the signal; printed after ``mentorsim: SIGINT again:``).
        keep: After a signal, leave the handler in place on leaving the block (the
            command's ``main``): a second signal while the interpreter exits (joining
            the pool's threads) then still stops it at once with its exit code, not a
            traceback from Python's default handler.

    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return
    previous = {s: signal.getsignal(s) for s in HANDLED}
    _State.signum, _State.count, _State.message = None, 0, message
    for s in HANDLED:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        if not (keep and _State.count):
            for s, handler in previous.items():
                signal.signal(s, handler)


def register_children(pids: Callable[[], Iterable[int]]) -> Callable[[], None]:
    """Name child processes to kill if a second signal stops the command at once.

    Args:
        pids: Called when needed; returns the pids of the children alive then.

    Returns:
        A function that removes the registration.

    """
    _State.children.append(pids)

    def unregister() -> None:
        with contextlib.suppress(ValueError):
            _State.children.remove(pids)

    return unregister


def kill_children() -> None:
    """SIGKILL every registered child process (those already gone are skipped)."""
    for pids in list(_State.children):
        try:
            found = list(pids())
        except Exception:  # noqa: BLE001, S112 - a registry gone stale: nothing to kill
            continue
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


# --- what is on disk ---------------------------------------------------------------------
MANIFEST = "manifest.json"  # as sim.experiment.store.MANIFEST (not imported: kept light)


def _manifest_stamp(directory: Path) -> tuple[int, int] | None:
    try:
        stat = (directory / MANIFEST).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def declare_output(directory: str | Path) -> Path:
    """Name a results directory this command writes, for the message if it is stopped.

    Records whether the directory's ``manifest.json`` exists now (and which file it is),
    so :func:`describe_outputs` can tell results written by this command from earlier
    ones.

    Returns:
        The directory, as a path.

    """
    path = Path(directory)
    if not any(os.path.abspath(p) == os.path.abspath(path) for p in _State.outputs):
        _State.outputs[path] = _manifest_stamp(path)
    return path


def forget_outputs() -> None:
    """Forget the declared directories (a new command starts)."""
    _State.outputs.clear()


def describe_outputs() -> str:
    """What is on disk in the declared directories, in words (true at the time of asking).

    Each directory is one of: complete and written by this command (its manifest is new),
    unchanged (the manifest it had at the start is still there), incomplete (no
    manifest: not to be used; finished runs of a sweep are kept for a re-run), or not
    written. Without a declared directory: ``""``.
    """
    parts = []
    for path, before in _State.outputs.items():
        now = _manifest_stamp(path)
        if now is not None and now != before:
            parts.append(f"{path} was written and is complete")
        elif now is not None:
            parts.append(f"{path} is unchanged (its earlier complete results are kept)")
        elif (path / "runs").is_dir():
            parts.append(f"{path} is incomplete (no manifest.json); its finished runs are "
                         f"kept in {path / 'runs'}/: run the same command again to resume")
        elif path.is_dir() and any(path.iterdir()):
            parts.append(f"{path} is incomplete (no manifest.json): run the same command "
                         "again")
        else:
            parts.append(f"no results were written to {path}")
    return "; ".join(parts)


# --- in the child ------------------------------------------------------------------------
def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies.

    Returns:
        Whether it was set (False where ``prctl`` is unavailable).

    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def bind_to_parent(parent_pid: int) -> None:
    """Make this process die with the process ``parent_pid`` (its parent).

    Sets the parent-death signal to SIGKILL (or, without prctl, starts a watchdog
    thread polling the parent's pid once a second); if the parent is already gone (it
    died before this ran), exits at once.
    """
    if not set_parent_death_signal(signal.SIGKILL):
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                         name="mentorsim-parent-watchdog").start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_WATCHDOG_SECONDS)
    os._exit(1)


def ignore_interrupts() -> None:
    """Ignore SIGINT in this process (a worker: the parent stops it)."""
    with contextlib.suppress(ValueError):  # not the main thread: leave it
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def by_name(fn: Callable[[], Any] | None) -> Callable[[], Any] | str | None:
    """``"module:name"`` of a module-level function (else the function itself).

    A worker's initializer arguments are unpickled before it runs, and unpickling a
    function imports its module (the model, pandas, pyabc: seconds); passed by name, the
    warm-up is imported by :func:`init_worker` after the worker is bound to its parent,
    so a parent killed meanwhile leaves no worker importing on.
    """
    if fn is None or "<" in getattr(fn, "__qualname__", "<"):
        return fn
    return f"{fn.__module__}:{fn.__qualname__}"


def init_worker(parent_pid: int, warm_up: Callable[[], Any] | str | None = None) -> None:
    """A worker's initializer: die with the parent, leave Ctrl-C to it, then warm up.

    Args:
        parent_pid: The pid of the process that started the worker.
        warm_up: The client's warm-up (see :func:`sim.experiment.executors.make_executor`),
            or its :func:`by_name`.

    """
    bind_to_parent(parent_pid)
    ignore_interrupts()
    if isinstance(warm_up, str):
        module, _, name = warm_up.partition(":")
        warm_up = getattr(importlib.import_module(module), name)
    if warm_up is not None:
        warm_up()


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child dies with this process.

    The parent-death signal survives ``exec``, so a server started this way is killed
    when the command is, even by SIGKILL.
    """

    def preexec() -> None:
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


def _live_processes(field: int, value: int) -> list[int]:
    """Pids of live (not zombie) processes whose ``/proc/PID/stat`` field is ``value``.

    ``field`` counts from the state (0: state, 1: parent pid, 3: process group).
    """
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()
        if len(fields) > field and fields[0] != "Z" and int(fields[field]) == value:
            found.append(int(stat.parent.name))
    return found


def children_of(pid: int) -> list[int]:
    """Pids of the live processes whose parent is ``pid`` (read from ``/proc``)."""
    return _live_processes(1, pid)


def group_members(pgid: int) -> list[int]:
    """Pids of the live processes of the process group ``pgid`` (read from ``/proc``)."""
    return _live_processes(3, pgid)
