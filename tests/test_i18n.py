"""Labels and dates in the document's language, read from the built HTML, EPUB and PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import epub_files, pdf_text
from presswork import i18n

GERMAN_META = """\
title: Die Prager Reformen
author:
  - name: Anna Muster
date: 2026-12-03
lang: de-DE
abstract: Eine kurze Zusammenfassung der Arbeit.
keywords: [Prag, Reform]
"""

GERMAN_TEXT = """\
# Einleitung

Ein Satz mit Quelle [@doe2020, 12] und einer Fußnote.^[Eine Anmerkung zum Satz.]
"""

BIB = """\
@book{doe2020, author={Doe, Jane}, title={Ein Buch}, publisher={Verlag},
  address={Berlin}, year={2020}}
"""


def make_project(root: Path, meta: str, text: str) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text(meta, "utf-8")
    (root / "manuscript" / "01-text.md").write_text(text, "utf-8")
    (root / "references" / "refs.bib").write_text(BIB, "utf-8")
    (root / "presswork.toml").write_text('name = "paper"\n', "utf-8")
    return root


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from presswork.build import build

    root = make_project(tmp_path_factory.mktemp("de") / "paper", GERMAN_META, GERMAN_TEXT)
    build(root, ["html", "epub", "pdf"], ["chicago-notes-bibliography", "apa"], jobs=2)
    return root / "build"


def _text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def test_german_html_labels(german: Path) -> None:
    page = (german / "apa" / "paper.html").read_text("utf-8")
    text = _text(page)
    assert '<html lang="de-DE"' in page
    assert "Zusammenfassung Eine kurze Zusammenfassung" in text
    assert "Schlüsselwörter: Prag; Reform" in text
    assert '<time datetime="2026-12-03">3. Dezember 2026</time>' in page
    assert '<h2 id="cite-this-title">Diesen Artikel zitieren</h2>' in page
    assert "Literaturangabe herunterladen:" in text
    assert "Zitierstil: APA" in text
    # an author-date style: pandoc's "References" in German, from its translation file
    assert re.search(r"<h2[^>]*>Literatur</h2>", page)
    for english in ("Keywords", "Abstract", "Cite this article", "Citation style", "December"):
        assert english not in text, english
    notes = (german / "chicago-notes-bibliography" / "paper.html").read_text("utf-8")
    assert '<h2 id="footnotes-title" class="footnotes-title">Anmerkungen</h2>' in notes
    assert re.search(r"<h2[^>]*>Literaturverzeichnis</h2>", notes)


def test_german_epub_labels(german: Path) -> None:
    files = epub_files(german / "chicago-notes-bibliography" / "paper.epub")
    text = _text(" ".join(v.decode("utf-8") for k, v in files.items() if k.endswith(".xhtml")))
    assert "Schlüsselwörter: Prag; Reform" in text
    assert "3. Dezember 2026" in text
    assert "Zusammenfassung" in text and "Literaturverzeichnis" in text
    assert "Keywords" not in text and "December" not in text


def test_german_pdf_labels(german: Path) -> None:
    # the print CSS sets the labels in capitals
    text = " ".join(pdf_text(german / "apa" / "paper.pdf").split()).casefold()
    assert "3. dezember 2026" in text
    assert "schlüsselwörter: prag; reform" in text
    assert "zusammenfassung eine kurze" in text and "literatur doe, j. (2020)" in text
    assert "keywords" not in text and "december" not in text and "abstract" not in text


@pytest.mark.parametrize(
    ("lang", "date", "keywords"),
    [
        ("en-US", "December 3, 2026", "Keywords"),
        ("en-GB", "3 December 2026", "Keywords"),
        ("de", "3. Dezember 2026", "Schlüsselwörter"),
        ("fr-FR", "3 décembre 2026", "Mots-clés"),
        ("es", "3 de diciembre de 2026", "Palabras clave"),
        ("it", "3 dicembre 2026", "Parole chiave"),
        ("pt-BR", "3 de dezembro de 2026", "Palavras-chave"),
        ("nl", "3 december 2026", "Trefwoorden"),
        ("ru", "3 декабря 2026\u202fг.", "Ключевые слова"),
        ("zh-CN", "2026年12月3日", "关键词"),
        ("ja", "2026年12月3日", "キーワード"),
    ],
)
def test_dates_and_labels_per_language(lang: str, date: str, keywords: str) -> None:
    assert i18n.format_date("2026-12-03", lang) == date
    assert i18n.term("keywords", lang) == keywords
    assert i18n.term("abstract", lang)  # never empty


def test_terms_come_from_data_and_fall_back_to_english() -> None:
    assert i18n.term("references", "fr") == "Références"  # pandoc's translations
    assert i18n.term("bibliography", "ja") == "文献目録"
    assert i18n.term("notes", "de-AT") == "Anmerkungen"  # the CSL locale's plural "note"
    assert i18n.term("figure", "zh-CN") == "图"
    assert i18n.term("equation", "ja") == "式" and i18n.term("section", "de") == "Abschnitt"
    # citeproc-py's de-DE locale leaves "equation" in English: no German word, so English
    assert i18n.term("equation", "de") == "Equation"
    assert i18n.term("keywords", "sw") == "Keywords"  # no translation: English
    assert i18n.term("references", "xx-YY") == "References"


def test_partial_and_odd_dates() -> None:
    assert i18n.format_date("2026-12", "de") == "Dezember 2026"
    assert i18n.format_date("2026", "ja") == "2026年"
    assert i18n.format_date("2026-12", "en-US") == "December 2026"
    assert i18n.format_date("2026-02-30", "fr") == "février 2026"
    assert i18n.format_date("2026-13", "en") == "2026"
    assert i18n.format_date("spring 1968", "de") == "spring 1968"
    assert i18n.format_date("2026-12-03", "xx") == "2026-12-03"


def test_right_to_left_languages() -> None:
    assert i18n.is_rtl("ar") and i18n.is_rtl("he-IL") and i18n.is_rtl("fa")
    assert not i18n.is_rtl("de") and not i18n.is_rtl("en-US") and not i18n.is_rtl("")
