"""An exclusive lock on a results directory: one writer at a time, stale locks taken over.

Every command that writes a results directory (``run``, ``sweep``, ``compare``, ``plan``,
``calibrate``, ``optimise``, ``rollout``, ``rerun --out``) holds the directory's lock from
before it changes anything there until its manifest is written. The lock is
:func:`fcntl.flock` on a lock file beside the directory, ``.NAME.lock`` (beside, not
inside, because a directory written as a whole is replaced by a rename); the file holds
the holder's identity (pid, host, start time, command) as JSON, so a second writer is
refused with one line naming the directory and the holder::

    results/smoke: in use by another mentorsim process (pid 4242 on host lab1, since
    2026-12-01T19:10:00+00:00: mentorsim sweep smoke.toml); wait for it to finish, or
    use another --out

The kernel releases a ``flock`` when its holder dies however it dies (SIGKILL, a crash),
so a lock file whose lock can be taken but which still names a holder was left by a dead
writer: it is taken over with a one-line notice. The holder removes the lock file when it
is done (unlinking it while still holding the lock; a writer that locked the file just
before it was unlinked notices that the path no longer names its file and tries again).

Caveat: ``flock`` is shared between machines only where the filesystem supports it
(local disks; NFSv4 emulates it with POSIX locks). On a filesystem where it is local to
each machine, two machines writing one directory are not kept apart.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.errors import ResultsError

_HELD: dict[tuple[int, str], tuple[int, int]] = {}
"""Locks this process holds: (thread, lock file path) -> (file descriptor, nesting depth).

Nested calls in one thread count; another thread of the process is refused like another
process (``flock`` locks of two open files conflict even within one process)."""


def _forget_in_child() -> None:
    """In a forked child: close the inherited lock files, so the locks die with the parent.

    A ``flock`` lock lasts while any descriptor of its open file does: a child that
    outlived its parent (a figure-drawing process, say) would otherwise keep the parent's
    directory locked.
    """
    for fd, _ in _HELD.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def lock_path(directory: str | Path) -> Path:
    """The lock file of a results directory: ``.NAME.lock`` beside it (links resolved)."""
    directory = Path(directory).resolve()
    return directory.parent / f".{directory.name}.lock"


def _key(directory: str | Path) -> tuple[int, str]:
    return threading.get_ident(), str(lock_path(directory))


def notice(message: str) -> None:
    """Tell the user, on one line on stderr, something done for them (not an error)."""
    print(f"mentorsim: notice: {message}", file=sys.stderr, flush=True)


def _identity() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300]
            if sys.argv and sys.argv[0] else ""}


def _read_holder(fd: int) -> dict[str, Any]:
    """The identity written in an open lock file ({} if empty or unreadable)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 65536).decode("utf-8") or "{}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_holder(holder: dict[str, Any]) -> str:
    """``pid 4242 on host lab1, since <time>: <command>`` (what is known of it)."""
    if not holder:
        return "holder unknown"
    text = f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')}, since " \
           f"{holder.get('started', '?')}"
    return f"{text}: {holder['command']}" if holder.get("command") else text


def _open_locked(path: Path, directory: Path) -> int:
    """Open ``path`` and take its lock (no waiting); the descriptor of the locked file."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ResultsError(f"{directory}: cannot make the lock file {path} "
                               f"({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise ResultsError(f"{directory}: cannot lock {path} "
                                   f"({exc.strerror or exc})") from None
            raise ResultsError(
                f"{directory}: in use by another mentorsim process ({describe_holder(holder)})"
                "; wait for it to finish, or use another --out") from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we locked it: lock the new one


def acquire(directory: str | Path) -> None:
    """Take the lock of ``directory`` (nested calls in one process just count).

    Raises:
        ResultsError: Another process holds it (one line naming the directory and the
            holder), or the lock file cannot be made.

    """
    directory = Path(directory)
    key = _key(directory)
    path = Path(key[1])
    if key in _HELD:
        fd, depth = _HELD[key]
        _HELD[key] = (fd, depth + 1)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsError(f"{directory}: cannot make the directory it goes in "
                           f"({exc.strerror or exc})") from None
    fd = _open_locked(path, directory)
    previous = _read_holder(fd)
    if previous:
        notice(f"{directory}: took over a stale lock ({describe_holder(previous)}; that "
               "process is gone)")
    text = json.dumps(_identity()).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, text, 0)
    _HELD[key] = (fd, 1)


def release(directory: str | Path) -> None:
    """Release the lock of ``directory`` (the outermost release removes the lock file)."""
    key = _key(directory)
    if key not in _HELD:
        return
    fd, depth = _HELD[key]
    if depth > 1:
        _HELD[key] = (fd, depth - 1)
        return
    del _HELD[key]
    try:
        if os.path.samestat(os.fstat(fd), os.stat(key[1])):
            os.unlink(key[1])  # while still locked: see the module docstring
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def locked(directory: str | Path) -> Iterator[Path]:
    """Hold the lock of ``directory`` for the ``with`` block.

    ::

        with locked(out):
            ...  # the only writer of out

    Yields:
        The directory.

    Raises:
        ResultsError: Another process holds the lock (see :func:`acquire`).

    """
    directory = Path(directory)
    acquire(directory)
    try:
        yield directory
    finally:
        release(directory)


def holds(directory: str | Path) -> bool:
    """Whether this process holds the lock of ``directory``."""
    return _key(directory) in _HELD
