"""BibTeX rules: what pandoc reads silently wrong or not at all in a .bib file.

pandoc fails the whole build on one broken entry and keeps the last of a field written
twice without a word; presswork builds without the broken entry and reports both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register


@register
class BrokenEntry(Rule):
    """A BibTeX entry cannot be read (an unclosed brace or quote); it is left out of the build.

    pandoc alone refuses the whole file; presswork builds with the other entries and warns
    (`--strict` makes it an error).

    Bad:
        ==> references/works.bib <==
        @book{keller2004,
          title = {Border Nights,
          year = {2004}
        }
        @book{novak1999, title = {Tanks at Dawn}, year = {1999}}

        ==> manuscript/01-text.md <==
        See @novak1999.

    Good:
        ==> references/works.bib <==
        @book{novak1999, title = {Tanks at Dawn}, year = {1999}}

        ==> manuscript/01-text.md <==
        See @novak1999.
    """

    id = "bibtex/broken-entry"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        files = {source.path for source in ctx.project.reference_files}
        for problem in ctx.project.problems:
            if problem.file in files and problem.message.startswith("BibTeX syntax error"):
                start = re.search(r"starting on line (\d+)", problem.message)
                yield self.finding(
                    str(problem.file),
                    int(start.group(1)) if start else problem.line or 1,
                    1,
                    problem.message,
                    "close the brace or quote the entry's error names; the build leaves it out",
                )


@register
class DuplicateField(Rule):
    """A BibTeX entry gives a field twice; pandoc keeps the last value without a word.

    Bad:
        ==> references/works.bib <==
        @book{novak1999,
          title = {Tanks at Dawn},
          title = {Tanks at Dusk},
          year = {1999}
        }

        ==> manuscript/01-text.md <==
        See @novak1999.

    Good:
        ==> references/works.bib <==
        @book{novak1999,
          title = {Tanks at Dawn},
          year = {1999}
        }

        ==> manuscript/01-text.md <==
        See @novak1999.
    """

    id = "bibtex/duplicate-field"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        texts = {source.path: source.text.split("\n") for source in ctx.project.reference_files}
        for ref in ctx.references:
            for name, first, kept in ref.duplicates:
                lines = texts.get(ref.file, [])
                text = lines[first - 1] if 0 < first <= len(lines) else ""
                match = re.search(rf"\b{re.escape(name)}\s*=", text, re.IGNORECASE)
                yield self.finding(
                    ref.file,
                    first,
                    match.start() + 1 if match else 1,
                    f"'{name}' of '{ref.id}' is given on line {first} and again on line {kept}; "
                    f"pandoc uses line {kept}",
                    "keep one of the two",
                )
