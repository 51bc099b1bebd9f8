"""Priors over scenario fields and their Latin-hypercube draws (honest uncertainty).

A scenario's ``[uncertainty]`` table names bundled prior sets (``include``) and its own
distributions (``priors``, by dotted field name; :class:`~sim.config.schema.Prior`).
:func:`resolved_priors` merges them (the scenario's own win), :func:`draw_parameters`
draws ``n`` parameter sets by Latin hypercube (one per replication, the same for every
design of a comparison), and :func:`apply_draw` gives the scenario with one set applied.
Draws outside a field's range are moved to its nearest end; int fields are rounded.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from typing import Any

import numpy as np

from sim.config.loading import with_overrides
from sim.config.schema import Prior, Scenario, check_prior, numeric_field
from sim.errors import ScenarioError

PRIOR_SETS: dict[str, str] = {"literature": "literature_priors.toml"}


def prior_set(name: str) -> dict[str, Prior]:
    """A bundled prior set by name (``"literature"``), validated.

    Raises:
        ScenarioError: An unknown name (the bundled ones are listed).

    """
    if name not in PRIOR_SETS:
        raise ScenarioError(f"uncertainty.include: {name!r} is not a bundled prior set "
                            f"(bundled: {', '.join(sorted(PRIOR_SETS))})")
    text = resources.files("sim.config").joinpath(PRIOR_SETS[name]).read_text("utf-8")
    priors = {}
    for dotted, table in tomllib.loads(text).items():
        prior = Prior.model_validate(table)
        check_prior(dotted, prior, f"{PRIOR_SETS[name]}: {dotted}")
        priors[dotted] = prior
    return priors


def resolved_priors(scenario: Scenario) -> dict[str, Prior]:
    """The scenario's priors: its included sets, then its own (which replace them)."""
    priors: dict[str, Prior] = {}
    for name in scenario.uncertainty.include:
        priors.update(prior_set(name))
    priors.update(scenario.uncertainty.priors)
    return dict(sorted(priors.items()))


def draw_parameters(priors: dict[str, Prior], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter sets by Latin hypercube over ``priors`` (each a dotted-key dict).

    Args:
        priors: Distributions by dotted field name (:func:`resolved_priors`).
        n: How many sets (one per replication).
        seed: Seed of the hypercube (the same seed gives the same sets).

    Returns:
        ``n`` dicts of dotted field name -> value (empty dicts without priors).

    """
    if not priors:
        return [{} for _ in range(n)]
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(priors), seed=np.random.default_rng(seed)).random(n)
    return prior_values(priors, unit)


# Inverse-transform sampling: a uniform column u on (0, 1) mapped through a prior's ppf
# (quantile function) has exactly that prior's distribution, whatever the prior, and a
# stratified (Latin hypercube) or low-discrepancy (Sobol/Saltelli) design on the unit cube
# stays one in probability space, so the same mapping serves every design.
_EDGE = 1e-12  # keep u off 0 and 1, where an unbounded prior's ppf is infinite


def prior_values(priors: dict[str, Prior], unit: Any) -> list[dict[str, Any]]:
    """Parameter sets from points of the unit cube, each column through its prior's ppf.

    Args:
        priors: Distributions by dotted field name, in column order.
        unit: An ``(n, len(priors))`` array of values in [0, 1].

    Returns:
        ``n`` dicts of dotted field name -> value, moved into the field's range, int
        fields rounded.

    """
    unit = np.clip(np.asarray(unit, dtype=float), _EDGE, 1.0 - _EDGE)
    draws: list[dict[str, Any]] = [{} for _ in range(unit.shape[0])]
    for j, name in enumerate(priors):
        values = priors[name].frozen().ppf(unit[:, j])
        kind, lo, lo_open, hi, hi_open = numeric_field(name)
        values = np.clip(values, _inside(lo, lo_open, +1), _inside(hi, hi_open, -1))
        for i, value in enumerate(values.tolist()):
            draws[i][name] = int(round(value)) if kind is int else float(value)
    return draws


def _inside(bound: float | None, open_: bool, direction: int) -> float:
    """A bound as the nearest value a field accepts (just inside an open bound)."""
    if bound is None:
        return math.inf * -direction
    return float(np.nextafter(bound, bound + direction)) if open_ else float(bound)


def apply_draw(scenario: Scenario, draw: dict[str, Any], source: str = "<prior draw>"
               ) -> Scenario:
    """The scenario with one parameter set applied (validated as any override)."""
    return with_overrides(scenario, draw, source)
