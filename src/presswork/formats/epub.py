"""EPUB 3 written by pandoc from the cited AST, with a stable identifier and fixed dates."""

from __future__ import annotations

import hashlib
import json

from presswork import pandoc
from presswork.assets import asset_path, asset_text
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument


def identifier(doc: StyleDocument) -> str:
    """The DOI when the metadata gives one, else a UUID derived from the content (not random)."""
    meta = doc.ast.get("meta", {})
    doi = meta.get("doi", {})
    if doi.get("t") in ("MetaString", "MetaInlines"):
        text = doi["c"] if doi["t"] == "MetaString" else "".join(
            part.get("c", " ") if part.get("t") == "Str" else " " for part in doi["c"]
        )
        return f"doi:{text.strip()}"
    digest = hashlib.sha256(json.dumps(doc.ast, sort_keys=True).encode()).hexdigest()
    return f"urn:uuid:{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def render(doc: StyleDocument) -> bytes:
    return pandoc.write(
        doc.ast,
        "epub3",
        doc.root,
        [
            # --sandbox refuses --css files, so the stylesheet goes inline through the template
            "--template",
            str(asset_path("epub-template.xhtml")),
            "--variable",
            f"presswork-css={asset_text('epub.css')}",
            "--toc",
            "--split-level=1",
            "--metadata",
            f"identifier={identifier(doc)}",
            "--metadata",
            f"lang={doc.lang}",
        ],
        # pandoc takes the EPUB's modification date and zip times from here
        env={"SOURCE_DATE_EPOCH": str(doc.source_date_epoch)},
    )


register(Format("epub", "epub", "application/epub+zip", render, "EPUB 3, checked by epubcheck"))
