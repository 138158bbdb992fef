"""The paper's own reference as CSL-JSON, BibTeX and RIS, and as `data:` URIs to download."""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from typing import Any

from presswork.meta.paper import Paper, split_name

ITEM_ID = "this-article"


def csl_item(paper: Paper) -> dict[str, Any]:
    """The paper as one CSL-JSON item (the input of citeproc-py and of the download)."""
    item: dict[str, Any] = {"id": ITEM_ID, "type": "article-journal", "title": paper.full_title}
    if paper.authors:
        item["author"] = [split_name(name) for name in paper.authors]
    if paper.date_parts:
        item["issued"] = {"date-parts": [paper.date_parts]}
    optional = {
        "container-title": paper.journal,
        "volume": paper.volume,
        "issue": paper.issue,
        "page": paper.pages,
        "publisher": paper.publisher,
        "DOI": paper.doi,
        "URL": paper.url,
        "language": paper.lang,
        "abstract": paper.abstract,
    }
    item.update({key: value for key, value in optional.items() if value})
    if paper.keywords:
        item["keyword"] = ", ".join(paper.keywords)
    return item


def csl_json(paper: Paper) -> str:
    return json.dumps([csl_item(paper)], ensure_ascii=False, indent=2) + "\n"


def citation_key(paper: Paper) -> str:
    """An ASCII key such as `unknown2020`: first author's family name (or title word), year."""
    first = split_name(paper.authors[0]) if paper.authors else {}
    word = first.get("family") or (first.get("literal") or paper.title or "article").split()[0]
    ascii_word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_word.lower()) + paper.year or "article"


def _bibtex_value(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text).replace("{", "\\{").replace("}", "\\}")


def _bibtex_name(name: str) -> str:
    parts = split_name(name)
    if "literal" in parts:
        return "{" + _bibtex_value(parts["literal"]) + "}"
    return f"{_bibtex_value(parts['family'])}, {_bibtex_value(parts['given'])}"


def bibtex(paper: Paper) -> str:
    """One @article entry."""
    first, last = paper.page_range
    month = paper.date_parts[1] if len(paper.date_parts) > 1 else None
    fields = [
        ("author", " and ".join(_bibtex_name(name) for name in paper.authors)),
        ("title", "{" + _bibtex_value(paper.full_title) + "}"),
        ("journal", _bibtex_value(paper.journal)),
        ("year", paper.year),
        ("month", str(month) if month else ""),
        ("volume", paper.volume),
        ("number", paper.issue),
        ("pages", f"{first}--{last}" if last else first),
        ("publisher", _bibtex_value(paper.publisher)),
        ("doi", paper.doi),
        ("url", paper.url),
        ("langid", paper.lang),
        ("keywords", _bibtex_value(", ".join(paper.keywords))),
    ]
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields if value)
    return f"@article{{{citation_key(paper)},\n{body}\n}}\n"


def ris(paper: Paper) -> str:
    """One RIS record (TY JOUR ... ER)."""
    first, last = paper.page_range
    parts = [*paper.date_parts, 0, 0]
    lines = [("TY", "JOUR"), *(("AU", _ris_name(name)) for name in paper.authors)]
    lines += [
        ("TI", paper.full_title),
        ("JO", paper.journal),
        ("PY", paper.year),
        ("DA", f"{paper.year}/{parts[1]:02d}/{parts[2]:02d}/" if parts[1] else ""),
        ("VL", paper.volume),
        ("IS", paper.issue),
        ("SP", first),
        ("EP", last),
        ("PB", paper.publisher),
        ("DO", paper.doi),
        ("UR", paper.url),
        ("LA", paper.lang),
        *(("KW", keyword) for keyword in paper.keywords),
        ("AB", paper.abstract),
    ]
    text = "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value)
    return text + "ER  - \r\n"


def _ris_name(name: str) -> str:
    parts = split_name(name)
    return parts.get("literal") or f"{parts['family']}, {parts['given']}"


def data_uri(text: str, media_type: str) -> str:
    """A `data:` URI of UTF-8 text, so that the standalone page stays one file."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{media_type};charset=utf-8;base64,{encoded}"
