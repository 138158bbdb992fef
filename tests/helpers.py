"""Reading real outputs: the text of a PDF, the parts of an HTML page or an EPUB."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import zipfile
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
