"""The "Cite this article" block: the paper's own reference in each chosen style, by citeproc-py.

citeproc-py implements less of CSL than pandoc's citeproc; a style it cannot render is left
out of the block (and named in the returned skips), never a failed build.
"""

from __future__ import annotations

import html
import json
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from presswork.i18n import csl_locale, term
from presswork.meta.export import ITEM_ID, bibtex, csl_item, csl_json, data_uri, ris
from presswork.meta.paper import Paper

_lock = threading.Lock()


@lru_cache(maxsize=32)
def _render(item_json: str, style_path: str, locale: str | None = None) -> str:
    """One style's bibliography entry as HTML; raises whatever citeproc-py raises."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    item = json.loads(item_json)
    style = CitationStylesStyle(style_path, locale=locale, validate=False)
    _drop_empty_labels(style.root, item)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.html)
    bibliography.register(Citation([CitationItem(ITEM_ID)]))
    entries = bibliography.bibliography()
    if not entries:
        raise ValueError("the style made no bibliography entry")
    return _safe_entry("".join(str(part) for part in entries[0]).strip())


# citeproc-py escapes the item's variables but puts a style's affixes and text values into
# the HTML as they are: a style is untrusted, so the entry keeps only its formatting tags.
_ENTRY_TAGS = {"i", "b", "u", "sup", "sub", "span"}
_ENTRY_STYLES = {"font-variant:small-caps;", "font-variant:normal;", "font-style:normal;"}


def _entry_attribute(tag: str, attribute: str, value: str) -> str | None:
    return value if (tag, attribute) == ("span", "style") and value in _ENTRY_STYLES else None


def _safe_entry(entry: str) -> str:
    import nh3

    return nh3.clean(
        entry,
        tags=_ENTRY_TAGS,
        attributes={"span": {"style"}},
        attribute_filter=_entry_attribute,
        url_schemes=set(),
        link_rel=None,
    )


def _drop_empty_labels(root: Any, item: dict[str, Any]) -> None:
    """Remove `<label variable="...">` of variables the item lacks.

    CSL renders a label only with its variable, but citeproc-py prints the term anyway, so the
    Chicago styles said "Edition." for a paper without one (their serial-type edition group
    holds a text and a label). Without the label the group is empty, as the spec intends.
    """
    for label in [el for el in root.iter() if str(el.tag).endswith("}label")]:
        names = (label.get("variable") or "").split()
        if names and "locator" not in names and not any(name in item for name in names):
            label.getparent().remove(label)


def render_entries(
    paper: Paper, styles: list[tuple[str, Path]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """(style title, entry HTML) for each style citeproc-py can render, and the skipped titles."""
    item_json = json.dumps(csl_item(paper), sort_keys=True)
    locale = csl_locale(paper.lang)  # the entries' terms and dates in the paper's language
    entries: list[tuple[str, str]] = []
    skipped: list[str] = []
    # One thread at a time: the warnings filter is process-wide, and citeproc-py warns about
    # every CSL feature it does not know.
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for title, path in styles:
            try:
                entries.append((title, _render(item_json, str(path), locale)))
            except Exception:  # citeproc-py fails in many ways on styles it does not support
                skipped.append(title)
    return entries, skipped


def _downloads(paper: Paper, stem: str) -> str:
    links = [
        ("BibTeX", f"{stem}.bib", data_uri(bibtex(paper), "application/x-bibtex")),
        ("RIS", f"{stem}.ris", data_uri(ris(paper), "application/x-research-info-systems")),
        (
            "CSL-JSON",
            f"{stem}.json",
            data_uri(csl_json(paper), "application/vnd.citationstyles.csl+json"),
        ),
    ]
    return " · ".join(
        f'<a class="cite-download" download="{html.escape(file)}" href="{uri}">{label}</a>'
        for label, file, uri in links
    )


def cite_block(paper: Paper, styles: list[tuple[str, Path]], stem: str) -> str:
    """The block's HTML: one entry per renderable style, then the downloads."""
    entries, _ = render_entries(paper, styles)
    items = "".join(
        f'<dt>{html.escape(title)}</dt>\n<dd class="csl-entry">{entry}</dd>\n'
        for title, entry in entries
    )
    listing = f'<dl class="cite-entries">\n{items}</dl>\n' if items else ""
    heading = html.escape(term("cite-this-article", paper.lang))
    download = html.escape(term("download-reference", paper.lang))
    return (
        '<section class="cite-this" id="cite-this" aria-labelledby="cite-this-title">\n'
        f'<h2 id="cite-this-title">{heading}</h2>\n'
        f"{listing}"
        f'<p class="cite-downloads">{download}: {_downloads(paper, stem)}</p>\n'
        "</section>\n"
    )
