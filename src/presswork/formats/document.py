"""What every format of one style renders from: the cited AST and the shared page HTML."""

from __future__ import annotations

import html
import re
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from presswork import pandoc
from presswork.assets import asset_path
from presswork.formats.notesymbols import with_note_symbols

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_NUMBER_RANGE = re.compile(r"(?<=\d)\s*-{1,2}\s*(?=\d)")


def plain_text(value: Any) -> str:
    """The text of a metadata value or AST fragment, without markup (for meta tags and PDF info)."""
    if isinstance(value, list):
        return "".join(plain_text(item) for item in value)
    if not isinstance(value, dict):
        return ""
    kind, content = value.get("t"), value.get("c")
    if kind in ("Str", "MetaString"):
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Para", "Plain"):
        return plain_text(content) + " "
    if kind in ("Code", "Math"):
        return str(content[1])
    if kind in ("RawInline", "RawBlock", "Note", "MetaBool") or content is None:
        return ""
    if kind == "Quoted":
        single = content[0].get("t") == "SingleQuote"
        return ("‘%s’" if single else "“%s”") % plain_text(content[1])
    if kind in ("Link", "Image", "Span", "Cite", "Div"):
        return plain_text(content[1])
    return plain_text(content)


def human_date(text: str, lang: str) -> str:
    """An ISO date (2020, 2020-06, 2020-06-01) in words in the language (CLDR's long form, see
    presswork.i18n.format_date); anything else unchanged."""
    from presswork.i18n import format_date

    return format_date(text, lang)


def template_variables(meta: dict[str, Any], lang: str) -> dict[str, str]:
    """Values our templates need in plain form: date in words, abstract as text, page range,
    and our labels in the document's language."""
    from presswork.i18n import is_rtl, term

    found: dict[str, str] = {}
    from presswork.meta.isodate import iso_date  # "January 2015" as well as ISO

    date = iso_date(plain_text(meta.get("date", {})))
    if date:
        found["presswork-date-iso"] = date
        found["presswork-date"] = human_date(date, lang)
    # the page's direction: metadata `dir`, else right to left for Arabic, Hebrew, ...
    written = plain_text(meta.get("dir", {})).strip().lower()
    if written in ("rtl", "ltr", "auto") or is_rtl(lang):
        found["presswork-dir"] = written if written in ("rtl", "ltr", "auto") else "rtl"
    found["presswork-keywords-label"] = term("keywords", lang)
    found["presswork-citation-style-label"] = term("citation-style", lang)
    description = " ".join(plain_text(meta.get("abstract", {})).split())
    if description:
        found["presswork-description"] = description
    journal = meta.get("journal", {})
    if journal.get("t") == "MetaMap":
        pages = " ".join(plain_text(journal["c"].get("pages", {})).split())
        if pages:
            found["presswork-pages"] = _NUMBER_RANGE.sub("\u2013", pages)
    # pandoc puts --variable values into the output as they are: escape them for HTML
    return {key: html.escape(value, quote=True) for key, value in found.items()}


@dataclass
class StyleDocument:
    """One style's result of citeproc, with lazily derived, shared intermediate forms."""

    root: Path
    name: str
    style_name: str
    style_title: str
    uses_notes: bool
    ast: dict[str, Any]
    lang: str
    source_date_epoch: int
    pool: Executor | None = None  # for CPU-bound work (WeasyPrint) in other processes
    settings: dict[str, Any] = field(default_factory=dict)
    references: list[Any] = field(default_factory=list)  # the project's Reference records
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def variables(self) -> dict[str, str]:
        """Template variables computed from the metadata (see template_variables)."""
        return template_variables(self.ast.get("meta", {}), self.lang)

    @cached_property
    def cited_references(self) -> list[dict[str, Any]]:
        """The cited works as CSL-JSON items, in this style's bibliography order."""
        from presswork.meta.cited import cited_items

        return cited_items(self.ast, self.references)

    @cached_property
    def paper(self) -> Any:
        """The paper's own record (presswork.meta.Paper), for metadata and "Cite this article"."""
        from presswork.meta import paper_from_meta

        pdf_url = self.settings.get("pdf_url", "")
        pdf_url = pdf_url.replace("{style}", self.style_name).replace("{name}", self.name)
        return paper_from_meta(
            self.ast.get("meta", {}), self.lang, self.settings.get("url", ""), pdf_url
        )

    @cached_property
    def ast_json(self) -> bytes:
        """The cited AST encoded once for every pandoc writer of this style."""
        from presswork.formats.notelinks import live_citation_urls

        return pandoc.encode(live_citation_urls(self.ast))  # a note's URL is its own link

    @cached_property
    def page_html(self) -> str:
        """pandoc's standalone HTML in our template, before CSS goes in (shared by HTML and PDF)."""
        variables = {"presswork-style": html.escape(self.style_title), **self.variables}
        args = [
            "--standalone",
            "--template",
            str(asset_path("template.html")),
            "--wrap=none",
            "--section-divs",
            # The title is the page's only h1; the manuscript's sections start at h2.
            "--shift-heading-level-by=1",
            # TeX math as MathML, which browsers lay out natively: no script, no network.
            "--mathml",
        ]
        for key, value in variables.items():
            args += ["--variable", f"{key}={value}"]
        page = pandoc.write(self.ast_json, "html5", self.root, args).decode("utf-8")
        return with_note_symbols(page)  # notes * † ‡ where citations are superscript numbers
