"""Page by page, as a production editor looks: no widows or orphans, no word broken across pages.

The flagship is laid out once per style; WeasyPrint's own pages (their line boxes) say where
each paragraph's lines fell, and the PDF's text says what a reader copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_flagship

NAME = "prague-spring-1968"
STYLES = ["chicago-notes-bibliography-subsequent-ibid", "apa", "ieee", "nature"]
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Line:
    paragraph: int  # the paragraph's index in the document
    number: int  # the line's number in its paragraph, from 0
    text: str
    justified: bool


@dataclass
class Laid:
    pdf: Path
    pages: list[list[Line]]  # the body's lines of each page (not the notes, not the margins)
    lines_of: dict[int, int]  # lines of each paragraph, over all pages


def _text(box: Any) -> str:
    from weasyprint.formatting_structure import boxes

    return "".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))


def _body_lines(page: Any, paragraphs: dict[Any, int]) -> list[tuple[int, str, bool]]:
    from weasyprint.formatting_structure import boxes

    found: list[tuple[int, str, bool]] = []

    def visit(box: Any, parent: Any) -> None:
        if isinstance(box, boxes.LineBox):
            key = paragraphs.setdefault(parent.element, len(paragraphs))
            found.append((key, _text(box), parent.style["text_align_all"] == "justify"))
        elif not isinstance(box, (boxes.FootnoteAreaBox, boxes.MarginBox)):
            for child in box.all_children():
                visit(child, box)

    visit(page._page_box, None)
    return found


def _laid(document: Any, pdf: Path) -> Laid:
    paragraphs: dict[Any, int] = {}
    seen: dict[int, int] = {}
    pages = []
    for page in document.pages:
        lines = []
        for key, text, justified in _body_lines(page, paragraphs):
            lines.append(Line(key, seen.get(key, 0), text, justified))
            seen[key] = seen.get(key, 0) + 1
        pages.append(lines)
    return Laid(pdf, pages, seen)


@pytest.fixture(scope="module")
def laid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Laid]:
    """Each style's PDF, and WeasyPrint's pages of it (built in this process, one at a time)."""
    from presswork.build import build
    from presswork.formats import pdf

    root = copy_flagship(tmp_path_factory.mktemp("pages") / "paper")
    documents: list[Any] = []
    link_notes = pdf.link_notes

    def keep(document: Any) -> int:
        documents.append(document)
        return link_notes(document)

    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "link_notes", keep)
        for style in STYLES:
            build(root, format_names=["pdf"], style_names=[style], jobs=1)
            (document,) = documents
            documents.clear()
            found[style] = _laid(document, root / "build" / style / f"{NAME}.pdf")
    return found


@pytest.mark.parametrize("style", STYLES)
def test_no_widows_or_orphans(laid: dict[str, Laid], style: str) -> None:
    layout = laid[style]
    assert len(layout.pages) > 5 and all(layout.pages[1:])
    alone = []
    for number, lines in enumerate(layout.pages, 1):
        first, last = lines[0], lines[-1]
        # A paragraph's last line opening a page (a widow) ...
        if first.number > 0 and first.number == layout.lines_of[first.paragraph] - 1:
            alone.append((number, "widow", first.text))
        # ... or its first line closing one (an orphan).
        if last.number == 0 and layout.lines_of[last.paragraph] > 1:
            alone.append((number, "orphan", last.text))
    assert alone == []
    # Paragraphs do run on from page to page: the test looks at real breaks.
    assert sum(lines[0].number > 0 for lines in layout.pages) >= 3


HYPHENS = ("\u2010", "-")  # the one hyphenation adds, and a compound's own ("non-")


@pytest.mark.parametrize("style", STYLES)
def test_no_word_broken_across_a_page(laid: dict[str, Laid], style: str) -> None:
    # Once APA page 8 ended in "cooper-", IEEE page 4 in "estab-", Nature 2 and 8 in "pro-"
    # and "degrada-".
    from pypdf import PdfReader

    layout = laid[style]
    ends = [(n, lines[-1].text.rstrip()) for n, lines in enumerate(layout.pages, 1) if lines]
    runs_on = [(n, text) for n, text in ends[:-1] if text.endswith(HYPHENS)]
    assert runs_on == []
    # Inside pages, words still break: the check looks at a hyphenated text.
    inside = [line for lines in layout.pages for line in lines[:-1]]
    assert sum(line.text.rstrip().endswith("\u2010") for line in inside) > 20
    # What the PDF holds: each page's last line, then no soft hyphen (a broken word's mark).
    reader = PdfReader(layout.pdf)
    for (number, text), page in zip(ends, reader.pages, strict=True):
        words = " ".join(text.split()[-3:])
        page_text = " ".join((page.extract_text() or "").split())
        at = page_text.find(words)
        assert at >= 0, (number, words)
        assert page_text[at + len(words) : at + len(words) + 1] != "\xad", number


BROKEN = re.compile(r"(\S*)\xad\n(\S*)")  # a word hyphenated at a line's end, both halves


@pytest.mark.parametrize("style", ["ieee", "nature"])
def test_hyphenation_spares_names_compounds_and_urls(laid: dict[str, Laid], style: str) -> None:
    # test_typeset checks the same in the Chicago and APA PDFs.
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(laid[style].pdf).pages)
    assert "\u2010" not in text  # copied, a hyphenated word is the word
    words = {first + second for first, second in BROKEN.findall(text)}
    assert len(words) > 20
    assert [w for w in words if w.lstrip("“‘(\"'[")[:1].isupper()] == []
    assert [w for w in words if "-" in w or "/" in w or "." in w.rstrip(".,;:")] == []


def _limits_kept(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Breaks against `hyphenate-limit-chars: 6 3 3` (print.css): words of 6, 3 each side."""
    bad = []
    for first, second in words:
        head = re.sub(r"\W", "", first)
        tail = re.sub(r"\W", "", second)
        if len(head) < 3 or len(tail) < 3 or len(head + tail) < 6:
            bad.append((first, second))
    return bad


