"""Citation keys the manuscript uses but the references lack, located in the source files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from presswork.ast import walk
from presswork.crossref import is_crossref_key
from presswork.errors import InputError, PressworkError
from presswork.identifiers.syntax import prefix_of
from presswork.project import Project
from presswork.styles import Style


def cited_keys(node: Any) -> Iterator[str]:
    """Every citation id in a pandoc JSON AST, in document order (metadata included)."""
    for item in walk(node):
        if item.get("t") == "Cite":
            for citation in item["c"][0]:
                yield citation["citationId"]


def _locate(proj: Project, key: str) -> tuple[str | None, int | None, int | None]:
    pattern = re.compile(rf"(?<![\w.@-])-?@{re.escape(key)}(?![\w:/-]*\w)")
    for chapter in proj.chapters:
        match = pattern.search(chapter.text)
        if match:
            line = chapter.text.count("\n", 0, match.start()) + 1
            column = match.start() - (chapter.text.rfind("\n", 0, match.start()) + 1) + 1
            return chapter.path, line, column
    return None, None, None


def check_citations(proj: Project, ast: dict[str, Any]) -> list[PressworkError]:
    """One problem per key cited but not defined in any reference file."""
    known = {ref.id for ref in proj.references}
    problems = []
    seen: set[str] = set()
    for key in cited_keys(ast.get("blocks", [])):
        if key in known or key in seen or is_crossref_key(key) or prefix_of(key) is not None:
            continue  # identifiers not fetched have their own message (identifiers.keys)
        seen.add(key)
        file, line, column = _locate(proj, key)
        problems.append(
            PressworkError(f"citation '@{key}' is not in the references", file, line, column)
        )
    return problems


def distinct_cited(ast: dict[str, Any], known: set[str]) -> list[str]:
    """The defined works the document cites, each once, in order; `nocite: @*` cites them all."""
    order: dict[str, None] = {}
    for key in cited_keys(ast):
        if key == "*":
            order.update(dict.fromkeys(sorted(known)))
        elif key in known:
            order[key] = None
    return list(order)


def check_cited_limit(proj: Project, ast: dict[str, Any], style_list: list[Style]) -> None:
    """Refuse, before pandoc runs, a build that would spend hours in pandoc's citeproc.

    Styles that compare every cited name with every other (Style.compares_all_names) cost
    time growing with the square of the works cited; the others grow linearly, no limit.
    """
    limit = proj.settings.max_cited_works
    slow = [style for style in style_list if style.compares_all_names]
    if not slow:
        return
    cited = distinct_cited(ast, {ref.id for ref in proj.references})
    if len(cited) <= limit:
        return
    file, line, column = _locate(proj, cited[limit])
    names = ", ".join(f"'{style.name}'" for style in slow)
    raise InputError(
        f"{len(cited):,} distinct works cited, over the limit of {limit:,} (max-cited-works) "
        f"for {names}: pandoc's time for such styles grows with the square of the works cited; "
        "raise the limit in presswork.toml or choose a numeric or notes style",
        file or (proj.metadata_file.path if proj.metadata_file else None),
        line,
        column,
    )
