"""The organisation's environment: required-skill profile, strategic weights, change.

The winds of change blow three ways: the required levels drift (a random walk with a
trend), random shocks raise one competency's requirement at a time, and scheduled
changes set a requirement or a strategic weight on a given week. The work uses each
competency in proportion to the level it requires, which is what learning by doing and
forgetting read (``usage``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim.config import Scenario
from sim.units import WEEKS_PER_YEAR

MIN_REQUIRED = 0.05


class Environment:
    """Required levels and strategic weights over the K competencies, changing weekly.

    Args:
        scenario: The validated scenario.
        rng: The environment's own Generator (spawned from the model's), so that a
            programme's random choices never shift the environment's draws.

    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        org = scenario.organisation
        self.competencies: list[str] = list(org.competencies)
        self.required = np.array(org.required_levels, dtype=np.float64)
        self.weights = np.array(org.strategic_weights, dtype=np.float64)
        self.rng = rng
        env = scenario.environment
        self._drift_mean = env.trend_per_year / WEEKS_PER_YEAR
        self._drift_sd = env.drift_sd_per_year / np.sqrt(WEEKS_PER_YEAR)
        self._shock_rate = env.shocks_per_year / WEEKS_PER_YEAR
        self._shock_size = env.shock_size
        self._changes: dict[int, list] = defaultdict(list)
        for change in env.changes:
            self._changes[change.week].append(change)
        self.shocks = 0
        self.apply_scheduled(0)
        self.initial_required = self.required.copy()

    @property
    def usage(self) -> np.ndarray:
        """How much the work uses each competency, in [0, 1]: its required level."""
        return self.required

    def update(self, week: int) -> None:
        """Advance the environment to ``week``: drift, shocks, then scheduled changes."""
        k = self.required.shape[0]
        if self._drift_sd > 0 or self._drift_mean != 0:
            self.required += self.rng.normal(self._drift_mean, self._drift_sd, size=k)
        n_shocks = int(self.rng.poisson(self._shock_rate)) if self._shock_rate > 0 else 0
        for _ in range(n_shocks):
            self.required[int(self.rng.integers(k))] += self._shock_size
        self.shocks += n_shocks
        np.clip(self.required, MIN_REQUIRED, 1.0, out=self.required)
        self.apply_scheduled(week)

    def apply_scheduled(self, week: int) -> None:
        """Apply the scheduled changes of ``week`` (requirements and strategic weights)."""
        for change in self._changes.get(week, ()):
            k = self.competencies.index(change.competency)
            if change.required_level is not None:
                self.required[k] = change.required_level
            if change.strategic_weight is not None:
                self._set_weight(k, change.strategic_weight)

    def _set_weight(self, k: int, weight: float) -> None:
        others = np.ones_like(self.weights, dtype=bool)
        others[k] = False
        rest = self.weights[others].sum()
        if rest > 0:
            self.weights[others] *= (1.0 - weight) / rest
        elif others.any():
            self.weights[others] = (1.0 - weight) / others.sum()
        self.weights[k] = weight if others.any() else 1.0
