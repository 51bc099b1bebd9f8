"""mentorsim: an agent-based simulator of mentoring as a performance-improvement programme."""

__version__ = "0.1.0"
