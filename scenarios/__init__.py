"""The bundled scenarios, installed as the package ``sim.scenarios``.

This directory is mapped to ``sim.scenarios`` in ``pyproject.toml`` so that its TOML files
ship in the wheel as package data; :mod:`sim.config.bundled` finds them by name
(``mentorsim run mentoring``). The file makes the directory a regular package, which an
editable install needs to import it from here.
"""
