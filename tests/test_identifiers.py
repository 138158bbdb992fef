"""Citing by identifier: syntax, the frozen file, `refs fetch` against a local server, builds."""

from __future__ import annotations

import argparse
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import html_entries, pdf_text
from identifier_server import serving
from presswork.cli import main
from presswork.identifiers import fetch, parse
from presswork.identifiers.syntax import isbn_problem

# One citation per kind, an alias, and the same DOI written in capitals.
CHAPTER = """# Identifiers

Deep learning [@doi:10.1038/nature14539] and again [@DOI:10.1038/NATURE14539, 437].
Its PubMed record [@pmid:26017442], a PMC paper [@pmcid:PMC4481139].
Residual nets [@arxiv:1512.03385], the old form [@arxiv:hep-th/9711200v3].
The book [@isbn:978-0-262-03561-3], a Wikidata item [@wikidata:Q28054621].
A page [@{{url:{base}/page.html}}] and by alias [@tag:lecun].
"""
METADATA = """title: Cited by Identifier
lang: en-US
date: 2024-05-01
citekey-aliases:
  tag:lecun: doi:10.1038/nature14539
"""
KEYS = [
    "arxiv:1512.03385",
    "arxiv:hep-th/9711200v3",
    "doi:10.1038/nature14539",
    "isbn:9780262035613",
    "pmcid:PMC4481139",
    "pmid:26017442",
    "url:{base}/page.html",
    "wikidata:Q28054621",
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    with serving() as running:
        for name in ("DOI", "NCBI", "ARXIV", "OPENLIBRARY", "WIKIDATA"):
            monkeypatch.setenv(f"PRESSWORK_{name}_URL", f"{running.url}/{name.lower()}")
        yield running


def write(root: Path, chapter: str, metadata: str = METADATA) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text(metadata, encoding="utf-8")
    (root / "manuscript" / "01-text.md").write_text(chapter, encoding="utf-8")
    return root


def refs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["refs", "fetch", *args, "--backoff", "0.01"])
    return code, capsys.readouterr().err.strip().splitlines()


# ---- syntax and normalisation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("doi:10.1038/NATURE14539", "doi:10.1038/nature14539"),
        ("DOI:https://doi.org/10.1038/nature14539", "doi:10.1038/nature14539"),
        ("pmid:26017442", "pmid:26017442"),
        ("pmc:pmc4481139", "pmcid:PMC4481139"),
        ("pubmed:30718888", "pmid:30718888"),
        ("PubMed:26017442", "pmid:26017442"),
        ("pmcid:4481139", "pmcid:PMC4481139"),
        ("arxiv:1512.03385v2", "arxiv:1512.03385v2"),
        ("arxiv:0704.0001", "arxiv:0704.0001"),
        ("arXiv:arXiv:2101.00001", "arxiv:2101.00001"),
        ("arxiv:hep-th/9901001", "arxiv:hep-th/9901001"),
        ("arxiv:math.GT/0309136", "arxiv:math.GT/0309136"),
        ("isbn:978-0-262-03561-3", "isbn:9780262035613"),
        ("isbn:0262035618", "isbn:9780262035613"),
        ("isbn:080442957X", "isbn:9780804429573"),
        ("wikidata:q28054621", "wikidata:Q28054621"),
        ("https://example.org/a", "url:https://example.org/a"),
        ("url:https://example.org/a?b=1", "url:https://example.org/a?b=1"),
    ],
)
def test_keys_normalise_as_manubot_does(written: str, key: str) -> None:
    ident = parse(written)
    assert ident is not None and ident.problem is None
    assert ident.key == key


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("doi:11.1038/x", "starts with '10.'"),
        ("doi:10.12/x", "4 to 9 digits"),
        ("doi:10/bcdf", "shortDOIs"),
        ("pmid:026017442", "without leading zeros"),
        ("pmid:PMC4481139", "@pmcid:"),
        ("pmcid:PMX12", "'PMC' and digits"),
        ("arxiv:1512.033", "not an arXiv ID"),
        ("arxiv:1512.3385", "4 digits after the dot before 2015"),
        ("arxiv:0713.1234", "a month 01-12"),
        ("arxiv:HEP-TH/9901001", "not an arXiv ID"),
        ("isbn:9780262035614", "ISBN-13 check digit"),
        ("isbn:0262035617", "ISBN-10 check digit"),
        ("isbn:12345", "not an ISBN"),
        ("wikidata:P31", "'Q' and digits"),
        ("url:example.org", "http:// or https://"),
    ],
)
def test_invalid_identifiers_say_what_is_wrong(written: str, says: str) -> None:
    ident = parse(written)
    assert ident is not None and ident.problem is not None
    assert says in ident.problem


