"""A manuscript project on disk: settings, metadata, chapters and references, read once.

Everything the build and the linter need is read here and validated, so that a bad input
fails before any output is touched.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presswork import confine, limits
from presswork import metadata as metadata_mod
from presswork import settings as settings_mod
from presswork.errors import InputError, PressworkError
from presswork.references import REFERENCE_SUFFIXES, Reference, inline_references, parse
from presswork.sanitize import resource_refusal
from presswork.settings import Settings
from presswork.textio import read_text

if TYPE_CHECKING:
    from presswork.metafiles import MetaFiles

METADATA_NAMES = ("metadata.yaml", "metadata.yml")
# pandoc and WeasyPrint need minutes and gigabytes beyond this; a long book is about 2 MB.
MAX_MANUSCRIPT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A text file of the project: its path relative to the root, and its text."""

    path: str  # forward slashes, relative to the project root
    text: str


@dataclass
class Project:
    root: Path
    settings: Settings
    metadata: dict[str, Any]
    metadata_file: SourceFile | None
    chapters: list[SourceFile]
    reference_files: list[SourceFile]
    references: list[Reference] = field(default_factory=list)
    # Where each metadata key pandoc uses is written (metadata.yaml or a chapter's YAML block).
    metadata_sources: metadata_mod.Metadata = field(
        default_factory=lambda: metadata_mod.Metadata({}, {}, [])
    )
    # Warnings found while reading (a metadata `bibliography` outside the project...).
    problems: list[PressworkError] = field(default_factory=list)

    @functools.cached_property
    def metadata_files(self) -> MetaFiles:
        """The files the metadata's `css:` and `cover-image:` name, read and checked once for
        the whole build (the key, the warnings and every style use the same bytes)."""
        from presswork import metafiles

        return metafiles.collect(self.root, self.settings.manuscript_dir, self.metadata_sources)

    @property
    def title_missing(self) -> bool:
        title = self.metadata.get("title")
        return title is None or (isinstance(title, str) and not title.strip())

    @property
    def name(self) -> str:
        return self.settings.name or self.root.resolve().name

    @property
    def build_dir(self) -> Path:
        return self.root / self.settings.build_dir

    @property
    def lang(self) -> str:
        """The metadata's language tag, else en-US: it goes into attributes (`<html lang>`,
        the EPUB's package) as it is, so anything but a tag's letters, digits and hyphens
        is refused (a quote there would add attributes, such as an event handler)."""
        lang = self.metadata.get("lang")
        return lang if isinstance(lang, str) and LANG_TAG.fullmatch(lang) else "en-US"

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


LANG_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")  # BCP 47's shape


