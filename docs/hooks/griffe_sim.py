"""Griffe extension for the API reference: Sphinx roles as links; each object documented once.

sim's docstrings are Google style with reST inline markup: ``:func:`load_scenario```,
``:class:`~sim.model.model.MentoringModel```, ``Quick use::``. mkdocstrings renders
Markdown, where a role would show as literal text. This extension, listed under the
python handler's ``extensions`` in mkdocs.yml, rewrites each role into an optional
cross-reference (``<autoref identifier=... optional>``): a link when the target is on the
site, plain code when it is not (so an out-of-date name never fails the build). A short
name is resolved the way Python would, from the object's own scope outwards through the
names its module defines or imports; ``~`` shows the last component only. A paragraph
ending in ``::`` (a reST literal block follows) ends in ``:``.

Each package of sim re-exports its main names from the modules that define them
(``sim.config.Scenario`` is ``sim.config.schema.Scenario``). The reference documents each
object once, under the module that defines it: the re-exports are marked non-public, so
the package's section shows its docstring and its modules, not a second copy of each.
"""

from __future__ import annotations

import html
import re

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:mod|func|class|meth|attr|data|obj|exc|const):"
    r"`(?P<tilde>~)?(?P<target>[A-Za-z_][\w.]*)(?:\(\))?`"
)
_LITERAL = re.compile(r"(\S)::(\n\s*\n)")


def _resolve(obj: griffe.Object, target: str) -> str:
    first, _, rest = target.partition(".")
    scope = obj if obj.is_module or obj.is_class else obj.parent
    while scope is not None:
        member = scope.members.get(first)
        if member is not None:
            try:
                path = member.target_path if member.is_alias else member.path
            except griffe.AliasResolutionError:
                path = member.path
            return f"{path}.{rest}" if rest else path
        scope = scope.parent
    return target


def _objects(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)


class SimDocstrings(griffe.Extension):
    """Rewrite Sphinx roles and ``::`` markers; hide the packages' re-exports."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:  # noqa: D102
        for obj in _objects(pkg):
            if obj.is_module and obj.is_init_module and obj is not pkg:
                for member in obj.members.values():
                    if member.is_alias:
                        member.public = False
            if obj.docstring is None:
                continue

            def role(match: re.Match, obj=obj) -> str:
                target = match["target"]
                identifier = _resolve(obj, target)
                shown = target.rsplit(".", 1)[-1] if match["tilde"] else target
                return (f'<autoref identifier="{html.escape(identifier)}" optional>'
                        f"<code>{html.escape(shown)}</code></autoref>")

            value = _ROLE.sub(role, obj.docstring.value)
            obj.docstring.value = _LITERAL.sub(r"\1:\2", value)
