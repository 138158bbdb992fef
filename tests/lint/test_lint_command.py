"""`presswork lint` and `presswork rules` through the functions the CLI calls."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from presswork.errors import InputError
from presswork.lint.command import (
    add_lint_arguments,
    add_rules_arguments,
    rules_markdown,
    run_lint_command,
    run_rules_command,
)

CORPUS = Path(__file__).parent / "corpus"


def lint(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_lint_arguments(parser)
    return run_lint_command(parser.parse_args(list(argv)))


def test_exit_codes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert lint(str(CORPUS / "clean-dates")) == 0
    assert capsys.readouterr().out == "no findings\n"
    assert lint(str(CORPUS / "flagship")) == 0  # warnings only
    assert lint(str(CORPUS / "footnote-defects")) == 1
    assert lint(str(CORPUS / "footnote-defects"), "--select", "footnote/unused") == 0
    assert lint(str(CORPUS / "footnote-defects"), "--ignore", "footnote") == 0


def test_unusable_input_raises_for_the_cli(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        lint(str(tmp_path))
    shutil.copytree(CORPUS / "clean-dates", tmp_path / "p")
    (tmp_path / "p" / "presswork.toml").write_text("[lint]\nignor = []\n", encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'ignore'"):
        lint(str(tmp_path / "p"))


def test_json_output_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert lint(str(CORPUS / "flagship"), "--format", "json", "--output", str(out)) == 0
    assert capsys.readouterr().out == ""
    data = json.loads(out.read_text("utf-8"))
    assert [f["rule"] for f in data["findings"]] == [
        "citation/locator-range",
        "date/inconsistent-actor-year",
        "date/inconsistent-event-year",
    ]
    assert data["findings"][0]["file"] == "manuscript/02-why-invasion.md"


def test_github_format_is_the_default_in_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    lint(str(CORPUS / "flagship"))
    out = capsys.readouterr().out
    assert out.startswith("::warning file=")
    assert "corpus/flagship/manuscript/02-why-invasion.md,line=19,col=257," in out


def test_sarif_format(capsys: pytest.CaptureFixture[str]) -> None:
    lint(str(CORPUS / "flagship"), "--format", "sarif")
    assert json.loads(capsys.readouterr().out)["runs"][0]["results"]


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_rules_arguments(parser)
    assert run_rules_command(parser.parse_args([])) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[:2] == ["footnote/undefined", "error"] for line in lines)
    assert run_rules_command(parser.parse_args(["--format", "markdown"])) == 0
    assert capsys.readouterr().out.startswith("# Lint rules")


def test_rules_reference_to_a_file(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_rules_arguments(parser)
    out = tmp_path / "rules.md"
    assert run_rules_command(parser.parse_args(["--format", "markdown", "-o", str(out)])) == 0
    assert out.read_text("utf-8") == rules_markdown()
