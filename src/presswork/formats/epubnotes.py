"""The EPUB's chapter documents finished: the paper's title, numbered notes that link back.

pandoc titles each chapter document with its file name (`ch001.xhtml`, which reading systems
show) and writes notes as `<aside>`s with neither number nor way back to the call. Here each
note starts with its number, as in the PDF, linked to its call.
"""

from __future__ import annotations

import html
import re

_TITLE = re.compile(r"<title>ch\d+\.xhtml</title>")
_NOTE = re.compile(
    r'(<aside epub:type="footnote" role="doc-footnote" id="fn(\d+)">\s*)(<p>)?', re.S
)


def finished_chapter(text: str, title: str) -> str:
    """A chapter document with the paper's title and numbered notes linked to their calls."""
    text = _TITLE.sub(lambda _: f"<title>{html.escape(title, quote=False)}</title>", text, 1)

    def numbered(match: re.Match[str]) -> str:
        number = match.group(2)
        back = f'<a href="#fnref{number}" class="footnote-back" role="doc-backlink">{number}.</a> '
        return f"{match.group(1)}{match.group(3) or ''}{back}"

    return _NOTE.sub(numbered, text)
