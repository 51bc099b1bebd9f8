"""The model: :class:`MentoringModel` and its parts, stepping the workforce arrays.

Configuration flows in from :mod:`sim.config`; the model steps arrays through
:mod:`sim.kernels`; the reporters read the arrays. Nothing here knows of files, runners
or figures.
"""

from sim.model.agents import Employee
from sim.model.model import MentoringModel

__all__ = ["Employee", "MentoringModel"]
