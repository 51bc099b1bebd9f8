"""Where results go: an output path checked before any work, and write faults in one line.

A command that writes a results directory calls :func:`check_output_path` on its
``--out`` (or its default) before it runs anything, so a path that cannot be written is
refused in one line at once rather than with a traceback after all the runs: an empty
path, ``.`` or ``..``, a name longer than the file system allows, a path under a plain
file, a plain file where a directory is wanted, and a place where nothing can be made (a
read-only file system, ``/proc``, a directory without write permission). The last is
found by making a hidden directory in the nearest existing parent and removing it again,
the only check that is true for root and for file systems that ignore permission bits;
an existing results directory is checked with ``access(2)`` instead, not written into.

:func:`write_errors` turns the faults of writing (a full disk, a quota, a file system
turned read-only, permission denied) into the same one-line error, naming the path.
Results are written atomically (:mod:`sim.experiment.store`), so such a fault leaves no
``manifest.json`` and nothing that looks complete.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from sim.errors import MentorsimError

NAME_MAX = 255
"""Longest file name (bytes) of the common file systems (ext4, xfs, btrfs, tmpfs, NTFS)."""
PATH_MAX = 4096
"""Longest path (bytes, with its final NUL) Linux takes in one system call."""
STAGING_EXTRA = 24
"""Bytes mentorsim adds to a name for its hidden staging names (``.NAME.xxxxxxxx.partial``)."""
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""The errors of writing that are the user's to fix (space, quota, read-only, permission)."""


class OutputPathError(MentorsimError):
    """An output path cannot be written: refused before the work, or a write failed."""


def fit_name(name: str, limit: int = NAME_MAX - STAGING_EXTRA) -> str:
    """``name`` if it fits in ``limit`` bytes, else a deterministic shorter one.

    A long name keeps its start and ends with ``-`` and 12 hex digits of its SHA-256, so
    the same long name always gives the same short one (a re-run resumes in the same
    directory) and different names give different ones.

    Args:
        name: A file or directory name (one path component).
        limit: Most bytes the result may have (UTF-8).

    Returns:
        The name, at most ``limit`` bytes long.

    """
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= limit:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:12]
    head = encoded[: limit - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}-{digest}"


def safe_name(text: str) -> str:
    """``text`` as one path component: its path separators replaced by ``_``.

    For default directory names made of a scenario's or plan's free-text name
    (``results/plan-<name>``), so that a name like ``"2027/Q1"`` or ``"../x"`` does not
    put the results in another directory.
    """
    for sep in {"/", "\\", os.sep, os.altsep} - {None}:
        text = text.replace(sep, "_")
    return text