@pytest.mark.parametrize("style", STYLES)
def test_hyphenation_limits(laid: dict[str, Laid], style: str) -> None:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(laid[style].pdf).pages)
    broken = BROKEN.findall(text)
    assert len(broken) > 20 and _limits_kept(broken) == []


CODE = ["configurationmanager", "serializationformat", "interoperability_layer"]
URL = "https://example.org/documentation/internationalization/guidelines"
WORDS = ["incomprehensibility", "internationalization", "responsibilities", "representatives"]
NAMES = ["Czechoslovakia", "Internationalisation", "Brezhnevite", "Gorbachevian"]


def _sentence(n: int) -> str:
    word, name = WORDS[n % len(WORDS)], NAMES[n % len(NAMES)]
    code = CODE[n % len(CODE)]
    return (
        f"The {word} of {name} met `{code}` and the non-proliferation counter-revolutionaries"
        f" at <{URL}> with {WORDS[(n + 1) % len(WORDS)]} extraordinarily."
    )


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A paper of long words, names, compounds, code and URLs: its PDF's text."""
    from pypdf import PdfReader

    from presswork.build import build

    root = tmp_path_factory.mktemp("awkward") / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: Awkward words\n", "utf-8")
    paragraphs = [" ".join(_sentence(n + k) for k in range(4)) for n in range(0, 60, 4)]
    body = "# Text\n\n" + "\n\n".join(paragraphs) + "\n"
    (root / "manuscript" / "01-text.md").write_text(body, "utf-8")
    (root / "presswork.toml").write_text('name = "paper"\n', "utf-8")
    build(root, ["pdf"], ["apa"], jobs=1)
    pages = PdfReader(root / "build" / "apa" / "paper.pdf").pages
    return "\n".join(page.extract_text() or "" for page in pages)


def test_no_hyphen_in_names_compounds_code_or_urls(awkward: str) -> None:
    broken = BROKEN.findall(awkward)
    words = {first + second for first, second in broken}
    assert [w for w in words if w[:1].isupper() or "-" in w or "/" in w or "_" in w] == []
    assert not words & set(CODE)
    assert _limits_kept(broken) == []
    assert len(broken) >= 5  # the other long words do break
    # Code and URLs stay whole in the text a reader copies (lines break only between words).
    flat = awkward.replace("\n", " ")
    for code in CODE:
        assert flat.count(code) >= 10, code
    assert flat.count(URL) >= 10
    assert "\u2010" not in awkward


@pytest.mark.parametrize("style", ["ieee"])
def test_notes_on_the_page_of_their_calls_in_ieee(laid: dict[str, Laid], style: str) -> None:
    # test_typeset checks the other styles; IEEE cites in brackets and keeps its prose notes.
    from test_typeset import _check_notes

    _check_notes(laid[style].pdf)


@pytest.mark.parametrize("style", STYLES)
def test_few_runts(laid: dict[str, Laid], style: str) -> None:
    # A paragraph's last line of one word: set again where the line before may lend a word
    # without opening its spaces too far (formats/runts.py); "option." stood alone once.
    layout = laid[style]
    last = {line.paragraph: line for lines in layout.pages for line in lines}
    ends = [
        line.text.strip()
        for line in last.values()
        if line.justified and line.number == layout.lines_of[line.paragraph] - 1 > 0
    ]
    runts = [text for text in ends if len(text.split()) == 1]
    assert len(ends) > 30 and len(runts) <= 3, runts
    options = [text for text in ends if text.endswith("option.")]
    assert options and [text for text in options if len(text.split()) == 1] == []


def test_note_symbols_start_again_on_each_page(laid: dict[str, Laid]) -> None:
    # Nature cites by superscript numbers: its notes are * † ‡ ..., from * on every page.
    from pypdf import PdfReader

    from presswork.formats.notesymbols import symbol

    pages = []
    for page in PdfReader(laid["nature"].pdf).pages:
        marks = re.findall(r"^(\S+)\s*The text of note \d+", page.extract_text() or "", re.M)
        if marks:
            pages.append(marks)
    assert len(pages) >= 2 and sum(map(len, pages)) == 16
    assert [marks == [symbol(n) for n in range(1, len(marks) + 1)] for marks in pages] == [
        True
    ] * len(pages)
