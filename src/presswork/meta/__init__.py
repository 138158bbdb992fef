"""The paper's own metadata: what indexers read, and how to cite the paper itself.

`paper` reads the manuscript's metadata, `export` writes its reference (CSL-JSON, BibTeX,
RIS), `cite` renders it in CSL styles with citeproc-py, `tags` makes the HTML head's
Highwire, Open Graph and schema.org markup, `cited` lists the works a document cites.
"""

from __future__ import annotations

from presswork.meta.paper import Paper, paper_from_meta

__all__ = ["Paper", "paper_from_meta"]
