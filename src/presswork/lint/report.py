"""Findings as text (for people), JSON (the contract), SARIF 2.1.0 and GitHub annotations.

Formatters are pure: findings and the sources in, a string out.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from presswork import __version__
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, all_rules

FORMATS = ("text", "json", "sarif", "github")
_WIDTH = 100  # characters of a long source line shown around the column
_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """A window of a long line around the column, and the caret's place in it."""
    # Tabs become one space each (offsets kept), in the window only: a 1 MB line with
    # thousands of findings must not be copied once a finding.
    if len(line) <= _WIDTH:
        return line.replace("\t", " "), column - 1
    start = max(0, min(column - 1 - _WIDTH // 3, len(line) - _WIDTH))
    shown = line[start : start + _WIDTH].replace("\t", " ")
    caret = column - 1 - start
    if start > 0:
        shown, caret = "…" + shown, caret + 1
    if start + _WIDTH < len(line):
        shown += "…"
    return shown, caret


def _summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    parts = [
        f"{counts[s]} {s.value}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}"
        for s in Severity
    ]
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {', '.join(parts)}"


def text(findings: Sequence[Finding], sources: Mapping[str, str], colour: bool = False) -> str:
    """`file:line:col: severity rule message`, the source line and a caret, by file."""
    out: list[str] = []
    lines_of = {path: source.split("\n") for path, source in sources.items()}
    current = None
    for finding in findings:
        if finding.file != current:
            if current is not None:
                out.append("")
            current = finding.file
        where = f"{finding.file}:{finding.line}:{finding.column}:"
        severity = _paint(finding.severity.value, _COLOURS[finding.severity], colour)
        message = " ".join(finding.message.split())  # one line per finding
        out.append(f"{_paint(where, '1', colour)} {severity} {finding.rule} {message}")
        lines = lines_of.get(finding.file, [])
        if 0 < finding.line <= len(lines):
            shown, caret = _excerpt(lines[finding.line - 1], finding.column)
            out.append(_paint(f"    {shown}", "2", colour))
            out.append(_paint(f"    {' ' * caret}^", _COLOURS[finding.severity], colour))
        if finding.fix:
            out.append(f"    fix: {finding.fix}")
    if out:
        out.append("")
    out.append(_summary(findings))
    return "\n".join(out) + "\n"


def as_json(findings: Sequence[Finding]) -> str:
    """`{"findings": [...]}`: the contract other tools consume (see Finding.to_dict)."""
    return (
        json.dumps({"findings": [f.to_dict() for f in findings]}, indent=2, ensure_ascii=False)
        + "\n"
    )


_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# How the SARIF names where its paths start: relative URIs against this base (GitHub takes
# them as relative to the repository; originalUriBaseIds says where that was on this machine).
SRCROOT = "%SRCROOT%"


@functools.cache
def project_urls() -> dict[str, str]:
    """`[project.urls]` of pyproject.toml, as the installed package's metadata holds them.

    The user guide's address is kept there, once; code scanning links each alert to its
    rule's section of the guide.
    """
    from importlib import metadata

    try:
        entries = metadata.metadata("presswork").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        entries = []
    urls = {}
    for entry in entries:
        label, _, url = str(entry).partition(",")
        urls[label.strip()] = url.strip()
    return urls or _checkout_urls()


def _checkout_urls() -> dict[str, str]:
    """[project.urls] of the checkout this presswork runs from, if any: an editable install
    made before the table was added has metadata without them."""
    from presswork.settings import tomllib

    pyproject = Path(__file__).resolve().parents[3] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, ValueError):
        return {}
    urls = project.get("urls") if project.get("name") == "presswork" else None
    return {str(k): str(v) for k, v in urls.items()} if isinstance(urls, dict) else {}


def docs_url() -> str:
    """The user guide (mkdocs, docs/): the SARIF driver's informationUri."""
    return project_urls().get("Documentation", "")


def rule_help_uri(rule_id: str) -> str:
    """The rule's section of the rule reference (docs/rules.md; mkdocs drops the slash); ""
    when the metadata names no address (presswork run from a bare source tree)."""
    base = project_urls().get("Lint rules") or (docs_url() and docs_url() + "rules/")
    return f"{base}#{rule_id.replace('/', '')}" if base else ""


def artifact_uri(path: str) -> str:
    """A relative path as a relative URI reference: spaces and non-ASCII percent-encoded."""
    return quote(path, safe="/")


def _optional(key: str, value: str) -> dict[str, str]:
    return {key: value} if value else {}


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    """A reportingDescriptor with what GitHub code scanning shows: descriptions and help."""
    from presswork.lint.docs import parts

    summary, explanation, bad, good = parts(rule)
    full = f"{summary} {' '.join(explanation.split())}".strip()
    indented = [textwrap.indent(example, "    ") for example in (bad, good)]
    help_text = f"{full}\n\nBad:\n\n{indented[0]}\n\nGood:\n\n{indented[1]}\n"
    fences = ["~~~~" if "~~~" in example else "~~~" for example in (bad, good)]
    help_uri = rule_help_uri(rule.id)
    help_markdown = (
        f"{summary}\n\n{explanation}\n\n".replace("\n\n\n\n", "\n\n")
        + f"Bad:\n\n{fences[0]}\n{bad}\n{fences[0]}\n\n"
        + f"Good:\n\n{fences[1]}\n{good}\n{fences[1]}\n"
        + (f"\n[{rule.id} in the rule reference]({help_uri})\n" if help_uri else "")
    )
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in re.split(r"[/-]", rule.id)),
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_markdown},
        **_optional("helpUri", help_uri),
        "defaultConfiguration": {"level": _SARIF_LEVELS[rule.severity]},
        "properties": {"category": rule.category(), "tags": ["manuscript", rule.category()]},
    }


