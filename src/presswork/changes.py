"""Changes of a project's files, found by polling os.stat: portable, and no dependency.

A burst of saves (an editor writing a temporary file, then renaming it) counts as one change.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

POLL_SECONDS = 0.3
SETTLE_SECONDS = 0.15  # a change counts once the tree stays the same this long
_SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "env", "site-packages"}

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path, skip: Path | None = None) -> Snapshot:
    """Every input-looking file under root -> (mtime, size); hidden, editor and build files out."""
    found: Snapshot = {}
    skip_resolved = skip.resolve() if skip is not None else None
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _SKIPPED_DIRS
            and (skip_resolved is None or (here / d).resolve() != skip_resolved)
        )
        for name in files:
            if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
                continue
            try:
                stat = (here / name).stat()
            except OSError:  # removed while we looked
                continue
            found[(here / name).relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def next_change(
    root: Path, build_dir: Callable[[], Path], seen: Snapshot, stop: threading.Event
) -> Snapshot | None:
    """Wait until the tree differs from `seen` and then stays still; None once `stop` is set."""
    while not stop.wait(POLL_SECONDS):
        now = snapshot(root, build_dir())
        if now == seen:
            continue
        while not stop.wait(SETTLE_SECONDS):
            later = snapshot(root, build_dir())
            if later == now:
                return now
            now = later
    return None
