"""The EPUB's chapter documents finished: the paper's title, numbered notes that link back.

pandoc titles each chapter document with its file name (`ch001.xhtml`, which reading systems
show), heads the text with the title again after the title page, and writes notes as `<aside>`s
with neither number nor way back to the call. Here each chapter has the paper's title, the
repeated heading goes, and each note starts with its number, as in the PDF, linked to its call
(its symbol, where citations are superscript numbers: notesymbols.py).
"""

from __future__ import annotations

import html
import re

from presswork.formats import notesymbols

_TITLE = re.compile(r"<title>ch\d+\.xhtml</title>")
# The level-1 heading pandoc makes of the title (--shift-heading-level-by=1): a repeat.
_TITLE_HEADING = re.compile(
    r'(<section id="[^"]*" class="level1 unnumbered">\n)<h1[^>]*>(.*?)</h1>\n'
)
_NOTE = re.compile(
    r'(<aside epub:type="footnote" role="doc-footnote" id="fn(\d+)">\s*)(<p>)?', re.S
)


def finished_chapter(text: str, title: str) -> str:
    """A chapter document with the paper's title and numbered notes linked to their calls."""
    text = _TITLE.sub(lambda _: f"<title>{html.escape(title, quote=False)}</title>", text, 1)

    def unrepeated(match: re.Match[str]) -> str:
        heading = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(2))).split())
        return match.group(1) if heading == " ".join(title.split()) else match.group(0)

    text = _TITLE_HEADING.sub(unrepeated, text, 1)

    symbols = notesymbols.wanted(text)  # superscript citations: notes marked * † ‡ ...

    def numbered(match: re.Match[str]) -> str:
        number = match.group(2)
        mark = notesymbols.symbol(int(number)) if symbols else f"{number}."
        back = f'<a href="#fnref{number}" class="footnote-back" role="doc-backlink">{mark}</a> '
        return f"{match.group(1)}{match.group(3) or ''}{back}"

    text = _NOTE.sub(numbered, text)
    return notesymbols.symbol_calls(text) if symbols else text
