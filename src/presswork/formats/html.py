"""The standalone HTML page: pandoc's page in our template, with the CSS inlined, the scholarly
metadata indexers read in the head, and a "Cite this article" block after the text."""

from __future__ import annotations

import html
from pathlib import Path

from presswork.assets import asset_text
from presswork.errors import InputError
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument
from presswork.i18n import term

HEAD_MARK = "<!--presswork:head-->"
END_OF_MAIN_MARK = "<!--presswork:end-of-main-->"
RTL_MARK = 'dir="rtl"'
# pandoc's endnotes section has a rule but no heading; a heading names the landmark.
_NOTES_OPEN = (
    '<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">'
)
_NOTES_HEADING = '<h2 id="footnotes-title" class="footnotes-title">{}</h2>'


def page_with_css(page_html: str, *stylesheets: str, head: str = "", css: str = "") -> str:
    """Put stylesheets, then extra CSS text (and any head markup) where the template says."""
    if RTL_MARK in page_html:  # only pages with right-to-left text: others keep their bytes
        stylesheets = (*stylesheets, "rtl.css")
    text = "\n".join([*(asset_text(name) for name in stylesheets), css]).rstrip()
    return page_html.replace(HEAD_MARK, f"{head}<style>\n{text}\n</style>", 1)


def user_css(doc: StyleDocument) -> str:
    """The metadata's `css:` files (presswork.metafiles), checked: after presswork's own
    stylesheets, so that they override them, as pandoc's --css does."""
    files = doc.settings.get("metadata_files")
    return files.css if files is not None else ""


def cite_styles(doc: StyleDocument) -> list[tuple[str, Path]]:
    """(title, CSL file) of each "Cite this article" style; unknown styles are left out."""
    from presswork import styles

    found = []
    for name in doc.settings.get("cite_styles", ()):
        try:
            # The settings' styles: confined to the project like any of its files.
            where = doc.settings.get("styles_dir", "styles")
            style = styles.resolve(name, doc.root, where, "settings")
        except InputError:
            continue
        found.append((style.title, style.path))
    return found


def render(doc: StyleDocument) -> bytes:
    from presswork.meta.cite import cite_block
    from presswork.meta.tags import head_html

    head = head_html(doc.paper, doc.cited_references)
    block = cite_block(doc.paper, cite_styles(doc), doc.name)
    page = doc.page_html.replace(END_OF_MAIN_MARK, block, 1)
    heading = _NOTES_HEADING.format(html.escape(term("notes", doc.lang)))
    page = page.replace(f"{_NOTES_OPEN}\n<hr />", f"{_NOTES_OPEN}\n{heading}", 1)
    from presswork.webfonts import webfont_css

    # The PDF's own fonts, so page and PDF look like one publication.
    css = webfont_css(page) + "\n" + user_css(doc)
    return page_with_css(page, "base.css", "screen.css", head=head, css=css).encode("utf-8")


register(Format("html", "html", "text/html", render, "one standalone HTML5 page, CSS inlined"))
