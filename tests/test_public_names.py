"""No public top-level function or class name is defined twice anywhere in sim/.

Each CLI command module defines ``register`` and ``execute`` (the command interface);
those are the only names allowed in several modules.
"""

import ast
from collections import defaultdict
from pathlib import Path

from tests.paths import ROOT

SIM = ROOT / "sim"
PER_COMMAND = {"register", "execute"}


def public_definitions(path: Path) -> list[str]:
    """The public functions and classes defined at the top level of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name for node in tree.body
            if isinstance(node, kinds) and not node.name.startswith("_")]


def duplicates(root: Path) -> dict[str, list[str]]:
    """Public names defined in more than one module under ``root``, with their modules."""
    where = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root.parent).with_suffix("").as_posix().replace("/", ".")
        for name in public_definitions(path):
            if name in PER_COMMAND and path.parent.name == "cli":
                continue
            where[name].append(module)
    return {name: modules for name, modules in where.items() if len(modules) > 1}


def test_no_public_name_is_defined_twice():
    found = duplicates(SIM)
    assert not found, "defined more than once: " + "; ".join(
        f"{name} in {', '.join(modules)}" for name, modules in sorted(found.items()))


def test_the_check_finds_a_duplicate(tmp_path):
    package = tmp_path / "pkg"
    (package / "cli").mkdir(parents=True)
    (package / "a.py").write_text("def plot_tornado():\n    pass\n\nclass Thing:\n    pass\n")
    (package / "b.py").write_text("def plot_tornado(x):\n    pass\n\ndef _private():\n    pass\n")
    (package / "c.py").write_text("def _private():\n    pass\n\nThing = 1\n")
    (package / "cli" / "one.py").write_text("def register():\n    pass\n")
    (package / "cli" / "two.py").write_text("def register():\n    pass\n")
    assert duplicates(package) == {"plot_tornado": ["pkg.a", "pkg.b"]}
