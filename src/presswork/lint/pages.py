"""Page numbers: citation locators (`p. 33`, `33–5`, `106n3`) and reference page ranges."""

from __future__ import annotations

import re

from presswork.references import Reference

_LABEL = re.compile(r"(?i)(?P<label>[a-z§¶]+\.?|§|¶)\s*")
_PAGE_LABELS = {"p", "pp", "page", "pages", "at"}
_NUMBER = re.compile(
    r"(?P<lo>\d{1,6})(?:\s*(?:-{1,2}|–|—)\s*(?P<hi>\d{1,6}))?(?:n\.?\s*\d+|nn?\b|f{1,2}\.?)?"
)
_SEPARATOR = re.compile(r"\s*(?:,|&|and)\s*")


def expand(lo: int, hi_text: str | None) -> tuple[int, int]:
    """A page range with the end written in full: 581–90 is 581 to 590."""
    if hi_text is None:
        return lo, lo
    hi = int(hi_text)
    lo_text = str(lo)
    if hi < lo and len(hi_text) < len(lo_text):
        hi = int(lo_text[: len(lo_text) - len(hi_text)] + hi_text)
    return lo, hi


def parse_locator(text: str) -> list[tuple[int, int]] | None:
    """The pages a locator names, or None when it names something else (chapter, note...)."""
    text = text.strip().strip("{}").strip()
    label = _LABEL.match(text)
    at = 0
    if label and not text[: label.end()].strip()[0].isdigit():
        if label.group("label").rstrip(".").lower() not in _PAGE_LABELS:
            return None
        at = label.end()
    pages: list[tuple[int, int]] = []
    while True:
        number = _NUMBER.match(text, at)
        if number is None:
            break
        pages.append(expand(int(number.group("lo")), number.group("hi")))
        at = number.end()
        separator = _SEPARATOR.match(text, at)
        if separator is None or not _NUMBER.match(text, separator.end()):
            break
        at = separator.end()
    return pages or None


_RANGE = re.compile(r"(\d{1,6})\s*(?:(?:-{1,2}|–|—)\s*(\d{1,6})|(\+))?")


def page_ranges(ref: Reference) -> list[tuple[int, int | None]] | None:
    """The pages a reference spans, as (first, last) pairs, if it says.

    A lone first page ("581", "581+") gives last None: the work starts there, its end is
    unknown. Among several parts ("1-5, 9"), a lone page is just that page.
    """
    value = ref.get("pages") if ref.syntax == "bibtex" else ref.get("page")
    if value is None:
        return None
    parts = re.split(r"\s*[,;]\s*", str(value).strip())
    ranges: list[tuple[int, int | None]] = []
    for part in parts:
        match = _RANGE.fullmatch(part)
        if match is None:
            return None  # e-locators, roman numerals, "in press": nothing to compare
        first, last, plus = match.groups()
        if last is not None:
            lo, hi = expand(int(first), last)
            if hi < lo:
                return None
            ranges.append((lo, hi))
        elif plus or len(parts) == 1:
            ranges.append((int(first), None))
        else:
            ranges.append((int(first), int(first)))
    return ranges or None


def outside(pages: list[tuple[int, int]], ranges: list[tuple[int, int | None]]) -> bool:
    """Whether any cited page lies outside every range of the reference."""
    for lo, hi in pages:
        for page in (lo, hi):
            inside = any(page >= first and (last is None or page <= last) for first, last in ranges)
            if not inside:
                return True
    return False
