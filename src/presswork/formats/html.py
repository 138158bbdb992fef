"""The standalone HTML page: pandoc's page in our template, with the CSS inlined."""

from __future__ import annotations

from presswork.assets import asset_text
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument

HEAD_MARK = "<!--presswork:head-->"


def page_with_css(page_html: str, *stylesheets: str, head: str = "", css: str = "") -> str:
    """Put stylesheets, then extra CSS text (and any head markup) where the template says."""
    text = "\n".join([*(asset_text(name) for name in stylesheets), css]).rstrip()
    return page_html.replace(HEAD_MARK, f"{head}<style>\n{text}\n</style>", 1)


def render(doc: StyleDocument) -> bytes:
    return page_with_css(doc.page_html, "base.css", "screen.css").encode("utf-8")


register(Format("html", "html", "text/html", render, "one standalone HTML5 page, CSS inlined"))
