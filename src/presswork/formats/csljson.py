"""The cited works as a CSL-JSON bibliography, in the order of the style's bibliography."""

from __future__ import annotations

import json

from presswork.formats import Format, register
from presswork.formats.document import StyleDocument


def render(doc: StyleDocument) -> bytes:
    text = json.dumps(doc.cited_references, ensure_ascii=False, indent=2) + "\n"
    return text.encode("utf-8")


register(
    Format(
        "csljson",
        "json",
        "application/vnd.citationstyles.csl+json",
        render,
        "the cited works as CSL-JSON",
    )
)