def sarif(findings: Sequence[Finding], prefix: str = "", base: Path | None = None) -> str:
    """SARIF 2.1.0, for code-scanning upload.

    Paths are `prefix` (the project's directory) and the finding's file, relative to `base`
    (the directory lint ran in, given as originalUriBaseIds when known).
    """
    rules = all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver = {
        "name": "presswork",
        "semanticVersion": __version__,
        "version": __version__,
        **_optional("informationUri", docs_url()),
        "rules": [_sarif_rule(rule) for rule in rules],
    }
    results = []
    for finding in findings:
        message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _SARIF_LEVELS[finding.severity],
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": artifact_uri(prefix + finding.file),
                            "uriBaseId": SRCROOT,
                        },
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
        }
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        results.append(result)
    run: dict[str, Any] = {"tool": {"driver": driver}}
    if base is not None:
        # A directory's file: URI ends in a slash, or the relative URIs would replace its
        # last segment; as_uri percent-encodes spaces and non-ASCII.
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base.resolve().as_uri().rstrip("/") + "/"}}
    run.update(columnKind="unicodeCodePoints", results=results)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(findings: Sequence[Finding], prefix: str = "") -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`."""
    out = []
    for f in findings:
        message = f.message + (f" (fix: {f.fix})" if f.fix else "")
        props = (
            f"file={_escape(prefix + f.file, True)},line={f.line},col={f.column},"
            f"title={_escape(f.rule, True)}"
        )
        out.append(f"::{_COMMANDS[f.severity]} {props}::{_escape(message)}")
    return "".join(line + "\n" for line in out)


def render(
    fmt: str,
    findings: Sequence[Finding],
    sources: Mapping[str, str],
    prefix: str = "",
    colour: bool = False,
    base: Path | None = None,
) -> str:
    """One report in one of FORMATS."""
    formatters: dict[str, Callable[[], str]] = {
        "text": lambda: text(findings, sources, colour),
        "json": lambda: as_json(findings),
        "sarif": lambda: sarif(findings, prefix, base),
        "github": lambda: github(findings, prefix),
    }
    return formatters[fmt]()
