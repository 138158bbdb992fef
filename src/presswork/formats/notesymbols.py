"""Footnotes marked by symbols where citations are superscript numbers (Nature, AMA, ...).

A raised "1" that is a reference and a raised "1" that is a note cannot be told apart; journals
that cite by superscript numbers mark their notes * † ‡ § ‖ ¶, then doubled (**, ††, ...), as
the Chicago Manual and the AMA Manual have it, and as CSS's `symbolic` counter system counts.
Only a page that has both is changed: its body gets the class `note-symbols` (base.css gives
the print and screen notes their symbols from it) and each call's text becomes its symbol.
"""

from __future__ import annotations

import re

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
