"""The page HTML made ready for print: every note moved to its call, for CSS `float: footnote`."""

from __future__ import annotations

import re
import unicodedata

import lxml.html
from lxml.html import HtmlElement

NOTE_CALL = "//a[contains(concat(' ', normalize-space(@class), ' '), ' footnote-ref ')]"
NOTE_ITEMS = "//section[@id='footnotes']//li[@id]"
BACK_LINKS = ".//a[contains(concat(' ', normalize-space(@class), ' '), ' footnote-back ')]"
INLINE_PARENTS = {"span", "a", "em", "strong", "sup", "sub", "small", "cite", "q", "b", "i"}
BIBLIOREFS = ".//a[@role='doc-biblioref']"
URL_TEXT = re.compile(r"(?:https?://|doi:)\S+\Z")


def _note_span(item: HtmlElement, call_id: str) -> HtmlElement:
    """The note's content in one span: its first paragraph inline, later ones as blocks.

    The span keeps the note's id, and names its call's in `data-call`, for the PDF's links.
    """
    span = lxml.html.Element("span", {"class": "footnote"})
    if item.get("id"):
        span.set("id", item.get("id"))
    if call_id:
        span.set("data-call", call_id)
    for back in item.xpath(BACK_LINKS):
        back.drop_tree()
    span.text = (item.text or "").strip() or None
    first = True
    for child in list(item):
        if child.tag == "p" and first:
            # Unwrapped, so the marker and the text share a line.
            span.text = (span.text or "") + (child.text or "")
            span.extend(list(child))
        else:
            if child.tag == "p":
                child.tag = "span"
                child.set("class", "footnote-para")
            span.append(child)
        first = False
    _strip_trailing_space(span)
    _live_urls(span)
    return span


def _live_urls(note: HtmlElement) -> None:
    """Make the URLs and DOIs of a note live links; pandoc left them as text inside the link
    from the citation to its bibliography entry, as links cannot nest."""
    for biblioref in note.xpath(BIBLIOREFS):
        urls = [
            span
            for span in biblioref.iter("span")
            if len(span) == 0 and URL_TEXT.match((span.text or "").strip())
        ]
        if not urls:
            continue
        for span in urls:
            url = (span.text or "").strip()
            span.tag = "a"
            span.set("href", "https://doi.org/" + url[4:] if url.startswith("doi:") else url)
        biblioref.drop_tag()


def _strip_trailing_space(element: HtmlElement) -> None:
    """Drop the source's newline at the end of a note: WeasyPrint would keep it as a line."""
    last = element[-1] if len(element) else None
    if last is None:
        element.text = (element.text or "").rstrip() or None
    else:
        last.tail = (last.tail or "").rstrip() or None


def _glue_to_previous_character(call: HtmlElement) -> None:
    """Keep a call on the line of the character before it (the break after "." is legal)."""
    node = call
    parent = node.getparent()
    while (
        parent is not None
        and node.getprevious() is None
        and not parent.text
        and parent.tag in INLINE_PARENTS
        and parent.getparent() is not None
    ):
        node, parent = parent, parent.getparent()
    if parent is None:
        return
    previous = node.getprevious()
    text = previous.tail if previous is not None else parent.text
    if not text or text[-1].isspace():
        return
    start = len(text) - 1
    while start > 0 and unicodedata.combining(text[start]):
        start -= 1  # a letter with its accents: never split between boxes
    glue = lxml.html.Element("span", {"class": "nobreak"})
    glue.text = text[start:]
    if previous is not None:
        previous.tail = text[:start]
    else:
        parent.text = text[:start]
    glue.tail, node.tail = node.tail, None
    node.addprevious(glue)
    glue.append(node)


COMPOUND = re.compile(r"\w+(?:-\w+)+")
# Text never hyphenated automatically (print.css: `hyphens: manual` on these and on .compound).
WHOLE = {"code", "pre", "kbd", "samp", "a", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6"}


def _compound_spans(text: str) -> list[str | HtmlElement] | None:
    """Text split so that each word holding a hyphen ("non-proliferation") is a span."""
    parts: list[str | HtmlElement] = []
    last = 0
    for match in COMPOUND.finditer(text):
        if not any(c.isalpha() for c in match.group()):
            continue  # figures: 1968-1969 breaks only at its hyphen anyway
        parts.append(text[last : match.start()])
        span = lxml.html.Element("span", {"class": "compound"})
        span.text = match.group()
        parts.append(span)
        last = match.end()
    if last == 0:
        return None
    parts.append(text[last:])
    return parts


def _in_whole(element: HtmlElement | None) -> bool:
    while element is not None:
        if element.tag in WHOLE:
            return True
        element = element.getparent()
    return False


def _place(first: HtmlElement, parts: list[str | HtmlElement]) -> None:
    """Put parts (spans and the text between them) one after another, after `first`."""
    anchor = first
    for part in parts:
        if isinstance(part, str):
            anchor.tail = part or None
        else:
            anchor.addnext(part)
            anchor = part


def _keep_compounds_whole(tree: HtmlElement) -> None:
    """A word already holding a hyphen breaks only there, as a copy editor would have it."""
    for element in list(tree.xpath("//body//*")):
        if element.text and "-" in element.text and not _in_whole(element):
            parts = _compound_spans(element.text)
            if parts is not None:
                element.text = str(parts[0]) or None
                span = parts[1]
                assert not isinstance(span, str)
                element.insert(0, span)
                _place(span, parts[2:])
        parent = element.getparent()
        if element.tail and "-" in element.tail and not _in_whole(parent):
            parts = _compound_spans(element.tail)
            if parts is not None:
                element.tail = None
                _place(element, parts)


def _drop_bare_spans(tree: HtmlElement) -> None:
    """Unwrap spans without attributes (citeproc's groupings): each costs WeasyPrint a box,
    and laying out notes again on every new note of a page makes that add up."""
    for span in tree.xpath("//body//span[not(@*)]"):
        span.drop_tag()


def notes_at_calls(page_html: str) -> str:
    """Move every footnote from pandoc's end section to its call."""
    tree = lxml.html.document_fromstring(page_html)
    notes = {li.get("id"): li for li in tree.xpath(NOTE_ITEMS)}
    for call in tree.xpath(NOTE_CALL):
        item = notes.get((call.get("href") or "").lstrip("#"))
        if item is None:
            continue
        span = _note_span(item, call.get("id") or "")
        span.tail = call.tail
        call.getparent().replace(call, span)
        _glue_to_previous_character(span)
    for section in tree.xpath("//section[@id='footnotes']"):
        section.drop_tree()
    _drop_bare_spans(tree)
    _keep_compounds_whole(tree)
    return lxml.html.tostring(tree, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
