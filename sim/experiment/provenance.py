"""Provenance: which model code produced a set of results.

:func:`fingerprint` hashes the source of the code that shapes a run's numbers (the
packages :mod:`sim.config`, :mod:`sim.kernels`, :mod:`sim.model` and :mod:`sim.march`,
the evaluation and the single-run module; sorted by path, ``__pycache__`` excluded)
together with the mentorsim version, and records the git commit when the package sits
in a git checkout.
Results written by different code are not mixed: a sweep directory whose recorded code
fingerprint differs from the running code's is refused on resume (see
:mod:`sim.experiment.runner`). The git commit is informative only; it is not compared, since
a commit can change files that do not touch the model and an edited working tree keeps
its commit.

:func:`cpu` names the processor numba compiles the kernels for and its instruction-set
features. The kernels' sums are compiled with ``reassoc`` (LLVM may reorder them into
vector lanes), so the last bits of a result can differ between CPUs of different vector
widths; the CPU is recorded beside the code but not compared on resume (the runs of one
sweep may run on a cluster of mixed machines), and ``mentorsim rerun`` names it when a
run does not reproduce.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
from pathlib import Path
from typing import Any

from sim.config import Scenario
from sim.config.roster import read_roster

PACKAGE = Path(__file__).resolve().parent.parent
# The code that shapes numbers; an edit to the CLI, the runner, the figures or the app
# does not change a run's results, so it must not block resuming a sweep.
_PATTERNS = (
    "config/*.py",
    "kernels/*.py",
    "model/*.py",
    "march/*.py",
    "analysis/evaluation.py",
    "experiment/run.py",
    "errors.py",
)


def source_files(package: Path = PACKAGE) -> list[Path]:
    """The files whose contents make up the code fingerprint, sorted by relative path."""
    found = {p for pattern in _PATTERNS for p in package.glob(pattern)
             if "__pycache__" not in p.parts}
    return sorted(found, key=lambda p: p.relative_to(package).as_posix())


def code_hash(package: Path = PACKAGE, version: str | None = None) -> str:
    """SHA-256 over the package's source files and the mentorsim version.

    Args:
        package: The package directory (default: the installed ``sim``).
        version: The mentorsim version (default: ``sim.__version__``).

    Returns:
        The hex digest; equal for byte-identical source and the same version.

    """
    if version is None:
        from sim import __version__ as version
    digest = hashlib.sha256()
    digest.update(f"mentorsim {version}\0".encode())
    for path in source_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def git_commit(directory: Path = PACKAGE) -> str | None:
    """The git commit checked out around ``directory`` (``+dirty`` if edited), or None."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory,
                              capture_output=True, text=True, timeout=5)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=directory,
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return f"{commit}+dirty" if status.returncode == 0 and status.stdout.strip() else commit


@functools.lru_cache(maxsize=1)
def fingerprint() -> dict[str, Any]:
    """Provenance of this process's model code and CPU (computed once per process).

    Returns:
        ``{"code": sha256 hex, "version": mentorsim version, "git_commit": commit or None,
        "files": number of source files hashed, "cpu": see cpu()}``.

    """
    from sim import __version__

    return {
        "code": code_hash(PACKAGE, __version__),
        "version": __version__,
        "git_commit": git_commit(PACKAGE),
        "files": len(source_files(PACKAGE)),
        "cpu": cpu(),
    }


def roster_record(scenario: Scenario) -> dict[str, Any] | None:
    """What a manifest records of a scenario's roster file: resolved path, SHA-256, rows.

    The roster's people stay out of it (no ids, no ratings); the digest tells whether a
    re-run reads the same file.

    Returns:
        ``{"path": absolute path, "sha256": hex digest, "rows": number of staff}``, or
        None when the scenario has no ``[roster]``.

    Raises:
        ScenarioError: The roster file is missing or bad (one line).

    """
    if scenario.roster is None:
        return None
    return read_roster(scenario).manifest()


@functools.lru_cache(maxsize=1)
def cpu() -> dict[str, Any]:
    """The CPU numba compiles the kernels for, as numba chooses it.

    The host's (``llvmlite.binding.get_host_cpu_name()`` and ``get_host_cpu_features()``)
    unless ``NUMBA_CPU_NAME`` / ``NUMBA_CPU_FEATURES`` name another, and without the AVX
    features when ``NUMBA_ENABLE_AVX=0``.

    Returns:
        ``{"name": e.g. "znver4", "features": sorted names of the enabled features}``.

    """
    import llvmlite.binding as llvm
    from numba.core import codegen, config

    name = config.CPU_NAME or llvm.get_host_cpu_name()
    flags = config.CPU_FEATURES if config.CPU_FEATURES is not None \
        else codegen.get_host_cpu_features()
    features = sorted(f[1:] for f in flags.split(",") if f.startswith("+"))
    return {"name": name, "features": features}


def describe_cpu_difference(found: dict[str, Any] | None, current: dict[str, Any]) -> str:
    """Say whether a recorded CPU is the running one, and how they differ.

    Args:
        found: The CPU recorded with some results (see :func:`cpu`), or None.
        current: The running process's CPU.

    Returns:
        Text such as ``"the same as recorded (znver4, 80 features)"`` or ``"differs from
        the recorded one: recorded haswell, this is znver4; features only now: avx512f"``.

    """
    here = current.get("name", "?")
    if not found:
        return f"not recorded with the run; this is {here}"
    then, now = set(found.get("features") or ()), set(current.get("features") or ())
    if found.get("name") == here and then == now:
        return f"the same as recorded ({here}, {len(now)} features)"
    parts = []
    for label, names in (("only then", then - now), ("only now", now - then)):
        if names:
            shown = ", ".join(sorted(names)[:8]) + (", ..." if len(names) > 8 else "")
            parts.append(f"features {label}: {shown}")
    detail = "; ".join(parts) or "the same features"
    return (f"differs from the recorded one: recorded {found.get('name', '?')}, this is "
            f"{here}; {detail} (reassoc sums may differ across vector widths)")


def describe_difference(found: dict[str, Any] | None, current: dict[str, Any]) -> str:
    """Say in a few words how recorded provenance differs from the current one.

    Args:
        found: Provenance recorded with some results (None if none was recorded).
        current: The running code's provenance (see :func:`fingerprint`).

    Returns:
        Text such as ``"written by mentorsim 0.1.0 (code 1a2b3c4d5e6f, commit 89ab...)
        and this is mentorsim 0.1.0 (code 0f1e2d3c4b5a, ...)"``.

    """
    def label(p: dict[str, Any]) -> str:
        commit = p.get("git_commit")
        where = f", commit {commit[:12]}{'+dirty' if commit.endswith('+dirty') else ''}" \
            if commit else ""
        return f"mentorsim {p.get('version', '?')} (code {str(p.get('code', '?'))[:12]}{where})"

    if not found:
        return f"written before code provenance was recorded; this is {label(current)}"
    return f"written by {label(found)}, this is {label(current)}"


def same_code(found: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    """Whether recorded provenance names the same model code and version as ``current``."""
    return bool(found) and found.get("code") == current.get("code") \
        and found.get("version") == current.get("version")
