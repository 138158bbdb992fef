"""The HTML page sets its text in the PDF's shipped fonts: subset WOFF2 faces as data: URIs."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from fontTools.ttLib import TTFont
from lxml import html as lxml_html

from presswork import webfonts

NAME = "prague-spring-1968"
CHICAGO = "chicago-notes-bibliography-subsequent-ibid"
FACE = re.compile(
    r'@font-face \{ font-family: "([^"]+)"; font-style: (\w+); font-weight: (\d+);'
    r'[^}]*url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)'
)


def faces(page: str) -> dict[tuple[str, str, str], TTFont]:
    found = {}
    for family, style, weight, data in FACE.findall(page):
        found[(family, style, weight)] = TTFont(io.BytesIO(base64.b64decode(data)))
    return found


def test_html_embeds_the_shipped_faces_it_uses_subset_to_its_text(flagship_build: Path) -> None:
    page = (flagship_build / "build" / CHICAGO / f"{NAME}.html").read_text(encoding="utf-8")
    found = faces(page)
    # Body text, its italics (titles in notes), bold headings in sans; no bold italic is set.
    assert ("Presswork Noto Serif", "normal", "400") in found
    assert ("Presswork Noto Serif", "italic", "400") in found
    assert ("Presswork Noto Sans", "normal", "700") in found
    assert ("Presswork Noto Serif", "italic", "700") not in found
    regular = found[("Presswork Noto Serif", "normal", "400")]
    assert regular.flavor == "woff2"
    assert regular["name"].getDebugName(1) == "Noto Serif"  # the shipped font, not a stand-in
    cmap = regular.getBestCmap()
    body = "".join(lxml_html.fromstring(page).xpath("//main//p//text()"))
    assert "’" in body and "Dubcek" in body  # beyond ASCII: curly quotes
    missing = {c for c in body if not c.isspace() and ord(c) not in cmap}
    covered_by_fallback = set(found[("Presswork DejaVu Sans", "normal", "400")].getBestCmap())
    assert all(ord(c) in covered_by_fallback for c in missing)
    # Subset: a few hundred glyphs of the font's thousands.
    with TTFont(webfonts.asset_path("fonts/NotoSerif-Regular.ttf"), lazy=True) as shipped:
        assert len(regular.getGlyphOrder()) < 600 < len(shipped.getGlyphOrder())
    assert sum(len(m) for m in re.findall(r"data:font/woff2;base64,[^\"]+", page)) < 300_000
    # The stacks prefer the shipped faces and fall back to the reader's fonts.
    assert re.search(r'--serif: "Presswork Noto Serif", [^;]*Georgia[^;]*serif;', page)
    assert re.search(r'--sans: "Presswork Noto Sans", [^;]*sans-serif;', page)


def test_subsets_repeat_byte_for_byte() -> None:
    chars = frozenset("Prague Spring, 1968: Dubček’s “socialism with a human face”")
    first = webfonts.subset_woff2("NotoSerif-Regular.ttf", chars)
    webfonts._subset_woff2.cache_clear()  # made again, not taken from the cache
    assert webfonts.subset_woff2("NotoSerif-Regular.ttf", chars) == first
    head = TTFont(io.BytesIO(first))["head"]
    with TTFont(webfonts.asset_path("fonts/NotoSerif-Regular.ttf"), lazy=True) as shipped:
        assert head.modified == shipped["head"].modified  # no build timestamp inside


def test_faces_follow_the_markup() -> None:
    css = webfonts.webfont_css(
        '<main><h2 id="x">Ab</h2><p>cd <em>ef</em> <code>x = 1</code></p></main>'
    )
    assert {(f, s, w) for f, s, w, _ in FACE.findall(css)} == {
        ("Presswork Noto Sans", "normal", "700"),
        ("Presswork Noto Serif", "normal", "400"),
        ("Presswork Noto Serif", "italic", "400"),
        ("Presswork DejaVu Sans Mono", "normal", "400"),
    }
    assert '--mono: "Presswork DejaVu Sans Mono", Menlo' in css


def test_the_shipped_common_subsets_are_current() -> None:
    """assets/webfonts/ holds each face cut to the common Latin characters, made from the
    shipped fonts; regenerate them with presswork.webfonts.common_subsets() if this fails."""
    from presswork import webfonts
    from presswork.assets import asset_path

    made = webfonts.common_subsets()
    shipped = {p.name: p.read_bytes() for p in asset_path(webfonts.SHIPPED).glob("*.woff2")}
    assert made == shipped
