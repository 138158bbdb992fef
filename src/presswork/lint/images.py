"""Image rules: every image needs alt text, for screen readers and the accessible outputs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register

# `![alt](target)` or `![alt][label]`; code, math and comments are already blanked out.
_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\](?=[(\[])")


@register
class AltMissing(Rule):
    """An image has no alt text, so a screen reader announces a file name or nothing.

    Bad:
        ![](figures/invasion.svg)

    Good:
        ==> manuscript/01-text.md <==
        ![Warsaw Pact troops entering Prague, August 1968](figures/invasion.svg)

        ==> figures/invasion.svg <==
        <svg xmlns="http://www.w3.org/2000/svg"/>
    """

    id = "image/alt-missing"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for doc in ctx.documents:
            for match in _IMAGE.finditer(doc.code_masked):
                if match.group("alt").strip():
                    continue
                line, column = doc.position(match.start())
                yield self.finding(
                    doc.path,
                    line,
                    column,
                    "image without alt text",
                    "describe the image between the brackets: ![what it shows](...)",
                )
