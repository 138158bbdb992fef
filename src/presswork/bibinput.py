"""The BibTeX pandoc reads: the project's files as they are, or one resolved file when needed.

pandoc reads each `--bibliography` file on its own: an `@string` macro or a `crossref`/`xdata`
parent defined in another file of the project is lost (the entry comes out garbled), and one
broken entry fails the whole build. biber resolves across files and skips what it cannot
read; so does presswork: when a file needs it, pandoc gets one combined .bib (every `@string`
first, then each file's entries, broken entries left out). When no file needs it, pandoc
reads the files themselves, so its output is exactly what it would be without presswork.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from presswork.references import without_comment_lines

# BibTeX's predefined month macros.
_MONTHS = frozenset(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)
_WORD = re.compile(r"[A-Za-z_][^\s\"#%'(),={}]*\Z")


@dataclass
class _BibFile:
    path: str
    text: str  # comment lines blanked
    strings: dict[str, str] = field(default_factory=dict)  # macro -> raw @string block
    string_spans: list[tuple[int, int]] = field(default_factory=list)
    broken_spans: list[tuple[int, int]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    macros: set[str] = field(default_factory=set)  # macros the entries use
    parents: set[str] = field(default_factory=set)  # crossref and xdata targets


def _span(text: str, starts: list[int], line: int, raw: str) -> tuple[int, int] | None:
    at = text.find(raw, starts[min(line, len(starts) - 1)])
    return (at, at + len(raw)) if at >= 0 else None


def _read(path: str, text: str) -> _BibFile:
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    blanked = without_comment_lines(text)
    found = _BibFile(path, blanked)
    starts = [0] + [m.end() for m in re.finditer("\n", blanked)]
    library = bibtexparser.parse_string(blanked, parse_stack=[])  # raw values: macros visible
    for block in library.blocks:
        kind = type(block).__name__
        if kind == "String":
            span = _span(blanked, starts, block.start_line, block.raw)
            if span is not None:
                found.strings[block.key.lower()] = block.raw
                found.string_spans.append(span)
        elif kind == "ParsingFailedBlock":
            span = _span(blanked, starts, block.start_line, block.raw)
            if span is not None:
                found.broken_spans.append(span)
        entry = block.ignore_error_block if kind == "DuplicateFieldKeyBlock" else block
        if type(entry).__name__ != "Entry":
            continue
        found.keys.add(entry.key)
        for item in entry.fields:
            value = str(item.value).strip()
            for part in value.split("#"):
                part = part.strip()
                if _WORD.match(part) and part.lower() not in _MONTHS:
                    found.macros.add(part.lower())
            if item.key.lower() in ("crossref", "xdata"):
                targets = value.strip('{}"')
                found.parents.update(t.strip() for t in targets.split(",") if t.strip())
    return found


def _needs_resolving(files: list[_BibFile]) -> bool:
    for one in files:
        if one.broken_spans:
            return True
        others = [f for f in files if f is not one]
        if any(m not in one.strings and any(m in f.strings for f in others) for m in one.macros):
            return True
        if any(p not in one.keys and any(p in f.keys for f in others) for p in one.parents):
            return True
    return False


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def resolved_bibtex(files: list[tuple[str, str]]) -> str | None:
    """One .bib text resolving the project's BibTeX files across each other, or None when
    pandoc can read them as they are. `files` are (path, text) in the build's order."""
    if not files:
        return None
    read = [_read(path, text) for path, text in files]
    if not _needs_resolving(read):
        return None
    out = ["% Written by presswork for pandoc: the project's BibTeX files, resolved together."]
    seen: set[str] = set()
    for one in read:
        for name, raw in one.strings.items():
            if name not in seen:
                seen.add(name)
                out.append(raw)
    for one in read:
        out.append(f"% from {one.path}")
        out.append(_blank(one.text, one.string_spans + one.broken_spans))
    return "\n".join(out) + "\n"
