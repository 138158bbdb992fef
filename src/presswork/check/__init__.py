"""Validate what the build made: every output in build/manifest.json, by a real validator.

epubcheck for EPUB, the Nu HTML Checker for HTML (one run for all files), pypdf for PDF,
lxml for JATS; independent runs in parallel threads, one row per output and validator.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from presswork.check.result import FAIL, OK, SKIP, Message, Row, judged, skipped

__all__ = [
    "FAIL",
    "OK",
    "SKIP",
    "Message",
    "Row",
    "exit_code",
    "missing",
    "read_outputs",
    "run_checks",
]

NO_BUILD = "no build found: run presswork build first"


def read_outputs(root: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The build directory and the outputs its manifest lists; InputError if there is none."""
    import json

    from presswork import confine, settings
    from presswork.build import MANIFEST, MAX_MANIFEST_BYTES
    from presswork.errors import InputError

    build_dir = root / settings.load(root).build_dir
    manifest = build_dir / MANIFEST
    try:
        # Not through a link out of build/: the paths it lists are printed in the report.
        data = json.loads(confine.read_bytes(manifest, build_dir, MAX_MANIFEST_BYTES))
        outputs = data["outputs"]
    except FileNotFoundError:
        raise InputError(NO_BUILD, _shown(manifest)) from None
    except confine.Refused as exc:
        raise InputError(f"manifest refused: {exc.strerror}", _shown(manifest)) from None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise InputError(f"unreadable manifest ({exc}); run presswork build", manifest) from None
    if not isinstance(outputs, list) or not all(isinstance(e, dict) for e in outputs):
        raise InputError("unreadable manifest: 'outputs' is not a list of entries", manifest)
    return build_dir, outputs


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _inside(build_dir: Path, path: Path) -> bool:
    """A manifest entry names a file under build/, never an absolute or `..` path."""
    return path.resolve().is_relative_to(build_dir.resolve())


def _kind(entry: dict[str, Any]) -> str:
    """pdf, html, epub or jats: the manifest's format, else the file's extension."""
    name = str(entry.get("format") or "")
    if name in ("pdf", "html", "epub", "jats"):
        return name
    suffix = Path(str(entry.get("path", ""))).suffix.lower()
    return {".pdf": "pdf", ".html": "html", ".xhtml": "html", ".epub": "epub", ".xml": "jats"}.get(
        suffix, name or suffix
    )


def _integrity(path: Path, entry: dict[str, Any]) -> Message | None:
    """A warning when the file is not the one the build wrote (edited or replaced since)."""
    expected = entry.get("sha256")
    if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        return Message("warning", "changed since the build: sha256 differs from manifest.json")
    return None


def _with_integrity(row: Row, note: Message | None) -> Row:
    if note is None:
        return row
    if row.status == SKIP:
        messages = (note, *row.messages)
        return Row(row.path, row.validator, SKIP, 0, 1, row.detail, messages, row.missing)
    return judged(row.path, row.validator, [*row.messages, note], row.detail)


def run_checks(root: Path | str = ".", java: bool = True, jobs: int | None = None) -> list[Row]:
    """Check every output the manifest lists; Java validators are skipped when java is False."""
    from presswork.check import epub, html, jats, pdf
    from presswork.check.java import find_java, in_project

    root = Path(root)
    build_dir, entries = read_outputs(root)
    java_command = find_java() if java else None
    if java_command is not None and in_project(java_command, root):
        java_command = None
    no_java = not java

    rows: list[Row] = []
    notes: dict[str, Message | None] = {}
    tasks: list[tuple[int, Callable[[], Row | list[Row]]]] = []  # (order, task): slowest first
    html_files: list[tuple[Path, str]] = []
    has_jats = False
    for entry in entries:
        name = str(entry.get("path", ""))
        path = build_dir / name
        kind = _kind(entry)
        if not _inside(build_dir, path):
            problem = Message("error", "in manifest.json, outside the build directory")
            rows.append(judged(name, kind, [problem]))
            continue
        if not name or not path.is_file():
            rows.append(judged(name or "?", kind, [Message("error", "in manifest.json, missing")]))
            continue
        notes[name] = _integrity(path, entry)
        if kind == "pdf":
            tasks.append((2, partial(pdf.check_pdf, path, name)))
        elif kind == "epub" and no_java:
            rows.append(skipped(name, epub.VALIDATOR, "--no-java", missing=False))
        elif kind == "epub":
            tasks.append((0, partial(epub.check_epub, path, name, java_command, root)))
        elif kind == "html" and no_java:
            rows.append(skipped(name, html.VALIDATOR, "--no-java", missing=False))
        elif kind == "html":
            html_files.append((path, name))
        elif kind == "jats":
            has_jats = True
            tasks.append((3, partial(jats.check_jats, path, name)))
        else:
            rows.append(
                skipped(name, kind or "?", f"no validator for format '{kind}'", missing=False)
            )
    if html_files:
        tasks.append((1, partial(html.check_html, html_files, java_command, root)))

    # Java validators run as processes; threads only wait on them (and on pypdf, in turn).
    workers = max(1, min(len(tasks), jobs or os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ordered = [task for _, task in sorted(tasks, key=lambda pair: pair[0])]
        for found in pool.map(lambda task: task(), ordered):
            rows.extend(found if isinstance(found, list) else [found])
    rows = [_with_integrity(row, notes.get(row.path)) for row in rows]
    rows.sort(key=lambda row: (row.path, row.validator))
    if not has_jats:
        rows.append(jats.no_output_row())
    return rows


def missing(rows: list[Row]) -> list[Row]:
    """The rows whose validator could not run (not installed, no Java, Java too old)."""
    return [row for row in rows if row.status == SKIP and row.missing]


def exit_code(rows: list[Row], allow_missing: bool = False) -> int:
    """1 if any row failed, or a validator could not run (unless allowed), else 0.

    "0 ok, 0 failed, 32 skipped" must not pass: a check that cannot fail proves nothing.
    """
    if any(row.status == FAIL for row in rows):
        return 1
    return 1 if missing(rows) and not allow_missing else 0
