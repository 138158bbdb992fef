"""The style rules: misspelt style names and broken .csl files, found where they are named."""

from __future__ import annotations

from pathlib import Path

from lint_helpers import write_project

from presswork.lint import LintConfig, run_lint

BROKEN = "<style><oops></style>\n"
VALID = (
    '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">\n'
    "  <info><title>House</title><id>house</id><updated>2024-01-01T00:00:00+00:00</updated>"
    "</info>\n"
    '  <citation><layout><text variable="title"/></layout></citation>\n'
    "</style>\n"
)
NO_CITATION = '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="note"/>\n'


def lint(root: Path, files: dict[str, str]) -> list[tuple[str, str, int, int, str]]:
    project = write_project(root, files)
    findings = run_lint(project, LintConfig(select=("style",)))
    return [(f.rule, f.file, f.line, f.column, f.severity.value) for f in findings]


def test_unknown_names_and_broken_files(tmp_path: Path) -> None:
    files = {
        "presswork.toml": (
            'styles = [\n  "apa",\n  "chicago-authordate",\n  "mine",\n  "house",\n]\n'
            'cite-styles = ["apa", "nope-style"]\n'
        ),
        "styles/mine.csl": BROKEN,
        "styles/house.csl": VALID,
        "styles/unused.csl": "not xml at all\n",
        "styles/empty.csl": NO_CITATION,
    }
    assert lint(tmp_path / "p", files) == [
        ("style/unknown", "presswork.toml", 3, 4, "error"),
        ("style/unknown", "presswork.toml", 7, 24, "warning"),
        ("style/invalid", "styles/empty.csl", 1, 1, "error"),
        ("style/invalid", "styles/mine.csl", 1, 1, "error"),
        ("style/invalid", "styles/unused.csl", 1, 1, "error"),
    ]
    project = write_project(tmp_path / "p", {})
    messages = [f.message for f in run_lint(project, LintConfig(select=("style/unknown",)))]
    assert "did you mean chicago-author-date" in messages[0]


def test_settings_in_pyproject_and_style_paths(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.presswork]\nstyles = ["csl/journal.csl", "apa-7th"]\n',
        "csl/journal.csl": BROKEN,
    }
    assert lint(tmp_path / "p", files) == [
        ("style/invalid", "csl/journal.csl", 1, 1, "error"),
        ("style/unknown", "pyproject.toml", 2, 31, "error"),
    ]


def test_the_defaults_and_the_build_agree(tmp_path: Path) -> None:
    """No settings: the default styles all exist; a style the lint accepts, the build finds."""
    assert lint(tmp_path / "none", {}) == []
    from presswork.build import build

    root = tmp_path / "house"
    write_project(root, {"styles/house.csl": VALID, "presswork.toml": 'styles = ["house"]\n'})
    assert lint(root, {}) == []
    report = build(root, ["html"], ["house"], jobs=1)
    assert [o.status for o in report.outcomes] == ["built"]
