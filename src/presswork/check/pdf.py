"""PDF, read with pypdf: fonts embedded, tagged, metadata set, pages, no raw citation left."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from presswork.check.result import Message, Row, judged, skipped

VALIDATOR = "pdf"
# A Pandoc citation citeproc never saw: `[@key]`, `[see @key, p. 3]`, `[@a; @b]` (not e-mail).
RAW_CITATION = re.compile(r"\[[^\[\]]{0,200}?(?<![\w.])-?@\w[^\[\]]{0,200}?\]")
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawn by content streams inside the PDF
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    return any(key in descriptor for key in _FONT_FILES)


def fonts(reader: Any) -> dict[str, bool]:
    """Every font the pages and their form XObjects use -> whether its program is embedded."""
    found: dict[str, bool] = {}
    seen: set[tuple[int, int]] = set()  # form XObjects already visited: cycles end

    def visit(resources: Any) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont") or font.get("/Name") or "unnamed font")
            found[name] = found.get(name, True) and _embedded(font)
        for reference in (resources.get("/XObject") or {}).values():
            key = (getattr(reference, "idnum", -1), getattr(reference, "generation", -1))
            if key in seen:
                continue
            if key[0] >= 0:
                seen.add(key)
            xobject = reference.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


def _metadata(reader: Any) -> dict[str, str]:
    """Title, author and language, from the document information or XMP, and /Lang."""
    info = reader.metadata or {}
    title, author = str(info.get("/Title") or ""), str(info.get("/Author") or "")
    xmp = None
    if not (title and author):
        try:
            xmp = reader.xmp_metadata
        except Exception:  # a broken XMP stream is no metadata at all
            xmp = None
    if xmp is not None:
        title = title or " ".join((xmp.dc_title or {}).values())
        author = author or ", ".join(xmp.dc_creator or [])
    language = str(reader.trailer["/Root"].get("/Lang") or "")
    return {"title": title.strip(), "author": author.strip(), "language": language.strip()}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def problems(reader: Any) -> tuple[list[Message], str]:
    """Everything wrong with an opened PDF, and a summary of what is right."""
    messages = []
    pages = len(reader.pages)
    if pages == 0:
        messages.append(Message("error", "the PDF has no page"))
    used = fonts(reader)
    for name, embedded in sorted(used.items()):
        if not embedded:
            messages.append(Message("error", f"font not embedded: {name.lstrip('/')}"))
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" not in root:
        messages.append(Message("error", "not tagged: no /StructTreeRoot"))
    mark_info = root.get("/MarkInfo")
    marked = mark_info.get_object().get("/Marked") if mark_info is not None else None
    if getattr(marked, "value", marked) is not True:  # a pypdf BooleanObject is always truthy
        messages.append(Message("error", "not tagged: /MarkInfo /Marked is not true"))
    for key, value in _metadata(reader).items():
        if not value:
            where = "/Lang" if key == "language" else f"/{key.capitalize()}"
            messages.append(Message("error", f"metadata: no {key} ({where})"))
    for page_number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        for match in dict.fromkeys(" ".join(m.split()) for m in RAW_CITATION.findall(text)):
            messages.append(
                Message("error", f"raw citation left in the text: {match}", f"page {page_number}")
            )
    summary = (
        f"{_count(pages, 'page')}, {_count(len(used), 'font')} embedded, tagged, "
        "title/author/lang set"
    )
    return messages, summary


def check_pdf(path: Path, name: str) -> Row:
    """One PDF: fail on a font not embedded, no tags, missing metadata or a raw citation."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return skipped(name, VALIDATOR, 'pypdf not installed (pip install "presswork[check]")')
    try:
        reader = PdfReader(path)
        messages, summary = problems(reader)
    except Exception as exc:  # pypdf raises many kinds on a damaged file: each is a failure
        return judged(name, VALIDATOR, [Message("error", f"unreadable PDF: {exc}")])
    return judged(name, VALIDATOR, messages, "" if messages else summary)
