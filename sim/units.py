"""Units of time, in one place: the model's step is one week.

The bottom layer beside :mod:`sim.errors`: it imports nothing. Every conversion between
years, months and weeks in :mod:`sim` uses these constants, so a year is 52 weeks and a
month 52/12 weeks everywhere (the golden numbers depend on these exact values and on the
order of the operations that use them).
"""

from __future__ import annotations

WEEKS_PER_YEAR = 52.0
"""Weeks in a year: the model's year is exactly 52 one-week steps."""

MONTHS_PER_YEAR = 12.0
"""Months in a year."""

WEEKS_PER_MONTH = WEEKS_PER_YEAR / MONTHS_PER_YEAR
"""Weeks in a month (52 / 12 = 4.333...)."""

__all__ = ["MONTHS_PER_YEAR", "WEEKS_PER_MONTH", "WEEKS_PER_YEAR"]
