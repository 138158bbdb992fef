"""What WeasyPrint leaves out of a PDF: the language and keywords in the XMP, and links between
a footnote's call and its note (CSS `float: footnote` makes both without any link)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import SubElement, fromstring, tostring

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"


def _bag(rdf: Any, name: str, values: list[str]) -> None:
    description = SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = SubElement(SubElement(description, f"{{{DC}}}{name}"), f"{{{RDF}}}Bag")
    for value in values:
        SubElement(bag, f"{{{RDF}}}li").text = value


def add_xmp_language_and_subject(metadata: Any) -> None:
    """Make WeasyPrint's XMP carry dc:language and dc:subject (it writes only pdf:Keywords)."""
    generate = metadata.generate_rdf_metadata

    def with_more(variant: Any, version: Any, conformance: Any) -> bytes:
        rdf = fromstring(generate(variant, version, conformance))
        if metadata.lang:
            _bag(rdf, "language", [metadata.lang])
        if metadata.keywords:
            _bag(rdf, "subject", list(metadata.keywords))
        return tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = with_more  # this document's metadata only


def _boxes(box: Any) -> Any:
    yield box
    for child in box.all_children():
        yield from _boxes(child)


def _area(box: Any) -> tuple[float, float, float, float]:
    x, y, width, height = box.hit_area()
    if height <= 0:
        # A note call has line-height 0 (it must not open the line), so its hit area is a
        # line with no height that no one can click: its glyphs' box instead.
        x, y = box.border_box_x(), box.border_box_y()
        width, height = box.border_width(), box.border_height()
    return (x, y, x + width, y + height)


def link_notes(document: Any) -> int:
    """Link each note call to its note and the note's number back to the call; returns the count.

    The printed note carries `id` (its anchor) and `data-call` (the call's anchor name).
    """
    from weasyprint.formatting_structure import boxes

    linked = 0
    for page in document.pages:
        for box in _boxes(page._page_box):
            note = getattr(box, "footnote", None)
            if note is None or not isinstance(box, boxes.Box):
                continue
            note_id, call_id = note.element.get("id"), note.element.get("data-call")
            if not note_id or not call_id:
                continue
            page.anchors.setdefault(call_id, _area(box))
            page.links.append(("internal", note_id, _area(box), box))
            linked += 1
        for box in _boxes(page._page_box):
            if isinstance(box, (boxes.TextBox, boxes.LineBox)):
                continue  # the marker's own box carries the link, as for <a>
            if (getattr(box, "element_tag", None) or "").endswith("::footnote-marker"):
                call_id = box.element.get("data-call") if box.element is not None else None
                if call_id:
                    page.links.append(("internal", call_id, _area(box), box))
    return linked


def clickable_links(document: Any) -> int:
    """Give each link WeasyPrint drew with no height its glyphs' box; returns how many.

    A superscript citation (Nature) has line-height 0, as a note call has, so that it does not
    open its line; its link's rectangle was then a line no one could click.
    """
    mended = 0
    for page in document.pages:
        links = []
        for kind, target, (x0, y0, x1, y1), box in page.links:
            if y1 - y0 <= 0 and box is not None:
                x0, y0, x1, y1 = _area(box)
                mended += 1
            links.append((kind, target, (x0, y0, x1, y1), box))
        page.links[:] = links
    return mended
