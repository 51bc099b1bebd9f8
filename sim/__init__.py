"""mentorsim: an agent-based simulator of mentoring as a performance-improvement programme.

Quick use::

    import sim
    model = sim.MentoringModel("mentoring").run()   # a bundled scenario, or a TOML file
    model.timeseries().tail()

The package's names are loaded on first use, so ``mentorsim validate`` and other light
commands do not pay for importing Mesa, pandas and numba.
"""

from importlib import import_module
from typing import Any

__version__ = "0.6.0"

_LAZY = {
    "MentoringModel": "sim.model.model",
    "Scenario": "sim.config",
    "load_scenario": "sim.config",
    "MentorsimError": "sim.errors",
    "ResultsError": "sim.errors",
    "ScenarioError": "sim.errors",
}

__all__ = [*_LAZY, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
