"""Text rules: characters the PDF cannot print, because no font it may use has a glyph.

The PDF sees only presswork's fonts (see presswork.fonts), so a character none of them covers
prints as an empty box. The chapters, the metadata and the reference files are checked: all
of them reach the PDF.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from presswork import fonts
from presswork.errors import PressworkError
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register
from presswork.project import Project

# A paper in a script no font covers has hundreds of such characters: the first few of each
# file are named, then one finding says how many more.
MAX_PER_FILE = 10


def _position(text: str, offset: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def missing_glyphs(files: list[tuple[str, str]]) -> Iterator[tuple[str, int, int, str, int]]:
    """(file, line, column, character, occurrences) of the first use of each character no font
    covers, per file; a final entry with character "" counts the characters not named."""
    for path, text in files:
        absent = fonts.missing(set(text))
        if not absent:
            continue
        firsts = sorted((text.index(char), char) for char in absent)
        for offset, char in firsts[:MAX_PER_FILE]:
            line, column = _position(text, offset)
            yield path, line, column, char, text.count(char)
        if len(firsts) > MAX_PER_FILE:
            offset, _ = firsts[MAX_PER_FILE]
            line, column = _position(text, offset)
            yield path, line, column, "", len(firsts) - MAX_PER_FILE


def project_files(ctx: Context) -> list[tuple[str, str]]:
    project = ctx.project
    files = [(chapter.path, chapter.text) for chapter in project.chapters]
    if project.metadata_file is not None:
        files.insert(0, (project.metadata_file.path, project.metadata_file.text))
    files += [(source.path, source.text) for source in project.reference_files]
    return files


def message(char: str, count: int) -> str:
    if not char:
        return f"{count} more characters that no font of the PDF covers"
    times = f" ({count} times)" if count > 1 else ""
    return f"no font of the PDF has a glyph for {fonts.describe(char)}{times}"


@register
class MissingGlyph(Rule):
    """A character that no font of the PDF covers prints as an empty box.

    Bad:
        The Tibetan word ཀ་ has no glyph in any font presswork ships.

    Good:
        The Tibetan word ka (U+0F40) is transliterated.
    """

    id = "text/missing-glyph"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for path, line, column, char, count in missing_glyphs(project_files(ctx)):
            fix = fonts.hint(char) if char else "see the characters named before"
            problems = fonts.optional_fonts().problems  # read only once a character lacks
            if problems:
                fix = f"{fix}; {problems[0]}"
            yield self.finding(path, line, column, message(char, count), fix)


def build_problems(project: Project) -> list[PressworkError]:
    """The build's warnings (errors under --strict) for a PDF: this rule, as configured."""
    from presswork.lint import config_for, run_rules

    config = replace(config_for(project), select=(MissingGlyph.id,))
    return [
        PressworkError(f"{f.message}; {f.fix}" if f.fix else f.message, f.file, f.line, f.column)
        for f in run_rules(Context(project, config))
        if f.severity.value != "info"
    ]
