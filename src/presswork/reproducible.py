"""Where every timestamp in an output comes from: never the clock.

SOURCE_DATE_EPOCH when set, else the project's last git commit, else the manuscript's date.
"""

from __future__ import annotations

import calendar
import os
import re
import subprocess
from pathlib import Path
from typing import Any

ZIP_EPOCH = 315532800  # 1980-01-01: the earliest time a zip entry (EPUB) can carry
ZIP_END = 4354819198  # 2107-12-31 23:59:58: the latest (a manuscript may be dated 9999)


def _clamped(epoch: int) -> int:
    return min(max(epoch, ZIP_EPOCH), ZIP_END)


def _git_commit_time(root: Path) -> int | None:
    try:
        proc = subprocess.run(
            # The project is untrusted, its git config too: nothing it sets may run a program
            # (signature checks run gpg.program; fsmonitor runs a hook).
            [
                "git",
                "-c",
                "log.showSignature=false",
                "-c",
                "core.fsmonitor=false",
                "-c",
                "gpg.program=false",
                "-C",
                str(root),
                "log",
                "-1",
                "--no-show-signature",
                "--format=%ct",
                "--",
                ".",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = proc.stdout.strip()
    return int(value) if proc.returncode == 0 and value.isdigit() else None


def _metadata_date(metadata: dict[str, Any]) -> int | None:
    from presswork.meta.isodate import iso_date  # "May 04, 2022" too

    text = str(metadata.get("date", ""))
    text = iso_date(text) or text
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    try:
        return calendar.timegm((year, month, day, 0, 0, 0))
    except (ValueError, OverflowError):
        return None


def source_date_epoch(root: Path, metadata: dict[str, Any]) -> int:
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit() and len(env) <= 20:
        return _clamped(int(env))
    for found in (_git_commit_time(root), _metadata_date(metadata)):
        if found is not None:
            return _clamped(found)
    return ZIP_EPOCH


def _copy_inputs(root: Path, dest: Path, build_dir: str) -> None:
    import shutil

    dest.mkdir(parents=True)
    for item in root.iterdir():
        if item.name in (build_dir, ".git", ".nox", ".venv") or item.name.startswith("."):
            continue
        if item.is_symlink():
            # Copied as a link, never followed: the copy is confined like the project, and a
            # link out of it must not become a regular file holding an outside file's bytes.
            os.symlink(os.readlink(item), dest / item.name)
        elif item.is_dir():
            shutil.copytree(item, dest / item.name, symlinks=True)
        else:
            shutil.copy2(item, dest / item.name)


def check_reproducible(
    root: Path, format_names: list[str] | None, style_names: list[str] | None, jobs: int | None
) -> list[str]:
    """Build the project twice in two fresh directories; the outputs whose bytes differ."""
    import hashlib
    import tempfile

    from presswork import project as project_mod
    from presswork.build import build

    proj = project_mod.load(root)
    epoch = str(source_date_epoch(root, proj.metadata))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch  # the copies have no git history to date them
    try:
        with tempfile.TemporaryDirectory(prefix="presswork-repro-") as tmp:
            digests = []
            for side in ("a", "b"):
                # Same directory name on both sides: the default output name comes from it.
                copy = Path(tmp) / side / root.resolve().name
                _copy_inputs(root, copy, proj.settings.build_dir)
                build(copy, format_names, style_names, jobs=jobs, force=True)
                out = copy / proj.settings.build_dir
                digests.append(
                    {
                        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(out.rglob("*"))
                        if p.is_file() and not p.name.startswith(".")
                    }
                )
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    first, second = digests
    return sorted(
        path for path in first.keys() | second.keys() if first.get(path) != second.get(path)
    )
