"""The PDF: the page HTML turned into print HTML (notes at their calls) and laid out by WeasyPrint.

WeasyPrint is pure Python and CPU-bound, so it runs in worker processes: styles lay out in
parallel. It only ever sees files inside the project and presswork's own assets.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from presswork.assets import ASSETS, asset_text
from presswork.errors import BuildError, EnvironmentProblem
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument
from presswork.formats.html import page_with_css

PANGO_HINT = (
    "WeasyPrint cannot load Pango, which it needs to make PDFs; install the system package "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; Fedora: dnf install pango; "
    "macOS: brew install pango)"
)


def notes_at_calls(page_html: str) -> str:
    """Move every footnote from pandoc's end section to its call, for CSS `float: footnote`."""
    import lxml.html

    tree = lxml.html.document_fromstring(page_html)
    notes = {li.get("id"): li for li in tree.xpath("//section[@id='footnotes']//li[@id]")}
    for call in tree.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        target = (call.get("href") or "").lstrip("#")
        note = notes.get(target)
        if note is None:
            continue
        span = lxml.html.Element("span", {"class": "footnote", "id": call.get("id") or ""})
        for back in note.xpath(".//a[contains(@class, 'footnote-back')]"):
            back.drop_tree()
        span.text = note.text
        for child in note:
            if child.tag == "p":
                child.tag = "span"
                child.set("class", "footnote-para")
            span.append(child)
        span.tail = call.tail
        call.getparent().replace(call, span)
    for section in tree.xpath("//section[@id='footnotes']"):
        section.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode", method="html", doctype="<!DOCTYPE html>")


def _fonts_css() -> str:
    # Absolute file URLs: the inline stylesheet's base is the project, not the assets folder.
    return asset_text("fonts.css").replace('url("fonts/', f'url("{(ASSETS / "fonts").as_uri()}/')


def print_html(doc: StyleDocument) -> str:
    stamp = datetime.fromtimestamp(doc.source_date_epoch, tz=timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    head = (
        f'<meta name="dcterms.created" content="{stamp}">'
        f'<meta name="dcterms.modified" content="{stamp}">'
        f"<style>{_fonts_css()}</style>"
    )
    page = page_with_css(doc.page_html, "base.css", "print.css", head=head)
    return notes_at_calls(page)


def render_pdf(html: str, base_dir: str, allowed: list[str], options: dict[str, Any]) -> bytes:
    """HTML -> PDF bytes; a top-level function so that a process pool can run it."""
    try:
        import weasyprint
    except OSError:
        raise EnvironmentProblem(PANGO_HINT) from None
    from presswork.formats.fetcher import ConfinedFetcher

    fetcher = ConfinedFetcher([Path(p) for p in allowed])
    try:
        document = weasyprint.HTML(
            string=html, base_url=Path(base_dir).as_uri() + "/", url_fetcher=fetcher
        ).render()
        return document.write_pdf(**options)
    except Exception as exc:  # WeasyPrint raises many types; the user needs one line
        raise BuildError(f"WeasyPrint failed: {type(exc).__name__}: {exc}") from None


def render(doc: StyleDocument) -> bytes:
    html = print_html(doc)
    options: dict[str, Any] = {
        # The document /ID comes from the content, not from a clock or a random source.
        "pdf_identifier": hashlib.sha256(html.encode()).hexdigest()[:32].encode(),
        "pdf_tags": True,
    }
    variant = doc.settings.get("pdf_variant")
    if variant:
        options["pdf_variant"] = variant
    args = (html, str(doc.root.resolve()), [str(doc.root.resolve()), str(ASSETS)], options)
    if doc.pool is None:
        return render_pdf(*args)
    return doc.pool.submit(render_pdf, *args).result()


register(Format("pdf", "pdf", "application/pdf", render, "PDF laid out by WeasyPrint"))
