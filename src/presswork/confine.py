"""The project is untrusted: every file read stays inside it, every write inside build/.

A pull request controls every file of the project, symlinks included. So a path is checked
by its real location (symlinks resolved, for the file and every folder above it), and only
regular files are opened: a FIFO would hang the build, a device would never end.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path

from presswork.errors import InputError

# O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused after fstat anyway).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
# File systems take names of 255 bytes: an output stem leaves room for the extension and the
# temporary's ".NAME.EXT.PID.tmp"; folder settings nest no deeper than any real project.
MAX_NAME_BYTES = 200
MAX_FOLDER_DEPTH = 16


class Refused(OSError):
    """A path outside the project, or not a regular file; strerror says which."""


def real_root(root: Path) -> Path:
    return Path(os.path.realpath(root))


def inside(path: Path, root: Path) -> Path:
    """The real path of `path` (symlinks resolved), or Refused when it leaves the project."""
    real = Path(os.path.realpath(path))
    base = real_root(root)
    if real != base and not real.is_relative_to(base):
        raise Refused(0, "outside the project (a symlink leaves it)")
    return real


def read_bytes(path: Path, root: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, if its real path is inside root; Refused or OSError if not.

    The real path is opened with O_NOFOLLOW, so a link swapped in after the check is refused
    rather than followed; fstat then makes sure it is a regular file before any read.
    """
    real = inside(path, root)
    # The file object owns the descriptor at once and closes it once. Handing it over after
    # the checks left a window (an interrupt between fdopen and the with) where both closed
    # it, and the second close could hit a descriptor another thread had just opened.
    with open(os.open(real, _READ_FLAGS), "rb", closefd=True) as handle:
        fd = handle.fileno()
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(info.st_mode):
            raise Refused(0, "not a regular file (a FIFO, socket or device)")
        if limit is not None and info.st_size > limit:
            raise Refused(0, f"file is over the limit of {limit // 2**20} MB")
        os.set_blocking(fd, True)
        return handle.read()


def is_file(path: Path, root: Path) -> bool:
    """Whether path is a regular file whose real path is inside root (no error either way)."""
    try:
        real = inside(path, root)
        return stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, ValueError):
        return False


def plain_is_file(path: Path) -> bool:
    """Path.is_file() that answers False, not OSError, for a name too long for the file system
    (ENAMETOOLONG) or any other name it cannot look up: names come from untrusted files."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def folder(root: Path, relative: str, display: str | None = None) -> Path:
    """A project folder (manuscript/, references/, styles/...): InputError if it leaves root.

    A folder that does not exist is returned as is (callers decide whether it is needed).
    """
    path = root / relative
    shown = display or relative
    if not os.path.lexists(path):
        return path
    try:
        inside(path, root)
    except Refused as exc:
        raise InputError(f"folder refused: {exc.strerror}", shown) from None
    return path


def check_relative(key: str, value: str, source: str) -> None:
    """A folder setting must name a folder inside the project: relative, no '..', no NUL."""
    if "\x00" in value:
        raise InputError(f"setting '{key}' contains a NUL character", source)
    if not value.strip():
        raise InputError(f"setting '{key}' must not be empty", source)
    posix = value.replace("\\", "/")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    absolute = posix.startswith(("/", "~")) or re.match(r"[A-Za-z]:", posix)
    if absolute or not parts or ".." in parts:
        raise InputError(
            f"setting '{key}' must be a folder inside the project, not '{value}'", source
        )
    if any(_UNSAFE_NAME.search(p) for p in parts):
        raise InputError(f"setting '{key}' contains a control character", source)
    if len(parts) > MAX_FOLDER_DEPTH or any(_bytes(p) > MAX_NAME_BYTES for p in parts):
        raise InputError(
            f"setting '{key}' is too long: at most {MAX_FOLDER_DEPTH} folders of "
            f"{MAX_NAME_BYTES} bytes each",
            source,
        )


def check_name(key: str, value: str, source: str) -> None:
    """An output file stem: one plain name, no folder, no control characters."""
    if _UNSAFE_NAME.search(value) or value in (".", "..") or value.startswith("."):
        raise InputError(
            f"setting '{key}' must be a plain file name (no '/', '\\', leading '.' or control "
            f"characters), not {value!r}",
            source,
        )
    if _bytes(value) > MAX_NAME_BYTES:
        raise InputError(
            f"setting '{key}' is {_bytes(value)} bytes long, over the limit of {MAX_NAME_BYTES}",
            source,
        )


def _bytes(name: str) -> int:
    return len(name.encode("utf-8", "surrogatepass"))


def _made(path: Path) -> os.stat_result:
    """Create a folder, and lstat what is there: made by us, or by a build running alongside.

    A concurrent build's os.mkdir may win the race (FileExistsError): whatever it made is
    checked like any folder found (a link or a file planted meanwhile is still refused).
    """
    with contextlib.suppress(FileExistsError):
        os.mkdir(path)
    return os.lstat(path)


def safe_dir(path: Path, base: Path, display: str, create: bool = True) -> None:
    """Make `path` (inside base) a real directory, refusing any symlink on the way.

    With create=False, only checks the parts that exist (before rendering, to fail early).
    """
    current = base
    for part in path.relative_to(base).parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if not create:
                return
            try:
                info = _made(current)
            except OSError as exc:
                raise InputError(f"cannot create folder: {exc.strerror}", display) from None
        if stat.S_ISLNK(info.st_mode):
            raise InputError(f"'{part}' in the build folder is a symlink: refused", display)
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"'{part}' in the build folder is not a folder", display)


def build_folder(root: Path, relative: str) -> Path:
    """The build folder, created if needed: a real directory inside the project, not a link."""
    real = real_root(root)
    parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".")]
    current = real
    for part in parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            try:
                info = _made(current)
            except OSError as exc:
                message = f"cannot create the build folder: {exc.strerror}"
                raise InputError(message, relative) from None
        except OSError as exc:
            raise InputError(f"build folder unusable: {exc.strerror}", relative) from None
        if stat.S_ISLNK(info.st_mode):
            message = "the build folder (or a folder above it) is a symlink: refused"
            raise InputError(message, relative)
        if not stat.S_ISDIR(info.st_mode):
            raise InputError("the build folder is not a folder", relative)
    if not os.access(current, os.W_OK | os.X_OK):
        raise InputError("the build folder is not writable", relative)
    return current


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_atomic(path: Path, data: bytes, refuse_link: bool = False) -> None:
    """Write next to the target, then rename: readers see the old file or the new, never half.

    The temporary is created new (O_EXCL, O_NOFOLLOW): a file or symlink planted under its
    name is never written through, and the rename replaces a link at the target rather than
    following it; the folder itself must not be a symlink. With refuse_link, a target that
    is a symlink is an error instead (a report file the user named: say so, do not replace).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror}", path.parent) from None
    if path.parent.is_symlink():
        raise InputError("is a symlink: refused as an output folder", path.parent)
    if refuse_link and path.is_symlink():
        raise InputError("is a symlink: refused as an output file", path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()  # a leftover (or a planted link) of the same name: unlinked, not used
    try:
        fd = os.open(temporary, _CREATE, 0o644)
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:  # a folder in the way, a read-only folder, a full disk
        raise InputError(f"cannot write the output: {exc.strerror}", path) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
