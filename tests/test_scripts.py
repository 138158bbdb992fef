"""Text in other scripts: CJK glyphs embedded in the PDF, characters no font covers named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import pdf_fonts, pdf_text
from presswork import fonts
from presswork.lint import LintConfig, run_lint
from presswork.project import load
from test_i18n import make_project

JAPANESE_META = """\
title: 明治維新と近代日本
author:
  - name: 山田太郎
date: 2026-12-03
lang: ja
abstract: 本稿は明治維新の歴史的意義を論じる。
keywords: [明治維新, 近代化]
"""

JAPANESE_TEXT = """\
# 序論

明治維新は日本の近代化の出発点であった[@doe2020]。東京は首都となった。^[注記の本文。]
"""


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from presswork.build import build

    root = make_project(tmp_path_factory.mktemp("ja") / "paper", JAPANESE_META, JAPANESE_TEXT)
    report = build(root, ["pdf", "html"], ["apa"], jobs=1)
    return root / "build" / "apa", report.warnings


def test_japanese_pdf_embeds_the_cjk_font_and_its_text_extracts(
    japanese: tuple[Path, list[str]],
) -> None:
    out, warnings = japanese
    assert not [w for w in warnings if "glyph" in w], warnings
    embedded = pdf_fonts(out / "paper.pdf")
    cjk = [name for name in embedded if "Noto-Sans-CJK" in name]
    assert cjk and all(embedded[name] for name in cjk), embedded
    text = " ".join(pdf_text(out / "paper.pdf").split())
    for expected in (
        "明治維新と近代日本",
        "山田太郎",
        "2026年12月3日",
        "概要 本稿は明治維新の歴史的意義を論じる。",
        "キーワード: 明治維新; 近代化",
        "東京は首都となった。",
        "参考文献",
        "注記の本文。",
    ):
        assert expected in text, expected
    # subset, not the whole 16 MB font
    assert (out / "paper.pdf").stat().st_size < 400_000


def test_japanese_html_labels(japanese: tuple[Path, list[str]]) -> None:
    page = (japanese[0] / "paper.html").read_text("utf-8")
    assert '<html lang="ja"' in page
    assert "2026年12月3日</time>" in page
    assert '<span class="keywords-label">キーワード:</span>' in page
    assert re.search(r"<h2[^>]*>参考文献</h2>", page)


def test_a_character_no_font_covers_is_a_finding_with_its_place(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "p", "title: T\n", "# A\n\nTibetan ཀ and ཀ again, Devanagari क.\n"
    )
    findings = [f for f in run_lint(load(root), LintConfig()) if f.rule == "text/missing-glyph"]
    assert [(f.file, f.line, f.column) for f in findings] == [
        ("manuscript/01-text.md", 3, 9),
        ("manuscript/01-text.md", 3, 35),
    ]
    assert findings[0].message == (
        'no font of the PDF has a glyph for U+0F40 TIBETAN LETTER KA ("ཀ") (2 times)'
    )
    assert "DEVANAGARI LETTER KA" in findings[1].message


def test_the_build_warns_and_strict_refuses(tmp_path: Path) -> None:
    from presswork.build import build
    from presswork.errors import InputError

    root = make_project(tmp_path / "p", "title: T\n", "# A\n\nTibetan ཀ.\n")
    report = build(root, ["pdf"], ["apa"], jobs=1)
    assert any(
        w.startswith("manuscript/01-text.md:3:9: no font of the PDF has a glyph for U+0F40")
        for w in report.warnings
    ), report.warnings
    with pytest.raises(InputError, match=r"U\+0F40 TIBETAN LETTER KA"):
        build(root, ["pdf"], ["apa"], jobs=1, strict=True, force=True)
    # HTML alone: a browser has its own fonts, so no warning
    html_only = build(root, ["html"], ["apa"], jobs=1)
    assert not [w for w in html_only.warnings if "glyph" in w]


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on a machine without the `cjk` extra."""
    monkeypatch.setattr(fonts, "optional_fonts", lambda: fonts.FontState((), ()))
    fonts.coverage.cache_clear()
    yield
    monkeypatch.undo()
    fonts.coverage.cache_clear()


def test_without_the_cjk_font_japanese_is_named_with_the_extra_to_install(
    tmp_path: Path, no_cjk_font: None
) -> None:
    root = make_project(tmp_path / "p", JAPANESE_META, JAPANESE_TEXT)
    findings = [f for f in run_lint(load(root), LintConfig()) if f.rule == "text/missing-glyph"]
    first = next(f for f in findings if f.file == "manuscript/metadata.yaml")
    assert (first.file, first.line, first.column) == ("manuscript/metadata.yaml", 1, 8)
    assert "U+660E CJK UNIFIED IDEOGRAPH-660E" in first.message
    assert first.fix is not None and 'pip install "presswork[cjk]"' in first.fix
    # the first ten characters of a file are named, then one finding counts the rest
    in_metadata = [f for f in findings if f.file == "manuscript/metadata.yaml"]
    assert len(in_metadata) == 11 and in_metadata[-1].message.endswith(
        "more characters that no font of the PDF covers"
    )


def test_a_font_file_with_other_bytes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_cjk_font"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "NotoSansCJKjp-Regular.otf").write_bytes(b"not the pinned font")
    monkeypatch.syspath_prepend(str(tmp_path))
    pinned = fonts.OPTIONAL_FONTS[0]
    fake = fonts.OptionalFont(
        pinned.family, "fake_cjk_font", pinned.file, pinned.sha256, pinned.extra, pinned.scripts
    )
    monkeypatch.setattr(fonts, "OPTIONAL_FONTS", (fake,))
    fonts.optional_fonts.cache_clear()
    try:
        state = fonts.optional_fonts()
        assert state.found == ()
        assert "is not the font presswork pins" in state.problems[0]
    finally:
        monkeypatch.undo()
        fonts.optional_fonts.cache_clear()


