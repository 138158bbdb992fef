"""Word (DOCX) written by pandoc from the cited AST, with the build's date and fixed zip times."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from presswork import pandoc
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument
from presswork.formats.epub import SANDBOX_STAMP, normalized_zip

CORE = "docProps/core.xml"


def render(doc: StyleDocument) -> bytes:
    docx = pandoc.write(doc.ast_json, "docx", doc.root)
    stamp = datetime.fromtimestamp(doc.source_date_epoch, tz=timezone.utc)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        core = archive.read(CORE).decode("utf-8")
    # --sandbox keeps pandoc from SOURCE_DATE_EPOCH: it writes the Unix epoch as the dates.
    core = core.replace(SANDBOX_STAMP, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return normalized_zip(docx, doc.source_date_epoch, {CORE: core})


register(
    Format(
        "docx",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        render,
        "Word document (DOCX) by pandoc",
    )
)
