"""A paper with superscript citations (Nature) and notes: the notes are marked * † ‡ ..., so a
raised number is always a reference; an author-date paper keeps numbered notes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from presswork.formats.notesymbols import symbol

BIB = """\
@article{novak1970, author={Nov{\\'a}k, Jan}, title={The Spring of Reform},
  journal={Slavic Review}, volume={29}, pages={1--20}, year={1970}}
@book{smith1975, author={Smith, Anne}, title={Moscow Decides}, publisher={Press},
  address={London}, year={1975}}
"""
NOTES = ["First aside.", "Second aside.", "Third.", "Fourth.", "Fifth.", "Sixth.", "Seventh."]


def _text() -> str:
    calls = "".join(f" Point {n}.^[{note}]" for n, note in enumerate(NOTES, 1))
    return (
        "# Text\n\nReform began in January [@novak1970]. Moscow watched [@smith1975]."
        f"{calls} Both sources agree [@novak1970; @smith1975].\n"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from presswork.build import build

    root = tmp_path_factory.mktemp("symbols") / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: Symbols\n", "utf-8")
    (root / "manuscript" / "01-text.md").write_text(_text(), "utf-8")
    (root / "references" / "refs.bib").write_text(BIB, "utf-8")
    (root / "presswork.toml").write_text('name = "paper"\n', "utf-8")
    build(root, ["pdf", "html", "epub"], ["nature", "apa"], jobs=2)
    return root / "build"


def test_symbols_in_order() -> None:
    marks = [symbol(n) for n in range(1, 14)]
    assert marks[:6] == ["*", "\u2020", "\u2021", "\u00a7", "\u2016", "\u00b6"]
    assert marks[6:8] == ["**", "\u2020\u2020"] and marks[12] == "***"


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


@pytest.mark.slow
def test_pdf_notes_marked_by_symbols_where_citations_are_numbers(built: Path) -> None:
    text = _pdf_text(built / "nature" / "paper.pdf")
    assert "January1." in text and "watched2." in text  # the references: raised numbers
    for number, note in enumerate(NOTES, 1):
        mark = symbol(number)
        assert f"Point {number}.{mark}" in text  # the call
        assert re.search(rf"^{re.escape(mark)}\s*{re.escape(note)}", text, re.M), note
    assert not re.search(r"^\s*1\.\s+First aside", text, re.M)  # not numbered too


@pytest.mark.slow
def test_pdf_notes_keep_numbers_in_author_date(built: Path) -> None:
    text = _pdf_text(built / "apa" / "paper.pdf")
    assert "(Novák, 1970)" in text
    assert "Point 1.1" in text and re.search(r"^\s*1\.\s+First aside\.", text, re.M)
    assert "\u2020" not in text


@pytest.mark.slow
def test_pdf_note_and_citation_links_are_clickable(built: Path) -> None:
    # Calls and superscript citations have line-height 0; their links had no height at all.
    from pypdf import PdfReader

    rects: dict[str, list[tuple[float, float]]] = {"fn": [], "ref": []}
    for page in PdfReader(built / "nature" / "paper.pdf").pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            target = action.get_object().get("/D") if action is not None else annotation["/Dest"]
            kind = re.match(r"(fn|ref)(?=\d|-)", str(target))
            if kind:
                x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
                rects[kind.group(1)].append((abs(x1 - x0), abs(y1 - y0)))
    assert len(rects["fn"]) == len(NOTES) and len(rects["ref"]) == 4
    assert [r for r in rects["fn"] + rects["ref"] if r[0] < 1.5 or r[1] < 4] == []


@pytest.mark.slow
def test_html_and_epub_mark_notes_as_the_pdf(built: Path) -> None:
    page = (built / "nature" / "paper.html").read_text("utf-8")
    assert '<body class="note-symbols"' in page
    calls = re.findall(r'class="footnote-ref"[^>]*><sup>(.*?)</sup>', page)
    assert calls == [symbol(n) for n in range(1, len(NOTES) + 1)]
    assert re.findall(r'class="citation"[^>]*><sup><a [^>]*>(\d)</a>', page)[:2] == ["1", "2"]
    with zipfile.ZipFile(built / "nature" / "paper.epub") as book:
        chapter = "".join(
            book.read(n).decode() for n in book.namelist() if re.search(r"ch\d+\.xhtml$", n)
        )
    backs = re.findall(r'class="footnote-back" role="doc-backlink">(.*?)</a>', chapter)
    assert backs == [symbol(n) for n in range(1, len(NOTES) + 1)]
    assert re.findall(r'class="footnote-ref"[^>]*>(.*?)</a>', chapter) == backs
    # Author-date: notes numbered, in the page and the book.
    apa = (built / "apa" / "paper.html").read_text("utf-8")
    assert "note-symbols" not in apa.split("</style>")[-1]
    assert re.findall(r'class="footnote-ref"[^>]*><sup>(.*?)</sup>', apa)[:2] == ["1", "2"]
