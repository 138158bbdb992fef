"""The manuscript's metadata as pandoc reads it: `metadata.yaml` and YAML blocks in chapters.

pandoc takes `--metadata-file` first and lets the document override it, and among the
document's own YAML blocks a later block overrides an earlier one, key by key (checked with
pandoc 3.9). presswork prepends `metadata.yaml` to the chapters as their first block, so the
same rule gives the same result; this module computes that result for the linter and the
checks, and remembers where each winning key is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from presswork.errors import InputError, PressworkError
from presswork.references import load_yaml

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_OPEN = re.compile(r"---[ \t]*\Z")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*\Z")


class MetadataProblem(PressworkError):
    """A metadata value of a type the outputs cannot show as meant (a warning)."""


@dataclass(frozen=True)
class Block:
    """One YAML metadata block: where it is and what it says.

    `node` is composed from the file's text with everything outside the block blanked, so
    its marks (line, column, offset) are positions in the whole file.
    """

    path: str
    text: str  # the whole file's text
    line: int  # 1-based line of the opening `---` (or of the first line, for a file)
    data: dict[str, Any]
    node: yaml.Node | None
    # Offsets of the whole block in the file, delimiters included (for a scanner to mask).
    span: tuple[int, int] = (0, 0)

    def key_line(self, key: str) -> int:
        if isinstance(self.node, yaml.MappingNode):
            for k, v in self.node.value:
                if getattr(k, "value", None) == key:
                    return int(v.start_mark.line) + 1
        return self.line


def _masked(text: str, start: int, end: int) -> str:
    """The text with everything outside [start, end) blanked, newlines kept."""
    return re.sub(r"[^\n]", " ", text[:start]) + text[start:end]


def _parse(path: str, text: str, start: int, end: int) -> tuple[Any, yaml.Node | None]:
    return load_yaml(_masked(text, start, end), path)


def file_block(path: str, text: str) -> Block:
    """`metadata.yaml`: YAML, optionally between `---` and `---`/`...` (as --metadata-file)."""
    body = text
    start = 0
    first = re.match(r"---[ \t]*\n", text)
    if first:
        start = first.end()
    end = len(body)
    closing = re.search(r"^(?:---|\.\.\.)[ \t]*\n?\Z", text[start:], re.M)
    if closing:
        end = start + closing.start()
    data, node = _parse(path, text, start, end)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("metadata must be a mapping of keys to values", path, 1)
    return Block(path, text, 1, data, node, (0, len(text)))


def title_block(path: str, text: str) -> Block | None:
    """pandoc's title block (`% Title`, `% Author; Author`, `% Date`) opening the document.

    Only the first chapter can hold one (pandoc reads the chapters as one text). A field may
    be empty (`%` alone) or continue on lines that start with a space; authors are separated
    by `;` or by continuation lines.
    """
    if not text.startswith("%"):
        return None
    fields: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith("%") and len(fields) < 3:
            fields.append([line[1:].strip()])
        elif fields and line[:1] in (" ", "\t") and line.strip():
            fields[-1].append(line.strip())
        else:
            break
    data: dict[str, Any] = {}
    if fields and any(fields[0]):
        data["title"] = " ".join(part for part in fields[0] if part)
    if len(fields) > 1:
        authors = [a.strip() for part in fields[1] for a in part.split(";") if a.strip()]
        if authors:
            data["author"] = authors
    if len(fields) > 2 and any(fields[2]):
        data["date"] = " ".join(part for part in fields[2] if part)
    return Block(path, text, 1, data, None) if data else None


def chapter_blocks(path: str, text: str) -> list[Block]:
    """The YAML metadata blocks of a chapter, as pandoc's Markdown reader finds them.

    A block opens with a `---` line at the start or after a blank line, not followed by a
    blank line, and closes at the next `---` or `...` line; outside fenced code. YAML that
    is not a mapping makes no block (pandoc reads such lines as a table or a rule); YAML
    that does not parse is pandoc's error too, so it is ours, with the line.
    """
    if "---" not in text:
        return []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    blocks: list[Block] = []
    fence: str | None = None
    previous_blank = True
    k = 0
    while k < len(lines):
        line = lines[k]
        fenced = _FENCE.match(line)
        if fence is not None:
            closes = fenced and fenced.group(1)[0] == fence[0]
            if closes and len(fenced.group(1)) >= len(fence) and not line[fenced.end() :].strip():
                fence = None
            k += 1
            previous_blank = False
            continue
        if fenced:
            fence = fenced.group(1)
            k += 1
            previous_blank = False
            continue
        if previous_blank and _OPEN.match(line) and k + 1 < len(lines) and lines[k + 1].strip():
            end = next((j for j in range(k + 1, len(lines)) if _CLOSE.match(lines[j])), None)
            if end is not None:
                start_offset = offsets[k + 1]
                end_offset = offsets[end]
                data, node = _parse(path, text, start_offset, end_offset)
                if isinstance(data, dict):
                    span = (offsets[k], min(offsets[end + 1], len(text)))
                    blocks.append(Block(path, text, k + 1, data, node, span))
                    k = end + 1
                    previous_blank = False
                    continue
        previous_blank = not line.strip()
        k += 1
    return blocks


@dataclass
class Metadata:
    """The merged metadata and, for each key, the block whose value pandoc keeps."""

    values: dict[str, Any]
    origin: dict[str, Block]
    blocks: list[Block]

    def where(self, key: str) -> tuple[str, int] | None:
        """(file, line) where the value pandoc uses for `key` is written."""
        block = self.origin.get(key)
        return (block.path, block.key_line(key)) if block is not None else None


def merge(blocks: list[Block]) -> Metadata:
    """pandoc's rule: a later block's key replaces an earlier one's (top-level keys)."""
    values: dict[str, Any] = {}
    origin: dict[str, Block] = {}
    for block in blocks:
        for key, value in block.data.items():
            key = str(key)
            values[key] = value
            origin[key] = block
    return Metadata(values, origin, blocks)
