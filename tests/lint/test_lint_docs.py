"""The rule reference: generated from the docstrings, complete, and its examples true."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from lint_helpers import write_project

from presswork.lint import LintConfig, run_lint
from presswork.lint.docs import example_files, parts, rules_markdown
from presswork.lint.registry import Rule, all_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
RULES = all_rules()


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOCS.read_text("utf-8") == rules_markdown(), (
        "docs/rules.md is stale: presswork rules --format markdown > docs/rules.md"
    )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_a_summary_and_both_examples(rule: type[Rule]) -> None:
    summary, _, bad, good = parts(rule)
    assert summary.endswith(".") and len(summary) <= 100
    assert bad.strip() and good.strip() and bad != good
    doc = inspect.getdoc(rule) or ""
    assert "\nBad:\n" in doc and "\nGood:\n" in doc


@pytest.mark.parametrize("rule", [r for r in RULES if not r.online], ids=lambda r: r.id)
def test_bad_example_fires_and_good_example_does_not(rule: type[Rule], tmp_path: Path) -> None:
    _, _, bad, good = parts(rule)
    for name, example, fires in (("bad", bad, True), ("good", good, False)):
        project = write_project(tmp_path / name, example_files(example))
        findings = run_lint(project, LintConfig())
        assert any(f.rule == rule.id for f in findings) is fires, (name, findings)
        if not fires:  # a good example is clean of everything but hints
            assert [f for f in findings if f.severity.value != "info"] == []
