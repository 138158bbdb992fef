"""Math in every format: MathML in HTML and EPUB, SVG drawn as paths in the PDF, and TeX that
cannot be typeset reported at its line (build warning and lint finding alike)."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import epub_files, pdf_text, sha256
from presswork.build import build
from presswork.errors import InputError
from presswork.lint import LintConfig, run_lint
from presswork.math import formulas_as_svg, problems, render
from presswork.project import load as load_project

STEM = Path(__file__).parent / "fixtures" / "stem"
NAME = "stem"
TEX_MARKS = ("\\frac", "\\zeta", "\\begin", "\\sum", "$")


def copy_stem(dest: Path) -> Path:
    shutil.copytree(STEM, dest)
    return dest


@pytest.fixture(scope="module")
def stem_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_stem(tmp_path_factory.mktemp("stem") / NAME)
    report = build(root, jobs=1)
    assert report.warnings == []
    return root


def html_page(root: Path) -> str:
    return (root / "build" / "apa" / f"{NAME}.html").read_text("utf-8")


def epub_chapter_text(root: Path) -> str:
    files = epub_files(root / "build" / "apa" / f"{NAME}.epub")
    return "".join(v.decode("utf-8") for k, v in files.items() if k.endswith(".xhtml"))


def visible_text(markup: str) -> str:
    """Markup less its MathML (whose TeX annotation is meant for machines) and tags."""
    markup = re.sub(r"<math\b.*?</math>", " ", markup, flags=re.S)
    markup = re.sub(r"<(script|style|head)\b.*?</\1>", " ", markup, flags=re.S)
    return re.sub(r"<[^>]+>", " ", markup)


@pytest.mark.parametrize("kind", ["html", "epub"])
def test_html_and_epub_carry_mathml_and_no_raw_tex(stem_build: Path, kind: str) -> None:
    markup = html_page(stem_build) if kind == "html" else epub_chapter_text(stem_build)
    formulas = re.findall(r"<math\b[^>]*>.*?</math>", markup, re.S)
    assert len(formulas) == 10
    assert sum('display="block"' in f for f in formulas) == 3
    assert any("<mfrac>" in f for f in formulas) and any("<mtable>" in f for f in formulas)
    text = visible_text(markup)
    assert not [mark for mark in TEX_MARKS if mark in text]
    assert "<script src" not in markup and "mathjax" not in markup.lower()
    # the numbered equation per the cross-reference interface: formula, then its number
    assert re.search(
        r'<span id="eq:energy" class="equation"><math display="block".*?</math>'
        r'<span class="equation-number">\(1\)</span></span>',
        markup,
        re.S,
    )


def test_pdf_draws_formulas_and_its_text_has_no_tex(stem_build: Path) -> None:
    pdf = stem_build / "build" / "apa" / f"{NAME}.pdf"
    text = pdf_text(pdf)
    assert "A damped oscillator obeys" in text and "(1)" in text
    assert not [mark for mark in TEX_MARKS if mark in text]
    # WeasyPrint draws the formulas' SVG into the page as paths: no raster image, and the
    # glyph outlines are Bezier curves (the figure itself has straight lines only)
    (page,) = PdfReader(pdf).pages
    assert not page["/Resources"].get("/XObject")
    assert page.get_contents().get_data().count(b" c\n") > 1000


def test_pdf_is_byte_reproducible(stem_build: Path, tmp_path: Path) -> None:
    again = copy_stem(tmp_path / NAME)
    build(again, format_names=["pdf"], jobs=1)
    name = f"build/apa/{NAME}.pdf"
    assert sha256(again / name) == sha256(stem_build / name)


def test_print_page_formulas_become_sized_svg_images() -> None:
    page = (
        '<p>x <math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
        "<mfrac><mi>a</mi><mi>b</mi></mfrac>"
        '<annotation encoding="application/x-tex">\\frac{a}{b}</annotation></semantics></math></p>'
    )
    out = formulas_as_svg(page)
    assert "<math" not in out
    img = re.search(r'<img class="math inline" alt="([^"]*)" style="([^"]*)" src="([^"]*)">', out)
    assert img is not None and img.group(1) == "\\frac{a}{b}"
    # the fraction reaches below the baseline: the image is lowered by its depth
    depth = float(re.search(r"vertical-align:(-[\d.]+)em", img.group(2)).group(1))
    assert -0.6 < depth < -0.1
    svg = base64.b64decode(img.group(3).split(",", 1)[1]).decode()
    assert "<path" in svg and "<text" not in svg and "<use" not in svg


def test_unsupported_tex_is_found_by_one_function() -> None:
    found = problems(["$\\frac{a}{b}$", "$\\nosuchmacro{x}$", "$$\\frac{a}{b$$", "$x^2$"])
    assert found[0] is None and found[3] is None
    assert found[1] == "pandoc cannot read this TeX (unexpected control sequence \\nosuchmacro)"
    assert found[2] == "pandoc cannot read this TeX (unexpected eof)"
    # what pandoc does not read as math at all is not a formula of ours to judge
    assert problems(["$ not math $"]) == [None]


def test_unsupported_tex_is_a_lint_finding_and_a_build_warning_at_its_place(
    tmp_path: Path,
) -> None:
    root = copy_stem(tmp_path / NAME)
    chapter = root / "manuscript" / "01-paper.md"
    chapter.write_text(
        chapter.read_text("utf-8") + "\nWrong: $a \\nosuchmacro b$ and fine $c$.\n", "utf-8"
    )
    line = chapter.read_text("utf-8").splitlines().index("Wrong: $a \\nosuchmacro b$ and fine $c$.")
    findings = [
        f for f in run_lint(load_project(root), LintConfig()) if f.rule == "math/unsupported"
    ]
    assert [(f.file, f.line, f.column) for f in findings] == [
        ("manuscript/01-paper.md", line + 1, 8)
    ]
    report = build(root, format_names=["pdf"], jobs=1)
    assert report.warnings == [f"manuscript/01-paper.md:{line + 1}:8: {findings[0].message}"]
    with pytest.raises(InputError) as raised:
        build(root, format_names=["html"], jobs=1, strict=True, force=True)
    assert (raised.value.line, raised.value.column) == (line + 1, 8)


def test_a_formula_is_drawn_once_per_process() -> None:
    mathml = '<math display="inline"><mi>q</mi><mo>=</mo><mn>7</mn></math>'
    render.cache_clear()
    formulas_as_svg(mathml + mathml)
    assert render.cache_info().misses == 1 and render.cache_info().hits == 1


def test_the_faster_style_lookup_draws_exactly_what_ziamath_draws() -> None:
    import dataclasses

    import ziamath.styles

    from presswork.math.svg import _ziamath

    _ziamath()
    mathml = (
        '<math display="block"><mrow><mi mathvariant="bold">A</mi><mo>=</mo><mfrac><msup>'
        "<mi>x</mi><mn>2</mn></msup><msqrt><mi>y</mi></msqrt></mfrac></mrow></math>"
    )
    patched = ziamath.styles.asdict
    assert patched is not dataclasses.asdict
    fast = ziamath.Math(mathml, size=20).svg()
    ziamath.styles.asdict = dataclasses.asdict
    try:
        assert ziamath.Math(mathml, size=20).svg() == fast
    finally:
        ziamath.styles.asdict = patched


def test_rows_of_one_are_unwrapped_without_changing_a_drawing(stem_build: Path) -> None:
    """drawable() drops rows of one element (ziamath's time doubles per nesting level); the
    drawings of the fixture's formulas are the same as from pandoc's MathML as it is."""
    from presswork.math.svg import _ANNOTATION, _SEMANTICS, _ziamath, drawable

    ziamath = _ziamath()
    formulas = re.findall(r"<math\b[^>]*>.*?</math>", html_page(stem_build), re.S)
    for mathml in formulas:
        untouched = _SEMANTICS.sub("", _ANNOTATION.sub("", mathml))
        flat = drawable(mathml)
        assert flat.count("<mrow") <= untouched.count("<mrow")
        assert ziamath.Math(flat, size=20).svg() == ziamath.Math(untouched, size=20).svg()
    assert sum(drawable(m).count("<mrow") for m in formulas) < sum(
        m.count("<mrow") for m in formulas
    )


def test_macros_the_manuscript_defines_are_not_unsupported(tmp_path: Path) -> None:
    root = copy_stem(tmp_path / NAME)
    chapter = root / "manuscript" / "01-paper.md"
    chapter.write_text(
        "\\newcommand{\\R}{\\mathbb{R}}\n\n"
        + chapter.read_text("utf-8")
        + "\nFor $x \\in \\R$ and $y \\in \\Q$.\n",
        "utf-8",
    )
    findings = [
        f for f in run_lint(load_project(root), LintConfig()) if f.rule == "math/unsupported"
    ]
    assert [f.message.split(":")[0] for f in findings] == ["$y \\in \\Q$"]
    report = build(root, format_names=["html", "pdf"], jobs=1)
    assert len(report.warnings) == 1 and "\\Q" in report.warnings[0]
    html = html_page(root)
    assert 'mathvariant="double-struck"' in html
