"""Citation keys the manuscript uses but the references lack, located in the source files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from presswork.ast import walk
from presswork.errors import PressworkError
from presswork.project import Project


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
        if key in known or key in seen:
            continue
        seen.add(key)
        file, line, column = _locate(proj, key)
        problems.append(
            PressworkError(f"citation '@{key}' is not in the references", file, line, column)
        )
    return problems
