"""The inline half of the Markdown scanner: one left-to-right pass per paragraph.

Brackets are matched with a stack and every search for a closing delimiter is cached, so a
paragraph of n characters costs O(n log n) whatever it holds (a 1 MB line of `[^@` too).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from presswork.lint.model import (
    Citation,
    InlineNote,
    Link,
    NoteDef,
    NoteRef,
    RawTag,
    Region,
    Suppression,
)

# The characters a handler may act on, each only where it can (a backslash before
# punctuation, `<` before a tag, autolink or comment, `$` before a non-space, `^[`, an `@`
# after a non-alphanumeric and before a key): a long run of anything else costs no call.
# A run of `[` is one match (the last `[` of a run before `^` is left to the note check).
# Runs of `^[` (not after a backslash) are one match too.
# Every branch starts with its character (lookbehinds come after it), so the regex engine
# skips plain text at C speed.
_SPECIAL = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])|`|<(?=[A-Za-z/!]|[^\s<>@]{1,64}@)|\$(?=\S)"
    r"|\^(?<!\\\^)\[(?:\^\[)+|\^(?=\[)|\[+(?!\^)|\[|\]|@(?<![^\W_]@)(?=[\w{])"
)
# Square brackets nested deeper than this make pandoc's Markdown reader take exponential
# time (jgm/pandoc#1735: about 3x a level; 10 levels 9 s, 12 over a minute).
MAX_BRACKET_DEPTH = 6
_NOTE_REF = re.compile(r"\[\^([^\s\[\]]+)\]")
# As pandoc: internal punctuation before a word character, and ':' or '/' before '/' (URLs).
_KEY = re.compile(r"\{(?P<braced>[^{}\n]+)\}|(?P<key>\w(?:\w|[:.#$%&\-+?<>~/](?=\w)|[:/](?=/))*)")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9\-]*)(?:\s[^<>]*)?/?>")
_RAW_ELEMENTS = {"script", "style", "pre", "textarea"}
# `(target "title")`; a target in angle brackets may hold spaces: `(<my figure.png>)`.
_DEST = re.compile(
    r"\((?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
)
_URL = re.compile(r"(?:https?|ftp)://[^\s<>]+|www\.[^\s<>]+")
_ATTRIBUTES = re.compile(r"\{[#.\-=][^{}\n]*\}|\{\w[\w-]*=[^{}\n]*\}")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_NOT_NEWLINE = re.compile(r"[^\n]")
_TICKS = re.compile("`+")
_DOLLAR = re.compile(r"\$")
_EXAMPLE_REF = re.compile(r"[\w-]+(?=\))")


class Masks:
    """Spans to blank out: `code` from every view, `markup` from the prose view only."""

    def __init__(self) -> None:
        self._code: list[tuple[int, int]] = []
        self._markup: list[tuple[int, int]] = []

    def code(self, start: int, end: int) -> None:
        if end > start:
            self._code.append((start, end))

    def markup(self, start: int, end: int) -> None:
        if end > start:
            self._markup.append((start, end))

    @staticmethod
    def _blank(text: str, spans: list[tuple[int, int]]) -> str:
        pieces, at = [], 0
        for start, end in sorted(spans):
            start = max(start, at)
            if end <= start:
                continue
            pieces.append(text[at:start])
            pieces.append(_NOT_NEWLINE.sub(" ", text[start:end]))
            at = end
        pieces.append(text[at:])
        return "".join(pieces)

    def apply(self, text: str) -> tuple[str, str]:
        code_masked = self._blank(text, self._code)
        for pattern in (_URL, _ATTRIBUTES):
            self._markup.extend(m.span() for m in pattern.finditer(code_masked))
        return code_masked, self._blank(code_masked, self._markup)


class _Finder:
    """The next match of a pattern at or after i, for increasing i: each search is done once."""

    def __init__(self, text: str, pattern: str, flags: int = 0) -> None:
        self.text, self.pattern = text, re.compile(pattern, flags)
        self.end = 0
        self.found = -1
        self.searched_from = 0

    def find(self, start: int, end: int) -> int:
        if end != self.end or start < self.searched_from:
            self.end, self.found, self.searched_from = end, -2, start
        if self.found == -1 or self.found >= start:
            return self.found
        match = self.pattern.search(self.text, start, end)
        self.found = match.start() if match else -1
        self.searched_from = start
        return self.found


@dataclass(eq=False)
class _Paragraph:
    """What one scan of a region keeps while it goes."""

    start: int
    end: int
    owner: NoteDef | None
    stack: list[tuple[str, int, int]] = field(default_factory=list)  # open `[`: kind, at, group
    notes: list[NoteDef | InlineNote | None] = field(default_factory=list)
    group_cites: dict[int, list[Citation]] = field(default_factory=dict)
    lazy: dict[str, list[int] | dict[int, list[int]]] = field(default_factory=dict)
    last_in_text: Citation | None = None
    brackets: int = 0  # open "bracket" and "note" entries of the stack
    too_deep: bool = False  # reported once a paragraph


class InlineScanner:
    def __init__(self, text: str, masks: Masks) -> None:
        self.text = text
        self.masks = masks
        self.note_refs: list[NoteRef] = []
        self.inline_notes: list[InlineNote] = []
        self.citations: list[Citation] = []
        self.suppressions: list[Suppression] = []
        self.links: list[Link] = []
        self.raw_tags: list[RawTag] = []
        self.math: list[tuple[int, int]] = []  # [start, end) of each formula, with its $ signs
        self.deep_brackets: list[int] = []  # where brackets first nest too deep, a paragraph
        self._groups = 0
        self._comment_end = _Finder(text, "-->")
        self._display_math = _Finder(text, r"\$\$")
        self._paren_close = _Finder(text, r"\)")
        self._raw_end: dict[str, _Finder] = {}
        self._skip_until = 0
        self.examples: set[str] = set()  # example list labels: `(@label)` is not a citation
        self._handlers = {
            "\\": self._escape,
            "`": self._code_span,
            "<": self._angle,
            "$": self._math,
            "^": self._caret,
            "[": self._open,
            "]": self._close,
            "@": self._at,
        }

    def scan(self, region: Region) -> None:
        first = (len(self.note_refs), len(self.citations), len(self.inline_notes))
        para = _Paragraph(region.start, region.end, region.owner, notes=[region.owner])
        text, handlers = self.text, self._handlers
        i = max(region.start, self._skip_until)  # a raw element may have hidden the start
        if text.startswith("@", i) and i == region.start:  # no lookbehind at a region start
            i = handlers["@"](para, i)
        for match in _SPECIAL.finditer(text, region.start, region.end):
            at, stop = match.span()
            if at >= i and stop - at == 1:
                i = handlers[text[at]](para, at)
            elif at >= i:
                runs = self._open_run if text[at] == "[" else self._notes
                i = runs(para, at, stop)
            elif stop > i:  # a run of `[` partly consumed (`\[[[`): the rest opens
                # (A `^[` run cannot be: it never follows a backslash, and no handler's
                # span ends inside one.)
                i = self._open_run(para, i, stop)
        for cites in para.group_cites.values():  # an unclosed `[` is text: keys cite in text
            for cite in cites:
                cite.in_text = True
        self._drop_unclosed(*first)

    def _escape(self, para: _Paragraph, i: int) -> int:
        if i + 1 < para.end and self.text[i + 1] in _PUNCTUATION:
            self.masks.markup(i, i + 1)
            return i + 2
        return i + 1

    def _caret(self, para: _Paragraph, i: int) -> int:
        if i + 1 >= para.end or self.text[i + 1] != "[":
            return i + 1
        note = InlineNote(i, -1, para.notes[-1])
        para.stack.append(("note", i, 0))
        self.inline_notes.append(note)
        para.notes.append(note)
        self._deepen(para, i, 1, 2)  # pandoc's memory grows fast with nested notes too
        return i + 2

    def _notes(self, para: _Paragraph, start: int, stop: int) -> int:
        """A run of `^[`: inline notes, each inside the one before."""
        container = para.notes[-1]
        notes = []
        for at in range(start, stop, 2):
            container = InlineNote(at, -1, container)
            notes.append(container)
        para.stack.extend(("note", at, 0) for at in range(start, stop, 2))
        self.inline_notes.extend(notes)
        para.notes.extend(notes)
        self._deepen(para, start, len(notes), 2)
        return stop

    def _open(self, para: _Paragraph, i: int) -> int:
        ref = _NOTE_REF.match(self.text, i, para.end) if self.text.startswith("[^", i) else None
        if ref is not None:
            self.note_refs.append(NoteRef(ref.group(1), i, ref.end(), para.notes[-1]))
            self.masks.markup(i, ref.end())
            return ref.end()
        self._groups += 1
        para.stack.append(("bracket", i, self._groups))
        self._deepen(para, i, 1)
        return i + 1

    def _open_run(self, para: _Paragraph, start: int, stop: int) -> int:
        """A run of `[` (none a note reference): one bracket each, pushed in one go."""
        first = self._groups + 1
        self._groups += stop - start
        para.stack.extend(("bracket", at, first + k) for k, at in enumerate(range(start, stop)))
        self._deepen(para, start, stop - start)
        return stop

    def _deepen(self, para: _Paragraph, start: int, count: int, width: int = 1) -> None:
        """`count` brackets (`[`, or `^[` of width 2) opened from `start` on; note the first
        one past the limit."""
        para.brackets += count
        if para.brackets > MAX_BRACKET_DEPTH and not para.too_deep:
            para.too_deep = True
            past = count - (para.brackets - MAX_BRACKET_DEPTH)
            self.deep_brackets.append(start + width * past)

    def _close(self, para: _Paragraph, i: int) -> int:
        text = self.text
        after = i + 1
        if not para.stack:
            return after
        kind, opened, group = para.stack.pop()
        if kind in ("bracket", "note"):
            para.brackets -= 1
        if kind == "note":
            note = para.notes.pop()
            assert isinstance(note, InlineNote)
            note.end = after
            self.masks.markup(opened, opened + 2)
            self.masks.markup(i, after)
            return after
        cites = para.group_cites.pop(group, None)
        last = para.last_in_text
        # No `)` ahead in the paragraph: no link destination, and no regex tried (`[a](` x 1e5).
        opens_link = text.startswith("(", after) and self._paren_close.find(after, para.end) > 0
        link = _DEST.match(text, after, para.end) if opens_link else None
        if link is not None:  # `[text](url)`: a link, whose text may cite in the text
            for cite in cites or ():
                cite.in_text = True
            self._link(para, opened, after + 1, link.end() - 1)
            self.masks.markup(after, link.end())
            return link.end()
        if cites:
            self._locators(cites, i)
            self.masks.markup(opened, after)
        elif last is not None and text[last.end : opened] in ("", " "):
            if not last.locator:  # `@key [p. 33]`: the bracket is the locator
                last.locator = text[opened + 1 : i].strip()
                last.locator_start = opened + 1
            self.masks.markup(opened, after)
        return after

    def _link(self, para: _Paragraph, opened: int, start: int, end: int) -> None:
        """Record `[...](dest)`, dest in [start, end): its target (title dropped), image or not."""
        text = self.text
        dest = text[start:end]
        at = start + len(dest) - len(dest.lstrip())
        target = dest.split()[0] if dest.strip() else ""
        if dest.lstrip().startswith("<"):  # `<...>` may hold spaces: pandoc reads it whole
            target, at = dest.lstrip()[1:].split(">", 1)[0], at + 1
        bang = opened - 1
        image = bang >= para.start and text[bang] == "!" and text[bang - 1 : bang] != "\\"
        self.links.append(Link(bang if image else opened, target, at, image))

    def _at(self, para: _Paragraph, i: int) -> int:
        if self.examples and self.text[i - 1 : i] == "(":
            label = _EXAMPLE_REF.match(self.text, i + 1, para.end)
            if label and label.group() in self.examples:
                self.masks.markup(i, label.end())
                return label.end()
        end, cite = self._citation(i, para.start, para.end, para.stack, para.notes[-1])
        if cite is not None:
            if cite.in_text:
                para.last_in_text = cite
            else:
                para.group_cites.setdefault(cite.group, []).append(cite)
        return end

    def _drop_unclosed(self, refs: int, cites: int, notes: int) -> None:
        # An unclosed `^[` is literal text: what it seemed to hold belongs to the outer note.
        def outer(note: NoteDef | InlineNote | None) -> NoteDef | InlineNote | None:
            while isinstance(note, InlineNote) and note.end < 0:
                note = note.container
            return note

        for item in self.citations[cites:]:
            item.container = outer(item.container)
        for k in range(refs, len(self.note_refs)):
            ref = self.note_refs[k]
            if isinstance(ref.container, InlineNote) and ref.container.end < 0:
                self.note_refs[k] = NoteRef(ref.label, ref.start, ref.end, outer(ref.container))
        kept = [n for n in self.inline_notes[notes:] if n.end >= 0]
        for note in kept:
            note.container = outer(note.container)
        del self.inline_notes[notes:]
        self.inline_notes.extend(kept)

    def _code_span(self, para: _Paragraph, i: int) -> int:
        if "ticks" not in para.lazy:
            runs: dict[int, list[int]] = {}
            for m in _TICKS.finditer(self.text, para.start, para.end):
                runs.setdefault(len(m.group()), []).append(m.start())
            para.lazy["ticks"] = runs
        runs = para.lazy["ticks"]  # type: ignore[assignment]
        run = len(_TICKS.match(self.text, i, para.end).group())  # type: ignore[union-attr]
        same = runs.get(run, [])
        at = bisect.bisect_right(same, i)
        if at == len(same):
            return i + run  # no closing run of the same length: literal backticks
        close = same[at]
        self.masks.code(i, close + run)
        return close + run

    def _angle(self, para: _Paragraph, i: int) -> int:
        text, end = self.text, para.end
        if text.startswith("<!--", i):
            close = self._comment_end.find(i + 4, end)
            if close < 0:
                return i + 4
            self.masks.code(i, close + 3)
            found = Suppression.parse(text[i : close + 3], i, close + 3)
            if found is not None:
                self.suppressions.append(found)
            return close + 3
        link = _AUTOLINK.match(text, i, end)
        if link is not None:
            self.links.append(Link(i, text[i + 1 : link.end() - 1], i + 1, False))
            self.masks.markup(i, link.end())
            return link.end()
        tag = _TAG.match(text, i, end)
        if tag is None:
            return i + 1
        name = tag.group(1).lower()
        if not tag.group().startswith("</"):
            self.raw_tags.append(RawTag(i, tag.end()))
        if name in _RAW_ELEMENTS and not tag.group().startswith("</"):
            finder = self._raw_end.get(name) or _Finder(text, rf"</{name}\b", re.IGNORECASE)
            self._raw_end[name] = finder
            close = finder.find(tag.end(), len(text))
            if close >= 0:  # pandoc passes <script>, <style>, <pre> content through as it is
                stop = text.find(">", close)
                stop = len(text) if stop < 0 else stop + 1
                self.masks.code(i, stop)
                self._skip_until = stop
                return stop
        self.masks.markup(i, tag.end())
        return tag.end()

    def _math(self, para: _Paragraph, i: int) -> int:
        # pandoc's rule: `$` then a non-space; the closing `$` after a non-space, no digit next
        text, end = self.text, para.end
        if text.startswith("$$", i):
            close = self._display_math.find(i + 2, end)
            if close < 0:
                return i + 2
            self.masks.code(i, close + 2)
            self.math.append((i, close + 2))
            return close + 2
        if i + 1 >= end or text[i + 1].isspace():
            return i + 1
        if "dollars" not in para.lazy:
            para.lazy["dollars"] = [m.start() for m in _DOLLAR.finditer(text, para.start, end)]
        dollars: list[int] = para.lazy["dollars"]  # type: ignore[assignment]
        at = bisect.bisect_right(dollars, i + 1)
        if at == len(dollars):
            return i + 1
        close = dollars[at]  # math holds no `$`: only the next one can close it
        if text[close - 1].isspace() or (close + 1 < end and text[close + 1].isdigit()):
            return i + 1
        self.masks.code(i, close + 1)
        self.math.append((i, close + 1))
        return close + 1

    def _citation(
        self,
        i: int,
        start: int,
        end: int,
        stack: list[tuple[str, int, int]],
        container: NoteDef | InlineNote | None,
    ) -> tuple[int, Citation | None]:
        text = self.text
        before = text[i - 1] if i > start else " "
        if before.isalnum():
            return i + 1, None  # an e-mail address, or an @ inside a word
        key = _KEY.match(text, i + 1, end)
        if key is None:
            return i + 1, None
        name = key.group("braced") or key.group("key")
        self.masks.markup(i - 1 if before == "-" else i, key.end())
        in_group = bool(stack) and stack[-1][0] == "bracket"
        if in_group:
            group = stack[-1][2]
        else:
            self._groups += 1
            group = self._groups
        cite = Citation(name, i, key.end(), group, not in_group, container)
        self.citations.append(cite)
        return key.end(), cite

    def _locators(self, cites: list[Citation], close: int) -> None:
        text = self.text
        for k, cite in enumerate(cites):
            limit = cites[k + 1].start if k + 1 < len(cites) else close
            stop = text.find(";", cite.end, limit)
            suffix_end = stop if stop >= 0 else limit
            stripped = text[cite.end : suffix_end].lstrip(" ,\n\t")
            cite.locator = stripped.rstrip()
            cite.locator_start = suffix_end - len(stripped)
