"""The metadata's `cover-image` put into the EPUB after pandoc, as pandoc itself makes it.

pandoc --sandbox cannot read the image, so presswork (which read and checked it, see
presswork.metafiles) adds what pandoc would: the image as the `cover-image` item, a cover
page first in the spine, the guide's and the landmarks' cover entries.
"""

from __future__ import annotations

import html
import io
import re

from presswork.metafiles import Cover

COVER_PAGE = "text/cover.xhtml"
_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}


def image_name(cover: Cover) -> str:
    return f"media/cover-image.{_EXTENSIONS.get(cover.media_type, 'img')}"


def _size(cover: Cover) -> tuple[int, int] | None:
    """Width and height of a raster cover (checked against the pixel limit already)."""
    if cover.media_type == "image/svg+xml":
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(cover.data)) as image:
            return image.size
    except (OSError, ValueError):
        return None


def cover_page(cover: Cover, title: str, lang: str, stylesheet: str | None) -> str:
    """pandoc's cover page: the image scaled to the screen in an SVG, or as an img (SVG)."""
    href = f"../{image_name(cover)}"
    size = _size(cover)
    if size is not None:
        width, height = size
        body = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'version="1.1" width="100%" height="100%" viewBox="0 0 {width} {height}" '
            'preserveAspectRatio="xMidYMid">\n'
            f'<image width="{width}" height="{height}" xlink:href="{href}" />\n</svg>'
        )
    else:
        body = f'<img src="{href}" alt="" />'
    link = (
        f'  <link rel="stylesheet" type="text/css" href="../{stylesheet}" />\n'
        if stylesheet
        else ""
    )
    lang = html.escape(lang, quote=True)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n  <meta charset="utf-8" />\n'
        f"  <title>{html.escape(title, quote=False)}</title>\n{link}</head>\n"
        f'<body id="cover">\n<div id="cover-image">\n{body}\n</div>\n</body>\n</html>\n'
    )


def cover_opf(opf: str, cover: Cover) -> str:
    """The package document with the cover image, the cover page first and the guide entry."""
    svg = ' properties="svg"' if _size(cover) is not None else ""
    items = (
        f'    <item id="cover_xhtml" href="{COVER_PAGE}" '
        f'media-type="application/xhtml+xml"{svg} />\n'
        f'    <item properties="cover-image" id="cover_image" href="{image_name(cover)}" '
        f'media-type="{cover.media_type}" />\n'
    )
    opf = opf.replace("  </manifest>", f"{items}  </manifest>", 1)
    opf = re.sub(r"(<spine[^>]*>\n)", r'\1    <itemref idref="cover_xhtml" />\n', opf, count=1)
    guide = f'    <reference type="cover" title="Cover" href="{COVER_PAGE}" />\n'
    return opf.replace("  </guide>", f"{guide}  </guide>", 1)


def cover_nav(nav: str) -> str:
    """The landmarks with the cover, as pandoc lists it."""
    item = f'    <li>\n      <a href="{COVER_PAGE}" epub:type="cover">Cover</a>\n    </li>\n'
    pattern = re.compile(r'(<nav epub:type="landmarks"[^>]*>\s*<ol>\n)(.*?)(  </ol>)', re.DOTALL)
    return pattern.sub(lambda m: m.group(1) + m.group(2) + item + m.group(3), nav, count=1)
