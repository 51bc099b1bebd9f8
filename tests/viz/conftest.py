"""Small real model output that the figure tests draw from."""

import pandas as pd
import pytest

from sim.model import MentoringModel
from tests.paths import MENTORING

SMALL = {"organisation__headcount": 150, "horizon_weeks": 30, "programme__duration_weeks": 20,
         "programme__start_week": 0, "informal__enabled": True}


@pytest.fixture(scope="session")
def runs():
    """Programme and control, three replications each (same seeds), as a long frame."""
    frames = []
    for design, extra in (("programme", {}), ("control", {"programme__enabled": False})):
        for r in range(3):
            model = MentoringModel(MENTORING, rng=100 + r, **SMALL, **extra)
            frame = model.run().timeseries().reset_index()
            frames.append(frame.assign(design=design, replication=r))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def model():
    """One small model run to its horizon, with formal and informal pairs."""
    return MentoringModel(MENTORING, rng=7, **SMALL).run()
