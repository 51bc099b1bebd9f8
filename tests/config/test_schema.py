"""The scenario schema (sim.config.schema): defaults and what each section refuses."""

from sim.config import load_scenario


def test_defaults_are_the_baseline():
    scenario = load_scenario()
    assert scenario.organisation.headcount == 1000
    assert abs(sum(scenario.organisation.strategic_weights) - 1) < 1e-9
    assert scenario.programme.enabled is False
