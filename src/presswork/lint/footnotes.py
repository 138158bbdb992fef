"""Footnote rules: references without notes, notes without references, and their kin.

Pandoc reads all chapters as one document, so a label is defined once for the whole
manuscript, and a note may be defined in another chapter than its reference.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import InlineNote, NoteDef, NoteRef
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document


@dataclass(frozen=True)
class _Notes:
    defs: dict[str, list[tuple[Document, NoteDef]]]
    refs: list[tuple[Document, NoteRef]]


def notes(ctx: Context) -> _Notes:
    def compute() -> _Notes:
        defs: dict[str, list[tuple[Document, NoteDef]]] = {}
        refs: list[tuple[Document, NoteRef]] = []
        for doc in ctx.documents:
            for note in doc.note_defs:
                defs.setdefault(note.label, []).append((doc, note))
            refs.extend((doc, ref) for ref in doc.note_refs)
        return _Notes(defs, refs)

    return ctx.memo("footnotes", compute)


@register
class Undefined(Rule):
    """A footnote reference has no definition, so pandoc prints `[^label]` as it is.

    Bad:
        The troops crossed the border at night.[^border]

    Good:
        The troops crossed the border at night.[^border]

        [^border]: Some units had crossed earlier.
    """

    id = "footnote/undefined"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = notes(ctx)
        referenced = {ref.label for _, ref in found.refs}
        spare = sorted(set(found.defs) - referenced)
        uses = Counter(ref.label for _, ref in found.refs)
        strays = {doc.path: set(doc.stray_defs) for doc in ctx.documents}
        stray = {  # `[^x]:` right under a paragraph line is text to pandoc, not a definition
            ref.label: (doc, ref) for doc, ref in found.refs if ref.start in strays[doc.path]
        }
        for doc, ref in found.refs:
            if ref.label in found.defs or ref.container is not None:
                continue  # a reference inside a note is footnote/nested's
            if ref.label in stray and stray[ref.label][1] is not ref:
                stray_doc, stray_ref = stray[ref.label]
                line = stray_doc.position(stray_ref.start)[0]
                fix = f"put a blank line before its definition on line {line}"
            elif ref.label in stray:
                if uses[ref.label] > 1:
                    continue  # reported at the reference, with this line as the fix
                fix = "put a blank line before this line to make it a definition"
            else:
                close = difflib.get_close_matches(ref.label, spare, n=1, cutoff=0.6)
                fix = (
                    f"did you mean [^{close[0]}]?"
                    if close
                    else f"define it ('[^{ref.label}]: ...') or write \\[^{ref.label}] for the text"
                )
            line, column = doc.position(ref.start)
            yield self.finding(
                doc.path,
                line,
                column,
                f"footnote [^{ref.label}] is referenced but never defined",
                fix,
            )


@register
class Unused(Rule):
    """A footnote is defined but never referenced, so pandoc drops its text.

    Bad:
        The troops crossed the border at night.

        [^border]: Some units had crossed earlier.

    Good:
        The troops crossed the border at night.[^border]

        [^border]: Some units had crossed earlier.
    """

    id = "footnote/unused"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = notes(ctx)
        referenced = {ref.label for _, ref in found.refs}
        for label, defs in found.defs.items():
            if label in referenced:
                continue
            doc, note = defs[-1]
            line, column = doc.position(note.start)
            yield self.finding(
                doc.path,
                line,
                column,
                f"footnote [^{label}] is defined but never referenced",
                f"reference it with [^{label}] or delete the definition",
            )


@register
class Duplicate(Rule):
    """A footnote label is defined twice: pandoc keeps only the last text, for every reference.

    Bad:
        First claim.[^1] Second claim.[^2]

        [^1]: First source.
        [^1]: Second source.

    Good:
        First claim.[^1] Second claim.[^2]

        [^1]: First source.
        [^2]: Second source.
    """

    id = "footnote/duplicate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for label, defs in notes(ctx).defs.items():
            first_doc, first = defs[0]
            first_line = first_doc.position(first.start)[0]
            for doc, note in defs[1:]:
                line, column = doc.position(note.start)
                where = "above" if doc is first_doc else f"in {first_doc.path}"
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    f"footnote [^{label}] is defined twice (first on line {first_line} {where})",
                    "give each note its own label",
                )


def _blank(doc: Document, start: int, end: int) -> bool:
    return not doc.code_masked[start:end].strip()


@register
class Empty(Rule):
    """A footnote has no text, so the reader finds an empty note.

    Bad:
        A claim.[^1] Another claim.^[ ]

        [^1]:

    Good:
        A claim.[^1] Another claim.^[See the appendix.]

        [^1]: The source.
    """

    id = "footnote/empty"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            for note in doc.note_defs:
                if all(_blank(doc, r.start, r.end) for r in note.regions):
                    line, column = doc.position(note.start)
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        f"footnote [^{note.label}] has no text",
                        "write the note's text after the colon",
                    )
            for inline in doc.inline_notes:
                if _blank(doc, *inline.body):
                    line, column = doc.position(inline.start)
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        "inline note ^[...] has no text",
                        "write the note's text between the brackets",
                    )


@register
class Unindented(Rule):
    """A note's text starts on the next, unindented paragraph, which pandoc swallows into it.

    Pandoc takes the block after an empty `[^label]:` line as the note's text, whatever its
    indentation: the paragraph vanishes from the body and appears as the note.

    Bad:
        A claim.[^1]

        [^1]:

        The next paragraph of the body.

    Good:
        A claim.[^1]

        [^1]:
            The note's text, indented by four spaces.

        The next paragraph of the body.
    """

    id = "footnote/unindented"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            for note in doc.note_defs:
                if note.swallowed is not None:
                    line, column = doc.position(note.swallowed)
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        f"this paragraph becomes the text of footnote [^{note.label}]",
                        "indent it by four spaces if it is the note, or give the note its text",
                    )


@register
class Nested(Rule):
    """A note is referenced inside another note: pandoc prints `[^x]` there, or nests notes.

    Bad:
        A claim.[^1]

        [^1]: See the source.[^2]
        [^2]: The source.

    Good:
        A claim.[^1]

        [^1]: See the source; the source itself is cited in the bibliography.
    """

    id = "footnote/nested"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            for ref in doc.note_refs:
                if ref.container is not None:
                    line, column = doc.position(ref.start)
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        f"footnote reference [^{ref.label}] inside a note is printed as text",
                        "move the reference into the body text or merge the two notes",
                    )
            for inline in doc.inline_notes:
                if inline.container is not None:
                    line, column = doc.position(inline.start)
                    what = (
                        "an inline note"
                        if isinstance(inline.container, InlineNote)
                        else ("a footnote")
                    )
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        f"inline note ^[...] inside {what}: a note within a note",
                        "merge the two notes",
                    )
