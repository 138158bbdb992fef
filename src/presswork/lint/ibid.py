"""The "Ibid." rule: hand-written back-references in a manuscript that cites with keys.

Notes are taken in reading order: footnotes where they are referenced, inline notes, and
citations in the body (which a note style turns into notes of their own). An "Ibid." is
an error only when it is wrong in every reading: author-date styles make no notes of
body citations, note styles do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from presswork.crossref import is_crossref_key
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import Citation, NoteDef
from presswork.lint.pages import outside, page_ranges, parse_locator
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document

_IBID = re.compile(
    r"\b(?:ibid|ibidem)\b\.?(?P<rest>[ ,]*(?:pp?\.\s*)?(?P<page>\d[\d\s\-–]*)?)", re.IGNORECASE
)


@dataclass
class _Event:
    hand_written: bool  # a footnote or inline note (else: a citation in the body)
    cites: list[Citation] = field(default_factory=list)
    body: list[tuple[Document, int, int]] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # what its own "Ibid." stood for

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(c.key for c in self.cites)) or self.resolved


def _events(ctx: Context) -> list[_Event]:
    defs: dict[str, tuple[Document, NoteDef]] = {}
    for doc in ctx.documents:
        for note in doc.note_defs:
            defs[note.label] = (doc, note)  # pandoc keeps the last definition
    cites_in: dict[int, list[Citation]] = {}
    for _, cite in ctx.citations():
        if cite.container is not None:
            cites_in.setdefault(id(cite.container), []).append(cite)
    events: list[tuple[int, int, _Event]] = []
    for order, doc in enumerate(ctx.documents):
        for ref in doc.note_refs:
            if ref.container is None and ref.label in defs:
                def_doc, note = defs[ref.label]
                body = [(def_doc, r.start, r.end) for r in note.regions]
                events.append((order, ref.start, _Event(True, cites_in.get(id(note), []), body)))
        for inline in doc.inline_notes:
            if inline.container is None:
                event = _Event(True, cites_in.get(id(inline), []), [(doc, *inline.body)])
                events.append((order, inline.start, event))
        groups: dict[int, _Event] = {}
        for cite in doc.citations:
            if cite.container is None and not is_crossref_key(cite.key):
                if cite.group not in groups:
                    groups[cite.group] = _Event(False)
                    events.append((order, cite.start, groups[cite.group]))
                groups[cite.group].cites.append(cite)
    return [event for _, _, event in sorted(events, key=lambda e: (e[0], e[1]))]


@register
class Ibid(Rule):
    """A hand-written "Ibid." where citation keys would let the style say it correctly.

    A hint (info) in a manuscript that cites with keys; an error where it cannot be right:
    in the first note, after a note citing two or more works, or with a page outside the
    previous work's page range.

    Bad:
        ==> references/refs.bib <==
        @book{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        A claim.[^1] Another claim.[^2]

        [^1]: See [@smith2001, 12].
        [^2]: Ibid., 14.

    Good:
        ==> references/refs.bib <==
        @book{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        A claim.[^1] Another claim.[^2]

        [^1]: See [@smith2001, 12].
        [^2]: [@smith2001, 14].
    """

    id = "footnote/ibid"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not any(True for _ in ctx.citations()):
            return  # a manuscript of hand-written notes: "Ibid." is its convention
        if not any(_IBID.search(doc.prose) for doc in ctx.documents):
            return
        previous_note: _Event | None = None
        previous_cite: _Event | None = None
        for event in _events(ctx):
            if not event.hand_written:
                previous_cite = event
                continue
            for doc, start, end in event.body:
                for match in _IBID.finditer(doc.prose, start, end):
                    before = [c for c in event.cites if c.start < match.start()]
                    if before:  # "Ibid." after a citation in the same note
                        candidates = [_Event(True, [before[-1]])]
                    else:
                        candidates = [e for e in (previous_note, previous_cite) if e is not None]
                    yield self._judge(ctx, doc, match, candidates)
                    # a note that is only "Ibid." stands for the work before it
                    last = next((c for c in reversed(candidates) if len(c.keys) == 1), None)
                    if not event.cites and last is not None:
                        event.resolved = last.keys
            previous_note, previous_cite = event, None

    def _judge(
        self, ctx: Context, doc: Document, match: re.Match[str], candidates: list[_Event]
    ) -> Finding:
        line, column = doc.position(match.start())
        pages = parse_locator(match.group("page") or "")
        page = f", {match.group('page').strip()}" if match.group("page") else ""
        if not candidates:
            return self.finding(
                doc.path,
                line,
                column,
                "'Ibid.' in the first note refers to nothing",
                f"cite the work with its key: [@key{page}]",
                Severity.ERROR,
            )
        problems = [self._problem(ctx, c, pages) for c in candidates]
        if all(problems):
            return self.finding(
                doc.path,
                line,
                column,
                f"'Ibid.' {problems[-1]}",
                f"cite the work with its key: [@key{page}]",
                Severity.ERROR,
            )
        single = next((c.keys for c in reversed(candidates) if len(c.keys) == 1), None)
        fix = f"write [@{single[0]}{page}]" if single else f"write [@key{page}]"
        return self.finding(
            doc.path,
            line,
            column,
            "hand-written 'Ibid.': cite with a key and let the style shorten it",
            fix,
        )

    @staticmethod
    def _problem(ctx: Context, event: _Event, pages: list[tuple[int, int]] | None) -> str:
        keys = event.keys
        if len(keys) >= 2:
            return f"follows a note citing {len(keys)} works ({', '.join(keys)}): which one?"
        if len(keys) == 1 and pages:
            ref = ctx.refs_by_id.get(keys[0])
            ranges = page_ranges(ref) if ref is not None else None
            if ranges and outside(pages, ranges):
                shown = ", ".join(f"{a}–{b}" if b not in (None, a) else f"{a}" for a, b in ranges)
                return f"cites a page outside {keys[0]} (pages {shown})"
        return ""
