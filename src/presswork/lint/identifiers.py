"""Identifier rules: `@doi:`, `@pmid:`, `@arxiv:`... keys checked offline against their syntax
and against the frozen file that `presswork refs fetch` writes (references/identifiers.json).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from presswork.identifiers.keys import aliases, frozen_display, resolve
from presswork.identifiers.syntax import Identifier, parse
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import Citation
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document


def resolver(ctx: Context) -> Callable[[str], str]:
    """Key as written -> the key pandoc matches after the build's rewrite (aliases, case)."""
    alias_map = ctx.memo("identifier-aliases", lambda: aliases(ctx.project))
    return lambda key: resolve(key, alias_map)


def _cited(ctx: Context) -> list[tuple[Document, Citation, Identifier]]:
    def compute() -> list[tuple[Document, Citation, Identifier]]:
        alias_map = ctx.memo("identifier-aliases", lambda: aliases(ctx.project))
        found = []
        for doc, cite in ctx.citations():
            ident = parse(alias_map.get(cite.key, cite.key))
            if ident is not None:
                found.append((doc, cite, ident))
        return found

    return ctx.memo("identifiers", compute)


@register
class Invalid(Rule):
    """An identifier key breaks its syntax (DOI, PMID, PMCID, arXiv, ISBN check digit...).

    Checked offline: a DOI is `10.`, 4 to 9 digits, `/` and a suffix; a PMID 1 to 8 digits;
    a PMCID `PMC` and digits; an arXiv ID `2101.01234` or `hep-th/9901001` (with `v2`); an
    ISBN 10 or 13 digits whose check digit is right.

    Bad:
        ==> manuscript/01-text.md <==
        Deep nets [@isbn:9780262035614] and [@pmid:PMC4481139].

    Good:
        ==> references/identifiers.json <==
        [{"id": "isbn:9780262035613", "type": "book", "title": "Deep Learning",
          "issued": {"date-parts": [[2016]]}},
         {"id": "pmcid:PMC4481139", "type": "article-journal", "title": "Higher-order",
          "issued": {"date-parts": [[2015]]}}]
        ==> manuscript/01-text.md <==
        Deep nets [@isbn:978-0-262-03561-3] and [@pmcid:PMC4481139].
    """

    id = "identifier/invalid"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc, cite, ident in _cited(ctx):
            if ident.problem is not None:
                line, column = doc.position(cite.start)
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    f"identifier '@{cite.key}' is invalid: {ident.problem}",
                    "correct the identifier, or cite the work by a key of a reference file",
                )


@register
class NotFetched(Rule):
    """An identifier is cited but not in the frozen file: the build has no data for it.

    The build never uses the network; `presswork refs fetch` resolves the identifiers cited
    into references/identifiers.json, which is committed with the manuscript.

    Bad:
        ==> manuscript/01-text.md <==
        Deep learning [@doi:10.1038/nature14539].

    Good:
        ==> references/identifiers.json <==
        [{"id": "doi:10.1038/nature14539", "type": "article-journal", "title": "Deep learning",
          "author": [{"family": "LeCun", "given": "Yann"}], "container-title": "Nature",
          "issued": {"date-parts": [[2015, 5, 27]]}}]
        ==> manuscript/01-text.md <==
        Deep learning [@DOI:10.1038/NATURE14539].
    """

    id = "identifier/not-fetched"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        frozen = frozen_display(ctx.project)
        for doc, cite, ident in _cited(ctx):
            if ident.problem is None and ident.key not in ctx.refs_by_id:
                line, column = doc.position(cite.start)
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    f"identifier '@{cite.key}' is not in {frozen}",
                    "run `presswork refs fetch` (it needs the network; the build never does)",
                )


def _signatures(ctx: Context, key: str) -> set[str]:
    """The identifiers a frozen entry shows for its work: its own key, its DOI, PMID, PMCID."""
    signs = {key}
    ref = ctx.refs_by_id.get(key)
    if ref is None:
        return signs
    for field, prefix in (("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid")):
        value = ref.get(field)
        if isinstance(value, (str, int)) and str(value).strip():
            ident = parse(f"{prefix}:{str(value).strip()}")
            if ident is not None and ident.problem is None:
                signs.add(ident.key)
    return signs


@register
class DuplicateWork(Rule):
    """One work is cited by two identifiers (a DOI and its PMID): it is listed twice.

    Found where the frozen data shows it: the PubMed record of `@pmid:26017442` carries the
    DOI 10.1038/nature14539, so citing both gives two entries, "2015a" and "2015b".

    Bad:
        ==> references/identifiers.json <==
        [{"id": "doi:10.1038/nature14539", "type": "article-journal", "title": "Deep learning",
          "DOI": "10.1038/nature14539", "issued": {"date-parts": [[2015]]}},
         {"id": "pmid:26017442", "type": "article-journal", "title": "Deep learning.",
          "DOI": "10.1038/nature14539", "PMID": "26017442", "issued": {"date-parts": [[2015]]}}]
        ==> manuscript/01-text.md <==
        Deep learning [@doi:10.1038/nature14539], in PubMed [@pmid:26017442].

    Good:
        ==> references/identifiers.json <==
        [{"id": "doi:10.1038/nature14539", "type": "article-journal", "title": "Deep learning",
          "DOI": "10.1038/nature14539", "issued": {"date-parts": [[2015]]}}]
        ==> manuscript/01-text.md <==
        Deep learning [@doi:10.1038/nature14539], in PubMed [@doi:10.1038/nature14539].
    """

    id = "identifier/duplicate-work"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        first_key: dict[str, str] = {}  # signature -> the first cited key showing it
        first_at: dict[str, tuple[Document, Citation]] = {}
        reported: set[tuple[str, str]] = set()
        for doc, cite, ident in _cited(ctx):
            if ident.problem is not None:
                continue
            first_at.setdefault(ident.key, (doc, cite))
            for sign in sorted(_signatures(ctx, ident.key)):
                other = first_key.setdefault(sign, ident.key)
                if other == ident.key or (other, ident.key) in reported:
                    continue
                reported.add((other, ident.key))
                line, column = doc.position(cite.start)
                where, at = first_at[other]
                other_line, _ = where.position(at.start)
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    f"'@{cite.key}' is the same work as '@{at.key}' (line {other_line}"
                    f"{'' if where.path == doc.path else ' of ' + where.path}): both show "
                    f"{sign}, so the work is listed twice",
                    f"cite it one way, e.g. [@{other}]",
                )
