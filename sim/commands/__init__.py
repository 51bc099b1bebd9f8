"""Subcommands of the ``mentorsim`` command, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets ``func`` to a
function taking the parsed arguments and returning an exit code.
"""
