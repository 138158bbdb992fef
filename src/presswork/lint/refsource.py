"""Positions inside reference and metadata files: a key, a field's value, a nested value.

references.py records where each field's value starts; this module goes further (the day
inside CSL `date-parts`, the n-th character of a BibTeX value) for exact columns.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any

import yaml

from presswork.references import Reference, load_yaml


class TextIndex:
    """Offset <-> (line, column) for one file's text (both 1-based)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self.starts))
        return min(self.starts[line - 1] + column - 1, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def _compose(text: str) -> yaml.Node | None:
    try:
        return load_yaml(text, "")[1]
    except Exception:  # the file was already validated when the project loaded
        return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if getattr(k, "value", None) == "references"), None)
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def child(node: yaml.Node | None, path: Sequence[Any]) -> yaml.Node | None:
    """The node at a path of mapping keys and sequence indexes, or None."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step] if 0 <= step < len(node.value) else None
        else:
            return None
    return node


def scalar_start(node: yaml.Node) -> int:
    """Offset of a scalar's first character of content (after a quote)."""
    index = int(node.start_mark.index)
    if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"'):
        index += 1
    return index


class ReferenceFiles:
    """The project's reference files, for exact positions of keys and values."""

    def __init__(self, files: dict[str, str], references: list[Reference]) -> None:
        self.index = {path: TextIndex(text) for path, text in files.items()}
        self._nodes: dict[int, yaml.Node] = {}
        by_file: dict[str, list[Reference]] = {}
        for ref in references:
            by_file.setdefault(ref.file, []).append(ref)
        for path, refs in by_file.items():
            if refs and refs[0].syntax == "csl" and path in files:
                for ref, node in zip(refs, _items(_compose(files[path])), strict=False):
                    self._nodes[id(ref)] = node

    def key_position(self, ref: Reference) -> tuple[int, int]:
        """Where the entry's key (BibTeX) or id value (CSL) is written."""
        node = child(self._nodes.get(id(ref)), ["id"])
        index = self.index.get(ref.file)
        if node is not None and index is not None:
            return index.position(scalar_start(node))
        if index is not None and ref.syntax == "bibtex":
            start = index.offset(ref.line, 1)
            match = re.compile(r"@\w+\s*[{(]\s*").match(index.text, start)
            if match:
                return index.position(match.end())
        return ref.line, ref.column

    def value_position(
        self, ref: Reference, name: str, path: Sequence[Any] = (), offset: int = 0
    ) -> tuple[int, int]:
        """Where a field's value (or a part of it, or its n-th character) is written."""
        found = ref.fields.get(name)
        index = self.index.get(ref.file)
        if found is None or index is None:
            return ref.line, ref.column
        node = self._nodes.get(id(ref))
        if node is not None:
            target = child(node, [name, *path]) or child(node, [name])
            if target is not None:
                return index.position(scalar_start(target) + offset)
        start = index.offset(found.line, found.column)
        return index.position(start + offset)


class MetadataFile:
    """A metadata YAML (the file, or a chapter's block): where each top-level value is written.

    `root`, when given, is the block's node with marks in the whole file's text.
    """

    def __init__(self, path: str, text: str, root: yaml.Node | None = None) -> None:
        self.path = path
        self.index = TextIndex(text)
        self.root = root if root is not None else _compose(text)

    def node(self, key: str) -> yaml.Node | None:
        return child(self.root, [key])

    def scalar_span(self, key: str) -> tuple[int, int] | None:
        """The source text of a scalar value (quotes and block indicators included)."""
        node = self.node(key)
        if not isinstance(node, yaml.ScalarNode):
            return None
        return int(node.start_mark.index), int(node.end_mark.index)
