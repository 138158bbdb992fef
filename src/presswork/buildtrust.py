"""What an earlier run left in build/ is untrusted: only files presswork wrote are reused.

A pull request can commit build/ files, a manifest naming them with the very keys this
build computes (the inputs are public), or a `.stamps.json` of its own. So every file
presswork writes has its lstat stamp recorded in `build/.stamps.json`: size, mtime_ns,
ctime_ns, inode and mode. A checkout, a copy or a cache restore gives files new inodes and
ctimes, and no process can set a ctime: a planted file cannot carry the stamp of one this
presswork wrote in this place. An output, or a manifest, whose stamp does not match is
treated as never built. Nothing is deleted or written because of that: the entries are
dropped in memory and the manifest is written again only when a build commits.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from presswork import confine

STAMPS = ".stamps.json"
MAX_STAMPS_BYTES = 4 * 1024 * 1024

Stamp = list[int]


def stamp(path: Path) -> Stamp | None:
    """The file's lstat stamp, or None when it is missing, a link or not a regular file."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]


def read_stamps(folder: Path, name: str = STAMPS) -> dict[str, Stamp]:
    """The recorded stamps; a missing, linked, corrupt or hostile file counts as none."""
    try:
        data = json.loads(confine.read_bytes(folder / name, folder, MAX_STAMPS_BYTES))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: value
        for key, value in data.items()
        if isinstance(value, list)
        and len(value) == 5
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    }


def matches(folder: Path, stamps: dict[str, Stamp], relative: str) -> bool:
    """Whether folder/relative is, to the inode and the nanosecond, the file presswork wrote."""
    found = stamp(folder / relative)
    return found is not None and stamps.get(relative) == found


def write_stamps(folder: Path, stamps: dict[str, Stamp], name: str = STAMPS) -> None:
    text = json.dumps(stamps, indent=1, sort_keys=True) + "\n"
    confine.write_atomic(folder / name, text.encode("utf-8"))


def trusted_entries(
    build_dir: Path, manifest: dict[str, dict[str, Any]], stamps: dict[str, Stamp], name: str
) -> dict[str, dict[str, Any]]:
    """The manifest's entries presswork can vouch for: none if the manifest itself is not the
    one it wrote, else those whose output still carries its stamp."""
    if not matches(build_dir, stamps, name):
        return {}
    return {path: entry for path, entry in manifest.items() if matches(build_dir, stamps, path)}


def record(folder: Path, stamps: dict[str, Stamp], relative: str) -> None:
    """Note the stamp of a file just written (none, if it is somehow not a regular file)."""
    found = stamp(folder / relative)
    if found is None:
        stamps.pop(relative, None)
    else:
        stamps[relative] = found
