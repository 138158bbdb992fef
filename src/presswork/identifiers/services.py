"""One function per service: an identifier -> a CSL item, from the service's answer.

Each takes the answer's bytes (fetched by presswork.identifiers.fetch) and returns a CSL
dict, or raises Unusable with a short reason. Base URLs can be overridden by environment
variables (the tests point them at a server on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from presswork.identifiers.syntax import Identifier

BASES = {
    "doi": ("PRESSWORK_DOI_URL", "https://doi.org"),
    "ncbi": ("PRESSWORK_NCBI_URL", "https://api.ncbi.nlm.nih.gov/lit/ctxp/v1"),
    "arxiv": ("PRESSWORK_ARXIV_URL", "https://export.arxiv.org"),
    "openlibrary": ("PRESSWORK_OPENLIBRARY_URL", "https://openlibrary.org"),
    "wikidata": ("PRESSWORK_WIKIDATA_URL", "https://www.wikidata.org"),
}


class Unusable(Exception):
    """The service answered, but not with a usable record (no retry helps)."""


@dataclass(frozen=True)
class Request:
    url: str
    accept: str
    service: str  # its name in messages


def base(name: str) -> str:
    variable, default = BASES[name]
    return (os.environ.get(variable) or default).rstrip("/")


def request(ident: Identifier) -> Request:
    """Where to ask about an identifier."""
    value = quote(ident.normal, safe="/:")
    if ident.prefix == "doi":
        return Request(
            f"{base('doi')}/{value}", "application/vnd.citationstyles.csl+json", "doi.org"
        )
    if ident.prefix in ("pmid", "pmcid"):
        db = "pubmed" if ident.prefix == "pmid" else "pmc"
        url = f"{base('ncbi')}/{db}/?format=csl&id={value}"
        return Request(url, "application/json", "NCBI")
    if ident.prefix == "arxiv":
        url = f"{base('arxiv')}/api/query?id_list={value}&max_results=1"
        return Request(url, "application/atom+xml", "arXiv")
    if ident.prefix == "isbn":
        url = f"{base('openlibrary')}/api/books?bibkeys=ISBN:{value}&format=json&jscmd=data"
        return Request(url, "application/json", "Open Library")
    if ident.prefix == "wikidata":
        url = f"{base('wikidata')}/wiki/Special:EntityData/{value}.json"
        return Request(url, "application/json", "Wikidata")
    return Request(ident.normal, "text/html,application/xhtml+xml", "the page")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unusable("the answer is not valid JSON") from None


def _csl(body: bytes, ident: Identifier) -> dict[str, Any]:
    data = _json(body)
    if isinstance(data, list):
        data = data[0] if len(data) == 1 else None
    if not isinstance(data, dict) or not data.get("title"):
        raise Unusable("the answer is not a CSL item with a title")
    if ident.prefix == "pmid" and str(data.get("PMID", ident.normal)) != ident.normal:
        raise Unusable(f"the answer is about PMID {data.get('PMID')}")
    return data


def _person(name: str) -> dict[str, str]:
    name = " ".join(name.split())
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given} if given else {"literal": family}
    parts = name.rsplit(" ", 1)
    return {"family": parts[1], "given": parts[0]} if len(parts) == 2 else {"literal": name}


def _date_parts(text: str) -> dict[str, Any] | None:
    match = re.search(r"\b(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text)
    if not match:
        return None
    return {"date-parts": [[int(g) for g in match.groups() if g]]}


_ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def _arxiv(body: bytes, ident: Identifier) -> dict[str, Any]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise Unusable("the answer is not valid Atom XML") from None
    entry = root.find("a:entry", _ATOM)
    title = entry.findtext("a:title", "", _ATOM).strip() if entry is not None else ""
    if entry is None or not title or title == "Error":
        summary = entry.findtext("a:summary", "", _ATOM).strip() if entry is not None else ""
        raise Unusable(f"arXiv has no such paper{': ' + summary if summary else ''}")
    item: dict[str, Any] = {
        "type": "article",
        "title": title,
        "author": [
            _person(a.findtext("a:name", "", _ATOM)) for a in entry.findall("a:author", _ATOM)
        ],
        "publisher": "arXiv",
        "number": f"arXiv:{ident.normal}",
        "URL": f"https://arxiv.org/abs/{ident.normal}",
        "DOI": entry.findtext("arxiv:doi", "", _ATOM).strip()
        or f"10.48550/arXiv.{re.sub(r'v[0-9]+$', '', ident.normal)}",
    }
    date = _date_parts(entry.findtext("a:published", "", _ATOM))
    if date:
        item["issued"] = date
    return item


def _openlibrary(body: bytes, ident: Identifier) -> dict[str, Any]:
    data = _json(body)
    record = data.get(f"ISBN:{ident.normal}") if isinstance(data, dict) else None
    if not isinstance(record, dict) or not record.get("title"):
        raise Unusable("Open Library has no book with this ISBN")
    item: dict[str, Any] = {"type": "book", "title": record["title"], "ISBN": ident.normal}
    if record.get("subtitle"):
        item["title"] = f"{record['title']}: {record['subtitle']}"
    item["author"] = [_person(a["name"]) for a in record.get("authors", []) if a.get("name")]
    publishers = [p["name"] for p in record.get("publishers", []) if p.get("name")]
    if publishers:
        item["publisher"] = publishers[0]
    places = [p["name"] for p in record.get("publish_places", []) if p.get("name")]
    if places:
        item["publisher-place"] = places[0]
    date = _date_parts(str(record.get("publish_date", "")))
    if date:
        item["issued"] = date
    if record.get("number_of_pages"):
        item["number-of-pages"] = str(record["number_of_pages"])
    return item


def _claim(entity: dict[str, Any], prop: str) -> list[Any]:
    values = []
    for claim in entity.get("claims", {}).get(prop, []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value")
        if value is not None:
            values.append(value)
    return values


def _wikidata(body: bytes, ident: Identifier) -> dict[str, Any]:
    data = _json(body)
    entities = data.get("entities", {}) if isinstance(data, dict) else {}
    entity = entities.get(ident.normal) or next(iter(entities.values()), None)
    if not isinstance(entity, dict):
        raise Unusable("Wikidata has no such item")
    titles = [v.get("text") for v in _claim(entity, "P1476") if isinstance(v, dict)]
    label = entity.get("labels", {}).get("en", {}).get("value")
    title = next((t for t in titles if t), None) or label
    if not title:
        raise Unusable("the Wikidata item has no title")
    item: dict[str, Any] = {"type": "article", "title": title}
    item["URL"] = f"https://www.wikidata.org/wiki/{ident.normal}"
    names = [v for v in _claim(entity, "P2093") if isinstance(v, str)]  # author name strings
    if names:
        item["author"] = [_person(n) for n in names]
    dois = [v for v in _claim(entity, "P356") if isinstance(v, str)]
    if dois:
        item["DOI"] = dois[0].lower()
    times = [v.get("time", "") for v in _claim(entity, "P577") if isinstance(v, dict)]
    date = _date_parts(times[0]) if times else None
    if date:
        item["issued"] = date
    return item


class _Meta(HTMLParser):
    """The page's <meta name=... content=...> tags and its <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            name = (values.get("name") or values.get("property") or "").lower()
            if name and values.get("content", "").strip():
                self.meta.setdefault(name, []).append(values["content"].strip())
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _page(body: bytes, ident: Identifier) -> dict[str, Any]:
    parser = _Meta()
    parser.feed(body.decode("utf-8", errors="replace"))
    meta = parser.meta

    def first(*names: str) -> str:
        return next((meta[n][0] for n in names if n in meta), "")

    title = first("citation_title", "dc.title", "og:title") or " ".join(parser.title.split())
    if not title:
        raise Unusable("the page has no title (no citation_title, og:title or <title>)")
    journal = first("citation_journal_title")
    item: dict[str, Any] = {
        "type": "article-journal" if journal else "webpage",
        "title": title,
        "URL": ident.normal,
    }
    authors = meta.get("citation_author") or meta.get("dc.creator") or meta.get("author") or []
    if authors:
        item["author"] = [_person(a) for a in authors]
    container = journal or first("og:site_name")
    if container:
        item["container-title"] = container
    for name, field in (("citation_volume", "volume"), ("citation_issue", "issue")):
        if first(name):
            item[field] = first(name)
    if first("citation_doi"):
        item["DOI"] = first("citation_doi").removeprefix("doi:").lower()
    date = _date_parts(first("citation_publication_date", "citation_date", "dc.date"))
    if date:
        item["issued"] = date
    return item


PARSERS = {
    "doi": _csl,
    "pmid": _csl,
    "pmcid": _csl,
    "arxiv": _arxiv,
    "isbn": _openlibrary,
    "wikidata": _wikidata,
    "url": _page,
}
