"""References as pandoc reads them: bibliography:, references:, csl:, nocite and friends."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers import html_entries
from presswork import pandoc
from presswork.cli import main
from presswork.lint import LintConfig, run_lint
from presswork.project import load

BIB = (
    "@book{keller2004,\n  author = {Keller, Anna},\n  title = {Border Nights},\n"
    "  publisher = {Vltava},\n  year = {2004}\n}\n"
    "@article{novak1999,\n  author = {Novak, Jan},\n  title = {Tanks at Dawn},\n"
    "  journal = {Studies},\n  year = {1999}\n}\n"
)
INLINE = (
    "references:\n- id: doe2001\n  type: book\n  title: Inline Work\n"
    "  author:\n  - family: Doe\n    given: Jane\n  issued: 2001\n"
)


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def build(root: Path, *args: str) -> int:
    return main(["build", str(root), "--format", "html", *args])


def page(root: Path, style: str = "apa") -> str:
    return (root / "build" / style / f"{root.name}.html").read_text("utf-8")


def headings(html: str) -> list[str]:
    """The manuscript's headings (not those of the "Cite this article" block)."""
    html = html.split('id="cite-this"')[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[1-6][^>]*>(.*?)</h", html)]


def plain_pandoc(root: Path, *extra: str) -> str:
    """Plain `pandoc --citeproc` run from the project root on the same chapters."""
    chapters = sorted(str(p) for p in (root / "manuscript").glob("*.md"))
    args = [pandoc.executable(), "--citeproc", "-t", "html", "--csl", "apa.csl", *extra]
    return subprocess.run(
        [*args, *chapters], capture_output=True, check=True, cwd=root, text=True
    ).stdout


@pytest.fixture
def apa_csl(tmp_path: Path) -> Path:
    from presswork import styles

    return styles.resolve("apa", tmp_path).path


def test_inline_references_are_cited_like_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], apa_csl: Path
) -> None:
    root = write(
        tmp_path / "p",
        {"manuscript/01.md": f"---\ntitle: T\n{INLINE}---\n\nAs shown [@doe2001].\n"},
    )
    assert build(root, "--style", "apa") == 0
    assert "not in the references" not in capsys.readouterr().err
    (root / "apa.csl").write_bytes(apa_csl.read_bytes())
    assert html_entries(page(root)) == html_entries(plain_pandoc(root))
    assert html_entries(page(root)) == ["Doe, J. (2001). Inline Work."]
    findings = run_lint(load(root), LintConfig())
    assert [f.rule for f in findings] == []


def test_metadata_bibliography_inside_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], apa_csl: Path
) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": (
                "---\ntitle: T\nbibliography: [bib/works.bib, ../secret.bib, /etc/x.bib]\n---\n\n"
                "First [@keller2004], then [@novak1999].\n"
            ),
            "bib/works.bib": BIB,
        },
    )
    (tmp_path / "secret.bib").write_text(BIB.replace("keller2004", "leak"))
    assert build(root, "--style", "apa") == 0
    err = capsys.readouterr().err
    assert (
        "manuscript/01.md:3:31: metadata 'bibliography: ../secret.bib' ignored: outside the project"
        in err
    )
    assert "leak" not in page(root)
    assert "not in the references" not in err
    (root / "apa.csl").write_bytes(apa_csl.read_bytes())
    ours = html_entries(page(root))
    assert ours == html_entries(plain_pandoc(root, "--bibliography", "bib/works.bib"))
    assert [e.split(".")[0] for e in ours] == ["Keller, A", "Novak, J"]
    proj = load(root)
    assert [f.path for f in proj.reference_files] == ["bib/works.bib"]
    assert build(root, "--style", "apa", "--strict", "--force") == 2


def test_a_missing_bibliography_file_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(
        tmp_path / "p",
        {"manuscript/01.md": "---\ntitle: T\nbibliography: gone.bib\n---\n\nText.\n"},
    )
    assert build(root, "--style", "apa") == 0
    assert (
        "warning: manuscript/01.md:3: metadata 'bibliography: gone.bib' ignored: file not found"
        in capsys.readouterr().err
    )
    findings = run_lint(load(root), LintConfig())
    assert [(f.rule, f.file, f.line) for f in findings] == [
        ("metadata/bibliography-missing", "manuscript/01.md", 3)
    ]


