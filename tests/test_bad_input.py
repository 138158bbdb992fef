"""Unusable input: one line naming file and line, exit 2, no traceback, build/ untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from presswork.cli import main


def snapshot(root: Path) -> dict[str, str]:
    build = root / "build"
    return {
        p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file() and not p.name.startswith(".")  # the lock file may appear
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny valid project with an earlier build in build/ that must survive bad input."""
    root = tmp_path / "paper"
    (root / "manuscript").mkdir(parents=True)
    (root / "references").mkdir()
    (root / "manuscript" / "metadata.yaml").write_text("title: A Small Paper\nlang: en-US\n")
    (root / "manuscript" / "01-body.md").write_text("# Start\n\nAs shown [@doe2020, 4].\n")
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {Journal},\n  year = {2020}\n}\n"
    )
    old = root / "build" / "apa" / "paper.html"
    old.parent.mkdir(parents=True)
    old.write_text("<p>an earlier build</p>")
    return root


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["build", str(root), "--format", "html", *args])
    err = capsys.readouterr().err
    return code, err


CASES = {
    "yaml-syntax": (
        "manuscript/metadata.yaml",
        "title: [unclosed\nlang: en\n",
        "manuscript/metadata.yaml:2:5: invalid YAML: expected ',' or ']'",
    ),
    "csl-json-syntax": (
        "references/refs.json",
        '[{"id": "doe2020", "type": "book",}]',
        "references/refs.json:1:35: invalid JSON",
    ),
    "csl-json-no-id": (
        "references/refs.json",
        '[\n  {"type": "book"}\n]\n',
        "references/refs.json:2: not CSL data: [0]: 'id' is a required property",
    ),
    "csl-json-wrong-type": (
        "references/refs.json",
        '[\n  {"id": "doe2020", "type": "book", "title": 5}\n]\n',
        "references/refs.json:2: not CSL data: [0].title: expected text, found a number",
    ),
    "csl-json-not-a-list": (
        "references/refs.json",
        '{"id": "doe2020", "type": "book", "title": "' + "long " * 2000 + '"}',
        "references/refs.json:1: not CSL data: top level: expected a list, found an object",
    ),
    "csl-yaml-tab": (
        "references/refs.yaml",
        "- id: a\n\ttype: book\n",
        "references/refs.yaml:2:1: invalid YAML",
    ),
    "not-utf8": (
        "manuscript/01-body.md",
        "Caf\xe9 society [@doe2020].\n".encode("latin-1"),
        "manuscript/01-body.md:1:4: not UTF-8 (looks like Windows-1252 or Latin-1)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_one_line_exit_2_and_keeps_build(
    project: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    name, content, expected = CASES[case]
    path = project / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = snapshot(project)
    code, err = run(project, capsys)
    assert code == 2
    assert expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert len(err) < 300  # a line to read, not the input quoted back
    assert snapshot(project) == before


def test_metadata_of_a_wrong_type_is_an_error_when_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --strict a warning (pandoc takes any YAML): tests/test_metadata.py."""
    (project / "manuscript" / "metadata.yaml").write_text("title: T\nauthor: 5\n")
    before = snapshot(project)
    code, err = run(project, capsys, "--strict")
    assert code == 2
    assert "manuscript/metadata.yaml:2: 'author' must be text" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(project) == before


def test_broken_bibtex_entry_is_an_error_when_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --strict it is a warning and the rest builds (tests/test_bibtex.py)."""
    text = "@article{doe2020,\n  title = {Open,\n  year = {2020}\n}\n"
    (project / "references" / "refs.bib").write_text(text, encoding="utf-8")
    before = snapshot(project)
    code, err = run(project, capsys, "--strict")
    assert code == 2
    assert "references/refs.bib:5: BibTeX syntax error in the entry starting on line 1" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert snapshot(project) == before


def test_unknown_style_suggests_close_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(project, capsys, "--style", "chicago-notes-bibliograpy")
    assert code == 2
    assert "unknown citation style 'chicago-notes-bibliograpy'; did you mean " in err
    assert "chicago-notes-bibliography" in err.split("did you mean", 1)[1]
    assert err.count(",") >= 2  # three names


def test_missing_manuscript_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(tmp_path, capsys)
    assert code == 2 and "no 'manuscript/' folder" in err


def test_invalid_csl_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "styles").mkdir()
    (project / "styles" / "house.csl").write_text(
        "<style xmlns='http://purl.org/net/xbiblio/csl'>\n<info>\n</style>"
    )
    code, err = run(project, capsys, "--style", "house")
    assert code == 2 and "styles/house.csl:3: not valid CSL XML" in err


def test_unknown_setting_suggests(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "presswork.toml").write_text('stlyes = ["apa"]\n')
    code, err = run(project, capsys)
    assert code == 2 and "presswork.toml: unknown setting 'stlyes' (did you mean 'styles'" in err


def test_unknown_citation_key_warns_with_location(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = project / "manuscript" / "01-body.md"
    body.write_text("# Start\n\nFine [@doe2020].\nMissing here [@nobody1999, 3].\n")
    code, err = run(project, capsys, "--style", "apa")
    assert code == 0
    assert "manuscript/01-body.md:4:15: citation '@nobody1999' is not in the references" in err
    assert (project / "build" / "apa" / "paper.html").read_text() != "<p>an earlier build</p>"


def test_unknown_citation_key_is_an_error_when_strict(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "manuscript" / "01-body.md").write_text("Missing [@nobody1999].\n")
    before = snapshot(project)
    code, err = run(project, capsys, "--style", "apa", "--strict")
    assert code == 2 and "manuscript/01-body.md:1:10: citation '@nobody1999'" in err
    assert snapshot(project) == before


BROKEN_NOTES = (
    "# Start\n\nA claim.[^missing] Another.[^ok] Twice.[^twice]\n\n"
    "[^ok]: Fine.\n\n[^unused]: Never referenced.\n\n"
    "[^twice]: First text.\n\n[^twice]: Second text, the one pandoc keeps.\n"
)


def test_broken_footnotes_warn_with_location(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "manuscript" / "01-body.md").write_text(BROKEN_NOTES)
    code, err = run(project, capsys, "--style", "apa")
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: manuscript/01-body.md:3:9: footnote [^missing] is referenced but never defined",
        "warning: manuscript/01-body.md:7:1: footnote [^unused] is defined but never referenced",
        "warning: manuscript/01-body.md:11:1: footnote [^twice] is defined twice "
        "(first on line 9 above)",
    ]


def test_broken_footnotes_are_errors_when_strict_unless_suppressed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = project / "manuscript" / "01-body.md"
    body.write_text("A claim.[^missing]\n")
    before = snapshot(project)
    code, err = run(project, capsys, "--style", "apa", "--strict")
    assert code == 2 and err.strip() == (
        "presswork: error: manuscript/01-body.md:1:9: footnote [^missing] is referenced "
        "but never defined"
    )
    assert snapshot(project) == before
    # The linter's inline suppression is honoured by the build too.
    body.write_text("A claim.[^missing] <!-- presswork: ignore footnote/undefined -->\n")
    code, err = run(project, capsys, "--style", "apa", "--strict")
    assert code == 0, err
