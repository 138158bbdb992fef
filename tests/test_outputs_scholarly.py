"""What indexers, readers and archives find in the flagship's outputs: metadata and citations."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from helpers import epub_files

NAME = "prague-spring-1968"
CHICAGO = "chicago-notes-bibliography-subsequent-ibid"
TITLE = "Why Moscow Chose Force: Soviet Decision-Making and the 1968 Invasion of Czechoslovakia"


class Page(HTMLParser):
    """The meta tags, JSON-LD, download links and "Cite this article" text of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self.downloads: dict[str, str] = {}
        self.cite_text = ""
        self._script = False
        self._cite_depth = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in found or "property" in found):
            self.meta.append((found.get("name") or found["property"], found.get("content", "")))
        self._script = tag == "script" and found.get("type") == "application/ld+json"
        if tag == "a" and "download" in found:
            self.downloads[found["download"]] = found["href"]
        if found.get("id") == "cite-this" or (self._cite_depth and tag == "section"):
            self._cite_depth += 1

    def handle_endtag(self, tag: str) -> None:
        self._script = False
        if tag == "section" and self._cite_depth:
            self._cite_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._script:
            self.json_ld.append(data)
        if self._cite_depth:
            self.cite_text += data

    def values(self, name: str) -> list[str]:
        return [content for key, content in self.meta if key == name]


def page(root: Path, style: str) -> Page:
    return Page((root / "build" / style / f"{NAME}.html").read_text(encoding="utf-8"))


def decoded(uri: str) -> str:
    head, _, data = uri.partition(",")
    assert head.startswith("data:") and head.endswith(";base64")
    return base64.b64decode(unquote(data)).decode("utf-8")


def test_html_has_highwire_tags_with_one_reference_per_cited_work(flagship_build: Path) -> None:
    tags = page(flagship_build, "apa")
    assert tags.values("citation_title") == [TITLE]
    assert tags.values("citation_author") == ["Unknown author"]
    assert tags.values("citation_publication_date") == ["2020/06"]
    assert tags.values("citation_journal_title") == ["North American Academic Research"]
    assert (tags.values("citation_volume"), tags.values("citation_issue")) == (["3"], ["6"])
    assert tags.values("citation_firstpage") == ["368"]
    assert tags.values("citation_lastpage") == ["384"]
    assert tags.values("citation_language") == ["en"]
    assert "Prague Spring" in tags.values("citation_keywords")[0]
    references = tags.values("citation_reference")
    assert len(references) == 13
    assert all(ref.startswith("citation_title=") for ref in references)
    sayle = next(ref for ref in references if "Sayle" in ref)
    assert "citation_author=Sayle, Timothy A.; citation_publication_date=2009" in sayle
    assert "citation_journal_title=Cold War History" in sayle
    assert "citation_doi=10.1080/14682740902764528" in sayle


def test_html_has_open_graph_and_schema_org(flagship_build: Path) -> None:
    tags = page(flagship_build, CHICAGO)
    assert tags.values("og:type") == ["article"]
    assert tags.values("og:title") == [TITLE]
    assert tags.values("article:published_time") == ["2020-06"]
    assert len(tags.json_ld) == 1
    data = json.loads(tags.json_ld[0])
    assert data["@type"] == "ScholarlyArticle" and data["name"] == TITLE
    assert data["author"] == [{"@type": "Person", "name": "Unknown author"}]
    assert data["isPartOf"]["issueNumber"] == "6"
    assert data["isPartOf"]["isPartOf"]["isPartOf"]["name"] == "North American Academic Research"
    assert len(data["citation"]) == 13
    assert any(
        c.get("sameAs") == "https://doi.org/10.1080/14682740902764528" for c in data["citation"]
    )


def test_cite_this_article_lists_the_paper_in_the_project_styles(flagship_build: Path) -> None:
    text = " ".join(page(flagship_build, "apa").cite_text.split())
    assert text.startswith("Cite this article")
    assert (
        f"Unknown author. (2020). {TITLE}. North American Academic Research, 3(6), 368–384." in text
    )
    assert "APA Style 7th edition" in text and "MLA Handbook" in text  # the project's styles
    assert "3, no. 6 (2020): 368–84" in text  # Chicago


def test_cite_downloads_are_bibtex_ris_and_csl_json(flagship_build: Path) -> None:
    links = page(flagship_build, "apa").downloads
    assert set(links) == {f"{NAME}.bib", f"{NAME}.ris", f"{NAME}.json"}
    bib = decoded(links[f"{NAME}.bib"])
    assert bib.startswith("@article{unknown2020,") and "pages = {368--384}" in bib
    assert "journal = {North American Academic Research}" in bib
    ris = decoded(links[f"{NAME}.ris"])
    assert (
        ris.startswith("TY  - JOUR\r\n") and "SP  - 368\r\n" in ris and ris.endswith("ER  - \r\n")
    )
    (item,) = json.loads(decoded(links[f"{NAME}.json"]))
    assert item["title"] == TITLE and item["issued"] == {"date-parts": [[2020, 6]]}
    assert item["author"] == [{"literal": "Unknown author"}]


def test_epub_declares_its_accessibility(flagship_build: Path) -> None:
    files = epub_files(flagship_build / "build" / CHICAGO / f"{NAME}.epub")
    opf = files["EPUB/content.opf"].decode()
    found = re.findall(r'<meta property="schema:(\w+)">([^<]*)</meta>', opf)
    features = {value for key, value in found if key == "accessibilityFeature"}
    assert {"tableOfContents", "readingOrder", "structuralNavigation"} <= features
    assert "alternativeText" not in features  # the paper has no images
    assert ("accessMode", "textual") in found and ("accessModeSufficient", "textual") in found
    assert ("accessibilityHazard", "none") in found
    assert any(key == "accessibilitySummary" and value for key, value in found)
    nav = files["EPUB/nav.xhtml"].decode()
    for landmark in ("toc", "bodymatter", "bibliography"):
        assert f'epub:type="{landmark}"' in nav


def test_pdf_metadata_has_keywords_and_language(flagship_build: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(flagship_build / "build" / CHICAGO / f"{NAME}.pdf")
    info = reader.metadata
    assert info is not None and info.title == TITLE and info.author == "Unknown author"
    assert "Prague Spring" in info["/Keywords"] and info.subject
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_language == ["en-GB"]
    assert "Warsaw Pact" in xmp.dc_subject and "Warsaw Pact" in (xmp.pdf_keywords or "")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_pdf_note_calls_and_numbers_link_both_ways(flagship_build: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(flagship_build / "build" / CHICAGO / f"{NAME}.pdf")
    destinations = reader.named_destinations
    assert {"fn1", "fnref1", "fn98", "fnref98"} <= set(destinations)
    targets = [
        str(annotation.get_object().get("/Dest"))
        for pdf_page in reader.pages
        for annotation in pdf_page.get("/Annots") or []
    ]
    assert sum(re.fullmatch(r"fn\d+", t) is not None for t in targets) == 98
    assert sum(re.fullmatch(r"fnref\d+", t) is not None for t in targets) == 98
