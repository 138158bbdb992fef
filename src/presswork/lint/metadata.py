"""Metadata rules: what the manuscript's YAML (metadata.yaml and chapters' blocks) lacks.

The metadata is read as pandoc reads it (presswork.metadata): the file first, then every
YAML block of the chapters, a later key replacing an earlier one.
"""

from __future__ import annotations

from collections.abc import Iterator

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register
from presswork.metadata import MetadataProblem


@register
class MissingTitle(Rule):
    """The manuscript has no title, so every output's title block and page title are empty.

    The title may be in `manuscript/metadata.yaml` or in a YAML block of a chapter (front
    matter); pandoc, and so presswork, builds without one but warns.

    Bad:
        ==> manuscript/metadata.yaml <==
        author: Jana Novak

        ==> manuscript/01-text.md <==
        The troops crossed the border at night.

    Good:
        ==> manuscript/01-text.md <==
        ---
        title: The Night of 20 August
        author: Jana Novak
        ---

        The troops crossed the border at night.
    """

    id = "metadata/missing-title"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        project = ctx.project
        if not project.title_missing:
            return
        where = project.metadata_sources.where("title")
        if where is None:
            meta = project.metadata_file
            where = (meta.path if meta is not None else project.chapters[0].path, 1)
        yield self.finding(
            where[0],
            where[1],
            1,
            "the manuscript has no title",
            "add `title: ...` to manuscript/metadata.yaml or to the first chapter's front matter",
        )


@register
class BibliographyMissing(Rule):
    """The metadata's `bibliography:` names a file that is not in the project.

    pandoc stops at a missing bibliography file; presswork builds without it and warns.
    The file is looked for from the project root, then from the manuscript folder.

    Bad:
        ==> manuscript/01-text.md <==
        ---
        title: The Night of 20 August
        bibliography: works.bib
        ---

        The troops crossed the border at night.

    Good:
        ==> manuscript/01-text.md <==
        ---
        title: The Night of 20 August
        bibliography: sources/works.bib
        ---

        The troops crossed the border at night [@novak1999].

        ==> sources/works.bib <==
        @book{novak1999, title = {Tanks at Dawn}, author = {Novak, Jan}, year = {1999}}
    """

    id = "metadata/bibliography-missing"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for problem in ctx.project.problems:
            message = problem.message
            if message.startswith("metadata 'bibliography:") and message.endswith("not found"):
                yield self.finding(
                    str(problem.file),
                    problem.line or 1,
                    1,
                    message,
                    "correct the path, or add the file to the project",
                )


@register
class UnexpectedType(Rule):
    """A metadata value has a type the outputs cannot show as meant (a list for a title...).

    pandoc takes any YAML, so presswork builds anyway and warns; the title block, the
    indexers' tags and "Cite this article" may show the value oddly or leave it out.

    Bad:
        ==> manuscript/01-text.md <==
        ---
        title: The Night of 20 August
        author: {affiliation: Charles University}
        ---

        The troops crossed the border at night.

    Good:
        ==> manuscript/01-text.md <==
        ---
        title: The Night of 20 August
        author:
          - name: Jana Novak
            affiliation: Charles University
        ---

        The troops crossed the border at night.
    """

    id = "metadata/unexpected-type"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        for problem in ctx.project.problems:
            if isinstance(problem, MetadataProblem):
                yield self.finding(
                    str(problem.file),
                    problem.line or 1,
                    1,
                    problem.message,
                    "write the value as text (or a list of text) as the message says",
                )
