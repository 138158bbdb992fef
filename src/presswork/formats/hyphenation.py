"""Hyphenation as a copy editor wants it, where CSS cannot say it to WeasyPrint.

- No capitalised word is broken: names ("Dub-cek", "Brezh-nev") and acronyms. WeasyPrint asks
  pyphen for the breaks of one word at a time; its dictionary here has none for such words,
  nor for any word while pagehyphen sets a page's last line again.
- The hyphen WeasyPrint adds at a line's end reads as a soft hyphen (U+00AD) in the PDF's
  text, as ISO 32000 says it should: copied or searched, "commu-/nication" is one word, not
  "commu\u2010nication". The glyph drawn is the same; only its ToUnicode entry changes, and
  only when the text itself has no U+2010 (which must then stay what it is).

Words already holding a hyphen, code and URLs are kept whole by printpage (spans with
`hyphens: manual`).
"""

from __future__ import annotations

import threading
from typing import Any

from presswork.formats import pagehyphen

HYPHENATE_CHARACTER = "\u2010"  # WeasyPrint's default `hyphenate-character`
SOFT_HYPHEN = "\u00ad"
_installed = False


def install() -> None:
    """Patch WeasyPrint's use of pyphen and its font dictionaries, once per process."""
    global _installed
    if _installed:
        return
    import pyphen
    from weasyprint import pdf as weasy_pdf
    from weasyprint.text import line_break

    class Lowercase(pyphen.Pyphen):  # type: ignore[misc]
        """pyphen that leaves capitalised words whole."""

        def iterate(self, word: str) -> Any:
            if word[:1].isupper() or pagehyphen.hyphenation_paused():
                return iter(())
            return super().iterate(word)

    class Module:
        """What line_break uses of pyphen, with the dictionary above."""

        Pyphen = Lowercase
        language_fallback = staticmethod(pyphen.language_fallback)
        LANGUAGES = pyphen.LANGUAGES

    line_break.pyphen = Module  # type: ignore[assignment]
    build = weasy_pdf.build_fonts_dictionary

    def soft_line_end_hyphens(pdf: Any, fonts: Any, *args: Any, **kwargs: Any) -> Any:
        if not getattr(_document_flag, "keeps_u2010", False):
            for font in fonts.values():
                for glyph, text in list(font.to_unicode.items()):
                    if text == HYPHENATE_CHARACTER:
                        font.to_unicode[glyph] = SOFT_HYPHEN
        return build(pdf, fonts, *args, **kwargs)

    weasy_pdf.build_fonts_dictionary = soft_line_end_hyphens
    _installed = True


# Per thread: without a process pool, PDFs of several styles are written in threads at once.
_document_flag = threading.local()


def text_has_u2010(html: str) -> None:
    """Tell the next PDF written whether its text holds U+2010 of its own."""
    _document_flag.keeps_u2010 = HYPHENATE_CHARACTER in html
