"""Manuscripts that would make pandoc run for hours, refused before it starts.

pandoc's Markdown reader takes time exponential in the nesting of square brackets
(jgm/pandoc#1735, open since 2014: ten levels take about 9 s, twelve over a minute, and a
line of twenty `[` never finishes), so a two-line manuscript could hold a CI runner until its
own timeout. The linter's scanner finds such nesting outside code and math; `pandoc-timeout`
catches whatever else pandoc might stall on.
"""

from __future__ import annotations

from dataclasses import replace

from presswork.errors import InputError, PressworkError
from presswork.lint.inline import MAX_BRACKET_DEPTH
from presswork.project import Project

# Footnotes pandoc renders other than the author meant, without a word: a reference with no
# definition is printed as "[^x]", a definition nobody references is dropped, and of a label
# defined twice only the last text is kept.
BROKEN_FOOTNOTES = ("footnote/undefined", "footnote/unused", "footnote/duplicate")
# TeX that would print as typed: the build warns with the lint rule itself, so both agree.
BUILD_RULES = (*BROKEN_FOOTNOTES, "math/unsupported")


def nested_brackets_message(depth: int = MAX_BRACKET_DEPTH + 1) -> str:
    return (
        f"{depth} square brackets open at once (nested, or opened and not closed): pandoc's "
        "Markdown reader needs time exponential in that (ten take seconds, twelve minutes); "
        f"at most {MAX_BRACKET_DEPTH} are allowed in a paragraph; write \\[ for a bracket "
        "meant as text"
    )


def check_manuscript(proj: Project) -> list[PressworkError]:
    """Scan the chapters once: InputError at brackets nested too deep, else the broken notes.

    Broken footnotes come back as build warnings (errors under --strict); the project's [lint]
    settings and inline suppressions apply, so the build and `presswork lint` agree.
    """
    from presswork.lint import config_for, run_rules
    from presswork.lint.context import Context

    ctx = Context(proj, replace(config_for(proj), select=BUILD_RULES))
    for doc in ctx.documents:
        if doc.deep_brackets:
            line, column = doc.position(doc.deep_brackets[0])
            raise InputError(nested_brackets_message(), doc.path, line, column)
    return [
        PressworkError(f.message, f.file, f.line, f.column)
        for f in run_rules(ctx)
        if f.severity.value != "info"
    ]
