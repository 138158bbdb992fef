"""JATS, DOCX and CSL-JSON through the same build, reproducibly; settings that feed the metadata."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from conftest import copy_flagship
from presswork.errors import InputError
from presswork.settings import PDF_VARIANTS, from_table
from test_outputs_scholarly import Page

NAME = "prague-spring-1968"
FORMATS = ["jats", "docx", "csljson", "html"]
DOI = "10.5555/presswork.2020.368"
SETTINGS = """
url = "https://journal.example/articles/prague-spring-1968"
pdf-url = "https://journal.example/articles/{name}-{style}.pdf"
cite-styles = ["apa", "no-such-style"]
"""


def small_build(dest: Path) -> Path:
    """The flagship with a DOI and web addresses, built in APA in the extra formats."""
    from presswork.build import build

    root = copy_flagship(dest)
    metadata = root / "manuscript" / "metadata.yaml"
    text = metadata.read_text(encoding="utf-8").rstrip().removesuffix("...").rstrip()
    metadata.write_text(f"{text}\ndoi: {DOI}\n...\n", encoding="utf-8")
    with (root / "presswork.toml").open("a", encoding="utf-8") as handle:
        handle.write(SETTINGS)
    build(root, format_names=FORMATS, style_names=["apa"], jobs=2)
    return root


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("extra")
    return small_build(base / "one" / "paper"), small_build(base / "two" / "paper")


def output(root: Path, ext: str) -> Path:
    return root / "build" / "apa" / f"{NAME}.{ext}"


def test_extra_formats_are_in_the_manifest_and_reproducible(twice: tuple[Path, Path]) -> None:
    one, two = twice
    entries = json.loads((one / "build" / "manifest.json").read_text())["outputs"]
    assert sorted(e["format"] for e in entries) == sorted(FORMATS)
    for ext in ("xml", "docx", "json", "html"):
        assert output(one, ext).read_bytes() == output(two, ext).read_bytes(), ext


def test_jats_is_an_article_with_the_title_and_every_reference(twice: tuple[Path, Path]) -> None:
    from lxml import etree

    from presswork.check.jats import check_jats

    path = output(twice[0], "xml")
    root = etree.parse(
        str(path), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()
    assert root.tag == "article"
    assert "Why Moscow Chose Force" in "".join(root.find(".//article-title").itertext())
    assert len(root.findall(".//ref-list/ref")) == 13
    assert check_jats(path, "paper.xml").status != "fail"


def test_docx_has_the_text_and_its_citations(twice: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(output(twice[0], "docx")) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        core = archive.read("docProps/core.xml").decode("utf-8")
        dates = {info.date_time for info in archive.infolist()}
    assert "Valenta, 1979, p. 59" in document
    assert "1970-01-01" not in core  # the build's date, not the sandbox's
    assert len(dates) == 1


def test_csljson_lists_the_cited_works(twice: tuple[Path, Path]) -> None:
    items = json.loads(output(twice[0], "json").read_text(encoding="utf-8"))
    assert len(items) == 13 == len({item["id"] for item in items})
    assert all(item.get("title") for item in items)


def test_settings_give_doi_pdf_url_and_cite_styles(twice: tuple[Path, Path]) -> None:
    tags = Page(output(twice[0], "html").read_text(encoding="utf-8"))
    assert tags.values("citation_doi") == [DOI]
    assert tags.values("citation_pdf_url") == [
        "https://journal.example/articles/prague-spring-1968-apa.pdf"
    ]
    assert tags.values("og:url") == ["https://journal.example/articles/prague-spring-1968"]
    assert "APA Style" in tags.cite_text and "Chicago" not in tags.cite_text  # unknown: left out
    assert f"https://doi.org/{DOI}" in tags.cite_text


def test_pdf_variants_match_weasyprint() -> None:
    from weasyprint.pdf import VARIANTS

    assert set(PDF_VARIANTS) == set(VARIANTS)


def test_unknown_pdf_variant_is_refused_with_a_suggestion() -> None:
    with pytest.raises(InputError, match=r"unknown PDF variant 'pdf/a3b'.*did you mean 'pdf/a-3b'"):
        from_table({"pdf-variant": "pdf/a3b"}, "presswork.toml")
    assert from_table({"pdf-variant": "none"}, "presswork.toml").pdf_variant == "none"
