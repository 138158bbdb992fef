"""URLs and DOIs inside a citation are links of their own, in every format.

With `link-citations`, citeproc makes a whole citation one link to its bibliography entry; in a
notes style that is the whole note, and the URL's own link inside it is flattened to text by
pandoc's writers, as links cannot nest. Where a
citation holds a URL or DOI, the citation link gives way (the bibliography is a page away,
in the same order) and the address becomes a link to itself, as in the bibliography.

A citation of a key the references lack (citeproc prints it as **key?**) keeps its text but
loses its link: `#ref-key` has no entry to land on (epubcheck's RSC-012, a dead link in the
HTML and the PDF).
"""

from __future__ import annotations

import re
from typing import Any

URL_TEXT = re.compile(r"(?:https?://|doi:)\S+\Z")


def _url_of(node: Any) -> str | None:
    """The address a citeproc Span holds as its only text, if it is one."""
    if not (isinstance(node, dict) and node.get("t") == "Span"):
        return None
    attributes, content = node["c"]
    if attributes != ["", [], []] or len(content) != 1 or content[0].get("t") != "Str":
        return None
    text = content[0]["c"]
    return text if URL_TEXT.match(text) else None


def _is_external_link(node: Any) -> bool:
    """citeproc's own link of a URL or DOI: pandoc's writers flatten it inside another link."""
    return (
        isinstance(node, dict)
        and node.get("t") == "Link"
        and str(node["c"][2][0]).startswith(("http://", "https://"))
    )


def _href(url: str) -> str:
    return "https://doi.org/" + url[4:] if url.startswith("doi:") else url


def _inlines(items: list[Any], entries: set[str]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        target = str(item["c"][2][0]) if isinstance(item, dict) and item.get("t") == "Link" else ""
        if target.startswith("#ref-") and target[1:] not in entries:
            out.extend(item["c"][1])  # no such entry: the text without the link
            continue
        if target.startswith("#ref-") and any(
            _url_of(child) or _is_external_link(child) for child in item["c"][1]
        ):
            for child in item["c"][1]:
                url = _url_of(child)
                if url is None:
                    out.append(child)
                else:
                    out.append({"t": "Link", "c": [["", [], []], child["c"][1], [_href(url), ""]]})
            continue
        out.append(item)
    return out


def _entry_ids(node: Any, found: set[str]) -> set[str]:
    """The identifiers of the bibliography's entries: citeproc's `ref-KEY` Divs."""
    if isinstance(node, list):
        for item in node:
            _entry_ids(item, found)
    elif isinstance(node, dict):
        if node.get("t") == "Div" and str(node["c"][0][0]).startswith("ref-"):
            found.add(node["c"][0][0])
        for key in ("c", "blocks"):
            if key in node:
                _entry_ids(node[key], found)
    return found


def live_citation_urls(node: Any, entries: set[str] | None = None) -> Any:
    """The AST (changed in place) with every citation's URL a link of its own, and no
    citation linked to an entry the bibliography lacks."""
    if entries is None:
        entries = _entry_ids(node, set())
    if isinstance(node, list):
        if any(isinstance(item, dict) and item.get("t") == "Link" for item in node):
            node[:] = _inlines(node, entries)
        for item in node:
            live_citation_urls(item, entries)
    elif isinstance(node, dict):
        for key in ("c", "blocks"):
            if key in node:
                live_citation_urls(node[key], entries)
    return node
