"""mentorsim: an agent-based simulator of mentoring as a performance-improvement programme.

Quick use::

    import sim
    model = sim.MentoringModel("scenarios/mentoring.toml").run()
    model.timeseries().tail()
"""

from sim.config import Scenario, load_scenario
from sim.errors import MentorsimError, ResultsError, ScenarioError
from sim.model import MentoringModel

__version__ = "0.1.0"

__all__ = [
    "MentoringModel",
    "MentorsimError",
    "ResultsError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
]
