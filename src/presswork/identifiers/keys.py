"""From keys as written to the keys pandoc matches: aliases, normalisation, positions.

pandoc's citeproc matches a citation id with a reference id exactly, so right after the
parse every Cite id is rewritten to its normalised key (`@DOI:10.1038/NATURE14539` and
`@tag:lecun` both become `doi:10.1038/nature14539`), the id of the frozen entry.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presswork.ast import walk
from presswork.errors import PressworkError
from presswork.identifiers.linkdefs import definitions, strip_ast
from presswork.identifiers.syntax import Identifier, parse
from presswork.project import Project

FROZEN_NAME = "identifiers.json"
TAGS_FILE = "citation-tags.tsv"  # Manubot's older way to define tags, in the manuscript folder


def aliases(proj: Project) -> dict[str, str]:
    """Alias key -> target key, from the metadata's `citekey-aliases` and `citation-tags`.

    As in Manubot, `citekey-aliases` maps a key as cited (`tag:lecun`, or any key) to a
    target; `citation-tags` and `citation-tags.tsv` map a tag name, cited as `@tag:name`.
    """
    found: dict[str, str] = {}
    found.update(_link_definitions(proj))
    tsv = proj.root / proj.settings.manuscript_dir / TAGS_FILE
    if tsv.is_file():
        rows = csv.DictReader(tsv.read_text(encoding="utf-8").splitlines(), delimiter="\t")
        for row in rows:
            tag, citation = (row.get("tag") or "").strip(), (row.get("citation") or "").strip()
            if tag and citation:
                found[f"tag:{tag}"] = citation
    tags = proj.metadata.get("citation-tags")
    if isinstance(tags, dict):
        found.update({f"tag:{k}": str(v) for k, v in tags.items() if isinstance(v, str)})
    explicit = proj.metadata.get("citekey-aliases")
    if isinstance(explicit, dict):
        found.update({str(k): str(v) for k, v in explicit.items() if isinstance(v, str)})
    return {key: target.lstrip("@").strip() for key, target in found.items()}


def _link_definitions(proj: Project) -> dict[str, str]:
    """`[@tag]: target` lines of the chapters (Manubot's link-reference aliases)."""
    from presswork.lint.source import scan  # code blocks and comments define nothing

    found: dict[str, str] = {}
    for chapter in proj.chapters:
        if "[@" in chapter.text:
            found.update(
                (d.key, d.target) for d in definitions(scan(chapter.path, chapter.text).code_masked)
            )
    return found


def resolve(key: str, alias_map: dict[str, str]) -> str:
    """The key pandoc should match for a key as written."""
    target = alias_map.get(key, key)
    ident = parse(target)
    return ident.key if ident is not None else target


def rewrite_ast(ast: dict[str, Any], alias_map: dict[str, str]) -> None:
    """Rewrite every Cite id (metadata's nocite included) to its normalised key, in place.

    Paragraphs that only define aliases (`[@tag]: doi:...`) go, as in Manubot.
    """
    strip_ast(ast)
    for item in walk(ast):
        if item.get("t") == "Cite":
            for citation in item["c"][0]:
                citation["citationId"] = resolve(citation["citationId"], alias_map)


@dataclass(frozen=True)
class Cited:
    """One identifier citation in the source, where it is written."""

    written: str  # the key as in the text (perhaps an alias)
    ident: Identifier
    file: str
    line: int
    column: int


def cited(proj: Project, alias_map: dict[str, str] | None = None) -> Iterator[Cited]:
    """Every identifier cited in the chapters, in reading order, with its position."""
    from presswork.lint.source import scan  # the linter's scanner: code and comments skipped

    alias_map = aliases(proj) if alias_map is None else alias_map
    for chapter in proj.chapters:
        doc = scan(chapter.path, chapter.text)
        for cite in doc.citations:
            ident = parse(alias_map.get(cite.key, cite.key))
            if ident is not None:
                line, column = doc.position(cite.start)
                yield Cited(cite.key, ident, chapter.path, line, column)


def frozen_display(proj: Project) -> str:
    return (Path(proj.settings.references_dir) / FROZEN_NAME).as_posix()


def not_fetched(proj: Project, ast: dict[str, Any]) -> list[PressworkError]:
    """One problem per identifier cited (after rewrite_ast) that no reference file holds."""
    known = {ref.id for ref in proj.references}
    wanted: set[str] = set()
    for item in walk(ast.get("blocks", [])):
        if item.get("t") == "Cite":
            wanted.update(c["citationId"] for c in item["c"][0])
    missing = {key for key in wanted - known if parse(key) is not None}
    if not missing:
        return []
    problems = []
    for one in cited(proj):
        if one.ident.key in missing:
            missing.discard(one.ident.key)
            problems.append(_problem(proj, one.written, one.ident, one.file, one.line, one.column))
    for key in sorted(missing):  # cited where the scanner does not look (rare)
        ident = parse(key)
        assert ident is not None
        problems.append(_problem(proj, key, ident, None, None, None))
    return problems


def _problem(
    proj: Project,
    written: str,
    ident: Identifier,
    file: str | None,
    line: int | None,
    column: int | None,
) -> PressworkError:
    if ident.problem is not None:
        message = f"identifier '@{written}' is invalid: {ident.problem}"
    else:
        message = (
            f"identifier '@{written}' is not in {frozen_display(proj)}: "
            "run `presswork refs fetch` (it needs the network; the build never does)"
        )
    return PressworkError(message, file, line, column)