def _check_metadata(meta: metadata_mod.Metadata) -> list[PressworkError]:
    """Values of a type the outputs cannot show as meant, each at the line pandoc keeps.

    pandoc accepts any YAML, so these are warnings (errors under --strict), not refusals;
    a missing title is one too (reported by the build and the linter).
    """
    data = meta.values
    problems: list[PressworkError] = []

    def warn(message: str, key: str) -> None:
        file, line = meta.where(key) or (None, None)
        problems.append(metadata_mod.MetadataProblem(message, file, line))

    title = data.get("title")
    if title is not None and not isinstance(title, str):
        warn("'title' must be text", "title")
    author = data.get("author")
    if author is not None:
        authors = author if isinstance(author, list) else [author]
        for one in authors:
            ok = isinstance(one, str) or (
                isinstance(one, dict) and isinstance(one.get("name"), str)
            )
            if not ok:
                warn("'author' must be text, a list of names, or entries with a 'name'", "author")
                break
    for key in ("lang", "date", "subtitle", "short-title", "identifier"):
        value = data.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            warn(f"'{key}' must be text, not a {type(value).__name__}", key)
    lang = data.get("lang")
    if isinstance(lang, str) and not LANG_TAG.fullmatch(lang):
        warn("'lang' must be a language tag such as en-US or de; the outputs use en-US", "lang")
    value = data.get("keywords")
    if (
        value is not None
        and not isinstance(value, str)
        and not (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        warn("'keywords' must be a list of text", "keywords")
    return problems


def load(root: Path | str = ".") -> Project:
    """Read and validate a project; raises InputError on anything unusable."""
    root = Path(root)
    if not root.is_dir():
        raise InputError("project directory not found", root)
    conf = settings_mod.load(root)
    outputs = root / conf.build_dir
    if outputs.exists() and not outputs.is_dir():  # found before anything is written into it
        raise InputError(
            f"setting 'build-dir': '{conf.build_dir}' is a file, not a folder; "
            "name a folder (it is made if missing)",
            conf.source or root,
        )
    # The folders themselves may be symlinks out of the project: refused (confine.folder).
    manuscript = confine.folder(root, conf.manuscript_dir)
    if not manuscript.is_dir():
        raise InputError(
            f"no '{conf.manuscript_dir}/' folder: this is not a presswork project", root
        )
    chapter_paths = sorted(p for p in manuscript.glob("*.md") if p.is_file())
    if not chapter_paths:
        raise InputError("no Markdown (.md) files in the manuscript folder", manuscript)

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()

    # pandoc reads an empty chapter as nothing; only a manuscript with no text is refused.
    chapters = [
        SourceFile(rel(p), read_text(p, rel(p), allow_empty=True, root=root)) for p in chapter_paths
    ]
    if not any(chapter.text.strip() for chapter in chapters):
        raise InputError("file is empty", chapters[0].path)
    for chapter in chapters:  # YAML blocks in chapters: no aliases, bounded nesting
        limits.check_markdown_yaml(chapter.text, chapter.path)
        limits.check_markdown_nesting(chapter.text, chapter.path)
    size = sum(len(chapter.text.encode("utf-8")) for chapter in chapters)
    if size > MAX_MANUSCRIPT_BYTES:
        raise InputError(
            f"the manuscript is {size / 2**20:.1f} MB of Markdown, over the limit of "
            f"{MAX_MANUSCRIPT_BYTES // 2**20} MB",
            rel(manuscript),
        )

    # pandoc's order: --metadata-file first, then the chapters' blocks; later keys win.
    blocks: list[metadata_mod.Block] = []
    metadata_file = None
    for name in METADATA_NAMES:
        candidate = manuscript / name
        if candidate.is_file():
            display = rel(candidate)
            # pandoc takes an empty one
            text = read_text(candidate, display, True, root, limits.MAX_DATA_BYTES)
            blocks.append(metadata_mod.file_block(display, text))
            metadata_file = SourceFile(display, text)
            break
    for k, chapter in enumerate(chapters):
        title_block = metadata_mod.title_block(chapter.path, chapter.text) if k == 0 else None
        blocks += [title_block] if title_block is not None else []  # before its YAML blocks
        blocks += metadata_mod.chapter_blocks(chapter.path, chapter.text)
    sources = metadata_mod.merge(blocks)
    metadata = sources.values
    type_problems = _check_metadata(sources)

    ref_dir = confine.folder(root, conf.references_dir)
    reference_files: list[SourceFile] = []
    references: list[Reference] = []
    paths = []
    if ref_dir.is_dir():
        paths = [
            path
            for path in sorted(ref_dir.iterdir())
            if path.suffix.lower() in REFERENCE_SUFFIXES and path.is_file()
        ]
    named, problems = _metadata_bibliographies(root, manuscript, sources)
    broken: list[InputError] = []  # a broken BibTeX entry: a warning, the rest builds
    for path in paths + [p for p in named if p not in paths]:
        display = rel(path)
        if not _utf8_name(path):  # pandoc is given its name, and reads names as UTF-8
            raise InputError("file name is not UTF-8: rename the file", display)
        text = read_text(path, display, True, root, limits.MAX_DATA_BYTES)
        if not text.strip():
            continue  # an empty file defines nothing (pandoc reads a .bib so)
        references.extend(parse(text, path.suffix, display, broken))
        reference_files.append(SourceFile(display, text))
    # pandoc cites the metadata's own `references:` too (the block pandoc keeps).
    inline = sources.origin.get("references")
    if inline is not None:
        references.extend(inline_references(inline.data, inline.node, inline.path))
    return Project(
        root,
        conf,
        metadata,
        metadata_file,
        chapters,
        reference_files,
        references,
        sources,
        [*type_problems, *broken, *problems],
    )


def _utf8_name(path: Path) -> bool:
    try:
        os.fsencode(path.name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _metadata_bibliographies(
    root: Path, manuscript: Path, sources: metadata_mod.Metadata
) -> tuple[list[Path], list[PressworkError]]:
    """The files a metadata `bibliography:` names, inside the project; warnings for others.

    pandoc looks for them from where it runs; a manuscript may have been written to run from
    the project root or from the manuscript folder, so both are tried, in that order.
    """
    value = sources.values.get("bibliography")
    if value is None:
        return [], []
    items = value if isinstance(value, list) else [value]
    file, line = sources.where("bibliography") or (None, None)
    found: list[Path] = []
    problems: list[PressworkError] = []
    top = root.resolve()
    for item in items:
        if not isinstance(item, str) or not item.strip():
            continue
        name = item.strip()
        reason = ""
        candidates = [base / name for base in (root, manuscript)]
        existing = [c for c in candidates if confine.plain_is_file(c)]
        if resource_refusal(name, root):
            continue  # outside the project or on the network: sanitize reports it, located
        if not existing:
            reason = "file not found"
        elif not existing[0].resolve().is_relative_to(top):
            reason = "outside the project"
        elif existing[0].suffix.lower() not in REFERENCE_SUFFIXES:
            reason = "not a .bib, .json or .yaml file"
        if reason:
            message = f"metadata 'bibliography: {name}' ignored: {reason}"
            problems.append(PressworkError(message, file, line))
            continue
        path = root / existing[0].resolve().relative_to(top)
        if path not in found:
            found.append(path)
    return found, problems
