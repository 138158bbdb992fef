"""The PDF's shipped fonts as web fonts of the HTML page: each face the page uses, subset to the
characters it sets in that face, embedded as a WOFF2 data: URI so the page stays one file."""

from __future__ import annotations

import base64
import io
import threading
from functools import lru_cache
from html.parser import HTMLParser

from presswork.assets import asset_path

# (family, italic, bold) -> shipped file; the family names are those of fonts.css (the PDF's).
FACES = {
    ("Presswork Noto Serif", False, False): "NotoSerif-Regular.ttf",
    ("Presswork Noto Serif", True, False): "NotoSerif-Italic.ttf",
    ("Presswork Noto Serif", False, True): "NotoSerif-Bold.ttf",
    ("Presswork Noto Serif", True, True): "NotoSerif-BoldItalic.ttf",
    ("Presswork Noto Sans", False, False): "NotoSans-Regular.ttf",
    ("Presswork Noto Sans", False, True): "NotoSans-Bold.ttf",
    ("Presswork DejaVu Sans Mono", False, False): "DejaVuSansMono.ttf",
}
FALLBACK = "Presswork DejaVu Sans"  # symbols Noto lacks, as in the PDF
FALLBACK_FILE = "DejaVuSans.ttf"
SERIF, SANS, MONO = "Presswork Noto Serif", "Presswork Noto Sans", "Presswork DejaVu Sans Mono"
# The screen page's stacks: the shipped faces first, then the reader's fonts (base.css's).
STACKS = {
    "--serif": (SERIF, 'Georgia, Cambria, "Times New Roman", serif'),
    "--sans": (SANS, '"Helvetica Neue", Arial, sans-serif'),
    "--mono": (MONO, "Menlo, Consolas, monospace"),
}

# Which face an element sets its text in, after base.css and screen.css.
_SANS_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SANS_CLASSES = {"journal", "keywords-label", "date"}
_MONO_TAGS = {"code", "pre", "kbd", "samp"}
_ITALIC_TAGS = {"em", "i", "cite", "var", "dfn", "h4"}
_BOLD_TAGS = {"strong", "b", "th", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}
_BOLD_CLASSES = {"keywords-label"}
_SKIP = {"style", "script", "head", "title", "math"}  # no text set in our fonts
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip


class _Faces(HTMLParser):
    """Collects, per (family, italic, bold), the characters the page's text sets in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool, bool, bool]] = []  # tag, family, it, bold, skip
        self.chars: dict[tuple[str, bool, bool], set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        family, italic, bold, skip = self.stack[-1][1:] if self.stack else (SERIF, False, False, 0)
        classes = set((dict(attrs).get("class") or "").split())
        if tag in _SANS_TAGS or classes & _SANS_CLASSES:
            family = SANS
        if tag in _MONO_TAGS:
            family = MONO
        italic = italic or tag in _ITALIC_TAGS
        bold = bold or tag in _BOLD_TAGS or bool(classes & _BOLD_CLASSES)
        if tag not in _VOID:
            self.stack.append((tag, family, italic, bold, bool(skip) or tag in _SKIP))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed elements
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        family, italic, bold, skip = self.stack[-1][1:] if self.stack else (SERIF, False, False, 0)
        if skip or not data.strip():
            return
        # Italic and bold only where the family has such a face; CSS picks the nearest one.
        if (family, italic, bold) not in FACES:
            italic = italic and (family, True, bold) in FACES
            bold = bold and (family, italic, True) in FACES
        # Both cases: text-transform (uppercase labels) and small caps change the letters.
        self.chars.setdefault((family, italic, bold), set()).update(
            data + data.upper() + data.lower()
        )


# Basic Latin, Latin-1, Latin Extended-A, general punctuation: about 330 characters.
_COMMON = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2050)])
# What the fallback face sets on most pages: pandoc's back link from a note (U+21A9, U+FE0E).
_FALLBACK_COMMON = frozenset([0x21A9, 0xFE0E])


_subsetting = threading.Lock()
SHIPPED = "webfonts"  # assets/webfonts/: each face's common subset, made by common_subsets()


def face_woff2(
    file_name: str,
    chars: frozenset[str],
    cover: frozenset[int],
    codes: frozenset[int] | None = None,
) -> bytes:
    """The face for a page: its shipped common subset when that holds every character the
    page sets in it (fontTools takes about 0.5 s a face, most of a cold HTML build), else a
    subset of the common characters and the page's, made now."""
    common = {chr(code) for code in (_COMMON if codes is None else codes) if code in cover}
    if chars <= common:
        shipped = asset_path(f"{SHIPPED}/{file_name.rsplit('.', 1)[0]}.woff2")
        if shipped.is_file():
            return shipped.read_bytes()
    return subset_woff2(file_name, frozenset(chars | common))


