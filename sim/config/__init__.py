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
    ProgrammeDesign,
    RelationshipSettings,
    Role,
    Scenario,
    ScheduledChange,
    WorkforceSettings,
)
from sim.config.toml import dumps_toml, read_toml

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
    "ProgrammeDesign",
    "RelationshipSettings",
    "Role",
    "Scenario",
    "ScheduledChange",
    "WorkforceSettings",
    "apply_overrides",
    "check_seed",
    "dumps_toml",
    "load_scenario",
    "parse_override",
    "read_toml",
    "scenario_from_dict",
    "with_overrides",
]
