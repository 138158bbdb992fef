"""A manuscript project on disk: settings, metadata, chapters and references, read once.

Everything the build and the linter need is read here and validated, so that a bad input
fails before any output is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from presswork import confine, limits
from presswork import settings as settings_mod
from presswork.errors import InputError
from presswork.references import REFERENCE_SUFFIXES, Reference, load_yaml, parse
from presswork.settings import Settings
from presswork.textio import read_text

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

    @property
    def name(self) -> str:
        return self.settings.name or self.root.resolve().name

    @property
    def build_dir(self) -> Path:
        return self.root / self.settings.build_dir

    @property
    def lang(self) -> str:
        lang = self.metadata.get("lang")
        return lang if isinstance(lang, str) and lang else "en-US"

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def _node_line(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return int(v.start_mark.line) + 1
    return None


def _check_metadata(data: Any, node: yaml.Node | None, display: str) -> dict[str, Any]:
    if data is None:
        raise InputError("metadata is empty: it needs at least a title", display)
    if not isinstance(data, dict):
        raise InputError("metadata must be a mapping of keys to values", display, 1)
    title = data.get("title")
    if title is None:
        raise InputError("metadata has no 'title'", display)
    if not isinstance(title, str) or not title.strip():
        raise InputError("'title' must be text", display, _node_line(node, "title"))
    author = data.get("author")
    if author is not None:
        authors = author if isinstance(author, list) else [author]
        for one in authors:
            ok = isinstance(one, str) or (
                isinstance(one, dict) and isinstance(one.get("name"), str)
            )
            if not ok:
                raise InputError(
                    "'author' must be text, a list of names, or entries with a 'name'",
                    display,
                    _node_line(node, "author"),
                )
    for key in ("lang", "date", "subtitle", "short-title", "identifier"):
        value = data.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            raise InputError(
                f"'{key}' must be text, not a {type(value).__name__}",
                display,
                _node_line(node, key),
            )
    for key in ("keywords",):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise InputError(f"'{key}' must be a list of text", display, _node_line(node, key))
    return data


def load(root: Path | str = ".") -> Project:
    """Read and validate a project; raises InputError on anything unusable."""
    root = Path(root)
    if not root.is_dir():
        raise InputError("project directory not found", root)
    conf = settings_mod.load(root)
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

    chapters = [SourceFile(rel(p), read_text(p, rel(p), root=root)) for p in chapter_paths]
    for chapter in chapters:  # YAML blocks in chapters: no aliases, bounded nesting
        limits.check_markdown_yaml(chapter.text, chapter.path)
    size = sum(len(chapter.text.encode("utf-8")) for chapter in chapters)
    if size > MAX_MANUSCRIPT_BYTES:
        raise InputError(
            f"the manuscript is {size / 2**20:.1f} MB of Markdown, over the limit of "
            f"{MAX_MANUSCRIPT_BYTES // 2**20} MB",
            rel(manuscript),
        )

    metadata: dict[str, Any] = {}
    metadata_file = None
    for name in METADATA_NAMES:
        candidate = manuscript / name
        if candidate.is_file():
            display = rel(candidate)
            text = read_text(candidate, display, root=root)
            data, node = load_yaml(text, display)
            metadata = _check_metadata(data, node, display)
            metadata_file = SourceFile(display, text)
            break
    else:
        raise InputError(f"no metadata file ({' or '.join(METADATA_NAMES)})", rel(manuscript))

    ref_dir = confine.folder(root, conf.references_dir)
    reference_files: list[SourceFile] = []
    references: list[Reference] = []
    if ref_dir.is_dir():
        for path in sorted(ref_dir.iterdir()):
            if path.suffix.lower() not in REFERENCE_SUFFIXES or not path.is_file():
                continue
            display = rel(path)
            text = read_text(path, display, root=root)
            references.extend(parse(text, path.suffix, display))
            reference_files.append(SourceFile(display, text))
    return Project(root, conf, metadata, metadata_file, chapters, reference_files, references)
