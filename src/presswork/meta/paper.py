"""The paper's own bibliographic record, read from pandoc's metadata (after citeproc)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from presswork.formats.document import plain_text
from presswork.meta.isodate import iso_date

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_PAGES = re.compile(r"^\s*(\w+)\s*(?:[-–—]+\s*(\w+))?\s*$")


def _text(value: Any) -> str:
    return " ".join(plain_text(value).split())


def _texts(value: Any) -> tuple[str, ...]:
    items = (
        value.get("c", []) if isinstance(value, dict) and value.get("t") == "MetaList" else [value]
    )
    return tuple(text for text in (_text(item) for item in items) if text)


def _authors(value: Any) -> tuple[str, ...]:
    items = (
        value.get("c", []) if isinstance(value, dict) and value.get("t") == "MetaList" else [value]
    )
    names = []
    for item in items:
        if isinstance(item, dict) and item.get("t") == "MetaMap":
            item = item["c"].get("name", {})
        name = _text(item)
        if name:
            names.append(name)
    return tuple(names)


@dataclass(frozen=True)
class Paper:
    """What a citation of this paper needs; empty strings where the metadata says nothing."""

    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""  # ISO 8601 at the precision written: 2020, 2020-06 or 2020-06-01
    lang: str = ""
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    doi: str = ""
    url: str = ""
    pdf_url: str = ""

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def date_parts(self) -> list[int]:
        match = _ISO_DATE.match(self.date)
        return [int(part) for part in match.groups() if part] if match else []

    @property
    def year(self) -> str:
        parts = self.date_parts
        return str(parts[0]) if parts else ""

    @property
    def page_range(self) -> tuple[str, str]:
        """First and last page ("368", "384"); the last is empty for a single page."""
        match = _PAGES.match(self.pages)
        return (match.group(1), match.group(2) or "") if match else ("", "")

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def split_name(name: str) -> dict[str, str]:
    """A CSL name: "Family, Given" or "Given Family"; anything else (an institution,
    "Unknown author") stays one literal name."""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"literal": family}
    words = name.split()
    if len(words) >= 2 and all(word[:1].isupper() for word in words):
        return {"family": words[-1], "given": " ".join(words[:-1])}
    return {"literal": name}


def paper_from_meta(meta: dict[str, Any], lang: str, url: str = "", pdf_url: str = "") -> Paper:
    """The record from pandoc's metadata; `url` and `pdf_url` (settings) win over the metadata's."""
    journal = meta.get("journal", {})
    fields = (
        journal.get("c", {}) if isinstance(journal, dict) and journal.get("t") == "MetaMap" else {}
    )
    doi = _text(meta.get("doi", {}))
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    return Paper(
        title=_text(meta.get("title", {})),
        subtitle=_text(meta.get("subtitle", {})),
        authors=_authors(meta.get("author", {})),
        date=iso_date(_text(meta.get("date", {}))),  # "May 04, 2022" as well as ISO
        lang=lang,
        abstract=_text(meta.get("abstract", {})),
        keywords=_texts(meta.get("keywords", {})),
        journal=_text(fields.get("title", {})),
        volume=_text(fields.get("volume", {})),
        issue=_text(fields.get("issue", {})),
        pages=_text(fields.get("pages", {})),
        publisher=_text(fields.get("publisher", {})),
        doi=doi,
        url=_web(url or _text(meta.get("url", {}))),
        pdf_url=_web(pdf_url or _text(meta.get("pdf-url", {}))),
    )


def _web(url: str) -> str:
    """A web address, or '' for anything else (a javascript: URL would be a live link)."""
    url = url.strip()
    return url if re.match(r"https?://[^\s\x00-\x1f]+\Z", url, re.IGNORECASE) else ""
