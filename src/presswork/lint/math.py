"""Math rules: TeX that presswork cannot typeset, which would otherwise print as typed."""

from __future__ import annotations

from collections.abc import Iterator

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register


@register
class Unsupported(Rule):
    """A formula's TeX cannot be turned into MathML and SVG, so it would print as raw TeX.

    Bad:
        The ratio $\\ratio{a}{b}$ is constant.

    Good:
        The ratio $\\frac{a}{b}$ is constant.
    """

    id = "math/unsupported"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        from presswork.math import problems  # lazy: pandoc runs only for manuscripts with math

        spans = [(doc, start, end) for doc in ctx.documents for start, end in doc.math]
        snippets = [doc.text[start:end] for doc, start, end in spans]
        for (doc, start, _end), snippet, problem in zip(
            spans, snippets, problems(snippets, ctx.project.root), strict=True
        ):
            if problem is None:
                continue
            line, column = doc.position(start)
            shown = snippet if len(snippet) <= 40 else snippet[:37] + "..."
            yield self.finding(
                doc.path,
                line,
                column,
                f"{shown}: {problem}",
                fix="write it with the macros of LaTeX's amsmath (texmath reads those)",
            )
