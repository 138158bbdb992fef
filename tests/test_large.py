"""Large and deep inputs: they build, or stop with a clear limit error, never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from presswork.cli import main


def deep_project(root: Path, depth: int) -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text("title: Deep\nlang: en-US\n")
    lines = ["    " * level + f"- level {level}" for level in range(depth)]
    (root / "manuscript" / "01-deep.md").write_text("\n".join(lines) + "\n")
    return root


def test_lists_nested_200_deep_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = deep_project(tmp_path / "paper", 200)
    limit = sys.getrecursionlimit()
    assert main(["build", str(root), "-f", "html,epub", "-s", "apa"]) == 0, capsys.readouterr().err
    html = (root / "build" / "apa" / "paper.html").read_text()
    assert "level 199" in html and html.count("<ul>") == 200
    assert sys.getrecursionlimit() == limit  # raised for the build only


def test_lint_of_lists_nested_200_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = deep_project(tmp_path / "paper", 200)
    assert main(["lint", str(root)]) == 0
    assert "no findings" in capsys.readouterr().out


def cited_project(root: Path, works: int, style: str, limit: int, nocite: bool = False) -> Path:
    """`works` references, each cited on its own line; the limit set in presswork.toml."""
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    meta = "title: Many works\nlang: en-US\n" + ("nocite: '@*'\n" if nocite else "")
    (root / "manuscript" / "metadata.yaml").write_text(meta)
    cited = range(1 if nocite else works)
    text = "".join(f"Claim {n} [@work{n}].\n\n" for n in cited)
    (root / "manuscript" / "01-text.md").write_text("# Works\n\n" + text)
    (root / "references" / "works.bib").write_text(
        "".join(
            f"@book{{work{n},\n  author = {{Family{n}, Given}},\n  title = {{Book {n}}},\n"
            f"  publisher = {{Press}},\n  year = {{{1950 + n}}}\n}}\n"
            for n in range(works)
        )
    )
    (root / "presswork.toml").write_text(
        f'formats = ["html"]\nstyles = ["{style}"]\nmax-cited-works = {limit}\n'
    )
    return root


def test_styles_that_compare_every_name_are_known() -> None:
    from presswork import styles

    def compares(name: str) -> bool:
        return styles.resolve(name, Path(".")).compares_all_names

    # Given-name disambiguation with a global rule: pandoc's citeproc is quadratic there.
    assert compares("apa") and compares("chicago-author-date")
    # by-cite (the CSL default), none, or numeric: linear.
    assert not compares("chicago-notes-bibliography")
    assert not compares("modern-language-association")
    assert not compares("ieee")


def test_too_many_cited_works_stop_before_pandoc_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = cited_project(tmp_path / "paper", 5, "apa", limit=3)
    (root / "build").mkdir()
    (root / "build" / "old.html").write_text("kept")
    assert main(["build", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    # The fourth distinct work is the first over the limit: its citation is on line 9.
    assert "manuscript/01-text.md:9:10: 5 distinct works cited" in err
    assert "limit of 3 (max-cited-works) for 'apa'" in err
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != ".lock") == ["old.html"]
    assert (root / "build" / "old.html").read_text() == "kept"


def test_nocite_everything_counts_every_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = cited_project(tmp_path / "paper", 5, "chicago-author-date", limit=4, nocite=True)
    assert main(["build", str(root)]) == 2
    err = capsys.readouterr().err
    assert "manuscript/metadata.yaml: 5 distinct works cited" in err


def test_the_limit_does_not_apply_to_linear_styles_or_up_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = cited_project(tmp_path / "notes", 5, "chicago-notes-bibliography", limit=3)
    assert main(["build", str(notes)]) == 0, capsys.readouterr().err
    html = (notes / "build" / "chicago-notes-bibliography" / "notes.html").read_text()
    assert "Book 4" in html
    at_limit = cited_project(tmp_path / "apa", 3, "apa", limit=3)
    assert main(["build", str(at_limit)]) == 0, capsys.readouterr().err
    assert "Family2" in (at_limit / "build" / "apa" / "apa.html").read_text()


@pytest.mark.parametrize("value", ['"many"', "0", "true", "2.5"])
def test_max_cited_works_must_be_a_positive_whole_number(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = cited_project(tmp_path / "paper", 1, "apa", limit=1)
    toml = (
        (root / "presswork.toml")
        .read_text()
        .replace("max-cited-works = 1", f"max-cited-works = {value}")
    )
    (root / "presswork.toml").write_text(toml)
    assert main(["build", str(root)]) == 2
    err = capsys.readouterr().err
    assert "presswork.toml: setting 'max-cited-works' must be a whole number of at least 1" in err


def small_project(root: Path, chapter: str, metadata: str = "title: Brackets\n") -> Path:
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "metadata.yaml").write_text(metadata)
    (root / "manuscript" / "01-text.md").write_text(chapter)
    return root


def test_brackets_nested_past_pandocs_limit_stop_before_pandoc(tmp_path: Path) -> None:
    """Twenty `[` would keep pandoc busy for hours (jgm/pandoc#1735): one line, exit 2."""
    import subprocess

    chapter = (
        "# Notes\n\nFine [a [b [c]]] and `[[[[[[[[[[ code ]]]]]]]]]]`.\n\nBad " + "[" * 20 + "\n"
    )
    root = small_project(tmp_path / "paper", chapter)
    (root / "build").mkdir()
    (root / "build" / "old.html").write_text("kept")
    done = subprocess.run(
        [sys.executable, "-m", "presswork", "build", str(root), "-f", "html", "-s", "apa"],
        capture_output=True,
        text=True,
        timeout=120,  # without the guard pandoc would still be reading the line
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "presswork: error: manuscript/01-text.md:5:11: 7 square brackets open at once"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert (root / "build" / "old.html").read_text() == "kept"
    from presswork.lint import LintConfig, run_lint
    from presswork.project import load

    findings = run_lint(load(root), LintConfig(select=("safety/nested-brackets",)))
    assert [(f.file, f.line, f.column) for f in findings] == [("manuscript/01-text.md", 5, 11)]


def test_six_levels_escapes_code_and_math_are_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chapter = (
        "Six [1 [2 [3 [4 [5 [6]]]]]] levels; escaped \\[\\[\\[\\[\\[\\[\\[\\[;"
        " math $[[[[[[[[x]]]]]]]]$; code `[[[[[[[[`.\n"
    )
    root = small_project(tmp_path / "paper", chapter)
    assert main(["build", str(root), "-f", "html", "-s", "apa"]) == 0, capsys.readouterr().err
    assert "[[[[[[[[" in (root / "build" / "apa" / "paper.html").read_text()


def test_a_pandoc_run_past_pandoc_timeout_is_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever else pandoc stalls on (here brackets in the metadata) ends at the timeout."""
    root = small_project(tmp_path / "paper", "Text.\n", 'title: "' + "[" * 22 + 'x"\n')
    (root / "presswork.toml").write_text("pandoc-timeout = 2\n")
    assert main(["build", str(root), "-f", "html", "-s", "apa"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("presswork: error: pandoc did not finish in 2 s (pandoc-timeout)")
    assert len(err.strip().splitlines()) == 1
    from presswork import pandoc

    assert not pandoc._running
    pandoc.set_timeout(300)
