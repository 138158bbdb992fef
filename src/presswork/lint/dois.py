"""DOI rules: syntax in reference fields and in the prose, prefixes, duplicates, URL fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.lint.context import Context
from presswork.lint.doisyntax import PREFIXES, check, strip_trailing
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register
from presswork.references import Reference

# In prose, only a DOI announced as one is checked ("10.5/3" may be a ratio, "DOI: one" is
# English): after "doi:" a digit, after "DOI " the "10." of a DOI, or a doi.org link.
_PROSE_DOI = re.compile(
    r"(?i)(?:\bdoi:\s?(?=\d)|\bdoi\s+(?=10\.)|https?://(?:dx\.)?doi\.org/)(\S*)"
)
_LATEX_ESCAPE = re.compile(r"\\([_%&#$])|[{}]")


@dataclass(frozen=True)
class DoiField:
    ref: Reference
    name: str
    raw: str  # the value as written
    doi: str  # without braces, escapes, or a doi:/URL prefix
    offset: int  # where `doi` starts in the cleaned value
    prefix: str  # the "doi:" or URL prefix written before it, if any
    index: list[int]  # raw offset of each character of the cleaned value

    def raw_offset(self, at: int) -> int:
        return self.index[at] if at < len(self.index) else len(self.raw)


def doi_fields(ctx: Context) -> list[DoiField]:
    def compute() -> list[DoiField]:
        found = []
        for ref in ctx.references:
            name = "doi" if ref.syntax == "bibtex" else "DOI"
            value = ref.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            index = []
            cleaned = []
            at = 0
            for match in _LATEX_ESCAPE.finditer(value) if ref.syntax == "bibtex" else ():
                for k in range(at, match.start()):
                    index.append(k)
                    cleaned.append(value[k])
                if match.group(1):
                    index.append(match.start(1))
                    cleaned.append(match.group(1))
                at = match.end()
            for k in range(at, len(value)):
                index.append(k)
                cleaned.append(value[k])
            text = "".join(cleaned)
            lead = len(text) - len(text.lstrip())
            text = text.strip()
            prefix = PREFIXES.match(text)
            start = lead + (prefix.end() if prefix else 0)
            found.append(
                DoiField(
                    ref,
                    name,
                    value,
                    text[prefix.end() if prefix else 0 :],
                    start,
                    prefix.group().strip() if prefix else "",
                    index,
                )
            )
        return found

    return ctx.memo("doi-fields", compute)


@register
class Syntax(Rule):
    """A DOI that cannot resolve: wrong prefix, empty suffix, a space, non-ASCII, stray ending.

    Checked in DOI fields and where the prose writes `doi:` or a doi.org link.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, doi = {10.123/abc.}}

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001},
          doi = {10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0}}
    """

    id = "doi/syntax"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for item in doi_fields(ctx):
            problem = check(item.doi)
            if problem is None:
                continue
            at = item.raw_offset(item.offset + problem.offset)
            line, column = ctx.reference_files.value_position(item.ref, item.name, offset=at)
            yield self.finding(
                item.ref.file,
                line,
                column,
                f"{item.ref.id}: {problem.message}",
                f"write {problem.fix}" if problem.fix else "copy the DOI from the work's own page",
            )
        for doc in ctx.documents:
            if "doi" not in doc.code_masked.lower():
                continue  # the case-blind pattern would be tried at every character
            for match in _PROSE_DOI.finditer(doc.code_masked):
                doi = strip_trailing(match.group(1))
                problem = check(doi)
                if problem is None:
                    continue
                line, column = doc.position(match.start(1) + problem.offset)
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    problem.message,
                    f"write {problem.fix}"
                    if problem.fix
                    else "copy the DOI from the work's own page",
                )


@register
class Prefix(Rule):
    """A DOI field holds `doi:` or a doi.org URL: styles add their own, and print it twice.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, doi = {https://doi.org/10.1000/xyz}}

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, doi = {10.1000/xyz}}
    """

    id = "doi/prefix"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for item in doi_fields(ctx):
            if item.prefix:
                line, column = ctx.reference_files.value_position(item.ref, item.name)
                yield self.finding(
                    item.ref.file,
                    line,
                    column,
                    f"{item.ref.id}: the DOI field starts with '{item.prefix}'",
                    f"write {item.doi}",
                )


@register
class Duplicate(Rule):
    """Two references have the same DOI: one of them is a copy, or has another work's DOI.

    Bad:
        ==> references/refs.bib <==
        @article{a, title = {One}, year = {2001}, doi = {10.1000/xyz}}
        @article{b, title = {Two}, year = {2002}, doi = {10.1000/XYZ}}

    Good:
        ==> references/refs.bib <==
        @article{a, title = {One}, year = {2001}, doi = {10.1000/xyz}}
        @article{b, title = {Two}, year = {2002}, doi = {10.1000/uvw}}
    """

    id = "doi/duplicate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        seen: dict[str, Reference] = {}
        for item in doi_fields(ctx):
            key = item.doi.lower()  # DOIs are case-insensitive
            if not key or check(item.doi) is not None:
                continue
            first = seen.setdefault(key, item.ref)
            if first is not item.ref and first.id != item.ref.id:
                line, column = ctx.reference_files.value_position(item.ref, item.name, offset=0)
                yield self.finding(
                    item.ref.file,
                    line,
                    column,
                    f"{item.ref.id} has the same DOI as {first.id}",
                    "delete the copy, or correct one of the DOIs",
                )


_DOI_URL = re.compile(r"(?i)^\s*https?://(?:dx\.)?doi\.org/(10\.\S+)\s*$")


@register
class UrlField(Rule):
    """A doi.org link sits in the URL field while the DOI field is empty.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, url = {https://doi.org/10.1000/xyz}}

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, doi = {10.1000/xyz}}
    """

    id = "doi/url-field"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for ref in ctx.references:
            name, doi_name = ("url", "doi") if ref.syntax == "bibtex" else ("URL", "DOI")
            url, doi = ref.get(name), ref.get(doi_name)
            if not isinstance(url, str) or (isinstance(doi, str) and doi.strip()):
                continue
            match = _DOI_URL.match(url.replace("\\_", "_"))
            if match:
                line, column = ctx.reference_files.value_position(ref, name)
                yield self.finding(
                    ref.file,
                    line,
                    column,
                    f"{ref.id}: the URL is a DOI link, but the DOI field is empty",
                    f"write {doi_name} = {match.group(1)} instead of the URL",
                )