def test_bibliography_relative_to_the_manuscript_folder(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\nbibliography: works.bib\n---\n\n[@novak1999]\n",
            "manuscript/works.bib": BIB,
        },
    )
    assert build(root, "--style", "apa", "--strict") == 0
    assert html_entries(page(root)) == ["Novak, J. (1999). Tanks at dawn. Studies."]


def test_the_authors_reference_section_title_wins(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": (
                "---\ntitle: T\nreference-section-title: Sources Consulted\n---\n\n[@novak1999]\n"
            ),
            "references/refs.bib": BIB,
        },
    )
    assert build(root, "--style", "apa") == 0
    assert headings(page(root))[-1] == "Sources Consulted"
    assert "References" not in headings(page(root))


def test_own_heading_and_refs_div_print_one_heading(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\n# Body\n\n[@novak1999]\n",
            "manuscript/02.md": "# Bibliography\n\n::: {#refs}\n:::\n\n# Appendix\n\nMore.\n",
            "references/refs.bib": BIB,
        },
    )
    assert build(root, "--style", "apa") == 0
    html = page(root)
    assert headings(html)[-3:] == ["Body", "Bibliography", "Appendix"]
    assert html.index("Tanks at dawn") < html.index(">Appendix<")


def test_a_manuscript_ending_with_its_references_heading(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\n---\n\n# Body\n\n[@novak1999]\n\n# References\n",
            "references/refs.bib": BIB,
        },
    )
    assert build(root, "--style", "apa") == 0
    html = page(root)
    assert headings(html)[-2:] == ["Body", "References"]  # pandoc alone prints a second one
    assert html.index(">References<") < html.index("Tanks at dawn")


def test_nocite_suppress_bibliography_and_link_citations(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\nnocite: '@*'\n---\n\nText [@novak1999].\n",
            "references/refs.bib": BIB,
        },
    )
    assert build(root, "--style", "apa") == 0
    assert len(html_entries(page(root))) == 2  # nocite: @* lists every work
    assert 'href="#ref-novak1999"' in page(root)
    text = (
        "---\ntitle: T\nsuppress-bibliography: true\nlink-citations: false\n---\n\n[@novak1999]\n"
    )
    (root / "manuscript" / "01.md").write_text(text)
    assert build(root, "--style", "apa") == 0
    assert html_entries(page(root)) == []
    assert 'href="#ref-novak1999"' not in page(root)
    assert "(Novak, 1999)" in page(root)


def test_metadata_csl_is_the_style_without_style_settings(tmp_path: Path) -> None:
    root = write(
        tmp_path / "p",
        {
            "manuscript/01.md": "---\ntitle: T\ncsl: styles/mine.csl\n---\n\n[@novak1999]\n",
            "references/refs.bib": BIB,
        },
    )
    from presswork import styles

    (root / "styles").mkdir()
    (root / "styles" / "mine.csl").write_bytes(styles.resolve("apa", root).path.read_bytes())
    assert build(root) == 0
    assert sorted(p.name for p in (root / "build").iterdir() if p.is_dir()) == ["mine"]
    assert build(root, "--style", "modern-language-association") == 0  # --style still wins
    assert (root / "build" / "modern-language-association").is_dir()
    (root / "manuscript" / "01.md").write_text("---\ntitle: T\ncsl: nature\n---\n\n[@novak1999]\n")
    assert build(root) == 0
    assert (root / "build" / "nature").is_dir()


def test_a_relative_style_path_works_from_the_parent_directory(tmp_path: Path) -> None:
    from presswork import styles

    root = write(tmp_path / "rootstock", {"manuscript/01.md": "---\ntitle: T\n---\n\nText.\n"})
    (root / "styles").mkdir()
    (root / "styles" / "style.csl").write_bytes(styles.resolve("apa", root).path.read_bytes())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["build", "rootstock", "--format", "html", "--style", "styles/style.csl"]) == 0
        path = "rootstock/styles/style.csl"
        assert main(["build", "rootstock", "--format", "html", "--style", path]) == 0
    finally:
        os.chdir(cwd)
    assert (root / "build" / "style" / "rootstock.html").is_file()
