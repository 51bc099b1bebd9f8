import pytest

from sim.config import load_scenario


@pytest.fixture
def small_scenario():
    """A 200-person organisation over 30 weeks with a programme switched on."""
    return load_scenario(
        "mentoring",
        {"organisation.headcount": 200, "horizon_weeks": 30, "programme.start_week": 0,
         "programme.duration_weeks": 20},
    )


@pytest.fixture
def small_baseline():
    return load_scenario(
        "baseline", {"organisation.headcount": 200, "horizon_weeks": 30}
    )
