"""Safety rules: what the build refuses in a hostile manuscript, found before the build.

The build removes these with warnings (presswork.sanitize); the rules report them at their
place in the Markdown. Every decision is sanitize's own: images go through `embed_image`,
links through `link_refusal`, attributes through `attribute_refusal` and raw HTML through
`clean_html`, so the linter and the build cannot disagree about what is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import yaml

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.refsource import scalar_start
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document
from presswork.sanitize import (
    DROPPED_TAGS,
    DROPPED_WITH_CONTENT,
    LINK_ATTRIBUTES,
    PATH_METADATA,
    RESOURCE_ATTRIBUTES,
    attribute_refusal,
    clean_html,
    css_refusal,
    embed_image,
    link_refusal,
    resource_refusal,
)

EXTERNAL, UNSAFE, MISSING = "external", "unsafe", "missing"
# Link schemes that run script or carry a document; `file:` is a resource outside the project.
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "data"})
# `[label]: target` (not a footnote `[^x]:`), and `![alt][label]`, `![label][]`, `![label]`.
_DEFINITION = re.compile(
    r"^ {0,3}\[(?P<label>[^\]^\n][^\]\n]*)\]:[ \t]*<?(?P<target>[^\s>]+)", re.M
)
_IMAGE_REF = re.compile(r"!\[(?P<alt>[^\]\n]*)\](?:\[(?P<label>[^\]\n]*)\])?(?!\()")
# Pandoc attributes `{#id .class key=value}`: the key=value pairs. Braces hold attributes
# only when every item is one (`{in text onclick=x}` is prose to pandoc, and so here).
_ATTR_BLOCK = re.compile(r"\{[^{}\n]*=[^{}\n]*\}")
_ATTR_ITEM = r"(?:[#.][^\s{}]+|-|[\w.:-]+=(?:\"[^\"]*\"|'[^']*'|[^\s{}\"']+))"
_ATTR_ONLY = re.compile(rf"\{{[ \t]*{_ATTR_ITEM}(?:[ \t]+{_ATTR_ITEM})*[ \t]*\}}")
_ATTR_PAIR = re.compile(r"([^\s{}=\"']+)=(\"[^\"]*\"|'[^']*'|[^\s{}]+)")

Issue = tuple[str, int, str]  # kind, offset in the file, message


def image_issue(target: str, root: Path) -> tuple[str, str] | None:
    """(kind, reason) when the build refuses an image target, None when it embeds it."""
    embedded, reason = embed_image(target, root)
    if embedded is not None:
        return None
    local = not target.strip().lower().startswith("data:")
    if local and resource_refusal(target, root) and reason != "empty path":
        return EXTERNAL, reason
    return MISSING, reason


def link_issue(target: str) -> tuple[str, str] | None:
    """(kind, reason) when the build removes a link target, None when it keeps it."""
    reason = link_refusal(target)
    if not reason:
        return None
    scheme = reason.split(":", 1)[0]
    return (UNSAFE if scheme in _SCRIPT_SCHEMES else EXTERNAL), reason


def attribute_issue(tag: str, name: str, value: str, root: Path) -> tuple[str, str] | None:
    """(kind, reason) when the build drops an attribute (or its element) for this value."""
    name = name.lower()
    reason = attribute_refusal(name, value, root, tag)
    if name in RESOURCE_ATTRIBUTES:
        if reason:
            return EXTERNAL, reason
        if (tag, name) == ("img", "src"):
            found = image_issue(value, root)
            return (found[0], f"{name}='{value}' ({found[1]})") if found else None
        if tag:  # only <img src> may name a file: any other resource would be read
            return EXTERNAL, f"{name}='{value}' (only <img src> may name a file)"
        return None
    if not reason:
        return None
    if reason.endswith(("(url() outside the page)", "(only #id references into the page)")):
        return EXTERNAL, reason  # an SVG drawing fetching from outside
    if name in LINK_ATTRIBUTES:
        link = link_issue(value)
        return (link[0] if link else UNSAFE), reason
    if name == "style" and css_refusal(value, root) != "script in CSS":
        return EXTERNAL, reason
    return UNSAFE, reason


class _StartTags(HTMLParser):
    """The start tags of a raw HTML fragment and their attributes, as sanitize parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def html_issues(fragment: str, root: Path) -> list[tuple[str, int, str]]:
    """(kind, offset in the fragment, message) for each thing the build removes from it."""
    _, problems = clean_html(fragment, root)
    if not problems:
        return []
    parser = _StartTags()
    parser.feed(fragment)
    parser.close()
    issues: list[tuple[str, int, str]] = []
    for tag, attrs in parser.tags:
        if tag in DROPPED_WITH_CONTENT or tag in DROPPED_TAGS:
            issues.append((UNSAFE, 0, f"raw HTML <{tag}> is removed by the build"))
            continue
        for name, value in attrs:
            found = attribute_issue(tag, name, value or "", root)
            if found:
                place = re.search(rf"\s{re.escape(name)}\b", fragment, re.IGNORECASE)
                at = place.start() + 1 if place else 0
                issues.append((found[0], at, f"raw HTML <{tag}>: {found[1]}"))
    # Whatever sanitize removes that is not classified above is still removed: say so.
    return issues or [(UNSAFE, 0, problems[0].message)]


