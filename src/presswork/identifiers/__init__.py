"""Citing by identifier (`[@doi:...]`, `@pmid:`, `@arxiv:` ...), frozen offline.

`presswork refs fetch` resolves every identifier cited into one committed CSL-JSON file,
`references/identifiers.json`; the build reads that file like any other reference file and
never touches the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from presswork.identifiers.syntax import Identifier, parse, prefix_of

if TYPE_CHECKING:
    from presswork.errors import PressworkError
    from presswork.project import Project

__all__ = ["Identifier", "key_parts", "parse", "prefix_of", "resolve_ast"]


def resolve_ast(proj: Project, ast: dict[str, Any]) -> list[PressworkError]:
    """Rewrite the AST's Cite ids to normalised keys; the identifiers not fetched, as problems.

    The one call the build makes, right after pandoc's parse.
    """
    from presswork.identifiers.keys import aliases, not_fetched, rewrite_ast

    rewrite_ast(ast, aliases(proj))
    return not_fetched(proj, ast)


def key_parts(proj: Project) -> list[str]:
    """What the build's content key must also cover: the tags file, read outside the chapters."""
    from presswork.identifiers.keys import TAGS_FILE

    path = proj.root / proj.settings.manuscript_dir / TAGS_FILE
    return [TAGS_FILE, path.read_text(encoding="utf-8")] if path.is_file() else []
