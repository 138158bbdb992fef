"""BibTeX as forgiving as pandoc, and better: comments, duplicates, cross-file macros, breakage."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import html_entries
from presswork import pandoc, styles
from presswork.cli import main
from presswork.lint import LintConfig, run_lint
from presswork.project import load

STYLE = "chicago-author-date"

FORGIVING = """% A comment line quoting @misc{fake, title={Not an entry}}
@comment{this is ignored}
@preamble{"\\newcommand{\\noop}[1]{}"}
@article{dup,
  author = {Doe, Jane},
  title = {First Title},
  title = {Second Title},
  journal = {Journal},
  year = {2001},
  month = ""
}
@book{good, author = {Good, Gail}, title = {Fine}, year = {2010}}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def entries(root: Path) -> list[str]:
    return html_entries((root / "build" / STYLE / f"{root.name}.html").read_text("utf-8"))


def plain_pandoc(root: Path) -> list[str]:
    """Plain `pandoc --citeproc` on the same chapters and .bib files (from the project root)."""
    csl = styles.resolve(STYLE, root).path
    args = [pandoc.executable(), "--citeproc", "-t", "html", "--csl", str(csl)]
    for bib in sorted((root / "references").glob("*.bib")):
        args += ["--bibliography", str(bib)]
    args += sorted(str(p) for p in (root / "manuscript").glob("*.md"))
    run = subprocess.run(args, capture_output=True, cwd=root, text=True)
    return html_entries(run.stdout) if run.returncode == 0 else [f"pandoc failed: {run.stderr}"]


def build(root: Path, *args: str) -> int:
    return main(["build", str(root), "--format", "html", "--style", STYLE, *args])


def test_comments_preamble_duplicate_fields_and_empty_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\nSee [@dup; @good].\n",
            "references/works.bib": FORGIVING,
        },
    )
    assert build(root, "--strict") == 0
    assert entries(root) == plain_pandoc(root)  # pandoc reads this file right
    assert entries(root) == ["Doe, Jane. 2001. “Second Title.” Journal.", "Good, Gail. 2010. Fine."]
    proj = load(root)
    assert [r.id for r in proj.references] == ["dup", "good"]  # no "fake" from the comment
    assert proj.references[0].get("title") == "Second Title"  # the value pandoc keeps
    findings = run_lint(proj, LintConfig())
    assert [(f.rule, f.file, f.line, f.column) for f in findings] == [
        ("bibtex/duplicate-field", "references/works.bib", 6, 3)
    ]
    assert "line 6 and again on line 7; pandoc uses line 7" in findings[0].message


def test_a_broken_entry_is_a_warning_and_the_rest_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = (
        "@book{good, author = {Good, Gail}, title = {Fine}, year = {2010}}\n"
        "@book{broken,\n  author = {Broken, Bo},\n  title = {Oops\n  year = 2000,\n}\n"
        "@book{after, author = {After, Al}, title = {Later}, year = {2011}}\n"
    )
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\nSee [@good; @after].\n",
            "references/works.bib": bib,
        },
    )
    assert plain_pandoc(root)[0].startswith("pandoc failed")  # pandoc alone refuses the file
    assert build(root) == 0
    err = capsys.readouterr().err
    assert (
        "warning: references/works.bib:7: BibTeX syntax error in the entry starting on line 2"
        in err
    )
    assert entries(root) == ["After, Al. 2011. Later.", "Good, Gail. 2010. Fine."]
    assert not (root / "build" / ".bibliography.bib").exists()  # only while pandoc reads it
    findings = run_lint(load(root), LintConfig())
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("bibtex/broken-entry", "references/works.bib", 2)
    ]
    assert build(root, "--strict", "--force") == 2


def test_strings_and_crossref_parents_resolve_across_files(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\nSee [@child; @chapter].\n",
            "references/a.bib": (
                '@string{jcws = "Journal of Cold War Studies"}\n'
                "@book{volume, editor = {Editor, Eve}, title = {The Big Volume},\n"
                "  publisher = {Press}, year = {1999}}\n"
            ),
            "references/b.bib": (
                "@article{child, author = {Child, Cy}, title = {Small}, journal = jcws,"
                " year = {2000}}\n"
                "@incollection{chapter, author = {Kid, Kim}, title = {Part},"
                " crossref = {volume}}\n"
            ),
        },
    )
    garbled = plain_pandoc(root)
    assert any("Jcws" in entry for entry in garbled)  # pandoc alone loses the macro
    assert build(root, "--strict") == 0
    ours = entries(root)
    assert ours == [
        "Child, Cy. 2000. “Small.” Journal of Cold War Studies.",
        # pandoc's own crossref inheritance, as when parent and child share a file
        "Kid, Kim. 1999. Part. Edited by Eve Editor. Press.",
    ]
    assert run_lint(load(root), LintConfig()) == []  # the parent counts as used


def test_files_pandoc_reads_right_are_passed_as_they_are(tmp_path: Path) -> None:
    from presswork.bibinput import resolved_bibtex

    assert resolved_bibtex([("references/works.bib", FORGIVING)]) is None
    two = [("a.bib", '@string{j = "J"}\n'), ("b.bib", "@article{x, journal = j, title={T}}\n")]
    text = resolved_bibtex(two)
    assert text is not None and text.index('@string{j = "J"}') < text.index("@article{x")
