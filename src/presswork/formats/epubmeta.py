"""EPUB accessibility: schema.org metadata in the package document and a fuller landmarks nav.

pandoc 3 writes accessMode, accessModeSufficient, the features and hazard "none"; this adds
the summary and keeps `alternativeText` only when there are images and all have alt text.
There is no page-list: a born-digital EPUB has no print pages to point to.
"""

from __future__ import annotations

import re
from typing import Any

from presswork.ast import walk

ALT_TEXT = '<meta property="schema:accessibilityFeature">alternativeText</meta>'
FEATURES = ("tableOfContents", "readingOrder", "structuralNavigation")


def image_alts(ast: dict[str, Any]) -> list[bool]:
    """For each image of the document, whether it has alt text."""
    return [bool(node["c"][1]) for node in walk(ast.get("blocks", [])) if node.get("t") == "Image"]


def summary(alts: list[bool]) -> str:
    text = (
        "A reflowable text publication with a table of contents, headings in reading order, "
        "linked notes and a linked bibliography."
    )
    if alts and all(alts):
        return text + " Every image has a text alternative."
    if alts:
        return text + " Some images lack a text alternative."
    return text + " It has no images."


def accessible_opf(opf: str, alts: list[bool]) -> str:
    """Add what pandoc leaves out of the accessibility metadata; drop a false alternativeText."""
    if not (alts and all(alts)):
        opf = opf.replace(f"    {ALT_TEXT}\n", "").replace(ALT_TEXT, "")
    extra = [
        f'<meta property="schema:accessibilityFeature">{feature}</meta>'
        for feature in FEATURES
        if f">{feature}</meta>" not in opf
    ]
    for prop, value in (
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityHazard", "none"),
    ):
        if f'property="{prop}"' not in opf:
            extra.append(f'<meta property="{prop}">{value}</meta>')
    extra.append(f'<meta property="schema:accessibilitySummary">{summary(alts)}</meta>')
    block = "".join(f"    {line}\n" for line in extra)
    return opf.replace("  </metadata>", f"{block}  </metadata>", 1)


def landmarks_nav(nav: str, chapters: list[str], bibliography: str | None) -> str:
    """Add `bodymatter` (the first chapter) and `bibliography` to pandoc's landmarks."""
    items = []
    if chapters and 'epub:type="bodymatter"' not in nav:
        items.append(f'<a href="{chapters[0]}" epub:type="bodymatter">Start of Content</a>')
    if bibliography and 'epub:type="bibliography"' not in nav:
        items.append(f'<a href="{bibliography}" epub:type="bibliography">Bibliography</a>')
    if not items:
        return nav
    block = "".join(f"    <li>\n      {item}\n    </li>\n" for item in items)
    pattern = re.compile(r'(<nav epub:type="landmarks"[^>]*>\s*<ol>\n)(.*?)(  </ol>)', re.DOTALL)
    return pattern.sub(lambda m: m.group(1) + m.group(2) + block + m.group(3), nav, count=1)
