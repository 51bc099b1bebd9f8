"""The ``mentorsim`` command: each subcommand parses, calls the library and prints."""

from sim.cli.parser import build_parser, main

__all__ = ["build_parser", "main"]
