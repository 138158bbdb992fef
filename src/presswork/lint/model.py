"""What the Markdown scanner finds: notes, note references, citations, suppressions, links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol


class Positioner(Protocol):
    """Anything that turns an offset in a text into a 1-based (line, column)."""

    def position(self, offset: int) -> tuple[int, int]: ...


_DIRECTIVE = re.compile(r"<!--\s*presswork:\s*ignore\b(?P<rules>[^>]*?)\s*-->", re.S)


@dataclass(eq=False)
class NoteDef:
    """A footnote definition `[^label]: text`, with its indented continuation."""

    label: str
    start: int  # offset of "[^"
    label_start: int
    body_start: int
    swallowed: int | None = None  # an unindented paragraph pandoc takes as the note's text
    regions: list[Region] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class Region:
    """A run of inline text (a paragraph, a heading, a note's paragraph): [start, end)."""

    start: int
    end: int
    owner: NoteDef | None = None

    def __post_init__(self) -> None:
        if self.owner is not None:
            self.owner.regions.append(self)


@dataclass(frozen=True)
class NoteRef:
    label: str
    start: int  # offset of "[^"
    end: int
    container: NoteDef | InlineNote | None  # the note this reference sits in, if any


@dataclass(eq=False, slots=True)  # slots: a hostile line may hold half a million
class InlineNote:
    start: int  # offset of "^["
    end: int  # offset after "]"
    container: NoteDef | InlineNote | None

    @property
    def body(self) -> tuple[int, int]:
        return (self.start + 2, self.end - 1)


@dataclass(eq=False)
class Citation:
    """One citation `@key`: in a bracketed group `[...; @key, locator; ...]` or in the text."""

    key: str
    start: int  # offset of "@"
    end: int
    group: int  # citations of one bracket share a group; an in-text citation has its own
    in_text: bool
    container: NoteDef | InlineNote | None
    locator: str = ""  # the suffix after the key, e.g. "p. 33" or "12-14, emphasis added"
    locator_start: int = -1


@dataclass(frozen=True)
class Suppression:
    """`<!-- presswork: ignore rule, ... -->`: the rules (None: all) on the next line."""

    start: int
    end: int
    rules: tuple[str, ...] | None

    @classmethod
    def parse(cls, comment: str, start: int, end: int) -> Suppression | None:
        match = _DIRECTIVE.fullmatch(comment.strip())
        if not match:
            return None
        rules = tuple(r for r in re.split(r"[\s,]+", match.group("rules")) if r)
        return cls(start, end, rules or None)


@dataclass(frozen=True)
class Link:
    """An inline link `[text](target)`, image `![alt](target)` or autolink `<scheme:...>`."""

    start: int  # offset of "[", "!" or "<"
    target: str
    target_start: int
    image: bool


@dataclass(frozen=True)
class RawTag:
    """A raw HTML start tag `<name ...>` in the text: [start, end)."""

    start: int
    end: int
