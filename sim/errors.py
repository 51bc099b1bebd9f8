"""The one error family of mentorsim.

The CLI catches :class:`MentorsimError` and prints its message on one line; anything
else escaping is a bug and keeps its traceback.
"""


class MentorsimError(Exception):
    """Base class of every error that is the user's to fix (bad input, missing file)."""


class ScenarioError(MentorsimError):
    """A scenario file or override is malformed, unknown or out of range."""


class ResultsError(MentorsimError):
    """A results directory is missing, incomplete or from an incompatible version."""
