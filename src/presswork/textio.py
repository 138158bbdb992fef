"""Reading the user's files: UTF-8 only, with errors that say where and what instead."""

from __future__ import annotations

from pathlib import Path

from presswork import confine
from presswork.errors import InputError

MAX_TEXT_BYTES = 32 * 1024 * 1024  # any one text file; larger ones are refused before reading


def _guess_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if data.startswith(b"\x00\x00\xfe\xff") or data.startswith(b"\xff\xfe\x00\x00"):
        return "UTF-32"
    if b"\x00" in data[:4096]:
        return "UTF-16 without a byte-order mark, or binary data"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "an unknown 8-bit encoding"
    return "Windows-1252 or Latin-1"


def read_text(
    path: Path,
    display: Path | str | None = None,
    allow_empty: bool = False,
    root: Path | None = None,
    limit: int = MAX_TEXT_BYTES,
) -> str:
    """The file's text as UTF-8 (a BOM is dropped); InputError naming line and encoding if not.

    With `root` (every project file), the file's real path must be inside it and it must be a
    regular file (confine.read_bytes): a symlink out of the project or a FIFO is refused.
    """
    shown = display if display is not None else path
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                f"file is {size / 2**20:.1f} MB, over the limit of {limit // 2**20} MB", shown
            )
        data = confine.read_bytes(path, root, limit) if root is not None else path.read_bytes()
    except confine.Refused as exc:
        raise InputError(f"refused: {exc.strerror}", shown) from None
    except FileNotFoundError:
        raise InputError("file not found", shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", shown) from None
    if not data.strip() and not allow_empty:
        raise InputError("file is empty", shown)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 (looks like {_guess_encoding(data)}); save it as UTF-8",
            shown,
            line,
            column,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"contains NUL bytes (looks like {_guess_encoding(data)}); save it as UTF-8",
            shown,
            line,
        )
    # Windows line endings would shift every column by one at the end of lines.
    return text.replace("\r\n", "\n")