def test_ordinary_keys_are_not_identifiers() -> None:
    assert [parse(k) for k in ("smith2001", "fig:map", "sec:intro", "doi", "doi:")] == [None] * 5
    assert isbn_problem("9780262035613") is None


def test_the_linter_reads_keys_as_pandoc_does(tmp_path: Path) -> None:
    from presswork import pandoc
    from presswork.ast import walk
    from presswork.lint.source import scan

    text = (
        "See @doi:10.1038/NATURE14539. And [@url:https://example.org/a?b=1] and "
        "[@{url:https://example.org/a?b=1}], @arxiv:hep-th/9901001v2, @isbn:978-0-262-03561-3.\n"
    )
    ast = pandoc.parse_markdown(text, tmp_path)
    by_pandoc = [c["citationId"] for n in walk(ast) if n.get("t") == "Cite" for c in n["c"][0]]
    assert [c.key for c in scan("a.md", text).citations] == by_pandoc
    assert by_pandoc[1:3] == ["url:https://example.org/a?b", "url:https://example.org/a?b=1"]


# ---- refs fetch ------------------------------------------------------------------------------


def test_fetch_fills_the_frozen_file_sorted_and_stable(
    tmp_path: Path, server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    base = server.url  # type: ignore[attr-defined]
    root = write(tmp_path / "p", CHAPTER.format(base=base))
    code, lines = refs(capsys, str(root))
    assert code == 0, lines
    assert lines[-1] == "8 fetched, 0 already in references/identifiers.json, 0 failed, 0 invalid"
    frozen_path = root / "references" / "identifiers.json"
    text = frozen_path.read_text(encoding="utf-8")
    items = json.loads(text)
    assert [item["id"] for item in items] == [k.format(base=base) for k in KEYS]
    assert text == json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    by_id = {item["id"]: item for item in items}
    doi = by_id["doi:10.1038/nature14539"]
    assert doi["title"] == "Deep learning" and doi["volume"] == "521"
    assert [a["family"] for a in doi["author"]] == ["LeCun", "Bengio", "Hinton"]
    assert not {"accessed", "reference", "license", "indexed"} & set(doi)  # bookkeeping dropped
    assert by_id["arxiv:1512.03385"]["author"][0] == {"family": "He", "given": "Kaiming"}
    assert by_id["arxiv:1512.03385"]["issued"] == {"date-parts": [[2015, 12, 10]]}
    assert by_id["arxiv:hep-th/9711200v3"]["DOI"] == "10.1023/A:1026654312961"
    book = by_id["isbn:9780262035613"]
    assert (book["type"], book["publisher"], book["issued"]) == (
        "book",
        "MIT Press",
        {"date-parts": [[2016]]},
    )
    page = by_id[f"url:{base}/page.html"]
    assert page["title"] == "Reproducible Builds for Scholarly Manuscripts"
    assert page["author"][1] == {"family": "Roe", "given": "Richard"}
    assert page["container-title"] == "Example Lab Notes"
    assert by_id["wikidata:Q28054621"]["issued"] == {"date-parts": [[2017, 6, 12]]}
    # The DOI cited three ways (two spellings and an alias) was asked for once.
    assert server.hits["/doi/10.1038/nature14539"] == 1  # type: ignore[attr-defined]

    code, lines = refs(capsys, str(root))
    assert (code, lines[-1]) == (
        0,
        "0 fetched, 8 already in references/identifiers.json, 0 failed, 0 invalid",
    )
    code, lines = refs(capsys, str(root), "--refresh")
    assert code == 0 and lines[-1].startswith("8 fetched")
    assert frozen_path.read_text(encoding="utf-8") == text  # a re-fetch changes no byte
    assert server.hits["/doi/10.1038/nature14539"] == 2  # type: ignore[attr-defined]


def test_each_failure_is_one_clear_line(
    tmp_path: Path, server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    chapter = (
        "Gone [@doi:10.5555/missing].\n"
        "Down [@doi:10.5555/down].\n"
        "Slow [@doi:10.5555/slow].\n"
        "Garbled [@doi:10.5555/garbled].\n"
        "No paper [@arxiv:9912.99999].\n"
        "No book [@isbn:9780306406157].\n"
        "Bad [@isbn:9780306406158].\n"
        "Fine [@pmid:26017442].\n"
    )
    root = write(tmp_path / "p", chapter)
    code, lines = refs(capsys, str(root), "--retries", "1", "--timeout", "0.5")
    assert code == 1
    assert lines == [
        "manuscript/01-text.md:7:6: invalid identifier '@isbn:9780306406158': "
        "the ISBN-13 check digit of '9780306406158' is wrong",
        "manuscript/01-text.md:1:7: 'doi:10.5555/missing': not found at doi.org (HTTP 404)",
        "manuscript/01-text.md:2:7: 'doi:10.5555/down': doi.org failed (HTTP 500); "
        "gave up after 2 tries",
        "manuscript/01-text.md:3:7: 'doi:10.5555/slow': no answer from doi.org within 0.5 s; "
        "gave up after 2 tries",
        "manuscript/01-text.md:4:10: 'doi:10.5555/garbled': the answer is not valid JSON (doi.org)",
        "manuscript/01-text.md:5:11: 'arxiv:9912.99999': arXiv has no such paper (arXiv)",
        "manuscript/01-text.md:6:10: 'isbn:9780306406157': Open Library has no book with this "
        "ISBN (Open Library)",
        "1 fetched, 0 already in references/identifiers.json, 6 failed, 1 invalid",
    ]
    assert server.hits["/doi/10.5555/down"] == 2  # type: ignore[attr-defined]
    assert server.hits["/doi/10.5555/missing"] == 1  # type: ignore[attr-defined]
    items = json.loads((root / "references" / "identifiers.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in items] == ["pmid:26017442"]  # what worked is kept


def test_a_rate_limit_waits_as_long_as_retry_after_says(server: object) -> None:
    server.retry_after = "7"  # type: ignore[attr-defined]
    waited: list[float] = []
    ident = parse("doi:10.5555/busy")
    assert ident is not None
    item = fetch.fetch_one(ident, fetch.Options(retries=2, backoff=0.5, sleep=waited.append))
    assert waited == [7.0]
    assert item == {
        "id": "doi:10.5555/busy",
        "type": "book",
        "title": "Patience",
        "issued": {"date-parts": [[2020]]},
    }


def test_a_rate_limit_asking_too_long_fails_at_once(server: object) -> None:
    server.retry_after = "3600"  # type: ignore[attr-defined]
    ident = parse("doi:10.5555/busy-long")
    assert ident is not None
    with pytest.raises(fetch.Failed, match=r"HTTP 429\): asked to wait 3600 s; try later"):
        fetch.fetch_one(ident, fetch.Options(sleep=lambda s: None))


def test_backoff_doubles_between_retries(server: object) -> None:
    waited: list[float] = []
    ident = parse("doi:10.5555/down")
    assert ident is not None
    with pytest.raises(fetch.Failed, match="gave up after 4 tries"):
        fetch.fetch_one(ident, fetch.Options(retries=3, backoff=0.5, sleep=waited.append))
    assert waited == [0.5, 1.0, 2.0]


def test_offline_reports_what_is_missing_and_connects_to_nothing(
    tmp_path: Path, server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "p", "One [@pmid:26017442].\nTwo [@doi:10.1038/nature14539].\n")
    code, lines = refs(capsys, str(root), "--offline")
    assert code == 1
    assert lines == [
        "manuscript/01-text.md:1:6: 'pmid:26017442' is not in references/identifiers.json",
        "manuscript/01-text.md:2:6: 'doi:10.1038/nature14539' is not in "
        "references/identifiers.json",
        "2 identifier(s) cited, 2 not fetched",
    ]
    assert sum(server.hits.values()) == 0  # type: ignore[attr-defined]
    assert refs(capsys, str(root))[0] == 0
    assert refs(capsys, str(root), "--offline") == (0, ["2 identifier(s) cited, 0 not fetched"])


# ---- the build -------------------------------------------------------------------------------


def test_not_fetched_is_a_build_warning_and_strict_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "p", "Text.\n\nCited [@DOI:10.1038/Nature14539].\n")
    assert main(["build", str(root), "--format", "html", "--style", "apa", "-q"]) == 0
    err = capsys.readouterr().err
    assert (
        "manuscript/01-text.md:3:8: identifier '@DOI:10.1038/Nature14539' is not in "
        "references/identifiers.json: run `presswork refs fetch`"
    ) in err
    assert "is not in the references" not in err  # not also the unknown-key warning
    code = main(["build", str(root), "-f", "html", "-s", "apa", "--strict", "--force"])
    assert code == 2
    assert "01-text.md:3:8: identifier '@DOI:10.1038/Nature14539'" in capsys.readouterr().err


def test_every_kind_builds_offline_in_every_format_and_two_styles(
    tmp_path: Path, server: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from presswork.build import build
    from presswork.reproducible import check_reproducible

    base = server.url  # type: ignore[attr-defined]
    root = write(tmp_path / "p", CHAPTER.format(base=base))
    assert refs(capsys, str(root))[0] == 0
    server.shutdown()  # type: ignore[attr-defined]  # from here on, no service at all
    styles = ["apa", "ieee"]
    report = build(root, style_names=styles, format_names=["html", "epub", "pdf"], jobs=2)
    assert report.warnings == []
    html = (root / "build" / "apa" / "p.html").read_text(encoding="utf-8")
    entries = html_entries(html)
    # The DOI cited three ways is one work; its PubMed record is another entry (the linter's
    # identifier/duplicate-work says so), hence 2015a and 2015b.
    assert len(entries) == 8
    joined = "\n".join(entries)
    for words in (
        "He, K., Zhang, X., Ren, S., &amp; Sun, J. (2015). Deep Residual Learning for Image "
        "Recognition (arXiv:1512.03385). arXiv. https://doi.org/10.48550/arXiv.1512.03385",
        "Maldacena, J. M. (1997). The Large N Limit",
        "Goodfellow, I., Bengio, Y., &amp; Courville, A. (2016). Deep Learning. MIT Press.",
        "Gaudelet, T., Malod-Dognin, N., &amp; Pržulj, N. (2015). Higher-order molecular",
        f"Doe, J., &amp; Roe, R. (2024, March 5). Reproducible Builds for Scholarly Manuscripts. "
        f"Example Lab Notes. {base}/page.html",
        "Vaswani, A., &amp; Shazeer, N. (2017). Attention Is All You Need.",
    ):
        assert words in joined, words
    assert "Ppublish" not in joined
    lecun = r"LeCun, Y\., Bengio, Y\., &amp; Hinton, G\. \(2015[ab]\)\. Deep learning\.? Nature, "
    assert len([e for e in entries if re.match(lecun + r"521\(7553\), 436–44", e)]) == 2
    assert re.search(r">LeCun et al\., 2015[ab], p\. 437</a>\)", html)
    pdf = pdf_text(root / "build" / "ieee" / "p.pdf")
    assert "Deep learning" in pdf and "Nature, vol. 521" in pdf
    assert check_reproducible(root, ["html", "epub", "pdf"], styles, 2) == []


def test_a_tags_file_aliases_and_a_change_to_it_rebuilds(tmp_path: Path) -> None:
    from presswork.build import build

    frozen_items = [
        {"id": "pmid:26017442", "type": "article-journal", "title": "Deep learning.",
         "author": [{"family": "LeCun", "given": "Yann"}], "issued": {"date-parts": [[2015]]}},
        {"id": "isbn:9780262035613", "type": "book", "title": "Deep Learning",
         "author": [{"family": "Goodfellow", "given": "Ian"}], "issued": {"date-parts": [[2016]]}},
    ]  # fmt: skip
    root = write(tmp_path / "p", "Cited [@tag:dl].\n", "title: Tags\n")
    (root / "references" / "identifiers.json").write_text(json.dumps(frozen_items))
    tags = root / "manuscript" / "citation-tags.tsv"
    tags.write_text("tag\tcitation\ndl\tpmid:26017442\n", encoding="utf-8")
    page = root / "build" / "apa" / "p.html"
    assert build(root, format_names=["html"], style_names=["apa"]).warnings == []
    assert ">LeCun, 2015</a>)" in page.read_text(encoding="utf-8")
    tags.write_text("tag\tcitation\ndl\tisbn:0-262-03561-8\n", encoding="utf-8")
    report = build(root, format_names=["html"], style_names=["apa"])
    assert [o.status for o in report.outcomes] == ["built"]
    assert ">Goodfellow, 2016</a>)" in page.read_text(encoding="utf-8")


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["doi", "DOI", "pmid", "pubmed", "pmc", "pmcid", "arxiv", "isbn", "url", "wikidata"]
    ),
    st.text(alphabet="0123456789abcXPMCQv.-/:htps", min_size=1, max_size=24),
)
def test_normalising_twice_changes_nothing(prefix: str, accession: str) -> None:
    ident = parse(f"{prefix}:{accession}")
    assert ident is not None
    again = parse(ident.key)
    assert again is not None and again.key == ident.key
    assert (again.problem is None) == (ident.problem is None)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_progress_bar_then_the_summary(
    tmp_path: Path, server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from presswork.identifiers.command import run_refs_command

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    root = write(tmp_path / "p", "[@pmid:26017442] [@isbn:9780262035613] [@doi:10.5555/x]\n")
    parser = argparse.ArgumentParser()
    from presswork.identifiers.command import add_refs_arguments

    add_refs_arguments(parser)
    args = parser.parse_args(["fetch", str(root), "--backoff", "0"])
    out = _Terminal()
    assert run_refs_command(args, out) == 1
    text = out.getvalue()
    assert "fetching" in text and "3/3" in text  # the bar, drawn on the terminal
    assert text.rstrip().endswith(
        "'doi:10.5555/x': not found at doi.org (HTTP 404)\n"
        "2 fetched, 0 already in references/identifiers.json, 1 failed, 0 invalid"
    )


def test_a_link_reference_alias_resolves_and_is_not_printed(tmp_path: Path) -> None:
    from presswork.build import build

    frozen_items = [
        {"id": "pmid:26017442", "type": "article-journal", "title": "Deep learning.",
         "author": [{"family": "LeCun", "given": "Yann"}], "issued": {"date-parts": [[2015]]}},
    ]  # fmt: skip
    chapter = (
        "Cited [@dl].\n\n"
        "[@dl]: pubmed:26017442\n\n"
        "```\n[@kept]: doi:10.1/x\n```\n\n"
        "Prose then\n[@inline]: doi:10.1/y\n"
    )
    root = write(tmp_path / "p", chapter, "title: Link aliases\n")
    (root / "references" / "identifiers.json").write_text(json.dumps(frozen_items))
    report = build(root, format_names=["html"], style_names=["apa"])
    html = (root / "build" / "apa" / "p.html").read_text(encoding="utf-8")
    assert ">LeCun, 2015</a>)" in html
    assert "pubmed:26017442" not in html  # pandoc would print the definition line
    assert "[@kept]: doi:10.1/x" in html  # code is code
    assert "doi:10.1/y" in html  # inside a paragraph of prose it defines nothing
    assert [str(w) for w in report.warnings if "inline" in str(w)]  # so @inline is cited


def test_link_reference_definitions_only_in_their_own_paragraph() -> None:
    from presswork.identifiers.linkdefs import definitions

    text = "[@a]: doi:10.1/a\n   [@b]:   pmid:1  \n\ntext\n[@c]: doi:10.1/c\n\n    [@d]: x\n"
    found = [(d.key, d.target, text[d.start : d.end]) for d in definitions(text)]
    assert found == [
        ("a", "doi:10.1/a", "[@a]: doi:10.1/a"),
        ("b", "pmid:1", "[@b]:   pmid:1  "),
    ]
