"""Figures and tables in the PDF and HTML: captions, long tables across pages with their
header repeated, wide tables kept inside the text block, SVG figures drawn as vectors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from presswork.build import build

STEM = Path(__file__).parent / "fixtures" / "stem"
LONG_ROWS = 90
WIDE_COLUMNS = 12


def _tables() -> str:
    rows = "\n".join(f"| row {i} | value {i * 7} | note {i} |" for i in range(1, LONG_ROWS + 1))
    long_table = (
        f"| Index | Measured | Remark |\n|---|---|---|\n{rows}\n\n: A long table. {{#tbl:long}}\n"
    )
    header = "| " + " | ".join(f"Heading{c}" for c in range(WIDE_COLUMNS)) + " |"
    rule = "|" + "---|" * WIDE_COLUMNS
    body = "| " + " | ".join(f"widecell{c}value" for c in range(WIDE_COLUMNS)) + " |"
    wide_table = f"{header}\n{rule}\n{body}\n\n: A wide table. {{#tbl:wide}}\n"
    return f"\n\n{long_table}\n{wide_table}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tables") / "stem"
    shutil.copytree(STEM, root)
    chapter = root / "manuscript" / "01-paper.md"
    chapter.write_text(chapter.read_text("utf-8") + _tables(), "utf-8")
    build(root, format_names=["pdf", "html"], jobs=1)
    return root


def _words_with_x(page: object) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append((text.strip(), cm[4] + tm[4] * cm[0]))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def test_long_table_breaks_across_pages_repeating_its_header(built: Path) -> None:
    pages = PdfReader(built / "build" / "apa" / "stem.pdf").pages
    texts = [page.extract_text() for page in pages]
    with_rows = [i for i, text in enumerate(texts) if "value 7" in text or "note 90" in text]
    first = next(i for i, text in enumerate(texts) if "row 1 " in text or "row 1\n" in text)
    last = next(i for i, text in enumerate(texts) if "note 90" in text)
    assert last > first, "the long table should run over more than one page"
    for index in range(first, last + 1):
        assert "Index" in texts[index] and "Measured" in texts[index], index
    assert with_rows
    # every row printed once: the repeated part is the header, not the body
    body = "\n".join(texts)
    assert all(body.count(f"note {i}\n") + body.count(f"note {i} ") <= 1 for i in (5, 50))


def test_wide_table_stays_inside_the_page(built: Path) -> None:
    reader = PdfReader(built / "build" / "apa" / "stem.pdf")
    for page in reader.pages:
        width = float(page.mediabox.width)
        for word, x in _words_with_x(page):
            if word.startswith("widecell") or word.startswith("Heading"):
                assert 0 <= x < width - 30, (word, x, width)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "widecell11" in text.replace("\n", "")


def test_captions_and_the_svg_figure(built: Path) -> None:
    html = (built / "build" / "apa" / "stem.html").read_text("utf-8")
    assert "<figcaption" in html and "A damped oscillation." in html
    assert "<caption>" in html and "A long table." in html
    text = "\n".join(
        p.extract_text() for p in PdfReader(built / "build" / "apa" / "stem.pdf").pages
    )
    assert "A damped oscillation." in text and "A long table." in text
