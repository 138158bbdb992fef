"""The HTML head's scholarly markup: Highwire Press `citation_*`, Open Graph, schema.org JSON-LD.

Google Scholar reads the Highwire tags, social sites Open Graph, search engines JSON-LD.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from presswork.meta.paper import Paper


def _names(item: dict[str, Any], role: str = "author") -> list[str]:
    names = []
    for name in item.get(role, []) or []:
        if not isinstance(name, dict):
            continue
        if name.get("literal"):
            names.append(str(name["literal"]))
        else:
            given, family = name.get("given", ""), name.get("family", "")
            names.append(", ".join(part for part in (family, given) if part))
    return [name for name in names if name]


def _year(item: dict[str, Any]) -> str:
    issued = item.get("issued") or {}
    if not isinstance(issued, dict):  # CSL-YAML as pandoc takes it: `issued: 2001`, "2001-05"
        match = re.match(r"\s*(\d{4})", str(issued))
        return match.group(1) if match else ""
    parts = issued.get("date-parts") or [[]]
    if not parts or not isinstance(parts[0], list) or not parts[0]:
        match = re.match(r"\s*(\d{4})", str(issued.get("raw") or issued.get("literal") or ""))
        return match.group(1) if match else ""
    return str(parts[0][0])


def _clean(value: Any) -> str:
    """One line, and no `;` that would split a Highwire reference's fields."""
    return " ".join(str(value).replace(";", ",").split())


def highwire_reference(item: dict[str, Any]) -> str:
    """A `citation_reference` value: `citation_title=...; citation_author=...; ...`."""
    fields: list[tuple[str, Any]] = [("citation_title", item.get("title", ""))]
    fields += [("citation_author", name) for name in _names(item)]
    fields += [
        ("citation_publication_date", _year(item)),
        ("citation_journal_title", item.get("container-title", "")),
        ("citation_volume", item.get("volume", "")),
        ("citation_issue", item.get("issue", "")),
        ("citation_publisher", item.get("publisher", "")),
        ("citation_doi", item.get("DOI", "")),
    ]
    return "; ".join(f"{key}={_clean(value)}" for key, value in fields if value)


def highwire(paper: Paper, references: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, content) pairs in Highwire Press order."""
    first, last = paper.page_range
    date = "/".join(f"{part:02d}" if i else str(part) for i, part in enumerate(paper.date_parts))
    tags = [("citation_title", paper.full_title)]
    tags += [("citation_author", name) for name in paper.authors]
    tags += [
        ("citation_publication_date", date),
        ("citation_journal_title", paper.journal),
        ("citation_publisher", paper.publisher),
        ("citation_volume", paper.volume),
        ("citation_issue", paper.issue),
        ("citation_firstpage", first),
        ("citation_lastpage", last),
        ("citation_doi", paper.doi),
        ("citation_abstract_html_url", paper.url),
        ("citation_pdf_url", paper.pdf_url),
        ("citation_language", paper.lang.split("-")[0]),
        ("citation_keywords", "; ".join(paper.keywords)),
    ]
    tags += [("citation_reference", highwire_reference(item)) for item in references]
    return [(name, content) for name, content in tags if content]


def open_graph(paper: Paper) -> list[tuple[str, str]]:
    """(property, content) pairs: og:* and article:*."""
    description = paper.abstract if len(paper.abstract) <= 300 else paper.abstract[:297] + "..."
    tags = [
        ("og:type", "article"),
        ("og:title", paper.full_title),
        ("og:description", description),
        ("og:url", paper.url),
        ("og:locale", paper.lang.replace("-", "_")),
        ("article:published_time", paper.date),
    ]
    tags += [("article:author", name) for name in paper.authors]
    tags += [("article:tag", keyword) for keyword in paper.keywords]
    return [(name, content) for name, content in tags if content]


def _work(item: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": item.get("title", "")}
    if item.get("type") == "article-journal":
        work["@type"] = "ScholarlyArticle"
    authors = _names(item)
    if authors:
        work["author"] = [{"@type": "Person", "name": name} for name in authors]
    if _year(item):
        work["datePublished"] = _year(item)
    if item.get("container-title"):
        work["isPartOf"] = {"@type": "Periodical", "name": item["container-title"]}
    if item.get("publisher"):
        work["publisher"] = {"@type": "Organization", "name": item["publisher"]}
    if item.get("DOI"):
        work["sameAs"] = f"https://doi.org/{item['DOI']}"
    elif item.get("URL"):
        work["url"] = item["URL"]
    return work


def json_ld(paper: Paper, references: list[dict[str, Any]]) -> dict[str, Any]:
    """schema.org ScholarlyArticle, with the cited works as `citation`."""
    first, last = paper.page_range
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.full_title[:110],
        "name": paper.full_title,
        "author": [{"@type": "Person", "name": name} for name in paper.authors],
        "datePublished": paper.date,
        "inLanguage": paper.lang,
        "keywords": list(paper.keywords),
        "abstract": paper.abstract,
        "pageStart": first,
        "pageEnd": last,
        "url": paper.url,
        "sameAs": paper.doi_url,
    }
    if paper.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
    if paper.journal:
        part: dict[str, Any] = {"@type": "Periodical", "name": paper.journal}
        if paper.publisher:
            part["publisher"] = {"@type": "Organization", "name": paper.publisher}
        if paper.volume:
            part = {"@type": "PublicationVolume", "volumeNumber": paper.volume, "isPartOf": part}
        if paper.issue:
            part = {"@type": "PublicationIssue", "issueNumber": paper.issue, "isPartOf": part}
        data["isPartOf"] = part
    data["citation"] = [_work(item) for item in references]
    return {key: value for key, value in data.items() if value}


def head_html(paper: Paper, references: list[dict[str, Any]]) -> str:
    """The markup for the page's <head>."""
    lines = [
        f'<meta name="{name}" content="{html.escape(content)}">'
        for name, content in highwire(paper, references)
    ]
    lines += [
        f'<meta property="{name}" content="{html.escape(content)}">'
        for name, content in open_graph(paper)
    ]
    if paper.url:
        lines.append(f'<link rel="canonical" href="{html.escape(paper.url)}">')
    # `</` may not appear inside a script element: escape the slash (still valid JSON).
    # No "<" at all inside the script element: neither "</script>" nor "<!--" can end it early.
    data = json.dumps(json_ld(paper, references), ensure_ascii=False, indent=1).replace(
        "<", "\\u003c"
    )
    lines.append(f'<script type="application/ld+json">\n{data}\n</script>')
    return "\n".join(lines) + "\n"
