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
        spans = [(doc, start, end) for doc in ctx.documents for start, end in doc.math]
        snippets = [doc.text[start:end] for doc, start, end in spans]
        if not snippets:
            return
        # lazy: the renderer and pandoc only for manuscripts with math
        from presswork.math.tex import macro_definitions, problems

        macros = [m for doc in ctx.documents for m in macro_definitions(doc.text, doc.code_masked)]
        found = problems(snippets, macros)
        for (doc, start, _end), snippet, problem in zip(spans, snippets, found, strict=True):
            if problem is None:
                continue
            line, column = doc.position(start)
            flat = " ".join(snippet.split())  # a finding is one line, in every report format
            shown = flat if len(flat) <= 40 else flat[:37] + "..."
            yield self.finding(
                doc.path,
                line,
                column,
                f"{shown}: {problem}",
                fix="use LaTeX's and amsmath's macros, or define yours with \\newcommand",
            )
