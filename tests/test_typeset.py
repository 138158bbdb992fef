"""The PDF set as a journal would: notes on the page of their calls, clickable note links."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import FLAGSHIP_STYLES, copy_flagship

NAME = "prague-spring-1968"
# The flagship's other styles, and a numeric one with superscript citations.
MORE_STYLES = [
    "chicago-notes-bibliography",
    "chicago-author-date",
    "modern-language-association",
    "nature",
]


@pytest.fixture(scope="module")
def more_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from presswork.build import build

    root = copy_flagship(tmp_path_factory.mktemp("styles") / "paper")
    build(root, format_names=["pdf"], style_names=MORE_STYLES, jobs=2)
    return root


def _links(path: Path) -> list[tuple[str, int, int, tuple[float, ...]]]:
    """Every internal link of a note: (destination, its page, the link's page, its rectangle)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    pages = {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            target: Any = annotation.get("/Dest")
            action = annotation.get("/A")
            if action is not None:
                target = action.get_object().get("/D")
            if isinstance(target, str) and target.startswith(("fn", "fnref")):
                rect = tuple(float(v) for v in annotation["/Rect"])
                found.append((target, pages.get(target, -1), number, rect))
    return found


def _check_notes(path: Path) -> None:
    links = _links(path)
    calls = [link for link in links if not link[0].startswith("fnref")]
    backs = [link for link in links if link[0].startswith("fnref")]
    assert calls and len(calls) == len(backs)
    # Every note is printed on the page of its call: the call's link and its note's anchor.
    away = [(target, page + 1, at + 1) for target, page, at, _ in links if page != at]
    assert away == []
    # Each link is a rectangle a reader can click (a call has line-height 0).
    for target, _, _, (x0, y0, x1, y1) in links:
        assert abs(x1 - x0) > 2 and abs(y1 - y0) > 4, target


@pytest.mark.slow
@pytest.mark.parametrize("style", FLAGSHIP_STYLES)
def test_notes_on_the_page_of_their_calls(flagship_build: Path, style: str) -> None:
    # APA's note 16 was called on page 8 and printed on page 9.
    _check_notes(flagship_build / "build" / style / f"{NAME}.pdf")


@pytest.mark.slow
@pytest.mark.parametrize("style", MORE_STYLES)
def test_notes_on_the_page_of_their_calls_in_more_styles(more_pdfs: Path, style: str) -> None:
    _check_notes(more_pdfs / "build" / style / f"{NAME}.pdf")


def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


BROKEN = re.compile(r"(\S*)\xad\n(\S*)")  # a word hyphenated at a line's end, both halves


@pytest.mark.slow
@pytest.mark.parametrize("style", FLAGSHIP_STYLES)
def test_hyphenation_of_a_copy_editor(flagship_build: Path, style: str) -> None:
    pages = _page_texts(flagship_build / "build" / style / f"{NAME}.pdf")
    text = "\n".join(pages)
    # The added hyphen reads as a soft hyphen: copied, "commu-/nication" is one word.
    assert "\u2010" not in text
    broken = [m.groups() for m in BROKEN.finditer(text)]
    assert len(broken) > 20  # the text is hyphenated, only not where it must not be
    words = {first + second for first, second in broken}
    assert "possible" in words or "democratization" in words
    # Names and other capitalised words are never broken ("Dub-cek", "Com-munism").
    assert [w for w in words if w.lstrip("“‘(\"'")[:1].isupper()] == []
    # Nor a word already holding a hyphen ("non-pro-liferation"), nor a URL.
    assert [w for w in words if "-" in w or "/" in w or "." in w.rstrip(".,;:")] == []
    # A word may break at its own hyphen: "non-" ends a line, "proliferation" starts the next.
    assert "non-\nproliferation" in text or "non-proliferation" in text.replace("\n", " ")


def _body_baselines(page: Any) -> list[float]:
    """The baselines of the 10 pt text of a page, top down."""
    found: set[float] = set()

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip() and 9.5 <= size * abs(tm[0] or 1) * abs(cm[0] or 1) <= 10.5:
            found.add(round(tm[5] * cm[3] + cm[5], 1))

    page.extract_text(visitor_text=visit)
    return sorted(found, reverse=True)


@pytest.mark.slow
def test_superscript_citations_do_not_push_lines_apart(more_pdfs: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(more_pdfs / "build" / "nature" / f"{NAME}.pdf")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "policy2." in text  # Nature's citations are superscript numbers
    steps = []
    for page in reader.pages[1:]:
        lines = _body_baselines(page)
        steps += [round(a - b, 1) for a, b in itertools.pairwise(lines)]
    assert steps.count(14.5) > 100  # 10 pt on 1.45: the text's line spacing
    # A raised number with a height of its own opened its line by 3 pt (17.5 instead of 14.5).
    assert [step for step in steps if 14.6 < step < 16 or 16.9 < step < 19] == []


CHICAGO = "chicago-notes-bibliography-subsequent-ibid"
JSTOR = "http://www.jstor.org/stable/2150156"


@pytest.mark.slow
def test_a_url_in_a_note_is_its_own_link_in_the_html(flagship_build: Path) -> None:
    import lxml.html

    page = lxml.html.parse(str(flagship_build / "build" / CHICAGO / f"{NAME}.html"))
    (note,) = page.xpath("//li[@id='fn3']")
    links = [(a.get("href"), a.text_content()) for a in note.iter("a")]
    # Not one link to the bibliography around the whole note with the URL as text in it.
    assert links == [(JSTOR, JSTOR), ("#fnref3", "↩︎")]
    assert note.text_content().startswith("Jiri Valenta, ‘The Bureaucratic Politics Paradigm")
    # A note without an address keeps its quiet link to the entry.
    (later,) = page.xpath("//li[@id='fn4']")
    assert next(a.get("href") for a in later.iter("a")) == "#ref-valenta1979"


@pytest.mark.slow
def test_epub_notes_numbered_and_linked_back_titles_and_one_stylesheet(
    flagship_build: Path,
) -> None:
    import zipfile

    with zipfile.ZipFile(flagship_build / "build" / CHICAGO / f"{NAME}.epub") as book:
        names = book.namelist()
        chapters = [n for n in names if re.match(r"EPUB/text/ch\d+\.xhtml$", n)]
        text = "".join(book.read(n).decode() for n in chapters)
        styles = [n for n in names if n.endswith(".css")]
        assert len(styles) == 1
        css = book.read(styles[0]).decode()
    assert "The book's only stylesheet" in css and "<style>" not in text
    titles = re.findall(r"<title>(.*?)</title>", text)
    assert titles and set(titles) == {
        "Why Moscow Chose Force: Soviet Decision-Making and the 1968 Invasion of Czechoslovakia"
    }
    notes = re.findall(r'<aside epub:type="footnote"[^>]*id="fn(\d+)">\s*<p>(.*?)</p>', text, re.S)
    assert [int(n) for n, _ in notes] == list(range(1, 99))  # the PDF's 98 notes, in order
    for number, body in notes:
        back = f'<a href="#fnref{number}" class="footnote-back" role="doc-backlink">{number}.</a>'
        assert body.startswith(back), number
        assert f'id="fnref{number}"' in text
    (third,) = [body for number, body in notes if number == "3"]
    assert f'<a href="{JSTOR}">{JSTOR}</a>' in third and "#ref-valenta1979" not in third


def test_epub_reading_order_has_the_title_once(flagship_build: Path) -> None:
    import zipfile

    from lxml import etree

    title = "Why Moscow Chose Force: Soviet Decision-Making and the 1968 Invasion of Czechoslovakia"
    with zipfile.ZipFile(flagship_build / "build" / CHICAGO / f"{NAME}.epub") as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:manifest/opf:item", ns)}
        spine = [hrefs[ref.get("idref")] for ref in opf.iterfind(".//opf:spine/opf:itemref", ns)]
        bodies = {name: etree.fromstring(book.read(f"EPUB/{name}")) for name in spine}
    xhtml = "{http://www.w3.org/1999/xhtml}"
    seen = []
    for name, tree in bodies.items():
        body = tree.find(f"{xhtml}body")
        for element in body.iter(*(f"{xhtml}h{level}" for level in range(1, 7))):
            if " ".join("".join(element.itertext()).split()) == title:
                seen.append(name)
    assert seen == ["text/title_page.xhtml"]  # not again as the contents' or the text's heading
    assert spine[:2] == ["text/title_page.xhtml", "nav.xhtml"]
    nav_heading = bodies["nav.xhtml"].find(f".//{xhtml}nav/{xhtml}h1")
    assert nav_heading is not None and nav_heading.text == "Contents"
    chapter = bodies["text/ch001.xhtml"]
    assert chapter.find(f".//{xhtml}title").text == title  # the document is still named
    first = chapter.find(f"{xhtml}body/{xhtml}section")
    assert first[0].tag == f"{xhtml}section" and first[0].get("id") == "introduction"
