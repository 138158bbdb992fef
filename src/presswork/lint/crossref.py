"""Cross-reference rules: `@fig:x` to no label, a label defined twice, a figure never cited.

Labels are the pandoc-crossref attributes `{#fig:x}`, `{#tbl:x}`, `{#eq:x}`, `{#lst:x}`, `{#sec:x}`
(outside code, math and comments); references are the citations with such a key. Pandoc
reads all chapters as one document, so a label may be referenced from any chapter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.crossref import split_key, truthy
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import Citation
from presswork.lint.registry import Rule, register
from presswork.lint.source import Document

# `#fig:x` inside an attribute block `{...}`: the id may stand among classes and key=values.
# Not a span's (`[text]{#tbl:x}`): pandoc-crossref numbers nothing by it.
_LABEL = re.compile(r"(?<!\])\{[^{}\n]*?(?<=[{\s])(#(?:fig|tbl|eq|sec|lst):[^\s{}]+)[^{}\n]*\}")


# A code fence whose attributes hold `#lst:x` and a caption: a numbered listing.
_FENCE_LABEL = re.compile(
    r"^ {0,3}(?:`{3,}|~{3,})[ \t]*\{(?=[^{}\n]*\bcaption=)[^{}\n]*?(?<=[{\s])"
    r"(#lst:[^\s{}]+)[^{}\n]*\}[ \t]*$",
    re.M,
)


_TEX_REF = re.compile(r"\\(?:[cC]ref|ref|autoref|eqref|pageref)\{([^{}\s]+)\}")


def _caption_line(doc: Document, match: re.Match[str]) -> bool:
    """Whether a `{#lst:x}` ends a table-style caption `: ...` (codeBlockCaptions)."""
    start = doc.code_masked.rfind("\n\n", 0, match.start()) + 1
    return doc.code_masked[start:].lstrip("\n").startswith(": ")


def _in_comment(text: str, offset: int) -> bool:
    return text.rfind("<!--", 0, offset) > text.rfind("-->", 0, offset)


@dataclass(frozen=True)
class _Label:
    doc: Document
    label: str
    start: int  # offset of "#"


@dataclass(frozen=True)
class _Crossrefs:
    labels: list[_Label]
    refs: list[tuple[Document, Citation, str]]  # the label each reference names


def crossrefs(ctx: Context) -> _Crossrefs:
    def compute() -> _Crossrefs:
        labels: list[_Label] = []
        captions = truthy(ctx.project.metadata.get("codeBlockCaptions"))
        refs: list[tuple[Document, Citation, str]] = []
        for doc in ctx.documents:
            first = len(labels)
            for match in _LABEL.finditer(doc.code_masked):
                label = match.group(1)[1:]
                if label.startswith("lst:") and not (captions and _caption_line(doc, match)):
                    continue  # the build numbers no such listing: its references print ??
                labels.append(_Label(doc, label, match.start(1)))
            for match in _FENCE_LABEL.finditer(doc.text):
                if _in_comment(doc.text, match.start()):
                    continue
                labels.append(_Label(doc, match.group(1)[1:], match.start(1)))
            labels[first:] = sorted(labels[first:], key=lambda item: item.start)
            for cite in doc.citations:
                split = split_key(cite.key)
                if split is not None:
                    refs.append((doc, cite, split[1]))
        return _Crossrefs(labels, refs)

    return ctx.memo("crossrefs", compute)


@register
class Undefined(Rule):
    """A cross-reference names no label, so every format prints "??" in its place.

    Bad:
        $$ E = mc^2 $$ {#eq:energy}

        The energy follows from @eq:enrgy.

    Good:
        $$ E = mc^2 $$ {#eq:energy}

        The energy follows from @eq:energy.
    """

    id = "crossref/undefined"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = crossrefs(ctx)
        defined = sorted({label.label for label in found.labels})
        for doc, cite, label in found.refs:
            if label in defined:
                continue
            close = difflib.get_close_matches(label, defined, n=1, cutoff=0.6)
            fix = (
                f"did you mean @{close[0]}?"
                if close
                else f"label a figure, table, equation or section with {{#{label}}}"
            )
            line, column = doc.position(cite.start)
            yield self.finding(
                doc.path, line, column, f"cross-reference '@{cite.key}' names no label", fix
            )


@register
class Duplicate(Rule):
    """A label is defined twice: every reference to it goes to the first.

    Bad:
        $$ E = mc^2 $$ {#eq:energy}

        $$ p = mv $$ {#eq:energy}

        By @eq:energy, ...

    Good:
        $$ E = mc^2 $$ {#eq:energy}

        $$ p = mv $$ {#eq:momentum}

        By @eq:energy and @eq:momentum, ...
    """

    id = "crossref/duplicate"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        first: dict[str, _Label] = {}
        for label in crossrefs(ctx).labels:
            if label.label not in first:
                first[label.label] = label
                continue
            original = first[label.label]
            line, column = label.doc.position(label.start)
            at = original.doc.position(original.start)
            where = f"line {at[0]}" if original.doc is label.doc else f"{original.doc.path}:{at[0]}"
            yield self.finding(
                label.doc.path,
                line,
                column,
                f"label '{label.label}' is defined twice (first at {where})",
                "give each figure, table, equation or section its own label",
            )


@register
class Unreferenced(Rule):
    """A numbered figure, table or equation is never referenced in the text.

    Bad:
        $$ E = mc^2 $$ {#eq:energy}

        The energy follows.

    Good:
        $$ E = mc^2 $$ {#eq:energy}

        The energy follows from @eq:energy.
    """

    id = "crossref/unreferenced"
    severity = Severity.INFO

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = crossrefs(ctx)
        used = {label for _, _, label in found.refs}
        # A LaTeX-minded author's `\ref{lst:x}` refers to it too (in raw TeX, which the HTML
        # drops): the label is not unreferenced.
        for doc in ctx.documents:
            used.update(m.group(1) for m in _TEX_REF.finditer(doc.code_masked))
        seen: set[str] = set()
        for label in found.labels:
            if label.label in used or label.label in seen or label.label.startswith("sec:"):
                continue
            seen.add(label.label)
            line, column = label.doc.position(label.start)
            yield self.finding(
                label.doc.path,
                line,
                column,
                f"'{label.label}' is never referenced",
                f"refer to it with @{label.label}, or drop the label",
            )
