"""The running presswork as a wheel file, for projects that must install this very version.

`presswork new` run from a source checkout (an editable or folder install) has no published
version or URL to pin: the new project's CI could install nothing. It gets a copy of this
presswork instead, as a standard wheel (PEP 427) made from the installed package: pip, uv
and nox install it from the project's own folder.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib import metadata
from pathlib import Path

import presswork
from presswork import __version__

# Zip entries get a fixed date, so that the same presswork always makes the same bytes.
_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name() -> str:
    return f"presswork-{__version__}-py3-none-any.whl"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def _package_files() -> list[tuple[str, bytes]]:
    package = Path(presswork.__file__).resolve().parent
    found = []
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        name = f"presswork/{path.relative_to(package).as_posix()}"
        found.append((name, path.read_bytes()))
    return found


def _dist_info() -> list[tuple[str, bytes]]:
    dist = metadata.distribution("presswork")
    info = f"presswork-{__version__}.dist-info"
    wheel = "Wheel-Version: 1.0\nGenerator: presswork new\nRoot-Is-Purelib: true\n"
    files = [
        (f"{info}/METADATA", (dist.read_text("METADATA") or "").encode("utf-8")),
        (f"{info}/WHEEL", (wheel + "Tag: py3-none-any\n").encode("ascii")),
    ]
    entry_points = dist.read_text("entry_points.txt")
    if entry_points:
        files.append((f"{info}/entry_points.txt", entry_points.encode("utf-8")))
    return files


def write_wheel(folder: Path) -> Path:
    """Write this presswork as a wheel into folder; returns the wheel's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / wheel_name()
    entries = _package_files() + _dist_info()
    record_name = f"presswork-{__version__}.dist-info/RECORD"
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((record_name, (record + f"{record_name},,\n").encode("utf-8")))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target
