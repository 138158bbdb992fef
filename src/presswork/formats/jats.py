"""JATS XML (Journal Archiving and Interchange) written by pandoc from the cited AST."""

from __future__ import annotations

from presswork import pandoc
from presswork.formats import Format, register
from presswork.formats.document import StyleDocument


def render(doc: StyleDocument) -> bytes:
    meta = doc.ast.get("meta", {})
    args = ["--standalone", "--wrap=none"]
    if doc.paper.doi and "article" not in meta:
        args += ["--metadata", f"article.doi={doc.paper.doi}"]
    return pandoc.write(doc.ast_json, "jats_archiving", doc.root, args)


register(
    Format("jats", "xml", "application/jats+xml", render, "JATS archiving XML, with the ref-list")
)
