"""Links in the HTML, EPUB and PDF: each address its own link, none to a place that is not there.

One small paper, built once in an author-date and a notes style: a citation with a locator,
one of a key the references lack, and a note citing a work with a DOI and a URL.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STYLES = ("apa", "chicago-notes-bibliography")
NAME = "paper"
DOI = "https://doi.org/10.1234/abc"
PAGE = "https://example.org/page"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from presswork.build import build

    root = tmp_path_factory.mktemp("links") / NAME
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: A Small Paper\nlang: en-US\n")
    (root / "manuscript" / "01-body.md").write_text(
        "# Start\n\nAs shown [@doe2020, 4] and [@nobody1999].\n\n"
        f"A remark.[^n]\n\n[^n]: On this, <{PAGE}>.\n"
    )
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {Journal},\n  year = {2020},\n  doi = {10.1234/abc}\n}\n"
    )
    build(root, format_names=["html", "epub", "pdf"], style_names=list(STYLES), jobs=2)
    return root / "build"


def _html(built: Path, style: str) -> str:
    return (built / style / f"{NAME}.html").read_text(encoding="utf-8")


def _epub(built: Path, style: str) -> dict[str, str]:
    with zipfile.ZipFile(built / style / f"{NAME}.epub") as book:
        return {n: book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml")}


def _dangling(pages: dict[str, str]) -> list[str]:
    """Internal links whose target document or id does not exist: (page, href)."""
    ids = {name: set(re.findall(r'\bid="([^"]+)"', text)) for name, text in pages.items()}
    problems = []
    for name, text in pages.items():
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for href in re.findall(r'<a [^>]*href="([^"]+)"', text):
            if re.match(r"[a-z]+:", href):
                continue  # an address of its own
            document, _, anchor = href.partition("#")
            target = folder + document if document else name
            if target not in ids or (anchor and anchor not in ids[target]):
                problems.append(f"{name}: {href}")
    return problems


@pytest.mark.parametrize("style", STYLES)
def test_a_citation_of_an_unknown_key_is_no_dead_link(built: Path, style: str) -> None:
    html = _html(built, style)
    epub = _epub(built, style)
    for text in (html, *epub.values()):
        assert "#ref-nobody1999" not in text
    assert "<strong>nobody1999?</strong>" in html  # the text stays, saying what is wrong
    assert _dangling({"page.html": html}) == []
    assert _dangling(epub) == []
    assert 'id="ref-doe2020"' in html
    if style == "apa":  # the known key keeps its link to its entry (a note with a DOI: its own)
        assert 'href="#ref-doe2020"' in html


@pytest.mark.parametrize("style", STYLES)
def test_the_epub_passes_epubcheck_without_a_dead_link(built: Path, style: str) -> None:
    from presswork.check.epub import check_epub, epubcheck_jar
    from presswork.check.java import find_java

    java = find_java()
    if java is None or epubcheck_jar() is None:
        pytest.skip("epubcheck needs Java and the epubcheck package")
    row = check_epub(built / style / f"{NAME}.epub", f"{style}/{NAME}.epub", java)
    assert [m.text for m in row.messages] == [] and row.status == "ok"


@pytest.mark.parametrize("style", STYLES)
def test_a_doi_or_url_in_a_note_or_entry_is_its_own_link(built: Path, style: str) -> None:
    import lxml.html

    page = lxml.html.fromstring(_html(built, style))
    (entry,) = page.xpath("//div[@id='ref-doe2020']")
    assert [(a.get("href"), a.text_content()) for a in entry.iter("a")] == [(DOI, DOI)]
    notes = page.xpath("//section[@role='doc-endnotes']//li")
    links = [(a.get("href"), a.text_content()) for note in notes for a in note.iter("a")]
    assert (PAGE, PAGE) in links
    if style == "chicago-notes-bibliography":
        # The citation's note: its DOI a link of its own, not one link to the bibliography
        # around the whole note.
        assert (DOI, DOI) in links
    assert not page.xpath("//a[.//a]")  # links never nest
    epub = _epub(built, style)
    entry_xhtml = next(t for t in epub.values() if 'id="ref-doe2020"' in t)
    assert re.search(rf'id="ref-doe2020".*?<a href="{DOI}">{DOI}</a>', entry_xhtml, re.S)
    for name, text in epub.items():
        assert not re.search(r'<a [^>]*href="[^"]*#ref-[^"]*"[^>]*>[^<]*https?://', text), name


@pytest.mark.parametrize("style", STYLES)
def test_the_pdf_has_no_link_to_a_missing_destination(built: Path, style: str) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built / style / f"{NAME}.pdf")
    names = set(reader.named_destinations)
    internal = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            target = annotation.get("/Dest")
            if action is not None:
                target = action.get_object().get("/D", target)
            if isinstance(target, str):
                internal.append(target)
    # apa's citation links to its entry; a notes style's notes link back to their calls.
    assert ("ref-doe2020" if style == "apa" else "fnref1") in internal
    assert [t for t in internal if t not in names] == []
