"""Helpers for the linter's tests: tiny projects written from a dict of files.

Not a conftest.py: the suite's own tests import `conftest` by name, and a second one here
would shadow it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from presswork.lint import Finding, LintConfig, run_lint
from presswork.project import Project, load

CORPUS = Path(__file__).parent / "corpus"
METADATA = "title: Example\ndate: 2024-05-01\n"


def write_project(root: Path, files: dict[str, str]) -> Project:
    """A project from {path: text}; metadata and a chapter are added when missing."""
    files = dict(files)
    files.setdefault("manuscript/metadata.yaml", METADATA)
    if not any(path.endswith(".md") for path in files):
        files["manuscript/01-text.md"] = "Text.\n"
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return load(root)


@pytest.fixture
def lint_files(tmp_path: Path) -> Callable[..., list[Finding]]:
    """lint_files({path: text}, select=...) -> the findings (all rules unless select)."""
    counter = iter(range(1000))

    def run(
        files: dict[str, str] | str, select: tuple[str, ...] = (), **config: object
    ) -> list[Finding]:
        if isinstance(files, str):
            files = {"manuscript/01-text.md": files}
        project = write_project(tmp_path / f"p{next(counter)}", files)
        return run_lint(project, LintConfig(select=select, **config))  # type: ignore[arg-type]

    return run


def where(findings: list[Finding]) -> list[tuple[str, int, int]]:
    """(rule, line, column) of each finding, for exact assertions."""
    return [(f.rule, f.line, f.column) for f in findings]
