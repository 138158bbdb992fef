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


def _git_commit_time(root: Path) -> int | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct", "--", "."],
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
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(metadata.get("date", "")))
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    try:
        return calendar.timegm((year, month, day, 0, 0, 0))
    except (ValueError, OverflowError):
        return None


def source_date_epoch(root: Path, metadata: dict[str, Any]) -> int:
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return max(int(env), ZIP_EPOCH)
    for found in (_git_commit_time(root), _metadata_date(metadata)):
        if found is not None:
            return max(found, ZIP_EPOCH)
    return ZIP_EPOCH