def common_subsets() -> dict[str, bytes]:
    """The shipped common subsets, by file name (tests/test_webfonts.py keeps them current)."""
    found = {}
    for file_name in sorted({*FACES.values(), FALLBACK_FILE}):
        cover = _cmap(file_name)
        codes = _FALLBACK_COMMON if file_name == FALLBACK_FILE else _COMMON
        common = frozenset(chr(code) for code in codes if code in cover)
        found[f"{file_name.rsplit('.', 1)[0]}.woff2"] = _subset_woff2(file_name, common)
    return found


def subset_woff2(file_name: str, chars: frozenset[str]) -> bytes:
    """The face cut down to `chars`, as WOFF2; the style threads of a build wait for one
    another here, so a subset they all need is made once, not once each at the same time."""
    with _subsetting:
        return _subset_woff2(file_name, chars)


@lru_cache(maxsize=64)  # one subset per (font, characters) within a build
def _subset_woff2(file_name: str, chars: frozenset[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    # fontTools' default layout features: kerning, ligatures, marks (all of them: +40% bytes)
    options.name_IDs = ["*"]  # keep the licence and copyright names
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a browser reads
    # recalcTimestamp=False: head.modified stays the shipped file's, so the bytes repeat.
    out = io.BytesIO()
    with TTFont(asset_path(f"fonts/{file_name}"), recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in chars))
        subsetter.subset(font)
        subset.save_font(font, out, options)
    return out.getvalue()


@lru_cache(maxsize=16)
def _cmap(file_name: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(asset_path(f"fonts/{file_name}"), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _face_rule(family: str, italic: bool, bold: bool, data: bytes) -> str:
    uri = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
    return (
        f'@font-face {{ font-family: "{family}"; font-style: {"italic" if italic else "normal"}; '
        f'font-weight: {700 if bold else 400}; font-display: swap; src: url("{uri}") '
        'format("woff2"); }'
    )


def webfont_css(page_html: str) -> str:
    """@font-face rules for the faces the page uses, then font stacks that prefer them."""
    parser = _Faces()
    parser.feed(page_html)
    parser.close()
    rules, fallback, used = [], set(), set()
    for (family, italic, bold), chars in sorted(parser.chars.items()):
        chars = {c for c in chars if not c.isspace() or c == " "}
        cover = _cmap(FACES[(family, italic, bold)])
        fallback |= {c for c in chars if ord(c) not in cover}
        covered = frozenset(c for c in chars if ord(c) in cover)  # the rest: the fallback's
        data = face_woff2(FACES[(family, italic, bold)], covered, cover)
        rules.append(_face_rule(family, italic, bold, data))
        used.add(family)
    fallback &= {chr(code) for code in _cmap(FALLBACK_FILE)}
    if fallback:
        cover = _cmap(FALLBACK_FILE)
        data = face_woff2(FALLBACK_FILE, frozenset(fallback), cover, _FALLBACK_COMMON)
        rules.append(_face_rule(FALLBACK, False, False, data))
    stacks = []
    for variable, (family, system) in STACKS.items():
        if family in used:
            extra = f'"{FALLBACK}", ' if fallback else ""
            stacks.append(f'  {variable}: "{family}", {extra}{system};')
    if stacks:
        rules.append(":root {\n" + "\n".join(stacks) + "\n}")
    return "\n".join(rules)
