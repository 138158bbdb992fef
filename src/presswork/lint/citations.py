"""Citation rules: keys that resolve to nothing, keys defined twice, impossible pages."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.identifiers.syntax import prefix_of
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.identifiers import resolver
from presswork.lint.model import Citation
from presswork.lint.pages import outside, page_ranges, parse_locator
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document
from presswork.references import Reference

# Types whose pages are one article or chapter: tens of pages, not a whole book.
_SHORT_WORKS = {
    "article",
    "inproceedings",
    "incollection",
    "conference",
    "inbook",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "paper-conference",
    "chapter",
    "entry-encyclopedia",
    "entry-dictionary",
    "review",
    "review-book",
}
FAR = 40  # pages: below this, a locator is never "far" from the others
VERY_FAR = 100  # pages: beyond this, one short work cannot hold both


@register
class Undefined(Rule):
    """A citation key is not in any reference file, so pandoc prints `(key?)`.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        As shown before [@smith2010, 12].

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        As shown before [@smith2001, 12]. Write \\@name for a literal at sign.
    """

    id = "citation/undefined"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        known = sorted(ctx.refs_by_id)
        fixes: dict[str, str] = {}
        resolve = resolver(ctx)  # aliases and @DOI:10.1/X as the build rewrites them
        for doc, cite in ctx.citations():
            key = resolve(cite.key)
            if key in ctx.refs_by_id or prefix_of(key) is not None:
                continue  # identifiers have their own rules (lint/identifiers.py)
            if cite.key not in fixes:
                close = difflib.get_close_matches(cite.key, known, n=1, cutoff=0.6) if known else []
                fixes[cite.key] = (
                    f"did you mean @{close[0]}?"
                    if close
                    else "add the work to a reference file, or write \\@ for a literal at sign"
                )
            fix = fixes[cite.key]
            line, column = doc.position(cite.start)
            yield self.finding(
                doc.path, line, column, f"citation key '{cite.key}' is not in the references", fix
            )
        meta = ctx.metadata_for("nocite")
        for key in sorted(ctx.nocite - set(ctx.refs_by_id) - {"*"}):
            if resolve(key) in ctx.refs_by_id or prefix_of(resolve(key)) is not None:
                continue
            node = meta.node("nocite") if meta is not None else None
            if meta is None or node is None:
                continue
            at = meta.index.text.find("@" + key, int(node.start_mark.index))
            line, column = meta.index.position(at if at >= 0 else int(node.start_mark.index))
            yield self.finding(
                meta.path,
                line,
                column,
                f"nocite key '{key}' is not in the references",
                "add the work to a reference file, or take it out of nocite",
            )


@register
class DuplicateKey(Rule):
    """Two references share one key, in one file or across files: citations become ambiguous.

    Bad:
        ==> references/articles.bib <==
        @article{smith2001, title = {One}, year = {2001}}
        ==> references/books.bib <==
        @book{smith2001, title = {Another}, year = {2001}}

    Good:
        ==> references/articles.bib <==
        @article{smith2001a, title = {One}, year = {2001}}
        ==> references/books.bib <==
        @book{smith2001b, title = {Another}, year = {2001}}
    """

    id = "citation/duplicate-key"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        first: dict[str, Reference] = {}
        for ref in ctx.references:
            if ref.id not in first:
                first[ref.id] = ref
                continue
            original = first[ref.id]
            line, column = ctx.reference_files.key_position(ref)
            where = (
                f"line {original.line}"
                if original.file == ref.file
                else (f"{original.file}:{original.line}")
            )
            yield self.finding(
                ref.file,
                line,
                column,
                f"reference key '{ref.id}' is defined twice (first at {where})",
                "rename one of them, or delete the copy",
            )


@register
class Unused(Rule):
    """A reference is never cited, so no style prints it (unless the metadata's nocite lists it).

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        A claim without its source.

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}}
        ==> manuscript/01-text.md <==
        A claim with its source [@smith2001].
    """

    id = "citation/unused"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterator[Finding]:
        if "*" in ctx.nocite:
            return
        resolve = resolver(ctx)
        cited = {resolve(cite.key) for _, cite in ctx.citations()} | {
            resolve(key) for key in ctx.nocite
        }
        for ref in ctx.references:  # a crossref or xdata parent is used by its children
            for name in ("crossref", "xdata"):
                value = ref.get(name)
                if isinstance(value, str):
                    cited.update(part.strip() for part in value.split(","))
        for key, ref in ctx.refs_by_id.items():
            if key not in cited:
                line, column = ctx.reference_files.key_position(ref)
                yield self.finding(
                    ref.file,
                    line,
                    column,
                    f"reference '{key}' is never cited",
                    f"cite it with [@{key}], or list it in the metadata's nocite",
                )


@dataclass(frozen=True)
class _Cited:
    doc: Document
    cite: Citation
    pages: list[tuple[int, int]]
    span: tuple[int, int]  # the lowest and the highest page it names


def _others_span(cites: list[_Cited]) -> list[tuple[int, int]]:
    """For each citation, the pages spanned by all the others (in linear time)."""
    lows = sorted((c.span[0], k) for k, c in enumerate(cites))[:2]
    highs = sorted(((c.span[1], k) for k, c in enumerate(cites)), reverse=True)[:2]
    return [(lows[lows[0][1] == k][0], highs[highs[0][1] == k][0]) for k in range(len(cites))]


def _page_citations(ctx: Context) -> dict[str, list[_Cited]]:
    found: dict[str, list[_Cited]] = {}
    for doc, cite in ctx.citations():
        pages = parse_locator(cite.locator) if cite.locator else None
        if pages and cite.key in ctx.refs_by_id:
            span = (min(p[0] for p in pages), max(p[1] for p in pages))
            found.setdefault(cite.key, []).append(_Cited(doc, cite, pages, span))
    return found


def _gap(span: tuple[int, int], lo: int, hi: int) -> int:
    return max(lo - span[1], span[0] - hi, 0)


@register
class LocatorRange(Rule):
    """A cited page is outside the work's pages, or far from every other page cited for it.

    With a page range in the reference, a page outside it is an error. Without one, a page
    of an article or chapter far from all the others cited for it is a warning, when a work
    that short cannot span both or the page belongs to another work cited nearby.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, pages = {101--120}}
        ==> manuscript/01-text.md <==
        As shown before [@smith2001, 12].

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, pages = {101--120}}
        ==> manuscript/01-text.md <==
        As shown before [@smith2001, 112].
    """

    id = "citation/locator-range"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        cited = _page_citations(ctx)
        clusters = {
            key: (min(c.span[0] for c in cs), max(c.span[1] for c in cs))
            for key, cs in cited.items()
        }
        for key, cites in cited.items():
            ref = ctx.refs_by_id[key]
            ranges = page_ranges(ref)
            others = _others_span(cites) if len(cites) >= 3 else []
            for k, item in enumerate(cites):
                line, column = item.doc.position(item.cite.locator_start)
                if ranges is not None:
                    if outside(item.pages, ranges):
                        shown = ", ".join(
                            f"{a}–{b}" if b not in (None, a) else f"{a}" for a, b in ranges
                        )
                        yield self.finding(
                            item.doc.path,
                            line,
                            column,
                            f"page {_show(item.span)} is outside {key} (pages {shown})",
                            "check the page, or the reference's page range",
                        )
                elif ref.type in _SHORT_WORKS and len(cites) >= 3:
                    found = self._far(key, item, others[k], clusters)
                    if found is not None:
                        yield self.finding(
                            item.doc.path, line, column, found[0], found[1], Severity.WARNING
                        )

    @staticmethod
    def _far(
        key: str, item: _Cited, others: tuple[int, int], clusters: dict[str, tuple[int, int]]
    ) -> tuple[str, str] | None:
        # Two other citations at least: one other page says nothing about where the work lies.
        lo, hi = others
        gap = _gap(item.span, lo, hi)
        if gap <= max(FAR, 3 * (hi - lo)):
            return None
        owner = next(
            (
                other
                for other, (a, b) in sorted(clusters.items())
                if other != key and b - a <= FAR and _gap(item.span, a, b) <= 3
            ),
            None,
        )
        if owner is None and gap <= VERY_FAR:
            return None
        message = (
            f"page {_show(item.span)} is far from the other pages cited for {key} "
            f"({_show((lo, hi))})"
        )
        if owner is None:
            return message, "check the page number"
        a, b = clusters[owner]
        return (
            f"{message}, but among those cited for {owner} ({_show((a, b))}): "
            f"a citation of the wrong work?",
            f"check it; perhaps [@{owner}, {_show(item.span)}]",
        )


def _show(span: tuple[int, int]) -> str:
    return f"{span[0]}" if span[0] == span[1] else f"{span[0]}–{span[1]}"
