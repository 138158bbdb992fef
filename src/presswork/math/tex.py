"""Which TeX formulas presswork cannot typeset, and why: one pandoc run for all of them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from presswork import pandoc
from presswork.math.svg import MathError, render

# Each formula becomes its own paragraph between rules, so pandoc's output splits back into
# one piece per formula whatever a formula holds.
_RULE = "\n\n* * * * *\n\n"
_HR = re.compile(r"<hr\s*/?>")
_MATH = re.compile(r"<math\b[^>]*>.*?</math>", re.S)
_RAW_TEX = re.compile(r'<span class="math (?:inline|display)">')


# pandoc (extension latex_macros) expands macros the manuscript defines on lines of their own
_DEFINITION = re.compile(
    r"^ {0,3}\\(?:newcommand|renewcommand|providecommand|def|DeclareMathOperator)\b.*$", re.M
)


def macro_definitions(text: str, masked: str) -> list[str]:
    """The TeX macro definitions of a chapter (found in `masked`, its text with code, math and
    comments blanked; taken from `text`), each up to where its braces balance."""
    found = []
    for match in _DEFINITION.finditer(masked):
        end = match.end()
        depth = text.count("{", match.start(), end) - text.count("}", match.start(), end)
        while depth > 0 and end < len(text):
            stop = text.find("\n", end + 1)
            stop = len(text) if stop < 0 else stop
            depth += text.count("{", end, stop) - text.count("}", end, stop)
            end = stop
        found.append(text[match.start() : end].strip())
    return found


def problems(snippets: Sequence[str], definitions: Sequence[str] = ()) -> list[str | None]:
    """For each formula as written in Markdown (`$x$`, `$$x$$`): None, or why it fails.

    A formula fails when pandoc's TeX reader leaves it as TeX (an unknown macro, unbalanced
    braces) or when its MathML has something the PDF's renderer cannot draw. `definitions`
    are the manuscript's own macros, which pandoc expands (and prints nothing for).
    """
    if not snippets:
        return []
    markdown = "".join(f"{d}\n\n" for d in definitions) + _RULE.join(snippets)
    result = pandoc.run(
        ["--sandbox", "--from", pandoc.MARKDOWN, "--to", "html5", "--mathml", "--wrap=none"],
        stdin=markdown.encode("utf-8"),  # math alone: no file of the project is read
    )
    pieces = _HR.split(result.output.decode("utf-8"))
    if len(pieces) != len(snippets):  # cannot happen with math alone; never guess positions
        return [None] * len(snippets)
    reasons = iter(_reasons(result.warnings))
    found: list[str | None] = []
    for piece in pieces:
        formulas = _MATH.findall(piece)
        if _RAW_TEX.search(piece):  # pandoc's fallback: the TeX as typed
            why = next(reasons, "")
            found.append(
                f"pandoc cannot read this TeX ({why or 'an unknown macro or a stray brace?'})"
            )
            continue
        try:
            for mathml in formulas:
                render(mathml)
        except MathError as exc:
            found.append(f"the PDF cannot draw it: {exc}")
        else:
            found.append(None)  # drawn, or not math to pandoc at all
    return found


def _reasons(warnings: Sequence[str]) -> list[str]:
    """The first 'unexpected ...' line of each of pandoc's could-not-convert warnings."""
    reasons: list[str] = []
    waiting = False
    for line in warnings:
        if "Could not convert TeX math" in line:
            if waiting:
                reasons.append("")
            waiting = True
        elif waiting and line.strip().startswith("unexpected"):
            reasons.append(" ".join(line.split()))
            waiting = False
    if waiting:
        reasons.append("")
    return reasons