def test_coverage_comes_from_the_shipped_fonts_cmaps() -> None:
    covered = fonts.coverage()
    assert ord("a") in covered and ord("ř") in covered and ord("→") in covered
    assert ord("日") in covered  # Noto Sans CJK, from the test extra
    assert ord("ཀ") not in covered
    assert fonts.missing({"\u200d", "\ufe0f", "\u00ad"}) == set()  # need no glyph


HEBREW_META = """\
title: מחקר קצר
date: 2026-12-03
lang: he
keywords: [היסטוריה, ירושלים]
"""

HEBREW_TEXT = """\
# מבוא

זהו משפט בעברית [@doe2020]. ציטוט באנגלית: [The quick brown fox]{lang=en}.

::: {lang=ar}
هذه فقرة باللغة العربية.
:::
"""


@pytest.fixture(scope="module")
def hebrew(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from presswork.build import build

    root = make_project(tmp_path_factory.mktemp("he") / "paper", HEBREW_META, HEBREW_TEXT)
    report = build(root, ["html", "epub", "pdf"], ["apa"], jobs=1)
    return root / "build" / "apa", report.warnings


def test_a_hebrew_page_is_right_to_left_in_html_and_epub(hebrew: tuple[Path, list[str]]) -> None:
    from helpers import epub_files

    out, warnings = hebrew
    assert not [w for w in warnings if "glyph" in w], warnings
    page = (out / "paper.html").read_text("utf-8")
    assert '<html lang="he" xml:lang="he" dir="rtl">' in page
    # an English quotation inside runs left to right; Arabic, like the page, needs nothing
    assert '<span lang="en" dir="ltr">The quick brown fox</span>' in page
    assert '<div lang="ar">' in page
    assert "[dir=rtl] :is(h1, h2" in page  # the mirrored sides of rtl.css
    assert '<span class="keywords-label">מילות מפתח:</span>' in page
    assert "3 בדצמבר 2026" in page
    files = epub_files(out / "paper.epub")
    chapter = next(v.decode("utf-8") for k, v in files.items() if k.endswith("ch001.xhtml"))
    assert 'lang="he" xml:lang="he" dir="rtl">' in chapter
    assert '<span lang="en" dir="ltr">' in chapter
    assert (
        '<spine toc="ncx" page-progression-direction="rtl">' in files["EPUB/content.opf"].decode()
    )


def test_a_hebrew_pdf_has_its_text_and_glyphs(hebrew: tuple[Path, list[str]]) -> None:
    out, _ = hebrew
    text = pdf_text(out / "paper.pdf")
    for expected in ("מחקר קצר", "מבוא", "זהו משפט בעברית", "هذه فقرة باللغة العربية", "מקורות"):
        assert expected in text, expected
    embedded = pdf_fonts(out / "paper.pdf")
    # Hebrew from Noto Sans Hebrew; Arabic from DejaVu Sans, whose glyphs extract (above)
    for family in ("Noto-Sans-Hebrew", "DejaVu-Sans"):
        assert [on for name, on in embedded.items() if family in name] == [True], embedded


def test_script_fonts_join_only_pages_that_need_them() -> None:
    from presswork.assets import asset_text

    css = asset_text("fonts.css")
    # Latin, arrows and dashes (DejaVu Sans has the arrows): nothing added, bytes unchanged
    assert fonts.font_face_css("Dubček → 1968 – “quoted” −1", css) == ""
    hebrew = fonts.font_face_css("שלום", css)
    assert '"Presswork Noto Sans Hebrew"' in hebrew and "Arabic" not in hebrew
    assert "CJK" not in hebrew
    assert (
        '--serif: "Presswork Noto Serif", "Presswork Noto Sans Hebrew", "Presswork DejaVu Sans";'
        in hebrew
    )
    # basic Arabic is DejaVu Sans's; Noto Sans Arabic only for what DejaVu lacks, after it
    assert fonts.font_face_css("مرحبا", css) == ""
    both = fonts.font_face_css("日本 и مرحبا \u0750", css)
    assert (
        '--sans: "Presswork Noto Sans", "Presswork DejaVu Sans", "Presswork Noto Sans Arabic", '
        '"Presswork Noto Sans CJK";' in both
    )


def test_a_hebrew_span_in_an_english_paper_gets_dir(tmp_path: Path) -> None:
    from presswork.build import build

    text = "# A\n\nThe word [שלום]{lang=he} means peace [@doe2020].\n"
    root = make_project(tmp_path / "p", "title: T\nlang: en-GB\n", text)
    build(root, ["html"], ["apa"], jobs=1)
    page = (root / "build" / "apa" / "paper.html").read_text("utf-8")
    assert '<span lang="he" dir="rtl">שלום</span>' in page
    assert '<html lang="en-GB" xml:lang="en-GB">' in page


def test_a_left_to_right_page_has_no_rtl_css(japanese: tuple[Path, list[str]]) -> None:
    page = (japanese[0] / "paper.html").read_text("utf-8")
    assert "dir=" not in page.split("<body>", 1)[0].split("<style>", 1)[0]
    assert "[dir=rtl]" not in page


def test_the_direct_cmap_reading_agrees_with_fonttools() -> None:
    from fontTools.ttLib import TTFont

    paths = [*fonts.shipped_font_files(), *(path for _, path in fonts.optional_fonts().found)]
    assert len(paths) >= 11  # ten shipped, and the CJK font of the test extra
    for path in paths:
        with TTFont(path, lazy=True) as font:
            assert fonts._coverage_of(path) == set(font.getBestCmap()), path.name
