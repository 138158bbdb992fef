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
