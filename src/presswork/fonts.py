"""The fonts the PDF may use, and which characters they cover.

WeasyPrint sees only presswork's fonts (assets/fonts, registered under "Presswork" names by
fonts.css), so the PDF is the same on every machine. Scripts the shipped fonts lack come from
optional font packages on PyPI, each pinned by the sha256 of its font file: a file with other
bytes is not used (another version would change the PDF). Today that is Chinese, Japanese and
Korean, from Noto Sans CJK JP (16 MB, SIL OFL), installed by the `cjk` extra:
`pip install "presswork[cjk]"`. An optional font joins a PDF only when its text has
characters the shipped fonts lack, after them in every font list.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from presswork.assets import ASSETS


@dataclass(frozen=True)
class OptionalFont:
    family: str  # the name fonts.css's font lists already name, after the shipped fonts
    module: str  # the package that carries the file
    file: str
    sha256: str
    extra: str  # presswork's extra that installs it
    scripts: str  # for messages


OPTIONAL_FONTS = (
    OptionalFont(
        family="Presswork Noto Sans CJK",
        module="noto_cjk_sans_jp_regular",
        file="NotoSansCJKjp-Regular.otf",
        sha256="68a3fc98800b2a27b371f2fb79991daf3633bd89309d4ffaa6946fd587f375b5",
        extra="cjk",
        scripts="Chinese, Japanese and Korean",
    ),
)


# Shipped fonts of other scripts (assets/fonts/scripts), which a PDF gets only when its text
# has characters of their blocks. Noto Sans Hebrew comes before DejaVu Sans, the general
# fallback, which has only part of Hebrew. Noto Sans Arabic comes after it, for the Arabic
# characters DejaVu lacks only: it draws letters as a skeleton plus separate dots, which a
# PDF's text layer cannot map back to the letters (copied or searched text comes out wrong),
# while DejaVu's whole-letter glyphs extract correctly.
SCRIPT_FONTS = {
    "NotoSansHebrew-Regular.ttf": (
        "Presswork Noto Sans Hebrew",
        "before",
        ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
    ),
    "NotoSansArabic-Regular.ttf": (
        "Presswork Noto Sans Arabic",
        "after",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
}


@dataclass(frozen=True)
class FontState:
    """The optional fonts that are installed with the pinned bytes, and the problems found."""

    found: tuple[tuple[OptionalFont, Path], ...]
    problems: tuple[str, ...]


def _package_dir(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def optional_fonts() -> FontState:
    found = []
    problems = []
    for font in OPTIONAL_FONTS:
        folder = _package_dir(font.module)
        path = folder / font.file if folder is not None else None
        if path is None or not path.is_file():
            continue
        if _sha256(path) != font.sha256:
            problems.append(
                f"{path} is not the font presswork pins (sha256 {font.sha256[:12]}...), so it "
                f'is not used; reinstall it with pip install "presswork[{font.extra}]"'
            )
            continue
        found.append((font, path))
    return FontState(tuple(found), tuple(problems))


def font_face_css(text: str, shipped_css: str) -> str:
    """CSS for the fonts of other scripts that `text` needs: their @font-face rules, and the
    font variables of `shipped_css` with them added (a script font before DejaVu Sans, the
    last family; an optional font such as CJK, for characters no shipped font has, after it).
    Empty for any other text, which so keeps its bytes and its speed (a CJK font costs
    WeasyPrint time to load, even unused)."""
    codes = {ord(char) for char in set(text)}
    if all(code < 0x0590 for code in codes):  # Latin, Greek, Cyrillic: nothing to add
        return ""
    folder = ASSETS / "fonts" / "scripts"
    lacking = codes - _base_coverage()
    before: list[tuple[str, Path]] = []
    after: list[tuple[str, Path]] = []
    for name, (family, place, blocks) in SCRIPT_FONTS.items():
        wanted = codes if place == "before" else lacking
        if any(first <= code <= last for code in wanted for first, last in blocks):
            (before if place == "before" else after).append((family, folder / name))
    lacking -= shipped_coverage()
    if lacking:  # only then read (and verify) the optional fonts
        found = optional_fonts().found
        after += [(f.family, path) for f, path in found if lacking & _coverage_of(path)]
    if not before and not after:
        return ""
    faces = "".join(
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
        f'src: url("{path.as_uri()}"); }}\n'
        for family, path in [*before, *after]
    )
    overrides = ""
    for name, value in re.findall(r"^\s*(--[a-z]+):\s*([^;]+);", shipped_css, re.M):
        *main, last = value.split(", ")
        families = [*main, *(f'"{f}"' for f, _ in before), last, *(f'"{f}"' for f, _ in after)]
        overrides += f"  {name}: {', '.join(families)};\n"
    return f"{faces}:root {{\n{overrides}}}\n"


def font_dirs() -> list[str]:
    """The folders of the optional fonts installed: the PDF's URL fetcher may read them."""
    return [str(path.parent) for _, path in optional_fonts().found]


def fingerprint() -> str:
    """Which optional font files are installed (pinned hash, size, time): part of every PDF's
    key. From the files' status, not their bytes: no-change builds need not read 16 MB."""
    found = []
    for font in OPTIONAL_FONTS:
        folder = _package_dir(font.module)
        path = folder / font.file if folder is not None else None
        if path is not None and path.is_file():
            stat = path.stat()
            found.append(f"{font.sha256}:{stat.st_size}:{stat.st_mtime_ns}")
    return ",".join(found)


