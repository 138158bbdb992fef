"""The shared analysis every rule reads: each file is scanned once, lazily, and cached."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any, TypeVar

from presswork.crossref import is_crossref_key
from presswork.lint.calendar import DateValue, parse_date_text
from presswork.lint.config import LintConfig
from presswork.lint.model import Citation
from presswork.lint.refsource import MetadataFile, ReferenceFiles
from presswork.lint.source import Document, scan
from presswork.project import Project
from presswork.references import Reference

T = TypeVar("T")


def strip_tex(text: str) -> str:
    """A BibTeX value as plain text: protective braces and simple macros dropped."""
    out = text.replace("\\&", "&").replace("--", "–")
    return "".join(ch for ch in out if ch not in "{}")


class Context:
    """A project and the lint configuration, plus analyses computed once on demand."""

    def __init__(self, project: Project, config: LintConfig) -> None:
        self.project = project
        self.config = config
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """An analysis shared by several rules, computed by the first that asks."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def documents(self) -> list[Document]:
        return [scan(chapter.path, chapter.text) for chapter in self.project.chapters]

    @cached_property
    def references(self) -> list[Reference]:
        return list(self.project.references)

    @cached_property
    def refs_by_id(self) -> dict[str, Reference]:
        """The first definition of every key (duplicates are a finding of their own)."""
        found: dict[str, Reference] = {}
        for ref in self.references:
            found.setdefault(ref.id, ref)
        return found

    @cached_property
    def reference_files(self) -> ReferenceFiles:
        files = {f.path: f.text for f in self.project.reference_files}
        return ReferenceFiles(files, self.references)

    @cached_property
    def metadata(self) -> MetadataFile | None:
        meta = self.project.metadata_file
        return MetadataFile(meta.path, meta.text) if meta is not None else None

    def metadata_for(self, key: str) -> MetadataFile | None:
        """The metadata block whose value of `key` pandoc uses (metadata.yaml or a chapter's)."""
        block = self.project.metadata_sources.origin.get(key)
        if block is None:
            return None
        cache = self.memo("metadata-blocks", dict)
        found = cache.get(id(block))
        if found is None:
            found = cache[id(block)] = MetadataFile(block.path, block.text, block.node)
        return found

    def citations(self) -> Iterator[tuple[Document, Citation]]:
        """Every citation of the manuscript, in reading order (`@fig:x` and kin are none)."""
        for doc in self.documents:
            for cite in doc.citations:
                if not is_crossref_key(cite.key):
                    yield doc, cite

    @cached_property
    def nocite(self) -> set[str]:
        """Keys listed in the metadata's `nocite` (`@*` stands for every reference)."""
        value = self.project.metadata.get("nocite")
        values = value if isinstance(value, list) else [value]
        keys: set[str] = set()
        for item in values:
            if isinstance(item, str):  # "@a, @b", "@a; @b" or "[@a; @b]"
                keys.update(key.rstrip(".:") for key in re.findall(r"@(\*|[^\s,;@\[\]]+)", item))
        return keys

    @cached_property
    def reference_date(self) -> DateValue | None:
        """The manuscript's own date: `reference-date` in the settings, else metadata `date`."""
        text = self.config.reference_date or self.project.metadata.get("date")
        if text is None:
            return None
        return parse_date_text(str(text))

    def ref_title(self, ref: Reference) -> str:
        title = ref.get("title")
        if not isinstance(title, str):
            return ""
        return strip_tex(title) if ref.syntax == "bibtex" else title