def _issues(doc: Document, root: Path) -> list[Issue]:
    """Every refused construct of one chapter, in file order."""
    found: list[Issue] = []
    for link in doc.links:
        if link.image:
            issue = image_issue(link.target, root)
            what = f"image '{link.target}'"
        else:
            issue = link_issue(link.target)
            what = f"link '{link.target}'"
        if issue:
            found.append((issue[0], link.target_start, f"{what}: {issue[1]}"))
    for tag in doc.raw_tags:
        for kind, at, message in html_issues(doc.text[tag.start : tag.end], root):
            found.append((kind, tag.start + at, message))
    masked = doc.code_masked
    used = {m.group("label") or m.group("alt") for m in _IMAGE_REF.finditer(masked)}
    used_labels = {label.strip().lower() for label in used if label}
    for match in _DEFINITION.finditer(masked):
        target, at = match.group("target"), match.start("target")
        if match.group("label").strip().lower() in used_labels:
            issue = image_issue(target, root)
            what = f"image '{target}'"
        else:
            issue = link_issue(target)
            what = f"link '{target}'"
        if issue:
            found.append((issue[0], at, f"{what}: {issue[1]}"))
    for block in _ATTR_BLOCK.finditer(masked):
        if not _ATTR_ONLY.fullmatch(block.group()):
            continue
        for pair in _ATTR_PAIR.finditer(block.group()):
            value = pair.group(2).strip("\"'")
            issue = attribute_issue("", pair.group(1), value, root)
            if issue:
                at = block.start() + pair.start()
                found.append((issue[0], at, f"attribute {issue[1]}"))
    merged: dict[tuple[str, int], str] = {}
    for kind, at, message in found:  # one finding per rule and place
        key = (kind, at)
        merged[key] = f"{merged[key]}; {message}" if key in merged else message
    return sorted(((kind, at, m) for (kind, at), m in merged.items()), key=lambda i: i[1])


def _metadata_issues(ctx: Context) -> Iterator[tuple[str, int, int, str, str]]:
    """Metadata naming files for pandoc (css, cover-image, bibliography...) the build ignores."""
    root = ctx.project.root
    for key in sorted(PATH_METADATA):
        meta = ctx.metadata_for(key)
        if meta is None:
            continue
        node = meta.node(key)
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or not isinstance(item.value, str):
                continue
            reason = resource_refusal(item.value.strip(), root)
            if reason:
                line, column = meta.index.position(scalar_start(item))
                message = (
                    f"metadata '{key}: {item.value.strip()}' is ignored by the build: {reason}"
                )
                yield meta.path, line, column, EXTERNAL, message


