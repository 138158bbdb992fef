"""Cross-references: one numbering in every format, links that resolve, and the lint's findings."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import epub_files, pdf_text
from presswork.build import build
from presswork.crossref.terms import default_terms, terms_for
from presswork.lint import LintConfig, run_lint
from presswork.project import load

FORMATS = ["pdf", "html", "epub", "docx", "jats"]

CHAPTER_ONE = """\
# Introduction {#sec:intro}

The apparatus (@fig:setup) is drawn beside the results ([@fig:results; @fig:setup]).
@Fig:setup shows its parts; [-@fig:results] shows the yield.

![The apparatus](setup.png){#fig:setup}

![The results](results.png){#fig:results}

$$ E = mc^2 $$ {#eq:energy}

$$ a^2 + b^2 = c^2 $$ {#eq:pythagoras}

By @eq:energy and [@eq:pythagoras; @eq:energy] the values of @tbl:values follow,
as measured before [@fig:setup; @doe2020].
"""

CHAPTER_TWO = """\
# Methods {#sec:methods}

| Run | Yield |
|-----|-------|
| 1   | 12    |
| 2   | 15    |

Table: Measured values {#tbl:values}

See @sec:intro and [-@sec:methods]; @fig:missing is gone.
"""

BIB = (
    "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
    "  journal = {Journal},\n  year = {2020}\n}\n"
)


def _png(path: Path) -> None:
    """A 2x2 grey PNG: the figures need real images."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


METADATA = "title: Crossrefs\nlang: en-US\nabstract: The set-up of @fig:setup.\n"


def write_paper(root: Path, metadata: str = METADATA) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text(metadata, encoding="utf-8")
    (root / "manuscript" / "01-one.md").write_text(CHAPTER_ONE, encoding="utf-8")
    (root / "manuscript" / "02-two.md").write_text(CHAPTER_TWO, encoding="utf-8")
    (root / "references" / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "presswork.toml").write_text('name = "paper"\n', encoding="utf-8")
    _png(root / "setup.png")
    _png(root / "results.png")
    return root


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = write_paper(tmp_path_factory.mktemp("xref") / "paper")
    report = build(root, format_names=FORMATS, style_names=["apa"], jobs=2)
    return root / "build" / "apa", report.warnings


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _html_text(html: str) -> str:
    return _squash(re.sub(r"<[^>]+>", "", html))


def test_html_numbers_captions_and_links(paper: tuple[Path, list[str]]) -> None:
    html = (paper[0] / "paper.html").read_text(encoding="utf-8")
    text = _html_text(html)
    assert "Figure 1: The apparatus" in text
    assert "Figure 2: The results" in text
    assert "Table 1: Measured values" in text
    assert "The set-up of fig. 1." in text  # in the abstract, from the metadata
    assert "The apparatus (fig. 1) is drawn beside the results (figs. 1, 2)." in text
    assert "Fig. 1 shows its parts; 2 shows the yield." in text
    assert "By eq. 1 and eqns. 1, 2 the values of tbl. 1 follow" in text
    assert "See sec. Introduction and Methods; fig. ?? is gone." in text
    # A real citation beside a cross-reference still goes through citeproc.
    assert "as measured before fig. 1 (Doe, 2020)." in text
    assert re.search(r'<span id="eq:energy" class="equation">.*?\(1\)</span>', html, re.S)
    assert re.search(r'<span id="eq:pythagoras" class="equation">.*?\(2\)</span>', html, re.S)
    for target in ("fig:setup", "fig:results", "tbl:values", "eq:energy", "sec:intro"):
        assert f'href="#{target}"' in html, target
        assert f'id="{target}"' in html, target
    assert "fig:setup?" not in text and "(fig:" not in text


def test_build_warns_of_the_undefined_label_only(paper: tuple[Path, list[str]]) -> None:
    warnings = paper[1]
    assert [w for w in warnings if "fig:missing" in w] == [
        "manuscript/02-two.md:10:37: cross-reference '@fig:missing' names no label "
        "(write {#fig:missing} on a figure, table, equation or section)"
    ]
    assert not [w for w in warnings if "citation" in w], warnings


def test_pdf_prints_the_same_numbers(paper: tuple[Path, list[str]]) -> None:
    text = _squash(pdf_text(paper[0] / "paper.pdf"))
    assert "Figure 1: The apparatus" in text
    assert "Figure 2: The results" in text
    assert "Table 1: Measured values" in text
    assert "(figs. 1, 2)" in text
    assert "Fig. 1 shows its parts; 2 shows the yield." in text
    assert "(1)" in text and "(2)" in text


def test_epub_links_resolve_across_chapter_files(paper: tuple[Path, list[str]]) -> None:
    files = epub_files(paper[0] / "paper.epub")
    chapters = {
        name: data.decode("utf-8")
        for name, data in files.items()
        if name.endswith(".xhtml") and "nav" not in name
    }
    ids = {
        (name.rsplit("/", 1)[-1], ident)
        for name, page in chapters.items()
        for ident in re.findall(r'id="([^"]+)"', page)
    }
    links = [
        (name, href)
        for name, page in chapters.items()
        for href in re.findall(r'<a href="([^"]*(?:fig|tbl|eq|sec):[^"]*)"', page)
    ]
    assert len(links) == 12
    for name, href in links:
        page, _, ident = href.partition("#")
        assert (page or name.rsplit("/", 1)[-1], ident) in ids, (name, href)
    # The table is in the second chapter file, its reference in the first.
    assert any(href.endswith("#tbl:values") and href.startswith("ch") for _, href in links)
    text = _html_text(" ".join(chapters.values()))
    assert "Figure 2: The results" in text and "Table 1: Measured values" in text


def test_docx_numbers_and_bookmarks(paper: tuple[Path, list[str]]) -> None:
    with zipfile.ZipFile(paper[0] / "paper.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    text = _squash("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
    assert "Figure 1: The apparatus" in text and "Table 1: Measured values" in text
    assert "(figs. 1, 2)" in text
    for target in ("fig:setup", "tbl:values", "eq:energy", "sec:methods"):
        assert f'w:anchor="{target}"' in xml, target
        assert f'w:name="{target}"' in xml, target


def test_jats_xrefs_point_at_the_ids(paper: tuple[Path, list[str]]) -> None:
    from lxml import etree

    tree = etree.fromstring((paper[0] / "paper.xml").read_bytes())
    ids = {el.get("id") for el in tree.iter() if el.get("id")}
    xrefs = [x for x in tree.iter("xref") if x.get("ref-type") != "bibr"]
    rids = {x.get("rid") for x in xrefs}
    assert {"figU003Asetup", "figU003Aresults", "tblU003Avalues", "eqU003Aenergy"} <= rids
    assert rids <= ids | {None}
    types = {x.get("rid"): x.get("ref-type") for x in xrefs}
    assert types["figU003Asetup"] == "fig" and types["tblU003Avalues"] == "table"
    assert types["eqU003Aenergy"] == "disp-formula" and types["secU003Aintro"] == "sec"
    fig = next(el for el in tree.iter("fig") if el.get("id") == "figU003Aresults")
    assert "Figure 2: The results" in " ".join("".join(fig.itertext()).split())


def test_german_terms_and_metadata_overrides(tmp_path: Path) -> None:
    root = write_paper(
        tmp_path / "de",
        "title: Querverweise\nlang: de-DE\nfigPrefix: [Abbildung, Abbildungen]\ntitleDelim: .\n",
    )
    build(root, format_names=["html"], style_names=["apa"])
    text = _html_text((root / "build" / "apa" / "paper.html").read_text(encoding="utf-8"))
    assert "Abbildung 1. The apparatus" in text
    assert "Tabelle 1. Measured values" in text
    assert "(Abbildungen 1, 2)" in text
    assert "Gl. 1 und" not in text and "By Gl. 1 and Gl. 1, 2 the values of Tab. 1" in text


def test_strict_build_stops_at_an_undefined_label(tmp_path: Path) -> None:
    from presswork.errors import InputError

    root = write_paper(tmp_path / "strict")
    with pytest.raises(InputError) as caught:
        build(root, format_names=["html"], style_names=["apa"], strict=True)
    assert str(caught.value).startswith("manuscript/02-two.md:10:37: cross-reference")


def test_terms_for_every_language_and_fallback() -> None:
    assert default_terms("ja").figure_title == "図"
    assert default_terms("zh-CN").prefixes["tbl"] == ("表", "表")
    assert default_terms("pt-BR").table_title == "Tabela"
    assert default_terms("zh-TW").figure_title == "圖"
    assert default_terms("zh-Hant").figure_title == "圖"
    assert default_terms("zh-Hans-CN").figure_title == "图"
    assert default_terms("xx").figure_title == "Figure"
    for lang in ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "zh", "ja"):
        terms = default_terms(lang)
        assert terms.figure_title and terms.table_title
        assert set(terms.prefixes) == {"fig", "tbl", "eq", "sec", "lst"}
        assert terms.listing_title
    assert default_terms("de").listing_title == "Listing"
    assert default_terms("en").prefixes["lst"] == ("lst.", "lsts.")
    assert terms_for("en", {"listingTitle": "Code", "lstPrefix": "code"}).listing_title == "Code"
    custom = terms_for("en", {"eqnPrefix": "Equation", "tableTitle": "Tab."})
    assert custom.prefix("eq", True, False) == "Equation"
    assert custom.table_title == "Tab."


def test_lint_findings_exactly(tmp_path: Path) -> None:
    root = write_paper(tmp_path / "lint")
    with (root / "manuscript" / "02-two.md").open("a", encoding="utf-8") as handle:
        handle.write("\n![Again](setup.png){#fig:setup}\n\n$$ x $$ {#eq:lonely}\n\n`@fig:code`\n")
    findings = [
        (f.rule, f.severity.value, f.file, f.line, f.column)
        for f in run_lint(load(root), LintConfig())
    ]
    assert findings == [
        ("crossref/undefined", "warning", "manuscript/02-two.md", 10, 37),
        ("crossref/duplicate", "error", "manuscript/02-two.md", 12, 21),
        ("crossref/unreferenced", "info", "manuscript/02-two.md", 14, 10),
    ]


def _resolved(markdown: str, lang: str = "en", metadata: dict[str, object] | None = None) -> str:
    """The text of a paragraph after resolve(): links shown as [text](#target)."""
    from presswork import pandoc
    from presswork.crossref import resolve

    ast = pandoc.parse_markdown(markdown, Path.cwd())
    resolve(ast, lang, metadata or {})
    out: list[str] = []

    def text(inlines: list[dict[str, object]]) -> str:
        parts = []
        for item in inlines:
            kind, content = item.get("t"), item.get("c")
            if kind == "Str":
                parts.append(str(content))
            elif kind in ("Space", "SoftBreak"):
                parts.append(" ")
            elif kind == "Link":
                parts.append(f"[{text(content[1])}]({content[2][0]})")  # type: ignore[index]
            elif kind == "Strong":
                parts.append(f"**{text(content)}**")  # type: ignore[arg-type]
            elif kind == "Cite":
                parts.append("<cite " + ",".join(c["citationId"] for c in content[0]) + ">")  # type: ignore[index]
            elif kind == "Span":
                parts.append(text(content[1]))  # type: ignore[index]
        return "".join(parts)

    for block in ast["blocks"]:
        if block["t"] == "Para":
            out.append(text(block["c"]))
    return out[-1].replace("\u00a0", "~")


LABELS = "".join(f"$$ x_{n} $$ {{#eq:{n}}}\n\n" for n in range(1, 6))


def test_reference_forms() -> None:
    refs = _resolved(LABELS + "[@eq:3; @eq:1; @eq:2; @eq:5; @eq:5] and @Eq:4.")
    assert refs == "eqns.~[1](#eq:1)-[3](#eq:3), [5](#eq:5) and Eq.~[4](#eq:4)."
    assert _resolved(LABELS + "[@eq:1; @eq:2]") == "eqns.~[1](#eq:1), [2](#eq:2)"
    assert _resolved(LABELS + "[see @eq:2, left]") == "see eq.~[2](#eq:2), left"
    assert _resolved(LABELS + "[-@eq:2; -@eq:4]") == "[2](#eq:2), [4](#eq:4)"
    assert _resolved(LABELS + "@eq:9 and @eq:1") == "eq.~**??** and eq.~[1](#eq:1)"
    assert _resolved(LABELS + "[@eq:1; @doe; @eq:2]") == "eq.~[1](#eq:1) <cite doe> eq.~[2](#eq:2)"
    # Keys of other prefixes, or oddly capitalised, are citations as before.
    assert _resolved(LABELS + "@lst:1 and @FIG:1") == "lst.~**??** and <cite FIG:1>"


def test_localised_and_overridden_prefixes() -> None:
    assert (
        _resolved(LABELS + "@eq:1 and [@eq:1; @eq:2]", "de")
        == "Gl.~[1](#eq:1) and Gl.~[1](#eq:1), [2](#eq:2)"
    )
    assert _resolved(LABELS + "@eq:1", "ja") == "式~[1](#eq:1)"
    custom = {"eqnPrefix": ["Equation", "Equations"]}
    assert _resolved(LABELS + "[@eq:1; @eq:2]", "en", custom) == (
        "Equations~[1](#eq:1), [2](#eq:2)"
    )
    assert _resolved(LABELS + "@eq:1", "en", {"eqnPrefix": ""}) == "[1](#eq:1)"


def test_uncaptioned_image_and_figure_of_figures_are_numbered() -> None:
    from presswork import pandoc
    from presswork.crossref import resolve

    markdown = (
        "![](a.png){#fig:bare width=50%}\n\n::: {#fig:pair}\n![left](b.png)\n\nBoth sides\n:::\n\n"
        "See @fig:bare and @fig:pair.\n"
    )
    ast = pandoc.parse_markdown(markdown, Path.cwd())
    result = resolve(ast, "en", {})
    assert result.undefined == []
    html = pandoc.write(pandoc.encode(ast), "html5", Path.cwd(), ["--wrap=none"]).decode("utf-8")
    assert re.search(r'<figure id="fig:bare">\s*<img src="a.png" style="width:50[.0]*%" />', html)
    assert "<figcaption>Figure 1</figcaption>" in html
    assert "<p>Figure 2: Both sides</p>" in html
    assert 'fig.\u00a0<a href="#fig:bare" class="crossref" data-ref-type="fig">1</a>' in html
    assert 'fig.\u00a0<a href="#fig:pair" class="crossref" data-ref-type="fig">2</a>' in html


def test_build_and_lint_agree_on_places(tmp_path: Path) -> None:
    root = write_paper(tmp_path / "agree")
    with (root / "manuscript" / "02-two.md").open("a", encoding="utf-8") as handle:
        handle.write("\n![Again](setup.png){#fig:setup}\n\nSee [-@tbl:gone].\n")
    report = build(root, format_names=["html"], style_names=["apa"])
    places = [w.split(": ", 1)[0] for w in report.warnings]
    assert places == [
        "manuscript/02-two.md:10:37",
        "manuscript/02-two.md:14:7",
        "manuscript/02-two.md:12:21",
    ]
    assert "label 'fig:setup' is defined twice: references go to the first" in report.warnings[2]
    lint = {
        f"{f.file}:{f.line}:{f.column}"
        for f in run_lint(load(root), LintConfig())
        if f.rule in ("crossref/undefined", "crossref/duplicate")
    }
    assert lint == set(places)
    html = (root / "build" / "apa" / "paper.html").read_text(encoding="utf-8")
    assert "Figure 3: Again" in html  # numbered all the same, as pandoc-crossref does


def test_same_numbers_in_pdf_html_and_epub(paper: tuple[Path, list[str]]) -> None:
    """The captions and references in reading order, read back from each format's text."""
    html = _html_text((paper[0] / "paper.html").read_text(encoding="utf-8"))
    files = epub_files(paper[0] / "paper.epub")
    chapters = sorted(n for n in files if re.search(r"/ch\d+\.xhtml$", n))
    epub = _html_text(" ".join(files[n].decode("utf-8") for n in chapters))
    pdf = _squash(pdf_text(paper[0] / "paper.pdf"))
    numbers = re.compile(r"\(\d+\)|(?:Figure|Table) \d+:|\b(?:[Ff]igs?|eqn?s?|tbl)\. [\d, -]*\d")

    def sequence(text: str) -> list[str]:
        body = text[text.find("Introduction") :]
        return numbers.findall(body[: body.find("References")])

    expected = sequence(html)
    assert expected[:3] == ["fig. 1", "figs. 1, 2", "Fig. 1"]
    assert "Figure 2:" in expected and "Table 1:" in expected and "eqns. 1, 2" in expected
    assert len(expected) == 12, expected  # with the equations (1) and (2)
    assert sequence(epub) == expected
    assert sequence(pdf) == expected


_KEYS = ["fig:a", "fig:b", "Fig:a", "tbl:t", "eq:e", "sec:s", "Sec:s", "fig:none", "doe2020"]
_MODES = ["AuthorInText", "NormalCitation", "SuppressAuthor"]


def _cite(keys: list[tuple[str, str]]) -> dict[str, object]:
    citations = [
        {
            "citationId": key,
            "citationPrefix": [],
            "citationSuffix": [],
            "citationMode": {"t": mode},
            "citationNoteNum": 0,
            "citationHash": 0,
        }
        for key, mode in keys
    ]
    return {"t": "Cite", "c": [citations, [{"t": "Str", "c": "[...]"}]]}


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from(_MODES)), min_size=1),
        max_size=6,
    )
)
def test_every_crossref_cite_is_replaced_and_real_ones_kept(groups: list[list[Any]]) -> None:
    from presswork.crossref import is_crossref_key, resolve

    labels: list[dict[str, object]] = [
        {"t": "Header", "c": [1, ["sec:s", [], []], [{"t": "Str", "c": "Start"}]]},
        {"t": "Figure", "c": [["fig:a", [], []], [None, []], []]},
        {"t": "Figure", "c": [["fig:b", [], []], [None, [{"t": "Plain", "c": []}]], []]},
        {"t": "Table", "c": [["tbl:t", [], []], [None, []], [], [], [], []]},
        {
            "t": "Para",
            "c": [{"t": "Math", "c": [{"t": "DisplayMath"}, "x"]}, {"t": "Str", "c": "{#eq:e}."}],
        },
    ]
    para = {"t": "Para", "c": [_cite(group) for group in groups]}
    ast = {"meta": {}, "blocks": [*labels, {"t": "BlockQuote", "c": [para]}]}
    result = resolve(ast, "en", {})
    cites = [c for node in _walk(ast) if node.get("t") == "Cite" for c in node["c"][0]]
    assert not [c for c in cites if is_crossref_key(c["citationId"])]
    expected = sum(1 for group in groups for key, _ in group if key == "doe2020")
    assert len(cites) == expected
    assert set(result.undefined) <= {"fig:none"}
    assert ("fig:none" in result.undefined) == any(k == "fig:none" for g in groups for k, _ in g)
    assert [block["t"] for block in ast["blocks"][:5]] == [
        "Header",
        "Figure",
        "Figure",
        "Table",
        "Para",
    ]
    assert ast["blocks"][4]["c"][0]["c"][0] == ["eq:e", ["equation"], []]
    assert ast["blocks"][4]["c"][1] == {"t": "Str", "c": "."}


def _walk(node: Any) -> list[dict[str, Any]]:
    from presswork.ast import walk

    return list(walk(node))


LISTINGS = """\
See @lst:first, [@lst:second; @lst:first] and @Lst:second; @lst:plain is no listing.

```{#lst:first .python caption="First code"}
x = 1
```

```python
y = 2
```

: Second *code* {#lst:second}

```{#lst:plain .python}
z = 3
```
"""


def _listing_page(tmp_path: Path, metadata: str) -> str:
    root = tmp_path / "lst"
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text(metadata, encoding="utf-8")
    (root / "manuscript" / "01-code.md").write_text(LISTINGS, encoding="utf-8")
    build(root, format_names=["html"], style_names=["apa"])
    return (root / "build" / "apa" / "lst.html").read_text(encoding="utf-8")


def test_listings_are_numbered_and_referenced(tmp_path: Path) -> None:
    html = _listing_page(tmp_path, "title: Listings\ncodeBlockCaptions: true\n")
    text = _html_text(html)
    assert "See lst. 1, lsts. 1, 2 and Lst. 2; lst. ?? is no listing." in text
    assert "Listing 1: First code x = 1" in text and "Listing 2: Second code y = 2" in text
    assert '<div id="lst:first" class="listing python">' in html
    assert '<div id="lst:second" class="listing python">' in html
    assert "<em>code</em>" in html and "{#lst:second}" not in html
    assert '<a href="#lst:second" class="crossref"' in html


def test_table_style_listing_captions_need_code_block_captions(tmp_path: Path) -> None:
    text = _html_text(_listing_page(tmp_path, "title: Listings\n"))
    assert "Listing 1: First code" in text and "Listing 2" not in text
    assert ": Second code {#lst:second}" in text  # as pandoc-crossref leaves it


def _lint_project(root: Path, chapter: str) -> tuple[Path, list[tuple[str, int, int]]]:
    """A one-chapter project titled T, and its findings as (rule, line, column)."""
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    (root / "manuscript" / "01-t.md").write_text(chapter, encoding="utf-8")
    return root, _findings(root)


def _findings(root: Path) -> list[tuple[str, int, int]]:
    return [(f.rule, f.line, f.column) for f in run_lint(load(root), LintConfig())]


def test_lint_covers_listings(tmp_path: Path) -> None:
    text = 'See @lst:a and @lst:gone.\n\n```{#lst:a caption="A"}\nx\n```\n\n'
    text += "```\ny\n```\n\n: B {#lst:b}\n"
    root, findings = _lint_project(tmp_path / "lint", text)
    assert findings == [("crossref/undefined", 1, 16)]
    (root / "manuscript" / "metadata.yaml").write_text(
        "title: T\ncodeBlockCaptions: true\n", encoding="utf-8"
    )
    assert _findings(root) == [("crossref/undefined", 1, 16), ("crossref/unreferenced", 11, 6)]


def test_a_span_id_is_no_label(tmp_path: Path) -> None:
    text = '| a |\n|---|\n| 1 |\n\n: Data []{#tbl:data short-caption="D"}\n\nIn @tbl:data.\n'
    root, findings = _lint_project(tmp_path / "span", text)
    assert findings == [("crossref/undefined", 7, 4)]
    report = build(root, format_names=["html"], style_names=["apa"])
    assert [w.split(": cross")[0] for w in report.warnings] == ["manuscript/01-t.md:7:4"]


def test_a_tex_ref_counts_as_a_reference(tmp_path: Path) -> None:
    text = '```{.py caption="C" #lst:a}\nx\n```\n\n$$ x $$ {#eq:b}\n\nSee \\ref{lst:a}.\n'
    text += "`\\ref{eq:b}` is code.\n"
    _, findings = _lint_project(tmp_path / "tex", text)
    assert findings == [("crossref/unreferenced", 5, 10)]
