"""Footnotes marked by symbols where citations are superscript numbers (Nature, AMA, ...).

A raised "1" that is a reference and a raised "1" that is a note cannot be told apart; journals
that cite by superscript numbers mark their notes * † ‡ § ‖ ¶, then doubled (**, ††, ...), as
the Chicago Manual and the AMA Manual have it, and as CSS's `symbolic` counter system counts.
Only a page that has both is changed: its body gets the class `note-symbols` (base.css gives
the print and screen notes their symbols from it) and each call's text becomes its symbol.

In the PDF the symbols start again on every page, as the Chicago Manual asks (no "§§§" for a
sixteenth note): WeasyPrint counts notes before it lays out pages, so the PDF is laid out once
more with each note's mark written in (`data-mark`), until the marks hold (at most twice more;
only papers with such citations and notes pay for it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

SYMBOLS = ("*", "\u2020", "\u2021", "\u00a7", "\u2016", "\u00b6")
CLASS = "note-symbols"
# pandoc's HTML and EPUB writers: a superscript citation, and a note call with its number
# (raised by a <sup> in the HTML, by the stylesheet in the EPUB).
_SUPERSCRIPT_CITATION = re.compile(r'<span class="citation"[^>]*><sup>')
_CALL = re.compile(r'(<a href="#fn(\d+)" class="footnote-ref"[^>]*>(?:<sup>)?)\d+((?:</sup>)?</a>)')
_BODY = re.compile(r"<body(?=[\s>])")


def symbol(number: int) -> str:
    """The mark of note `number` (from 1): *, †, ‡, §, ‖, ¶, **, ††, ..."""
    index, repeat = (number - 1) % len(SYMBOLS), (number - 1) // len(SYMBOLS) + 1
    return SYMBOLS[index] * repeat


def wanted(text: str) -> bool:
    """True if the page has superscript citations and notes both."""
    return bool(_SUPERSCRIPT_CITATION.search(text)) and bool(_CALL.search(text))


def symbol_calls(text: str) -> str:
    """Each note call's number replaced by its symbol."""
    return _CALL.sub(lambda m: f"{m.group(1)}{symbol(int(m.group(2)))}{m.group(3)}", text)


def with_note_symbols(page_html: str) -> str:
    """The page with symbols for its notes, if it cites by superscript numbers; else as it is."""
    if not wanted(page_html):
        return page_html
    page_html = _BODY.sub(f'<body class="{CLASS}"', page_html, count=1)
    return symbol_calls(page_html)


_NOTE_SPAN = re.compile(r'<span class="footnote" id="(fn\d+)"')
MAX_LAYOUTS = 3


def _page_marks(document: Any) -> dict[str, str]:
    """Each note's mark when counted from 1 on its page: {note id: symbol}."""
    marks: dict[str, str] = {}
    for page in document.pages:
        count = 0
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            note = getattr(box, "footnote", None)
            if note is not None and note.element is not None and note.element.get("id"):
                count += 1
                marks.setdefault(note.element.get("id"), symbol(count))
            stack.extend(reversed(list(box.all_children())))
    return marks


def with_marks(html: str, marks: dict[str, str]) -> str:
    """The print page with each note's mark as `data-mark` (print.css shows it)."""

    def marked(match: re.Match[str]) -> str:
        mark = marks.get(match.group(1))
        return f'{match.group(0)} data-mark="{mark}"' if mark else match.group(0)

    return _NOTE_SPAN.sub(marked, html)


def restarted_on_each_page(html: str, lay_out: Callable[[str], Any]) -> Any:
    """The laid-out document, its note symbols counted page by page where it has them."""
    document = lay_out(html)
    if f'<body class="{CLASS}"' not in html:
        return document
    used: dict[str, str] = {}
    for _ in range(MAX_LAYOUTS - 1):
        marks = _page_marks(document)
        if marks == used or not marks:
            break
        used = marks
        document = lay_out(with_marks(html, marks))
    return document