def _safety(ctx: Context) -> list[tuple[str, int, int, str, str]]:
    """The safety analysis, shared by the three rules: (file, line, column, kind, message)."""

    def compute() -> list[tuple[str, int, int, str, str]]:
        root = ctx.project.root
        found = list(_metadata_issues(ctx))
        for doc in ctx.documents:
            for kind, offset, message in _issues(doc, root):
                line, column = doc.position(offset)
                found.append((doc.path, line, column, kind, message))
        return found

    return ctx.memo("safety", compute)


class _SafetyRule(Rule):
    kind = ""
    fix = ""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for path, line, column, kind, message in _safety(ctx):
            if kind == self.kind:
                yield self.finding(path, line, column, message, self.fix)


@register
class ExternalResource(_SafetyRule):
    """An image or resource points outside the project or to the network; the build drops it.

    Images must be files inside the project (symlinks are resolved) or `data:` URIs: an
    absolute path, a `..` escape, a `file:` URL, a symlink leaving the project or an
    http(s)/ftp address is refused, in Markdown, in raw HTML (`src`, CSS `url()`) and in
    metadata that names a file for pandoc (`css`, `stylesheet`, `cover-image`,
    `epub-cover-image`, `bibliography`, `csl`, `citation-abbreviations`): the build ignores
    such a metadata key. Plain links to web pages are fine.

    Bad:
        ![The treaty](https://example.org/treaty.png)

    Good:
        ==> manuscript/01-text.md <==
        ![The treaty](figures/treaty.svg), as printed at [the archive](https://example.org/).

        ==> figures/treaty.svg <==
        <svg xmlns="http://www.w3.org/2000/svg"/>
    """

    id = "safety/external-resource"
    severity = Severity.ERROR
    kind = EXTERNAL
    fix = "copy the file into the project (e.g. figures/) and point at it with a relative path"


@register
class UnsafeHtml(_SafetyRule):
    """Raw HTML or a link the build strips: scripts, frames, plugins, event handlers, javascript:.

    The build removes `<script>`, `<style>`, `<iframe>`, `<object>`, `<embed>`, `<meta>`,
    `<link>`, `<base>`, `on...=` handlers, `http-equiv`, and `javascript:`, `vbscript:` and
    `data:` links, in raw HTML and in Markdown links and attributes.

    Bad:
        See <a href="javascript:alert(1)">the appendix</a>.

    Good:
        See [the appendix](#appendix).
    """

    id = "safety/unsafe-html"
    severity = Severity.ERROR
    kind = UNSAFE
    fix = "remove it: the build strips it from every format"


@register
class MissingImage(_SafetyRule):
    """An image in the project does not exist or is not an image; the build shows its alt text.

    Images must be PNG, JPEG, GIF, WebP or SVG files (by content, not by name).

    Bad:
        ![Map of the front](figures/front-map.png)

    Good:
        ==> manuscript/01-text.md <==
        ![Map of the front](figures/front-map.svg)

        ==> figures/front-map.svg <==
        <svg xmlns="http://www.w3.org/2000/svg"/>
    """

    id = "safety/missing-image"
    severity = Severity.WARNING
    kind = MISSING
    fix = "add the image file, or correct the path (relative to the project root)"


@register
class NestedBrackets(Rule):
    r"""Square brackets nest so deep that pandoc would run for minutes or hours; the build stops.

    pandoc's Markdown reader takes time exponential in the nesting of `[` (jgm/pandoc#1735):
    ten levels take seconds, twelve minutes, and a line of twenty `[` never finishes. More
    than six open at once in one paragraph (nested, or opened and never closed), counted
    outside code and math, are refused. Brackets written as text can be escaped (`\[`),
    which pandoc reads at once.

    Bad:
        Transcribed as [[[[[[[illegible]]]]]]] in the archive copy.

    Good:
        Transcribed as \[\[\[\[\[\[\[illegible\]\]\]\]\]\]\] in the archive copy.
    """

    id = "safety/nested-brackets"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        from presswork.guards import nested_brackets_message

        for doc in ctx.documents:
            for offset in doc.deep_brackets:
                line, column = doc.position(offset)
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    nested_brackets_message(),
                    "escape brackets meant as text (\\[ and \\]), or nest fewer levels",
                )
