"""MkDocs hook: publish repository files that live outside docs/, and fix links between them.

The notebooks live in ``notebooks/`` (jupytext pairs, run by the tests), the benchmark
figures in ``benchmarks/``, the contributor's guide and the changelog at the top of the
repository, and the Markdown in ``docs/`` links to them with repository-relative paths
(``../benchmarks/README.md``). This hook

* adds those files to the site at the same path they have in the repository
  (``notebooks/01_first_simulation.ipynb`` becomes the page ``notebooks/01_first_simulation/``,
  rendered and executed by mkdocs-jupyter), reading them in place, with no copy, symlink
  or generated file to keep in step; and
* rewrites each relative Markdown link of a page from a path between repository files to
  a path between site pages (``docs/X.md`` is the page ``X.md``; ``README.md`` is the home
  page), so the same Markdown reads right on the repository and on the site.

A link to a repository file that is not on the site (a source file, say) is left as it is,
and ``mkdocs build --strict`` reports it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

# Repository files published on the site, as glob patterns from the repository root.
PUBLISHED = (
    "notebooks/[0-9][0-9]_*.ipynb",
    "benchmarks/README.md",
    "benchmarks/figures/*.png",
    "CONTRIBUTING.md",
    "CHANGELOG.md",
)
# Repository files that are a different page on the site.
ALIASES = {"README.md": "index.md"}

_LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^)\s]+)(\))")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns notebooks into pages
def on_files(files: Files, config) -> Files:
    """Add the published repository files, read in place from the repository."""
    root = _root(config)
    for pattern in PUBLISHED:
        for path in sorted(root.glob(pattern)):
            uri = path.relative_to(root).as_posix()
            files.append(File(uri, src_dir=str(root), dest_dir=config.site_dir,
                              use_directory_urls=config.use_directory_urls))
    return files


def _repository_path(page, config) -> str:
    """Where the page's source file sits in the repository."""
    source = Path(page.file.abs_src_path).resolve()
    return source.relative_to(_root(config)).as_posix()


def _site_uri(repository_path: str, files: Files) -> str | None:
    if repository_path in ALIASES:
        return ALIASES[repository_path]
    if repository_path.startswith("docs/"):
        return repository_path[len("docs/"):]
    if files.get_file_from_path(repository_path) is not None:
        return repository_path
    return None


def _rewrite(markdown: str, here: str, page_uri: str, files: Files) -> str:
    def link(match: re.Match) -> str:
        target = match[2]
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
            return match[0]
        path, hash_, fragment = target.partition("#")
        uri = _site_uri(posixpath.normpath(posixpath.join(posixpath.dirname(here), path)),
                        files)
        if uri is None:
            return match[0]
        relative = posixpath.relpath(uri, posixpath.dirname(page_uri) or ".")
        return f"{match[1]}{relative}{hash_}{fragment}{match[3]}"

    out, last = [], 0
    for fence in _FENCE.finditer(markdown):  # leave code blocks alone
        out += [_LINK.sub(link, markdown[last:fence.start()]), fence[0]]
        last = fence.end()
    out.append(_LINK.sub(link, markdown[last:]))
    return "".join(out)


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    """Turn links between repository files into links between site pages."""
    return _rewrite(markdown, _repository_path(page, config), page.file.src_uri, files)
