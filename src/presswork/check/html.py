"""HTML: the Nu HTML Checker (vnu.jar, from the `vnu-jar` npm package), once for every file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from presswork.check.java import NO_JAVA, JarRun, last_line, run_jar
from presswork.check.result import Message, Row, judged, skipped

VALIDATOR = "vnu"
VNU_VERSION = "26.9.27"  # the vnu-jar release the nox `check` session installs
ENV_VAR = "PRESSWORK_VNU_JAR"
NPM_JAR = Path("node_modules", "vnu-jar", "build", "dist", "vnu.jar")  # inside an npm --prefix
NOT_FOUND = f"Nu HTML Checker not found (set {ENV_VAR} or run nox -s check)"


def user_cache() -> Path:
    """presswork's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "presswork"


def find_vnu(root: Path | None = None) -> tuple[Path | None, str]:
    """vnu.jar from $PRESSWORK_VNU_JAR, else the user's cache; or None and why not.

    Never a jar inside the project (`root` is not looked in): every file of it may come from
    a pull request, and a jar is a program. `nox -s check` sets the variable to its own.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        jar = Path(configured).expanduser()
        if jar.is_file():
            return jar, ""
        return None, f"{ENV_VAR}={configured} is not a file"
    candidates = [user_cache() / "vnu.jar", user_cache() / NPM_JAR]
    for jar in candidates:
        if jar.is_file():
            return jar, ""
    return None, NOT_FOUND


def _file_of(url: str) -> str:
    """vnu's `file:/a/b.html` (or `file:///a/b.html`) -> `/a/b.html`."""
    path = unquote(url[len("file:") :]) if url.startswith("file:") else url
    if path.startswith("///"):
        path = path[2:]
    return os.path.normpath(path) if path else ""


def _message(entry: dict[str, Any]) -> Message | None:
    kind, sub = entry.get("type"), entry.get("subType")
    if kind == "error" or kind == "non-document-error":
        severity = "error"
    elif kind == "info" and sub == "warning":
        severity = "warning"
    else:
        return None  # plain info such as "trailing slash on void elements"
    line = entry.get("lastLine") or entry.get("firstLine")
    column = entry.get("firstColumn")
    where = f"line {line}" + (f", column {column}" if column else "") if line else ""
    return Message(severity, str(entry.get("message", "")).strip(), where)


def messages_by_file(report: dict[str, Any], files: list[Path]) -> dict[Path, list[Message]]:
    """vnu's `--format json` report -> each file's errors and warnings."""
    by_path = {os.path.normpath(str(f)): f for f in files}
    found: dict[Path, list[Message]] = {f: [] for f in files}
    for entry in report.get("messages", []):
        message = _message(entry)
        if message is None:
            continue
        target = by_path.get(_file_of(str(entry.get("url", ""))))
        for file in [target] if target is not None else files:  # no file named: it is about all
            found[file].append(message)
    return found


def _report(run: JarRun) -> dict[str, Any] | str:
    """vnu's JSON report, or why there is none."""
    if run.problem:
        return run.problem
    try:
        report = json.loads(run.stdout)
    except ValueError:
        return f"vnu gave no report (exit {run.returncode}): {last_line(run.stderr)}"
    return report if isinstance(report, dict) else "vnu gave no report"


def check_html(outputs: list[tuple[Path, str]], java: str | None, root: Path) -> list[Row]:
    """Every HTML output through one vnu run: fail on any error, warnings shown."""
    names = [name for _, name in outputs]
    if java is None:
        return [skipped(name, VALIDATOR, NO_JAVA) for name in names]
    jar, reason = find_vnu()
    if jar is None:
        return [skipped(name, VALIDATOR, reason) for name in names]
    files = [path.resolve() for path, _ in outputs]
    options = ["--format", "json", "--stdout", "--exit-zero-always"]
    run = run_jar(java, jar, [*options, *map(str, files)])
    if run.too_old:
        return [skipped(name, VALIDATOR, "vnu.jar needs a newer Java") for name in names]
    report = _report(run)
    if isinstance(report, str):
        return [judged(name, VALIDATOR, [Message("error", report)]) for name in names]
    found = messages_by_file(report, files)
    version = str(report.get("version", "")).split(" ")[0]
    rows = []
    for file, name in zip(files, names, strict=True):
        messages = found[file]
        clean = not any(m.severity == "error" for m in messages)
        rows.append(judged(name, VALIDATOR, messages, f"0 errors (vnu {version})" if clean else ""))
    return rows
