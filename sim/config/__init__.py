"""Configuration: the scenario schema, TOML in and out, overrides and seeds.

The lowest layer but :mod:`sim.errors`: it imports nothing else of :mod:`sim`. A scenario
is validated here, once, into a frozen :class:`Scenario`; code past this edge trusts it.
"""

from sim.config.loading import (
    apply_overrides,
    check_seed,
    load_scenario,
    parse_override,
    scenario_from_dict,
    with_overrides,
)
from sim.config.schema import (
    MAX_SEED,
    Attitudes,
    Causes,
    EnvironmentSettings,
    Evaluation,
    Group,
    Informal,
    Learning,
    Organisation,
    Prior,
    ProgrammeDesign,
    RelationshipSettings,
    Role,
    Scenario,
    ScheduledChange,
    Uncertainty,
    WorkforceSettings,
)
from sim.config.toml import dumps_toml, read_toml
from sim.config.uncertainty import apply_draw, draw_parameters, prior_set, resolved_priors

__all__ = [
    "MAX_SEED",
    "Attitudes",
    "Causes",
    "EnvironmentSettings",
    "Evaluation",
    "Group",
    "Informal",
    "Learning",
    "Organisation",
    "Prior",
    "ProgrammeDesign",
    "RelationshipSettings",
    "Role",
    "Scenario",
    "ScheduledChange",
    "Uncertainty",
    "WorkforceSettings",
    "apply_draw",
    "apply_overrides",
    "check_seed",
    "draw_parameters",
    "dumps_toml",
    "load_scenario",
    "parse_override",
    "prior_set",
    "read_toml",
    "resolved_priors",
    "scenario_from_dict",
    "with_overrides",
]
