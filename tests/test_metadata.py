"""Metadata as pandoc reads it: metadata.yaml optional, YAML blocks in chapters, merged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from presswork import pandoc
from presswork.ast import walk
from presswork.build import _markdown
from presswork.cli import main
from presswork.errors import InputError
from presswork.lint import LintConfig, run_lint
from presswork.project import load


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def plain(value: object) -> str:
    """A pandoc metadata value as plain text."""
    words = []
    for item in walk(value):
        if item.get("t") == "Str":
            words.append(item["c"])
        elif item.get("t") == "Space":
            words.append(" ")
    return "".join(words)


def pandoc_meta(root: Path) -> dict[str, str]:
    """What plain pandoc makes of the same files: --metadata-file and the chapters in order."""
    args = [pandoc.executable(), "-f", "markdown", "-t", "json"]
    meta_file = root / "manuscript" / "metadata.yaml"
    if meta_file.is_file():
        args += ["--metadata-file", str(meta_file)]
    args += [str(p) for p in sorted((root / "manuscript").glob("*.md"))]
    out = subprocess.run(args, capture_output=True, check=True).stdout
    meta = json.loads(out)["meta"]
    return {key: plain(value) for key, value in meta.items()}


MIXED = {
    "manuscript/metadata.yaml": "---\ntitle: From the file\nlang: en-GB\nkeywords: [a]\n...\n",
    "manuscript/01-a.md": (
        "---\ntitle: From the front matter\nauthor: Ann Writer\n---\n\n# One\n\nText.\n"
    ),
    "manuscript/02-b.md": (
        "More.\n\n```\n---\ntitle: In code, not metadata\n---\n```\n\n"
        "---\n\ndate: not a block (blank line after the opening)\n\n"
        "---\nabstract: A later block.\ndate: January 2015\n...\n\nEnd.\n"
    ),
}


def test_blocks_merge_as_pandoc_merges_them(tmp_path: Path) -> None:
    root = write(tmp_path / "p", MIXED)
    proj = load(root)
    ours = {
        key: str(value) if not isinstance(value, list) else " ".join(value)
        for key, value in proj.metadata.items()
    }
    theirs = pandoc_meta(root)
    assert ours == {
        "title": "From the front matter",  # the document overrides --metadata-file
        "lang": "en-GB",
        "keywords": "a",
        "author": "Ann Writer",
        "abstract": "A later block.",
        "date": "January 2015",
    }
    assert {k: v.replace(" ", "") for k, v in ours.items()} == {
        k: v.replace(" ", "") for k, v in theirs.items()
    }
    assert proj.metadata_sources.where("title") == ("manuscript/01-a.md", 2)
    assert proj.metadata_sources.where("lang") == ("manuscript/metadata.yaml", 3)
    assert proj.metadata_sources.where("date") == ("manuscript/02-b.md", 15)


def test_a_later_block_overrides_an_earlier_one(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: First\n---\n\nText.\n",
            "manuscript/02.md": "---\ntitle: Second\n---\n\nMore.\n",
        },
    )
    assert load(root).metadata["title"] == "Second" == pandoc_meta(root)["title"]


def test_the_build_reads_what_pandoc_reads(tmp_path: Path) -> None:
    root = write(tmp_path / "p", MIXED)
    proj = load(root)
    ours = pandoc.parse_markdown(_markdown(proj), proj.root)
    args = [pandoc.executable(), "-f", "markdown", "-t", "json"]
    args += ["--metadata-file", str(root / "manuscript" / "metadata.yaml")]
    args += [str(p) for p in sorted((root / "manuscript").glob("*.md"))]
    theirs = json.loads(subprocess.run(args, capture_output=True, check=True).stdout)
    assert ours["meta"] == theirs["meta"]
    assert ours["blocks"] == theirs["blocks"]


def test_front_matter_alone_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write(
        tmp_path / "p",
        {"manuscript/01.md": "---\ntitle: Only Front Matter\ndate: May 04, 2022\n---\n\nText.\n"},
    )
    assert main(["build", str(root), "--format", "html", "--style", "apa"]) == 0
    html = (root / "build" / "apa" / "p.html").read_text("utf-8")
    assert "<title>Only Front Matter</title>" in html
    assert "May 4, 2022" in html  # the title block's date, from a non-ISO form
    assert 'content="2022/05/04"' in html  # citation_publication_date for the indexers


def test_missing_title_is_a_warning_and_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path / "p", {"manuscript/01.md": "Just text.\n"})
    assert main(["build", str(root), "--format", "html", "--style", "apa"]) == 0
    assert "warning: manuscript/01.md: the metadata has no 'title'" in capsys.readouterr().err
    assert (root / "build" / "apa" / "p.html").is_file()
    args = ["build", str(root), "--format", "html", "--style", "apa", "--strict", "--force"]
    assert main(args) == 2
    assert "manuscript/01.md: the metadata has no 'title'" in capsys.readouterr().err
    findings = run_lint(load(root), LintConfig())
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("metadata/missing-title", "manuscript/01.md", 1)
    ]


def test_an_empty_metadata_file_is_no_error(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {"manuscript/metadata.yaml": "", "manuscript/01.md": "---\ntitle: T\n---\n\nText.\n"},
    )
    assert load(root).metadata == {"title": "T"}


def test_broken_yaml_in_a_chapter_names_file_and_line(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {"manuscript/01.md": "Text.\n\n---\ntitle: [unclosed\nlang: en\n---\n\nMore.\n"},
    )
    with pytest.raises(InputError) as caught:
        load(root)
    assert str(caught.value).startswith("manuscript/01.md:5:")
    assert "invalid YAML" in str(caught.value)


def test_a_wrong_type_is_a_warning_where_pandoc_takes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/metadata.yaml": "title: T\nauthor: Fine\nkeywords: a, b\n",
            "manuscript/01.md": "Text.\n\n---\nauthor: 5\ndate: {year: 2020}\n---\n",
        },
    )
    proj = load(root)  # pandoc takes any YAML: no refusal
    assert [str(p) for p in proj.problems] == [
        "manuscript/01.md:4: 'author' must be text, a list of names, or entries with a 'name'",
        "manuscript/01.md:5: 'date' must be text, not a dict",
    ]
    findings = run_lint(proj, LintConfig())
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("metadata/unexpected-type", "manuscript/01.md", 4),
        ("metadata/unexpected-type", "manuscript/01.md", 5),
    ]
    assert main(["build", str(root), "--format", "html,epub", "--style", "apa"]) == 0
    assert "warning: manuscript/01.md:4: 'author' must be text" in capsys.readouterr().err


def test_lint_locates_metadata_keys_in_chapter_blocks(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\nnocite: |\n  @ghost\n---\n\nText.\n",
            "references/refs.bib": "@book{real, title = {R}, author = {A, B}, year = {2000}}\n",
        },
    )
    findings = run_lint(load(root), LintConfig(select=("citation/undefined",)))
    assert [(f.file, f.line, f.column) for f in findings] == [("manuscript/01.md", 4, 3)]


def test_an_empty_metadata_file_adds_nothing_to_the_document(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/metadata.yaml": "# nothing yet\n",
            "manuscript/01.md": "---\ntitle: T\n---\n\nText.\n",
        },
    )
    proj = load(root)
    ast = pandoc.parse_markdown(_markdown(proj), proj.root)
    assert [block["t"] for block in ast["blocks"]] == ["Para"]
    assert plain(ast["meta"]["title"]) == "T"


@pytest.mark.parametrize(
    ("written", "iso", "words"),
    [
        ("2015-01", "2015-01", "January 2015"),
        ("January 2015", "2015-01", "January 2015"),
        ("May 04, 2022", "2022-05-04", "May 4, 2022"),
        ("2022-05-04", "2022-05-04", "May 4, 2022"),
        ("4 May 2022", "2022-05-04", "May 4, 2022"),
    ],
)
def test_a_date_in_any_form_pandoc_accepts_reaches_every_output(
    tmp_path: Path, written: str, iso: str, words: str
) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": (
                f"---\ntitle: Dated\nauthor: Ann Writer\ndate: '{written}'\n---\n\nText.\n"
            )
        },
    )
    style = "chicago-notes-bibliography"
    assert main(["build", str(root), "--format", "html", "--style", style]) == 0
    html = (root / "build" / style / "p.html").read_text("utf-8")
    assert words in html  # the title block
    assert f'<meta property="article:published_time" content="{iso}">' in html
    assert f'"datePublished": "{iso}"' in html
    cite = html[html.index('id="cite-this"') :]
    cite = cite[: cite.index("</section>")]
    assert "n.d." not in cite and iso[:4] in cite
    assert "Edition" not in cite  # citeproc-py printed the label of an absent edition


def test_no_stray_edition_in_chicago_without_a_journal() -> None:
    from presswork import styles
    from presswork.meta.cite import render_entries
    from presswork.meta.paper import Paper

    paper = Paper(title="A Title", authors=("Ann Writer",), date="2022-05-04")
    for name in ("chicago-author-date", "chicago-notes-bibliography"):
        style = styles.resolve(name, Path("."), "styles")
        entries, skipped = render_entries(paper, [(name, style.path)])
        assert skipped == [] and "Edition" not in entries[0][1] and "2022" in entries[0][1]
    # A real edition keeps its label.
    from presswork.meta.cite import _render

    item = {"id": "this-article", "type": "book", "title": "T", "edition": "2"}
    style = styles.resolve("chicago-notes-bibliography", Path("."), "styles")
    assert "2nd ed." in _render(json.dumps(item), str(style.path))


def test_a_worded_date_reaches_the_pdf_and_epub_title_blocks(tmp_path: Path) -> None:
    from helpers import epub_files, pdf_text

    root = write(
        tmp_path / "p",
        {"manuscript/01.md": "---\ntitle: Dated\ndate: 'May 04, 2022'\n---\n\nText.\n"},
    )
    assert main(["build", str(root), "--format", "pdf,epub", "--style", "apa"]) == 0
    assert "May 4, 2022" in pdf_text(root / "build" / "apa" / "p.pdf")
    files = epub_files(root / "build" / "apa" / "p.epub")
    title_page = b"".join(data for name, data in files.items() if name.endswith(".xhtml"))
    assert b"May 4, 2022" in title_page


def test_an_empty_chapter_or_reference_file_is_read_as_nothing(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\nText.\n",
            "manuscript/02-later.md": "\n",
            "references/empty.bib": "",
        },
    )
    proj = load(root)
    assert [c.path for c in proj.chapters] == ["manuscript/01.md", "manuscript/02-later.md"]
    assert proj.reference_files == [] and proj.references == []
    assert main(["build", str(root), "--format", "html", "--style", "apa", "--strict"]) == 0
    (root / "manuscript" / "01.md").write_text("  \n")
    with pytest.raises(InputError, match="file is empty"):
        load(root)


def test_blocks_know_their_span_for_the_linter_to_mask() -> None:
    from presswork.metadata import chapter_blocks

    text = "Text.\n\n---\ntitle: T\n...\n\nMore.\n"
    (block,) = chapter_blocks("manuscript/01.md", text)
    assert text[block.span[0] : block.span[1]] == "---\ntitle: T\n...\n"
    assert block.line == 3 and block.key_line("title") == 4


def test_a_pandoc_title_block_is_the_title_as_pandoc_reads_it(tmp_path: Path) -> None:
    from presswork.lint import run_lint
    from presswork.project import load

    root = tmp_path / "p"
    (root / "manuscript").mkdir(parents=True)
    chapter = "% A Title\n  continued\n% Ann One; Bob Two\n  Cy Three\n%\n\nText.\n"
    (root / "manuscript" / "01.md").write_text(chapter, encoding="utf-8")
    (root / "manuscript" / "02.md").write_text("% Not a title\n\nMore.\n", encoding="utf-8")
    project = load(root)
    assert project.metadata == {
        "title": "A Title continued",
        "author": ["Ann One", "Bob Two", "Cy Three"],
    }
    assert not project.title_missing
    assert [f.rule for f in run_lint(project) if f.rule.startswith("metadata/")] == []
    (root / "manuscript" / "01.md").write_text("Text.\n", encoding="utf-8")
    assert load(root).title_missing  # the second chapter's % line is only text
