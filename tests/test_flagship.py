"""End-to-end: the flagship paper built with real pandoc, citeproc and WeasyPrint."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from helpers import epub_files, html_entries, pdf_fonts, pdf_text, sha256

NAME = "prague-spring-1968"
CHICAGO = "chicago-notes-bibliography-subsequent-ibid"
NOTES = list(
    csv.DictReader(
        (Path(__file__).parent / "data" / "flagship_notes.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
)
CITED_KEYS = {row["key"] for row in NOTES if row["key"]}


def output(root: Path, style: str, ext: str) -> Path:
    return root / "build" / style / f"{NAME}.{ext}"


def test_chicago_pdf_has_full_notes_short_notes_and_ibid(flagship_build: Path) -> None:
    text = pdf_text(output(flagship_build, CHICAGO, "pdf"))
    flat = " ".join(text.split())
    assert "Ibid." in flat
    # the first note of a work is a full note, a later one the short form
    assert "Anna J. Stoneman, ‘Socialism with a Human Face" in flat
    assert "Stoneman, ‘Socialism with a Human Face’, 1" in flat
    assert "[@" not in text and "@stoneman" not in text
    assert "The text of note 83 is missing from the source extract." in flat


def test_apa_pdf_has_author_date_citations(flagship_build: Path) -> None:
    flat = " ".join(pdf_text(output(flagship_build, "apa", "pdf")).split())
    assert "(Valenta, 1979, p. 59)" in flat
    assert "[@" not in flat
    assert "References" in flat


@pytest.mark.parametrize("style", [CHICAGO, "apa"])
def test_bibliography_lists_each_cited_work_once(flagship_build: Path, style: str) -> None:
    html = output(flagship_build, style, "html").read_text(encoding="utf-8")
    entries = html_entries(html)
    assert len(entries) == len(CITED_KEYS) == 13
    assert any(e.startswith("Stoneman, A") for e in entries)
    assert any("10.1080/14682740902764528" in e for e in entries)  # Sayle's DOI, linked
    assert 'href="https://doi.org/10.1080/14682740902764528"' in html


def test_chicago_html_has_every_note_linked_both_ways(flagship_build: Path) -> None:
    html = output(flagship_build, CHICAGO, "html").read_text(encoding="utf-8")
    calls = re.findall(r'<a href="#fn(\d+)" class="footnote-ref" id="fnref\1"', html)
    backs = re.findall(r'<a href="#fnref(\d+)" class="footnote-back"', html)
    assert len(calls) == 98 == len(set(backs))
    assert '<html lang="en-GB"' in html
    assert "<style>" in html and 'rel="stylesheet"' not in html  # standalone: CSS inlined


def test_pdf_embeds_every_font_and_only_shipped_ones(flagship_build: Path) -> None:
    for style in (CHICAGO, "apa"):
        fonts = pdf_fonts(output(flagship_build, style, "pdf"))
        assert fonts, "no fonts found in the PDF"
        assert all(fonts.values()), f"fonts not embedded: {fonts}"
        assert all(re.search(r"Noto|DejaVu", name) for name in fonts), fonts


def test_pdf_metadata_and_outline(flagship_build: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(output(flagship_build, CHICAGO, "pdf"))
    assert reader.metadata is not None
    assert "Czechoslovakia" in (reader.metadata.title or "")
    assert reader.metadata.author
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Introduction" in titles and "Conclusion" in titles
    assert len(reader.pages) >= 10


def test_epub_has_metadata_notes_and_bibliography(flagship_build: Path) -> None:
    files = epub_files(output(flagship_build, CHICAGO, "epub"))
    opf = files["EPUB/content.opf"].decode()
    assert "<dc:language>en-GB</dc:language>" in opf
    assert "urn:uuid:" in opf or "doi:" in opf
    text = b"".join(v for k, v in files.items() if k.endswith(".xhtml")).decode()
    assert "Ibid." in text and "Works Cited" not in text
    assert text.count('epub:type="footnote"') + text.count('role="doc-footnote"') >= 98 or (
        text.count("footnote-back") >= 98
    )


def test_manifest_lists_outputs_with_their_hashes(flagship_build: Path) -> None:
    manifest = json.loads((flagship_build / "build" / "manifest.json").read_text())
    entries = {e["path"]: e for e in manifest["outputs"]}
    assert len(entries) == 6
    for path, entry in entries.items():
        file = flagship_build / "build" / path
        assert entry["sha256"] == sha256(file) and entry["size"] == file.stat().st_size
        assert entry["format"] in ("pdf", "html", "epub")
    assert str(flagship_build) not in json.dumps(manifest)  # no absolute paths