def shipped_font_files() -> list[Path]:
    return sorted((ASSETS / "fonts").rglob("*.[ot]tf"))


def _format12(data: bytes, offset: int) -> set[int]:
    (groups,) = struct.unpack_from(">I", data, offset + 12)
    found: set[int] = set()
    for group in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, offset + 16 + 12 * group)
        found.update(range(first + (glyph == 0), last + 1))  # glyph 0 is .notdef, no glyph
    return found


def _format4(data: bytes, offset: int) -> set[int]:
    segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
    arrays = offset + 14
    ends = struct.unpack_from(f">{segments}H", data, arrays)
    starts = struct.unpack_from(f">{segments}H", data, arrays + 2 * segments + 2)
    deltas = struct.unpack_from(f">{segments}h", data, arrays + 4 * segments + 2)
    range_at = arrays + 6 * segments + 2
    range_offsets = struct.unpack_from(f">{segments}H", data, range_at)
    found: set[int] = set()
    for index in range(segments):
        start, end, delta, range_offset = (
            starts[index],
            ends[index],
            deltas[index],
            range_offsets[index],
        )
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = range_at + 2 * index + range_offset + 2 * (code - start)
                glyph = struct.unpack_from(">H", data, at)[0] if at + 2 <= len(data) else 0
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                found.add(code)
    return found


def _cmap_coverage(data: bytes) -> set[int] | None:
    """The code points of a font's Unicode cmap, read directly from the table: faster than
    fontTools (3 s on a CJK font's 44,000 characters, and 0.1 s just to import it). Format 12
    (all of Unicode) if the font has one, else format 4 (the BMP); None if neither."""
    (count,) = struct.unpack_from(">H", data, 2)
    tables: dict[int, int] = {}
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * index)
        if (platform, encoding) in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3)):
            tables.setdefault(struct.unpack_from(">H", data, offset)[0], offset)
    if 12 in tables:
        return _format12(data, tables[12])
    if 4 in tables:
        return _format4(data, tables[4])
    return None


def _table(path: Path, tag: bytes) -> bytes | None:
    """One table of an OpenType/TrueType font file (not a collection), by its tag."""
    with path.open("rb") as handle:
        header = handle.read(12)
        if len(header) < 12:
            return None
        (count,) = struct.unpack_from(">H", header, 4)
        directory = handle.read(16 * count)
        for index in range(count):
            name, _, offset, length = struct.unpack_from(">4sIII", directory, 16 * index)
            if name == tag:
                handle.seek(offset)
                return handle.read(length)
    return None


@lru_cache(maxsize=32)
def _font_coverage(path: Path, size: int, mtime: float) -> frozenset[int]:
    cmap = _table(path, b"cmap")
    found = _cmap_coverage(cmap) if cmap is not None else None
    if found is not None:
        return frozenset(found)
    from fontTools.ttLib import TTFont  # other cmap formats: rare in fonts that cover text

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _coverage_of(path: Path) -> frozenset[int]:
    stat = path.stat()
    return _font_coverage(path, stat.st_size, stat.st_mtime)


@lru_cache(maxsize=1)
def _base_coverage() -> frozenset[int]:
    """The fonts every PDF has (not those of assets/fonts/scripts)."""
    covered: set[int] = set()
    for path in sorted((ASSETS / "fonts").glob("*.[ot]tf")):
        covered |= _coverage_of(path)
    return frozenset(covered)


@lru_cache(maxsize=1)
def shipped_coverage() -> frozenset[int]:
    covered: set[int] = set()
    for path in shipped_font_files():
        covered |= _coverage_of(path)
    return frozenset(covered)


@lru_cache(maxsize=1)
def coverage() -> frozenset[int]:
    """Every code point some font of the PDF (shipped or optional and installed) has a glyph for."""
    covered = set(shipped_coverage())
    for _, path in optional_fonts().found:
        covered |= _coverage_of(path)
    return frozenset(covered)


def renders_without_glyph(char: str) -> bool:
    """Characters that need no glyph of their own: controls, format characters (joiners, bidi
    marks, soft hyphen) and variation selectors."""
    category = unicodedata.category(char)
    code = ord(char)
    return (
        category in ("Cc", "Cf", "Zl", "Zp")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def missing(chars: set[str]) -> set[str]:
    """The characters of `chars` that no font of the PDF covers."""
    shipped = shipped_coverage()
    lacking = {c for c in chars if ord(c) not in shipped and not renders_without_glyph(c)}
    if not lacking:  # the common case: no need to read (and verify) the optional fonts
        return lacking
    covered = coverage()
    return {char for char in lacking if ord(char) not in covered}


_CJK_BLOCKS = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x9FFF),  # CJK symbols, kana, Hangul compatibility, ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFFEF),  # half- and full-width forms
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def hint(char: str) -> str:
    """What would give the character a glyph, for the warning."""
    code = ord(char)
    if any(first <= code <= last for first, last in _CJK_BLOCKS):
        font = OPTIONAL_FONTS[0]
        if not any(found is font for found, _ in optional_fonts().found):
            return f'install the {font.scripts} font: pip install "presswork[{font.extra}]"'
    return "no font presswork ships has it; the PDF shows an empty box"


def describe(char: str) -> str:
    """U+65E5 CJK UNIFIED IDEOGRAPH-65E5 ("日")."""
    name = unicodedata.name(char, "")
    return f'U+{ord(char):04X} {name} ("{char}")' if name else f"U+{ord(char):04X}"
