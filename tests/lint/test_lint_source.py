"""The Markdown source map: exact positions, and agreement with pandoc's own reading."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from presswork.lint.model import InlineNote, NoteDef
from presswork.lint.source import scan

CORPUS = Path(__file__).parent / "corpus"


def test_note_references_definitions_and_positions() -> None:
    doc = scan("a.md", "Text[^1] and more.[^long-label]\n\n[^1]: One.\n[^long-label]: Two.\n")
    assert [(r.label, doc.position(r.start)) for r in doc.note_refs] == [
        ("1", (1, 5)),
        ("long-label", (1, 19)),
    ]
    assert [(d.label, doc.position(d.start)) for d in doc.note_defs] == [
        ("1", (3, 1)),
        ("long-label", (4, 1)),
    ]
    assert doc.text[doc.note_defs[0].regions[0].start :].startswith(" One.")


def test_definition_continues_on_indented_paragraphs_and_lazy_lines() -> None:
    text = "A[^n].\n\n[^n]: First\nlazy line.\n\n    Second [@k].\n\nBody @b.\n"
    doc = scan("a.md", text)
    (note,) = doc.note_defs
    assert len(note.regions) == 2
    cites = {c.key: c.container for c in doc.citations}
    assert cites["k"] is note and cites["b"] is None


def test_a_definition_needs_a_new_block() -> None:
    doc = scan("a.md", "Text here[^a].\n[^a]: not a definition, a lazy line\n")
    assert doc.note_defs == []
    assert [r.label for r in doc.note_refs] == ["a", "a"]


def test_empty_definition_takes_the_next_block_like_pandoc() -> None:
    doc = scan("a.md", "A[^c].\n\n[^c]:\n\nswallowed here\n")
    (note,) = doc.note_defs
    assert note.swallowed is not None and doc.position(note.swallowed) == (5, 1)


def test_inline_notes_nest_and_hold_brackets() -> None:
    doc = scan("a.md", "x^[outer [b] ^[inner] @k, 3] y ^[unclosed [^r]\n")
    outer, inner = sorted(doc.inline_notes, key=lambda n: n.start)
    assert (doc.position(outer.start), doc.position(outer.end)) == ((1, 2), (1, 29))
    assert inner.container is outer and outer.container is None
    (cite,) = [c for c in doc.citations if c.key == "k"]
    assert cite.container is outer
    (ref,) = doc.note_refs
    assert ref.container is None  # the second `^[` never closes: it is text


@pytest.mark.parametrize(
    "text",
    [
        "`[^a] @b`",
        "``x `[^a]` @b``",
        "$x^[2] @b$",
        "$$@b [^a]$$",
        "<!-- [^a] @b -->",
        "\\[^a] \\@b",
        "mail a@b.org, (x@y)",
        "    [^a] @b code",
        "```\n[^a] @b\n```",
        "~~~~\n[^a]\n~~~\n@b\n~~~~",
    ],
)
def test_code_comments_math_escapes_and_mail_hide_notes_and_citations(text: str) -> None:
    doc = scan("a.md", text + "\n")
    assert doc.note_refs == [] and doc.citations == []


def test_unclosed_fence_and_comment_are_text_as_in_pandoc() -> None:
    doc = scan("a.md", "Para\n\n```\n@a [^b]\n\n<!-- @c\n")
    assert [c.key for c in doc.citations] == ["a", "c"]
    assert [r.label for r in doc.note_refs] == ["b"]


def test_citation_groups_locators_and_modes() -> None:
    doc = scan("a.md", "[see @a, pp. 33-35; @b, 12] and [-@c] and @d [p. 5] and @{e.f}.\n")
    found = [(c.key, c.locator, c.in_text, doc.position(c.start)) for c in doc.citations]
    assert found == [
        ("a", "pp. 33-35", False, (1, 6)),
        ("b", "12", False, (1, 21)),
        ("c", "", False, (1, 35)),
        ("d", "p. 5", True, (1, 43)),
        ("e.f", "", True, (1, 57)),
    ]
    a, b = doc.citations[:2]
    assert a.group == b.group and doc.position(b.locator_start) == (1, 25)


def test_list_items_keep_code_and_paragraphs_apart() -> None:
    doc = scan("a.md", "- item @a\n\n  more @b\n\n      code @c\n")
    assert [c.key for c in doc.citations] == ["a", "b"]


def test_masked_views_keep_offsets() -> None:
    text = "A `code 1968` and [@k, 1975] and 30 February.\n"
    doc = scan("a.md", text)
    assert len(doc.prose) == len(doc.code_masked) == len(text)
    assert "1968" not in doc.code_masked and "1975" not in doc.prose
    assert doc.prose.index("30 February") == text.index("30 February")


def test_suppression_comments() -> None:
    text = "<!-- presswork: ignore date/weekday, doi -->\nx <!-- presswork: ignore -->\n"
    doc = scan("a.md", text)
    assert [s.rules for s in doc.suppressions] == [("date/weekday", "doi"), None]


def test_front_matter_is_masked() -> None:
    doc = scan("a.md", "---\ntitle: x @a\n---\n\nBody @b.\n")
    assert [c.key for c in doc.citations] == ["b"]


# ---- agreement with pandoc ------------------------------------------------------------------


def _pandoc() -> str | None:
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        return None


def _pandoc_facts(pandoc: str, text: str) -> tuple[Counter[str], int]:
    result = subprocess.run(
        [pandoc, "--from", "markdown", "--to", "json"],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    cites: Counter[str] = Counter()
    notes = 0
    stack: list[Any] = [json.loads(result.stdout)["blocks"]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Cite":
                cites.update(c["citationId"] for c in item["c"][0])
            notes += item.get("t") == "Note"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return cites, notes


def _my_facts(text: str) -> tuple[Counter[str], int]:
    doc = scan("all.md", text)
    defs: dict[str, NoteDef] = {n.label: n for n in doc.note_defs}
    cites: Counter[str] = Counter()
    notes = 0

    def owner(container: object) -> object:
        while isinstance(container, InlineNote):
            container = container.container
        return container

    # pandoc copies a note's content to every reference: count what each reference shows
    shown: Counter[int] = Counter()
    for ref in doc.note_refs:
        if ref.container is None and ref.label in defs:
            shown[id(defs[ref.label])] += 1
            notes += 1
    for note in doc.inline_notes:
        top = owner(note.container)
        notes += shown[id(top)] if isinstance(top, NoteDef) else 1
    for cite in doc.citations:
        top = owner(cite.container)
        cites[cite.key] += shown[id(top)] if isinstance(top, NoteDef) else 1
    return cites, notes


@pytest.mark.skipif(_pandoc() is None, reason="pandoc (pypandoc-binary) is not installed")
def test_same_citations_and_notes_as_pandoc_on_the_corpus() -> None:
    pandoc = _pandoc()
    assert pandoc is not None
    for case in sorted(CORPUS.iterdir()):
        chapters = sorted((case / "manuscript").glob("*.md"))
        text = "\n\n".join(p.read_text("utf-8") for p in chapters)
        assert _my_facts(text) == _pandoc_facts(pandoc, text), case.name


# ---- every Pandoc Markdown construct: (text, citations and note references with positions) --

CONSTRUCTS = {
    "definition list, indented paragraphs": (
        "Term\n:   Def [@a].\n\n    Second @b.[^n]\n\n[^n]: N.\n",
        [("a", 2, 10), ("b", 4, 12)],
        [("n", 4, 15)],
    ),
    "definition after a blank line, narrow marker": (
        "Term\n\n: Def\n\n  second @a\n\n      code @b\n",
        [("a", 5, 10)],
        [],
    ),
    "compact definitions with ~": ("Term\n~ one @a\n~ two @b\n", [("a", 2, 7), ("b", 3, 7)], []),
    "line block": (
        "| The line @a\n|    goes on [^n]\n\n[^n]: N.\n",
        [("a", 1, 12)],
        [("n", 2, 14)],
    ),
    "pipe table": (
        "| a | b |\n|---|---|\n| [@a] | x[^n] |\n\n[^n]: N.\n",
        [("a", 3, 4)],
        [("n", 3, 11)],
    ),
    "grid table": (
        "+----+----+\n| a  | b  |\n+====+====+\n| @a | x  |\n+----+----+\n",
        [("a", 4, 3)],
        [],
    ),
    "simple table": ("  Right  Left\n-------  ----\n     @a  x\n", [("a", 3, 6)], []),
    "multiline table, rows of four spaces": (
        "----------- -------\n   First    row @a\n\n      Second  @b\n----------- -------\n",
        [("a", 2, 17), ("b", 4, 15)],
        [],
    ),
    "fenced divs, nested, a note defined inside": (
        "::: {.box}\n[^n]: N @a.\n\n::: inner\nx[^n] @b\n:::\n:::\n\n    code @c\n",
        [("a", 2, 9), ("b", 5, 7)],
        [("n", 5, 2)],
    ),
    "a div closes inside a paragraph": ("::: box\ntext\n:::\n    code @a\n", [], []),
    "bracketed span": ("A [span @a]{.smallcaps} here.\n", [("a", 1, 9)], []),
    "example lists and their references": (
        "(@ex) An example @a.\n\nAs (@ex) shows, and (@b) cites.\n@. Another.\n",
        [("a", 1, 18), ("b", 3, 22)],
        [],
    ),
    "an example list inside a definition": (
        "Term\n:   (@ex) An example @a.\n\nAs (@ex) shows.\n",
        [("a", 2, 22)],
        [],
    ),
    "wide list markers go on at four spaces": (
        "(@ex) item\n\n    more @b\n\n        code @c\n\n10. ten\n\n    more @d\n",
        [("b", 3, 10), ("d", 9, 10)],
        [],
    ),
    "text after the first --> of a comment": (
        "<!--\nx\n\n<!-- @z [^n] --> @a\n-->\n",
        [("a", 4, 18)],
        [],
    ),
    "an example list inside a list item": ("- (@ex) one\n\nAs (@ex) says.\n", [], []),
    "a comment over a blank line in a note": (
        "x[^n]\n\n[^n]: a <!-- x @c\n\n    y @d --> b @e\n",
        [("e", 5, 16)],
        [("n", 1, 2)],
    ),
    "a list item ends before a comment closes": (
        "- a <!-- x @c\n\nnot in the item @d -->\n",
        [("c", 1, 12), ("d", 3, 17)],
        [],
    ),
    "a comment block, then an example list": ("<!-- c --> (@ex) one\n\nAs (@ex) says.\n", [], []),
    "raw blocks": ("```{=html}\n<p>@a [^n]</p>\n```\n\n```{=latex}\n\\cite{@b}\n```\n", [], []),
    "a comment over a blank line in a paragraph": (
        "Text <!-- a\n\n@a [^n] --> and @b.\n",
        [("b", 3, 17)],
        [],
    ),
    "a comment in a definition": ("Term\n:   x <!-- @a\n    @b --> @c\n", [("c", 3, 12)], []),
}


@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_constructs_positions(name: str) -> None:
    text, cites, refs = CONSTRUCTS[name]
    doc = scan("a.md", text)
    assert [(c.key, *doc.position(c.start)) for c in doc.citations] == cites
    assert [(r.label, *doc.position(r.start)) for r in doc.note_refs] == refs


@pytest.mark.skipif(_pandoc() is None, reason="pandoc (pypandoc-binary) is not installed")
@pytest.mark.parametrize("name", list(CONSTRUCTS))
def test_constructs_as_pandoc_reads_them(name: str) -> None:
    text = CONSTRUCTS[name][0]
    pandoc = _pandoc()
    assert pandoc is not None
    assert _my_facts(text) == _pandoc_facts(pandoc, text)


def test_many_rules_that_open_no_table_then_a_table() -> None:
    # Each `---` before text might open a multiline table; none closes, so all are text, and
    # the table at the end (rows of six spaces) is still a table. The search for a table's
    # end is shared between openers, so this is one pass, not 20,000.
    table = "\n\n----------- ----\n   a        b\n\n      @t    c\n----------- ----\n"
    doc = scan("a.md", "text\n\n" + "---\ntext @a\n" * 20_000 + table)
    assert len(doc.citations) == 20_001 and doc.citations[-1].key == "t"
