"""Input checks the public kernel wrappers share: each raises a ``ValueError`` naming what.

Cheap by design (O(1), or one vectorised pass where a range must hold): they run once per
call, never inside a kernel's loop.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def require(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)


def require_vector(name: str, array: np.ndarray, length: int, dtype: type) -> None:
    """Require a numpy array of shape ``(length,)`` and dtype ``dtype``."""
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{name} must be a numpy array")
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), got {array.shape}")
    if array.dtype != dtype:
        raise ValueError(f"{name} must be {np.dtype(dtype)}, got {array.dtype}")


def require_vectors(length: int, vectors: Iterable[tuple[str, np.ndarray, type]]) -> None:
    """Require every ``(name, array, dtype)`` to be a vector of ``length`` of its dtype."""
    for name, array, dtype in vectors:
        require_vector(name, array, length, dtype)
