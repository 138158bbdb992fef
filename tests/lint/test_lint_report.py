"""Report formats: the JSON contract, text with carets, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json

from presswork.lint import Finding, Severity
from presswork.lint.report import as_json, github, render, sarif, text

FINDINGS = [
    Finding(
        "footnote/undefined",
        Severity.ERROR,
        "manuscript/02-decision.md",
        2,
        5,
        "footnote [^x] is referenced but never defined",
        "add a definition",
    ),
    Finding(
        "date/weekday",
        Severity.WARNING,
        "manuscript/02-decision.md",
        3,
        1,
        "50% sure, really:\nno",
        None,
    ),
    Finding("citation/unused", Severity.INFO, "references/r.bib", 1, 7, "never cited", None),
]
SOURCES = {"manuscript/02-decision.md": "# T\nSee[^x].\nTuesday\n", "references/r.bib": ""}


def test_json_contract() -> None:
    data = json.loads(as_json(FINDINGS))
    assert list(data) == ["findings"]
    first = data["findings"][0]
    assert first == {
        "rule": "footnote/undefined",
        "category": "footnote",
        "severity": "error",
        "file": "manuscript/02-decision.md",
        "line": 2,
        "column": 5,
        "message": "footnote [^x] is referenced but never defined",
        "fix": "add a definition",
    }
    assert data["findings"][1]["fix"] is None
    assert json.loads(as_json([])) == {"findings": []}


def test_text_shows_location_source_caret_and_fix_grouped_by_file() -> None:
    out = text(FINDINGS, SOURCES)
    lines = out.splitlines()
    assert lines[0] == (
        "manuscript/02-decision.md:2:5: error footnote/undefined "
        "footnote [^x] is referenced but never defined"
    )
    assert lines[1:4] == ["    See[^x].", "        ^", "    fix: add a definition"]
    assert lines[7] == "" and lines[8].startswith("references/r.bib:1:7: info")
    assert lines[-1] == "3 findings: 1 error, 1 warning, 1 info"
    assert "\033[" not in out
    assert "\033[31m" in text(FINDINGS, SOURCES, colour=True)
    assert text([], {}) == "no findings\n"


def test_text_shows_a_window_of_long_lines() -> None:
    long_line = "x" * 500 + "HERE" + "y" * 500
    finding = Finding("date/weekday", Severity.ERROR, "a.md", 1, 501, "m")
    lines = text([finding], {"a.md": long_line}).splitlines()
    caret = lines[2].index("^")
    assert lines[1][caret : caret + 4] == "HERE" and len(lines[1]) < 120


def test_sarif_2_1_0() -> None:
    data = json.loads(sarif(FINDINGS, prefix="paper/"))
    assert data["version"] == "2.1.0" and data["$schema"].endswith("sarif-2.1.0.json")
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"footnote/undefined", "doi/syntax"}
    result = run["results"][0]
    assert result["ruleId"] == "footnote/undefined" and result["level"] == "error"
    assert rules[result["ruleIndex"]]["id"] == "footnote/undefined"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "paper/manuscript/02-decision.md"
    assert location["region"] == {"startLine": 2, "startColumn": 5}
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]


def test_github_annotations_escape_their_data() -> None:
    lines = github(FINDINGS).splitlines()
    assert lines[0] == (
        "::error file=manuscript/02-decision.md,line=2,col=5,title=footnote/undefined::"
        "footnote [^x] is referenced but never defined (fix: add a definition)"
    )
    assert lines[1].endswith("::50%25 sure, really:%0Ano")
    assert lines[2].startswith("::notice ")
    assert render("github", FINDINGS, SOURCES, prefix="a,b/").startswith(
        "::error file=a%2Cb/manuscript"
    )
