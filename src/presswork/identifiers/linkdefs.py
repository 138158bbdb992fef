"""Manubot's citation aliases written as link reference definitions: `[@tag]: doi:10.1/x`.

Such a line, in a paragraph of its own, makes `@tag` an alias of the identifier. pandoc
knows nothing of it and prints the line as a paragraph holding a citation; Manubot removes
those paragraphs, and so does the build (`strip_ast`). The linter reads the same lines
(`definitions`), so a citation inside one is not a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Up to three spaces of indent, as for a Markdown link reference definition.
DEFINITION = re.compile(r"^ {0,3}\[@([^\]\s]+)\]:[ \t]*(\S+)[ \t]*$", re.M)


@dataclass(frozen=True)
class Definition:
    key: str  # the alias, as cited without `@`
    target: str  # what it stands for, as written
    start: int  # offset of the line's `[` in the text
    end: int  # offset of the line's end


def definitions(masked: str) -> list[Definition]:
    """The definition lines of a chapter (code and comments already blanked)."""
    found = []
    for match in DEFINITION.finditer(masked):
        if _own_paragraph(masked, match.start(), match.end()):
            found.append(Definition(match[1], match[2], match.start(1) - 2, match.end()))
    return found


def _own_paragraph(text: str, start: int, end: int) -> bool:
    """Whether the lines around are blank or definitions too (never prose of a paragraph)."""
    before = text[:start].rstrip(" \t")
    prev = before[: len(before) - 1].rsplit("\n", 1)[-1] if before.endswith("\n") else ""
    nxt = text[end + 1 :].split("\n", 1)[0] if end < len(text) else ""
    return all(not line.strip() or DEFINITION.fullmatch(line) for line in (prev, nxt))


def _plain(inline: dict[str, Any]) -> str | None:
    kind = inline.get("t")
    if kind == "Str":
        return str(inline["c"])
    if kind == "Space":
        return " "
    if kind == "Cite":
        parts = [_plain(i) for i in inline["c"][1]]
        return None if None in parts else "".join(p for p in parts if p is not None)
    return None


def _is_definitions(inlines: list[dict[str, Any]]) -> bool:
    """Whether a paragraph is only definition lines, as pandoc parsed them."""
    lines: list[str] = [""]
    for inline in inlines:
        if inline.get("t") in ("SoftBreak", "LineBreak"):
            lines.append("")
            continue
        text = _plain(inline)
        if text is None:
            return False
        lines[-1] += text
    return bool(inlines) and all(DEFINITION.fullmatch(line) for line in lines)


def strip_ast(ast: dict[str, Any]) -> None:
    """Remove, in place, every paragraph that is only alias definitions (as Manubot does)."""

    def blocks(items: list[Any]) -> list[Any]:
        kept = []
        for block in items:
            if isinstance(block, dict) and block.get("t") == "Para" and _is_definitions(block["c"]):
                continue
            _descend(block)
            kept.append(block)
        return kept

    def _descend(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                _descend(value)
        elif isinstance(node, list):
            blocky = node and all(isinstance(b, dict) and "t" in b for b in node)
            if blocky and any(b["t"] == "Para" for b in node):
                node[:] = blocks(node)
                return
            for value in node:
                _descend(value)

    ast["blocks"] = blocks(ast.get("blocks", []))
