"""Identifier citation keys in Manubot's syntax: parse, check offline, normalise.

`doi:10.1038/NATURE14539` and `DOI:10.1038/nature14539` are one work, so both normalise to
one key (`doi:10.1038/nature14539`), the `id` of the work's entry in the frozen file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Manubot's prefixes, plus `http:`/`https:` (a bare URL is a `url:` key, as in Manubot).
PREFIXES = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url", "wikidata")
# Manubot's handlers accept `pubmed:` and `pmid:` for one source, `pmc:` and `pmcid:` for
# another (manubot/cite/pubmed.py): both spellings are one work here.
_ALIASES = {"pubmed": "pmid", "pmc": "pmcid", "http": "url", "https": "url"}

_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_PMID = re.compile(r"[1-9][0-9]{0,7}")
_PMCID = re.compile(r"PMC[0-9]+")
_WIKIDATA = re.compile(r"Q[1-9][0-9]*")
# New form (since 2007): YYMM.NNNN or YYMM.NNNNN; old form: archive(.SUBJECT)/YYMMNNN.
_ARXIV_NEW = re.compile(r"[0-9]{4}\.[0-9]{4,5}(?:v[1-9][0-9]*)?")
_ARXIV_OLD = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7}(?:v[1-9][0-9]*)?")
_DOI_RESOLVER = re.compile(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:)")


@dataclass(frozen=True)
class Identifier:
    """One identifier key: its prefix, the accession as written, the normalised key."""

    prefix: str  # one of PREFIXES
    accession: str  # as written, after the prefix
    key: str  # normalised: the frozen entry's id
    problem: str | None = None  # what is wrong with its syntax, or None

    @property
    def normal(self) -> str:
        """The accession part of the normalised key."""
        return self.key.split(":", 1)[1]


def prefix_of(key: str) -> str | None:
    """The identifier prefix of a citation key (`doi`, `url`...), or None for other keys."""
    head, colon, rest = key.partition(":")
    if not colon or not rest:
        return None
    head = head.lower()
    if head in ("http", "https"):
        return "url" if rest.startswith("//") else None
    head = _ALIASES.get(head, head)
    return head if head in PREFIXES else None


def isbn_problem(digits: str) -> str | None:
    """What is wrong with an ISBN (hyphens and spaces already removed), or None."""
    if re.fullmatch(r"[0-9]{9}[0-9Xx]", digits):
        total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(digits))
        return None if total % 11 == 0 else f"the ISBN-10 check digit of '{digits}' is wrong"
    if re.fullmatch(r"97[89][0-9]{10}", digits):
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
        return None if total % 10 == 0 else f"the ISBN-13 check digit of '{digits}' is wrong"
    return f"'{digits}' is not an ISBN: 10 digits (the last may be X) or 13 starting 978 or 979"


def isbn13(digits: str) -> str:
    """A valid ISBN-10 or ISBN-13 as ISBN-13 (as Manubot standardises it)."""
    if len(digits) == 13:
        return digits
    body = "978" + digits[:9]
    check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
    return body + str(check)


def _check(prefix: str, accession: str) -> tuple[str, str | None]:
    """The normalised accession and what is wrong with it (None when it is fine)."""
    if prefix == "doi":
        doi = _DOI_RESOLVER.sub("", accession).lower()  # DOIs are case-insensitive
        if doi.startswith("10/"):
            return doi, "shortDOIs (10/...) need the network to expand: cite the full DOI"
        if not doi.startswith("10."):
            return doi, "a DOI starts with '10.'"
        if not _DOI.fullmatch(doi):
            return doi, f"'{doi}' is not a DOI: '10.', 4 to 9 digits, '/', then the suffix"
        return doi, None
    if prefix == "pmid":
        if accession.upper().startswith("PMC"):
            return accession, "a PubMed ID is digits; a PMC... identifier is cited as @pmcid:"
        if not _PMID.fullmatch(accession):
            return accession, "a PubMed ID is 1 to 8 digits, without leading zeros"
        return accession, None
    if prefix == "pmcid":
        pmcid = accession.upper()
        if pmcid.isdigit():
            pmcid = "PMC" + pmcid
        if not _PMCID.fullmatch(pmcid):
            return pmcid, "a PubMed Central ID is 'PMC' and digits"
        return pmcid, None
    if prefix == "arxiv":
        arxiv = re.sub(r"(?i)^arxiv:", "", accession)
        if _ARXIV_NEW.fullmatch(arxiv):
            # YYMM: a month 01-12; numbers have 4 digits until 1412 and 5 from 1501 on.
            month, number = int(arxiv[2:4]), arxiv[5:].split("v")[0]
            if not 1 <= month <= 12 or len(number) != (5 if int(arxiv[:2]) >= 15 else 4):
                return arxiv, (
                    f"'{arxiv}' is not an arXiv ID: YYMM.NNNNN with a month 01-12, "
                    "and 4 digits after the dot before 2015"
                )
            return arxiv, None
        if _ARXIV_OLD.fullmatch(arxiv):
            return arxiv, None
        return arxiv, (
            f"'{arxiv}' is not an arXiv ID: 2101.01234 (or .0123), or the old form "
            "hep-th/9901001, with an optional version v2"
        )
    if prefix == "isbn":
        digits = re.sub(r"[\s-]", "", accession)
        problem = isbn_problem(digits)
        return (digits if problem else isbn13(digits)), problem
    if prefix == "wikidata":
        item = accession.upper()
        if not _WIKIDATA.fullmatch(item):
            return item, "a Wikidata item ID is 'Q' and digits"
        return item, None
    # url
    if not re.match(r"(?i)https?://[^/\s]+", accession):
        return accession, "a URL identifier starts with http:// or https:// and a host"
    return accession, None


def parse(key: str) -> Identifier | None:
    """The identifier a citation key names, or None when the key is an ordinary one."""
    prefix = prefix_of(key)
    if prefix is None:
        return None
    head, _, accession = key.partition(":")
    if head.lower() in ("http", "https"):
        accession = key  # `@https://...` is the URL itself
    normal, problem = _check(prefix, accession)
    return Identifier(prefix, accession, f"{prefix}:{normal}", problem)
