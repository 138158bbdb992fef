"""Reading real outputs: the text of a PDF, the parts of an HTML page or an EPUB."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Every font the PDF uses -> whether its program is embedded."""
    from pypdf import PdfReader

    fonts: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def html_entries(html: str) -> list[str]:
    """The bibliography entries of a pandoc/citeproc HTML page, as plain text."""
    entries = re.findall(r'<div id="ref-[^"]+" class="csl-entry"[^>]*>(.*?)</div>', html, re.S)
    return [re.sub(r"<[^>]+>", "", e).strip() for e in entries]


def epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def examples(count: int) -> int:
    """A fuzz test's example count, times PRESSWORK_FUZZ_SCALE (`nox -s fuzz` sets it)."""
    return count * max(1, int(os.environ.get("PRESSWORK_FUZZ_SCALE", "1")))


def assert_no_connection(server: socket.socket) -> None:
    """The hostile tests' listener (conftest `listener`) saw no connection."""
    try:
        conn, address = server.accept()
    except BlockingIOError:
        return
    conn.close()
    raise AssertionError(f"something connected to the listener from {address}")


_DATA_URI = re.compile(rb"data:[^;,\"'\s]*;base64,([A-Za-z0-9+/=]+)")


def output_texts(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """An output whole: its bytes, base64 data: URIs decoded, zip members, PDF streams."""
    yield name, data
    for match in _DATA_URI.finditer(data):
        yield from output_texts(f"{name}:data-uri", base64.b64decode(match.group(1) + b"=="))
    if data.startswith(b"PK") and zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from output_texts(f"{name}!{member}", archive.read(member))
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.generic import StreamObject

        reader = PdfReader(io.BytesIO(data))
        for number in range(1, int(reader.trailer["/Size"])):
            try:
                obj = reader.get_object(number)
            except Exception:  # free entries of the xref table
                continue
            if isinstance(obj, StreamObject):
                yield f"{name}#stream{number}", obj.get_data()
        for page in reader.pages:
            yield f"{name}#text", (page.extract_text() or "").encode("utf-8")
