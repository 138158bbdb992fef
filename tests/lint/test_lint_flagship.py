"""The flagship paper as it was first written (a copy: the real one gets corrected).

The linter must report its three real defects, and nothing on its correct text.
"""

from __future__ import annotations

from pathlib import Path

from presswork.lint import Severity, run_lint
from presswork.project import load

FIXTURE = Path(__file__).parent / "corpus" / "flagship"

EXPECTED = [
    # The broken "Ibid." of the original: Campbell is cited at 13, 17, 21; 106 is Stoneman's.
    ("citation/locator-range", "manuscript/02-why-invasion.md", 19, 257, "106"),
    # "Alexander Dubcek replaced Novotny ... on January 1958": January 1968 in the intro.
    ("date/inconsistent-actor-year", "manuscript/02-why-invasion.md", 25, 164, "1958"),
    # "an invasion of Czechoslovakia in 1938": 1968 in the title and in Eidlin's title.
    ("date/inconsistent-event-year", "manuscript/03-gains-and-losses.md", 13, 143, "1938"),
]


def test_flagship_findings_are_exactly_its_defects() -> None:
    project = load(FIXTURE)
    findings = run_lint(project)
    assert [(f.rule, f.file, f.line, f.column) for f in findings] == [e[:4] for e in EXPECTED]
    texts = {c.path: c.text.split("\n") for c in project.chapters}
    for finding, (*_, text) in zip(findings, EXPECTED, strict=True):
        line = texts[finding.file][finding.line - 1]
        assert line[finding.column - 1 :].startswith(text)  # the column is the text itself
        assert finding.severity is Severity.WARNING
        assert finding.fix


def test_flagship_messages_name_the_evidence() -> None:
    by_rule = {f.rule: f for f in run_lint(load(FIXTURE))}
    assert "stoneman2015" in by_rule["citation/locator-range"].message
    assert "1968" in by_rule["date/inconsistent-actor-year"].message
    assert "eidlin1981" in by_rule["date/inconsistent-event-year"].message