def check_output_path(out: str | os.PathLike[str] | None, flag: str = "--out",
                      *, directory: bool = True) -> Path:
    """Check that results can be written at ``out``, before any work; return it as a Path.

    Nothing is created (the probe directory is removed at once) and an existing ``out``
    is left as it is: whether it holds results of the right kind is for the writer to
    decide.

    Args:
        out: The path given (``None`` is refused like the empty string: the caller
            substitutes its default before calling).
        flag: The option named in errors.
        directory: ``out`` is to be a directory (a plain file there is refused); False
            for a file.

    Returns:
        ``Path(out)``.

    Raises:
        OutputPathError: ``out`` is empty, names ``.``, ``..`` or ``/``, holds a control
            character, is longer than the system takes or has a name over 255 bytes, lies
            under a plain file or a broken link, is a plain file where a directory is
            wanted, or lies where nothing can be created (read-only file system,
            ``/proc``, no permission, a full disk).

    """
    text = "" if out is None else os.fspath(out)
    if not text.strip():
        raise OutputPathError(f"{flag} = {text!r}: an empty path; give a directory (or omit "
                              f"{flag} for the default)")
    path = Path(text)
    if path.name in {"", ".", ".."}:  # ".", "..", "/", "a/..": a directory that holds others
        raise OutputPathError(f"{flag} = {text!r}: name a directory of its own (e.g. "
                              f"{os.path.join(text, 'results')}), not . or .. or /")
    if any(char < " " or "\x7f" <= char <= "\x9f" for char in text):
        raise OutputPathError(f"{flag} = {text!r}: a control character in a path (a NUL "
                              "cannot be in one; a newline or escape would garble messages)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an undecodable byte of the command line
        raise OutputPathError(f"{flag} = {text!r}: not UTF-8 (pyarrow, which writes the "
                              "tables, takes only UTF-8 paths)") from None
    if len(os.fsencode(text)) + STAGING_EXTRA >= PATH_MAX:
        raise OutputPathError(f"{flag} = {_short(text)}: the path is {len(os.fsencode(text))} "
                              f"bytes; at most {PATH_MAX - STAGING_EXTRA - 1} (the system's "
                              f"limit is {PATH_MAX})")
    for i, part in enumerate(path.parts):
        size = len(os.fsencode(part))
        limit = NAME_MAX - STAGING_EXTRA if i == len(path.parts) - 1 else NAME_MAX
        if size > limit:
            raise OutputPathError(
                f"{flag} = {_short(text)}: the name {_short(part)} is {size} bytes; at most "
                f"{limit} (the file system allows {NAME_MAX}, and the results are staged "
                "under a longer hidden name)")
    existing = path
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if existing == path and path.exists():
        if directory and not path.is_dir():
            raise OutputPathError(f"{flag} = {text}: is a file, not a directory")
        if not directory and path.is_dir():
            raise OutputPathError(f"{flag} = {text}: is a directory, not a file")
    elif existing.exists() and not existing.is_dir():
        raise OutputPathError(f"{flag} = {text}: {existing} is a file, so nothing can be made "
                              "under it")
    elif not existing.exists():  # a dangling link or a loop on the way
        raise OutputPathError(f"{flag} = {text}: {existing} is a broken link (or a link "
                              "loop)")
    if existing == path and path.is_dir():  # results there already: look, do not touch
        _check_access(path, flag, text)
        _probe(path.parent, flag, text)  # a run directory is staged beside itself
    else:
        _probe(path.parent if existing == path else existing, flag, text)
    return path


def _probe(directory: Path, flag: str, text: str) -> None:
    """Make and remove a hidden directory in ``directory``; refuse if it cannot be made."""
    try:
        probe = tempfile.mkdtemp(prefix=".mentorsim-probe.", dir=directory)
    except OSError as exc:
        _refuse(exc, directory, flag, text)
    with contextlib.suppress(OSError):  # gone already (someone tidied up): it was made
        os.rmdir(probe)


def _check_access(directory: Path, flag: str, text: str) -> None:
    """Refuse an existing directory that cannot be written (checked without writing).

    ``access(2)`` answers EROFS on a read-only file system even for root; the directory
    itself is not probed, since another mentorsim process may be listing it.
    """
    if os.access(directory, os.W_OK | os.X_OK):
        return
    code = errno.EACCES
    with contextlib.suppress(OSError):
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            code = errno.EROFS
    _refuse(OSError(code, os.strerror(code)), directory, flag, text)


def _refuse(exc: OSError, directory: Path, flag: str, text: str) -> NoReturn:
    reason = exc.strerror or type(exc).__name__
    raise OutputPathError(f"{flag} = {text}: nothing can be written in {directory} "
                          f"({reason}){_hint(exc)}") from None


def _hint(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "; the file system is read-only"
    if exc.errno in {errno.EACCES, errno.EPERM}:
        return "; choose a directory you can write to"
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        return "; free some space or choose another disk"
    if exc.errno == errno.ENOENT:  # /proc, /sys: directories nothing can be made in
        return "; choose a directory on a disk (not /proc or /sys)"
    return ""


def _short(text: str, keep: int = 40) -> str:
    return repr(text) if len(text) <= keep else repr(text[:keep]) + f"... ({len(text)} chars)"


def is_write_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a fault of writing the user can fix (disk full, quota, read-only)."""
    if not isinstance(exc, OSError):
        return False
    if exc.errno in WRITE_ERRNOS:
        return True
    text = str(exc)  # pyarrow's IO errors carry the errno only in their message
    return any(os.strerror(code) in text for code in WRITE_ERRNOS)


@contextmanager
def write_errors(where: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Turn a write fault inside the block into one :class:`OutputPathError` line.

    Args:
        where: The results directory being written, named when the error has no path.

    Raises:
        OutputPathError: An ``OSError`` of :data:`WRITE_ERRNOS` (or a pyarrow IO error
            naming one) was raised inside the block.

    """
    try:
        yield
    except OSError as exc:
        if not is_write_error(exc):
            raise
        path = exc.filename or where or "results"
        reason = exc.strerror or str(exc).splitlines()[0]
        raise OutputPathError(f"{path}: cannot write ({reason}); nothing written looks "
                              "complete (no manifest.json): free space or choose another "
                              "--out, then run the same command again") from None
