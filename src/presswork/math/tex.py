"""Which TeX formulas presswork cannot typeset, and why: one pandoc run for all of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from presswork import pandoc
from presswork.math.svg import MathError, render

# Each formula becomes its own paragraph between rules, so pandoc's output splits back into
# one piece per formula whatever a formula holds.
_RULE = "\n\n* * * * *\n\n"
_HR = re.compile(r"<hr\s*/?>")
_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)


def problems(snippets: Sequence[str], cwd: Path) -> list[str | None]:
    """For each formula as written in Markdown (`$x$`, `$$x$$`): None, or why it fails.

    A formula fails when pandoc's TeX reader leaves it as TeX (an unknown macro, unbalanced
    braces) or when its MathML has something the PDF's renderer cannot draw.
    """
    if not snippets:
        return []
    markdown = _RULE.join(snippets)
    out = pandoc.run(
        ["--sandbox", "--from", pandoc.MARKDOWN, "--to", "html5", "--mathml", "--wrap=none"],
        stdin=markdown.encode("utf-8"),
        cwd=cwd,
    ).output.decode("utf-8")
    pieces = _HR.split(out)
    if len(pieces) != len(snippets):  # cannot happen with math alone; never guess positions
        return [None] * len(snippets)
    found: list[str | None] = []
    for piece in pieces:
        formulas = _MATH.findall(piece)
        if not formulas:
            found.append("pandoc cannot read this TeX (an unknown macro or a stray brace?)")
            continue
        try:
            for mathml in formulas:
                render(mathml)
        except MathError as exc:
            found.append(f"the PDF cannot draw it: {exc}")
        else:
            found.append(None)
    return found
