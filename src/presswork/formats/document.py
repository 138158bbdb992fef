"""What every format of one style renders from: the cited AST and the shared page HTML."""

from __future__ import annotations

import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from presswork import pandoc
from presswork.assets import asset_path


@dataclass
class StyleDocument:
    """One style's result of citeproc, with lazily derived, shared intermediate forms."""

    root: Path
    name: str
    style_name: str
    style_title: str
    uses_notes: bool
    ast: dict[str, Any]
    lang: str
    source_date_epoch: int
    pool: Executor | None = None  # for CPU-bound work (WeasyPrint) in other processes
    settings: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def page_html(self) -> str:
        """pandoc's standalone HTML in our template, before CSS goes in (shared by HTML and PDF)."""
        out = pandoc.write(
            self.ast,
            "html5",
            self.root,
            [
                "--standalone",
                "--template",
                str(asset_path("template.html")),
                "--wrap=none",
                "--section-divs",
                "--variable",
                f"presswork-style={self.style_title}",
            ],
        )
        return out.decode("utf-8")
