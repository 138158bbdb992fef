"""A source map for Pandoc Markdown: where every note, citation and date-bearing word is.

Pandoc's reader gives no positions, so this module reads the Markdown itself, once per
file and in linear time, the way pandoc does for what the rules need: code (fenced,
indented, inline), math and HTML comments are masked; footnote definitions with their
indented continuation, references `[^x]`, inline notes `^[...]` (nested), citations with
their locators, escapes and suppression comments are found. The masked views keep every
character's offset, so a regex match in them is a position in the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from presswork.identifiers.linkdefs import definitions
from presswork.lint.inline import InlineScanner, Masks, _Finder
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

_DEF = re.compile(r" {0,3}\[\^([^\s\[\]]+)\]:")
_FENCE = re.compile(r"(`{3,}|~{3,})")
# List markers; a capital letter and a period needs two spaces ("A.  item"), as in pandoc.
_LIST = re.compile(
    r"([-*+]|\d{1,9}[.)]|#[.)]|[a-z][.)]|[A-Z]\)|[A-Z]\.(?= )|\(\w{1,6}\)"
    r"|\(@[\w-]*\)|@[\w-]*[.)])( {1,4}|$)"
)
# An example list's label: `(@good)` elsewhere is its number, not a citation.
_EXAMPLE = re.compile(r"\(?@([\w-]+)")
# A definition's marker, after a one-line term (or a blank line after it).
_DEF_MARK = re.compile(r"[:~]([ \t]+)(?=\S)")
# Fenced divs: `::: {.note}` or `::: note` opens, a bare `:::` closes one that is open.
_DIV_OPEN = re.compile(r":{3,}[ \t]*(?:\{[^{}\n]*\}|[^\s:{}]+)[ \t]*:*[ \t]*$")
_DIV_CLOSE = re.compile(r":{3,}[ \t]*$")
# Multiline tables: rows (which may start with four spaces) are parted by blank lines.
_TABLE_RULE = re.compile(r"[ \t]*-{3,}[ \t]*$")
_TABLE_COLUMNS = re.compile(r"[ \t]*-+(?:[ \t]+-+)+[ \t]*$")
_ATX = re.compile(r"#{1,6}(?:\s|$)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


@dataclass
class Document:
    """One Markdown file, scanned: positions are offsets into `text` (0-based)."""

    path: str
    text: str
    code_masked: str  # code, math and comments blanked: prose and URLs remain
    prose: str  # also citations, note markers, URLs and markup blanked: words remain
    regions: list[Region]
    note_defs: list[NoteDef]
    note_refs: list[NoteRef]
    inline_notes: list[InlineNote]
    citations: list[Citation]
    suppressions: list[Suppression]
    line_starts: list[int] = field(default_factory=list)
    stray_defs: list[int] = field(default_factory=list)  # offsets of `[^x]:` read as text
    links: list[Link] = field(default_factory=list)  # inline links, images and autolinks
    raw_tags: list[RawTag] = field(default_factory=list)  # raw HTML start tags
    deep_brackets: list[int] = field(default_factory=list)  # see inline.MAX_BRACKET_DEPTH
    math: list[tuple[int, int]] = field(default_factory=list)  # formulas, `$` signs included

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]


class _BlockScanner:
    """The block structure, line by line: which lines are code, which are notes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.masks = Masks()
        self.regions: list[Region] = []
        self.note_defs: list[NoteDef] = []
        self.stray_defs: list[int] = []  # `[^x]:` lines that do not start a block
        self.suppressions: list[Suppression] = []
        self.fence: tuple[str, int] | None = None
        self.comment_start: int | None = None
        self.blank_before = True
        self.para = False  # inside a paragraph: the next line may be a lazy continuation
        self.in_def_para = False  # that paragraph is a note definition's
        self.code = False
        self.region_open = False
        self.in_list = False  # the current block is a list item or inside one
        self.container = 0  # content indent of the list item or note we are in
        self.note: NoteDef | None = None
        self.awaiting: NoteDef | None = None  # `[^x]:` with nothing after it on its line
        self._closers: dict[str, tuple[int, int]] = {}  # fence -> (searched from, found at)
        self.examples: set[str] = set()  # example list labels: `(@x)` refers to them
        self.para_lines = 0  # lines of the current paragraph
        self.term = False  # the block before the blank line was a one-line paragraph
        self.deflist = False  # inside a definition list's item
        self.divs = 0  # fenced divs open
        self.inline_comment = False  # the open comment started inside a paragraph
        self.table_until = -1  # end of the multiline table the lines are in
        self._finders = {
            "footer": _Finder(text, r"^[ \t]*-[- \t]*$(?=\n[ \t]*(?:\n|\Z)|\Z)", re.M),
            "gap": _Finder(text, r"\n[ \t]*\n[ \t]*\n"),
            "columns": _Finder(text, r"^[ \t]*-+(?:[ \t]+-+)+[ \t]*$", re.M),
        }

    def run(self) -> None:
        text = self.text
        start = self._front_matter()
        while start <= len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            self._line(start, end)
            start = end + 1

    def _front_matter(self) -> int:
        # Only at the very start: elsewhere `---` is more often a rule than a YAML block.
        match = re.match(r"---[ \t]*\n(?=[^\n]*\S)", self.text)
        if not match:
            return 0
        close = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(self.text, match.end())
        if not close:
            return 0
        self.masks.code(0, close.end())
        return close.end() + 1

    def _close_region(self) -> None:
        self.region_open = False

    def _open_region(self, start: int, end: int, owner: NoteDef | None) -> None:
        self.regions.append(Region(start, end, owner))
        self.region_open = True

    def _blank(self) -> None:
        self._close_region()
        self.blank_before, self.para, self.in_def_para = True, False, False

    def _line(self, start: int, end: int) -> None:
        line = self.text[start:end]
        if start < self.table_until:
            self._table_line(line, start, end)
        elif self.fence is not None:
            self._fenced(line, start, end)
        elif self.comment_start is not None:
            self._commented(line, start, end)
        elif not line.strip():
            self.term = self.para and self.para_lines == 1 and not self.in_list
            self._blank()
        else:
            self._text_line(line, start, end)

    def _fenced(self, line: str, start: int, end: int) -> None:
        assert self.fence is not None
        self.masks.code(start, end)
        closing = _FENCE.match(line.lstrip(" "))
        fence = closing.group(1) if closing else ""
        if fence == line.strip() and fence[:1] == self.fence[0] and len(fence) >= self.fence[1]:
            self.fence = None

    def _commented(self, line: str, start: int, end: int) -> None:
        assert self.comment_start is not None
        close = line.find("-->")
        stop = end if close < 0 else start + close + 3
        self.masks.code(start, stop)
        if self.inline_comment:  # the paragraph goes on around the comment
            self.regions[-1].end = end
        if close >= 0:
            self._suppression(self.comment_start, stop)
            self.comment_start = None
            if not self.inline_comment and self.text[stop:end].strip():
                # Comments do not nest: what follows the first `-->` is text again.
                self._open_region(stop, end, self.note)
                self.blank_before, self.para, self.para_lines = False, True, 1
            self.inline_comment = False

    def _table_line(self, line: str, start: int, end: int) -> None:
        # In a multiline table no line is code; a blank line ends a row's paragraph.
        if not line.strip():
            self._close_region()
        elif self.region_open:
            self.regions[-1].end = end
        else:
            self._open_region(start, end, self.note)
        if end >= self.table_until:
            self.table_until = -1
            self.blank_before, self.para = False, False

    def _table_end(self, end: int, columns: bool) -> int:
        """The end of a multiline table whose first rule ends at `end`, or -1.

        It ends at a rule followed by a blank line, with a column rule before (unless the
        first rule has columns) and no two blank lines in between. Each search is cached
        for the openers that follow, so many rules cost linear time.
        """
        text = self.text
        footer = self._finders["footer"].find(end + 1, len(text))
        if footer < 0 or 0 <= self._finders["gap"].find(end, len(text)) < footer:
            return -1
        if not columns and not 0 <= self._finders["columns"].find(end + 1, len(text)) < footer:
            return -1
        close = text.find("\n", footer)
        return len(text) if close < 0 else close

    def _text_line(self, line: str, start: int, end: int) -> None:
        indent = _indent(line)
        if self.awaiting is not None and not _DEF.match(line):
            self._swallowed(line, start, end, indent)
            return
        self.awaiting = None
        term, self.term = self.term, False
        deflist = self.deflist
        if self.blank_before and indent < self.container:  # out of the list item or note
            if self.note is not None and indent >= 4:
                self.container = 4
            else:
                self.container, self.note, self.in_list = 0, None, False
                self.deflist = False
        if (self.blank_before or self.code) and not self.para and indent >= self.container + 4:
            self.masks.code(start, end)
            self.code = True
            return
        self.code = False
        relative = indent - self.container
        body = line.lstrip(" \t")
        offset = end - len(body)
        new_block = self.blank_before or not self.para
        definition = _DEF.match(line) if indent <= 3 else None
        if definition and (new_block or self.in_def_para):
            self._definition(start, end, definition)
            return
        if definition:  # pandoc reads it as a line of the paragraph above
            self.stray_defs.append(start + definition.start(1) - 2)
        if relative <= 3 and self._fence_opens(body, start, end):
            return
        if relative <= 3 and self._div_fence(body, start, end, new_block):
            return
        if new_block and relative <= 3 and self._table_opens(body, start, end):
            return
        mark = _DEF_MARK.match(body) if relative <= 3 else None
        if mark and ((term or deflist) if new_block else (self.para_lines == 1 or deflist)):
            self._definition_item(mark, indent, offset, end)
            return
        if new_block and relative <= 3 and body.startswith("<!--"):
            offset = self._block_comment(offset, start, end)
            if offset < 0:
                return
            body = self.text[offset:end].lstrip(" \t")  # a block of its own follows it
            offset = end - len(body)
        # In a list, the next item starts without a blank line; elsewhere a marker is text.
        item = _LIST.match(body) if self.in_list and indent < self.container + 4 else None
        if not new_block and self.region_open and item is None:
            self.regions[-1].end = end  # the paragraph goes on
            self.blank_before = False
            self.para_lines += 1
            self._comment_opens(offset, end)
            return
        self._block_start(body, indent, relative, offset, end, item)
        self._comment_opens(offset, end)

    def _comment_opens(self, offset: int, end: int) -> None:
        # `<!--` in a paragraph, closed lines (or blank lines) later: pandoc reads one raw
        # inline comment, and the paragraph goes on after it.
        if not self.region_open:
            return
        at = self.text.rfind("<!--", offset, end)
        if at < 0 or self.text.find("-->", at + 4, end) >= 0:
            return
        if self.text.count("`", self.text.rfind("\n", 0, at) + 1, at) % 2:
            return  # inside a code span
        close = self.text.find("-->", end)
        if close < 0:
            return  # unclosed: text
        gap = _BLANK_LINE.search(self.text, end, close) if self.container else None
        if gap and _indent(self.text[gap.end() : close]) < self.container:
            return  # the list item or note ends at the blank line first: `<!--` is text
        self.comment_start, self.inline_comment = at, True

    def _div_fence(self, body: str, start: int, end: int, new_block: bool) -> bool:
        if self.divs and _DIV_CLOSE.match(body):  # closes a div, even inside a paragraph
            self.divs -= 1
        elif new_block and _DIV_OPEN.match(body):
            self.divs += 1
        else:
            return False
        self.masks.markup(start, end)
        self._blank()
        return True

    def _table_opens(self, body: str, start: int, end: int) -> bool:
        columns = _TABLE_COLUMNS.match(body) is not None
        if not columns and not _TABLE_RULE.match(body):
            return False
        after = self.text.find("\n", end + 1)
        if not self.text[end + 1 : after if after >= 0 else len(self.text)].strip():
            return False  # a rule, or a table's end
        table_end = self._table_end(end, columns)
        if table_end < 0:
            return False
        self._close_region()
        self.table_until = table_end
        self.blank_before, self.para = False, False
        return True

    def _definition_item(self, mark: re.Match[str], indent: int, offset: int, end: int) -> None:
        # Like a list item: its content column is where the following blocks continue.
        self._close_region()
        self.in_list, self.deflist = True, True
        self.container = indent + 1 + _indent(mark.group(1))
        self.masks.markup(offset, offset + 1)
        inner = _LIST.match(self.text, offset + mark.end(), end)  # `:   (@ex) An example.`
        example = _EXAMPLE.match(inner.group(1)) if inner else None
        if example:
            self.examples.add(example.group(1))
        self._open_region(offset + mark.end(), end, self.note)
        self.blank_before, self.para, self.in_def_para, self.para_lines = False, True, False, 1
        self._comment_opens(offset + mark.end(), end)

    def _swallowed(self, line: str, start: int, end: int, indent: int) -> None:
        # pandoc takes the block after an empty `[^x]:` as the note's text, whatever its indent
        note, self.awaiting = self.awaiting, None
        assert note is not None
        if indent < 4:
            note.swallowed = start + len(line) - len(line.lstrip())
        self.container, self.note = 4, note
        self._open_region(start, end, note)
        self.blank_before, self.para, self.in_def_para = False, True, True

    def _fence_opens(self, body: str, start: int, end: int) -> bool:
        fence = _FENCE.match(body)
        if fence is None or (fence.group(1)[0] == "`" and "`" in body[fence.end() :]):
            return False
        if not self._fence_closes(end, fence.group(1)):
            return False  # pandoc reads an unclosed fence as text, not as code to the end
        self._close_region()
        self.fence = (fence.group(1)[0], len(fence.group(1)))
        self.masks.code(start, end)
        self.blank_before, self.para, self.in_def_para = False, False, False
        return True

    def _block_comment(self, offset: int, start: int, end: int) -> int:
        """Mask an HTML comment that starts a block; where the line's text goes on, or -1."""
        close = self.text.find("-->", offset + 4)
        if close < 0:
            return offset  # pandoc reads an unclosed comment as text
        if self.text.find("\n", offset, close) >= 0:
            self._close_region()
            self.masks.code(start, end)
            self.comment_start = offset
            return -1
        self.masks.code(offset, close + 3)
        self._suppression(offset, close + 3)
        if self.text[close + 3 : end].strip():
            return close + 3
        self._close_region()
        self.blank_before, self.para = False, False
        return -1

    def _block_start(
        self,
        body: str,
        indent: int,
        relative: int,
        offset: int,
        end: int,
        item: re.Match[str] | None,
    ) -> None:
        self.in_def_para = False
        listed = item or (_LIST.match(body) if relative <= 3 else None)
        self.in_list = listed is not None or (self.in_list and indent >= self.container)
        if listed:
            inner = _LIST.match(self.text, offset + listed.end(), end)  # `- (@ex) ...`
            for marker in (listed, inner):
                example = _EXAMPLE.match(marker.group(1)) if marker else None
                if example:
                    self.examples.add(example.group(1))
            spaces = len(listed.group(2))
            # Blocks go on in the item from its content column, or from four spaces when the
            # marker is wider (`(@ex) `, `10. `), as pandoc reads continuations.
            self.container = min(indent + len(listed.group(1)) + (spaces or 1), indent + 4)
            self._open_region(offset + listed.end(), end, self.note)
        elif _ATX.match(body) and relative <= 3:
            self._open_region(offset, end, self.note)
            self._blank()  # a heading is a block of its own
            self.blank_before = False
            return
        else:
            self._open_region(offset, end, self.note)
        self.blank_before, self.para, self.para_lines = False, True, 1

    def _fence_closes(self, end: int, fence: str) -> bool:
        # Remember the last answer per fence, so that many openers cost one search.
        key = fence[0] + str(len(fence))
        found = self._closers.get(key)
        if found is not None and (found[0] <= end and (found[1] < 0 or found[1] >= end)):
            return found[1] >= 0
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        match = closing.search(self.text, end)
        self._closers[key] = (end, match.start() if match else -1)
        return match is not None

    def _definition(self, start: int, end: int, match: re.Match[str]) -> None:
        body_start = start + match.end()
        note = NoteDef(
            match.group(1), start + match.start(1) - 2, start + match.start(1), body_start
        )
        self.note_defs.append(note)
        self.masks.markup(note.start, body_start)
        self.container, self.note = 4, note
        self.blank_before, self.para, self.in_def_para = False, True, True
        self._close_region()
        if not self.text[body_start:end].strip():
            self.awaiting = note
            self.para = False
            return
        self._open_region(body_start, end, note)
        self._comment_opens(body_start, end)

    def _suppression(self, start: int, end: int) -> None:
        found = Suppression.parse(self.text[start:end], start, end)
        if found is not None:
            self.suppressions.append(found)


def scan(path: str, text: str) -> Document:
    """Scan one Markdown file (its text with \\n line ends)."""
    blocks = _BlockScanner(text)
    blocks.run()
    inline = InlineScanner(text, blocks.masks)
    inline.examples = blocks.examples
    for region in blocks.regions:
        inline.scan(region)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    code_masked, prose = blocks.masks.apply(text)
    # Manubot's alias definitions `[@tag]: doi:...` are removed by the build: not citations.
    aliases = definitions(code_masked)
    citations = [
        c for c in inline.citations if not any(a.start <= c.start < a.end for a in aliases)
    ]
    return Document(
        path=path,
        text=text,
        code_masked=code_masked,
        prose=prose,
        regions=blocks.regions,
        note_defs=blocks.note_defs,
        note_refs=inline.note_refs,
        inline_notes=inline.inline_notes,
        citations=citations,
        suppressions=blocks.suppressions + inline.suppressions,
        line_starts=line_starts,
        stray_defs=blocks.stray_defs,
        links=inline.links,
        raw_tags=inline.raw_tags,
        deep_brackets=inline.deep_brackets,
        math=inline.math,
    )
