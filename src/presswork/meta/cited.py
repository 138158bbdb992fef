"""The works a style's document cites, as CSL-JSON items in the order of its bibliography.

pandoc's citeproc does not leave the references in the metadata, so they come from the
project's already parsed reference records: CSL-JSON and CSL-YAML as they are, BibTeX mapped
to CSL here (the common fields; no pandoc run, so a build starts no extra process).
"""

from __future__ import annotations

import re
from typing import Any

from presswork.ast import walk
from presswork.references import Reference

_TYPES = {
    "article": "article-journal",
    "book": "book",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "paper-conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "online": "webpage",
}
_FIELDS = {
    "title": "title",
    "journal": "container-title",
    "journaltitle": "container-title",
    "booktitle": "container-title",
    "volume": "volume",
    "number": "issue",
    "pages": "page",
    "publisher": "publisher",
    "doi": "DOI",
    "url": "URL",
}


def _plain(value: Any) -> str:
    text = str(value).replace("\\&", "&").replace("--", "–")
    return " ".join("".join(ch for ch in text if ch not in "{}").split())


def _name(text: str) -> dict[str, str]:
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        return {"literal": _plain(text)}
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": _plain(family), "given": _plain(given)}
    words = text.split()
    if len(words) > 1:
        return {"family": _plain(words[-1]), "given": _plain(" ".join(words[:-1]))}
    return {"literal": _plain(text)}


def bibtex_to_csl(ref: Reference) -> dict[str, Any]:
    """One BibTeX record as a CSL-JSON item."""
    item: dict[str, Any] = {"id": ref.id, "type": _TYPES.get(ref.type.lower(), "document")}
    for bib, csl in _FIELDS.items():
        value = ref.get(bib)
        if value and csl not in item:
            item[csl] = _plain(value)
    for role in ("author", "editor"):
        if ref.get(role):
            item[role] = [_name(part) for part in re.split(r"\s+and\s+", str(ref.get(role)))]
    year = re.search(r"\d{4}", str(ref.get("year") or ref.get("date") or ""))
    if year:
        item["issued"] = {"date-parts": [[int(year.group())]]}
    return item


def csl_item(ref: Reference) -> dict[str, Any]:
    if ref.syntax == "bibtex":
        return bibtex_to_csl(ref)
    return {"id": ref.id, "type": ref.type, **{k: f.value for k, f in ref.fields.items()}}


def bibliography_order(ast: dict[str, Any]) -> list[str]:
    """Keys as the style lists them (the `ref-KEY` entries), else in order of first citation."""
    keys: list[str] = []
    for node in walk(ast.get("blocks", [])):
        if node.get("t") == "Div":
            ident = node["c"][0][0]
            if ident.startswith("ref-") and ident[4:] not in keys:
                keys.append(ident[4:])
    if keys:
        return keys
    for node in walk(ast.get("blocks", [])):
        if node.get("t") == "Cite":
            for citation in node["c"][0]:
                if citation["citationId"] not in keys:
                    keys.append(citation["citationId"])
    return keys


def cited_items(ast: dict[str, Any], references: list[Reference]) -> list[dict[str, Any]]:
    """The cited works' CSL-JSON items, in the style's bibliography order."""
    by_id: dict[str, Reference] = {}
    for ref in references:
        by_id.setdefault(ref.id, ref)
    return [csl_item(by_id[key]) for key in bibliography_order(ast) if key in by_id]
