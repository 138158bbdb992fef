"""Style rules: the citation styles the settings name must exist and be valid CSL.

A CI job that lints before it builds learns of a misspelt style or a broken local `.csl`
file in the same report as the manuscript's own defects. Every decision is the build's
(`presswork.styles.resolve` and `validate_csl`), so lint and build cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from presswork.errors import InputError
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.refsource import TextIndex
from presswork.lint.registry import Rule, register
from presswork.styles import resolve, validate_csl

Problem = tuple[str, str, int, int, str, bool]  # kind, file, line, column, message, built


def _position(text: str, name: str) -> tuple[int, int]:
    """Line and column of a style name, quoted, in the settings file (1, 1 if not found)."""
    match = re.search(rf"([\"']){re.escape(name)}\1", text)
    return TextIndex(text).position(match.start() + 1) if match else (1, 1)


def _problems(ctx: Context) -> list[Problem]:
    root = ctx.project.root
    settings = ctx.project.settings
    source = settings.source
    text = ""
    if source and (root / source).is_file():
        text = (root / source).read_text("utf-8", errors="replace")
    found: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    named = [(name, True) for name in settings.styles]
    named += [(name, False) for name in settings.cite_styles]
    for name, built in named:
        try:
            resolve(name, root, settings.styles_dir, source or "presswork.toml")
        except InputError as exc:
            if exc.file is not None and exc.line is not None:  # a file that is not CSL
                seen.add((str(exc.file), exc.line))
                found.append(("invalid", str(exc.file), exc.line, 1, exc.message, built))
            else:
                line, column = _position(text, name) if text else (1, 1)
                found.append(("unknown", source or "", line, column, exc.message, built))
    local = root / settings.styles_dir
    if local.is_dir():
        for path in sorted(local.glob("*.csl")):
            display = Path(settings.styles_dir, path.name).as_posix()
            try:
                validate_csl(path, display, root)
            except InputError as exc:
                line = exc.line or 1
                if (display, line) not in seen:
                    seen.add((display, line))
                    found.append(("invalid", display, line, 1, exc.message, True))
    return found


class _StyleRule(Rule):
    kind = ""
    fix = ""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for kind, file, line, column, message, built in ctx.memo("styles", lambda: _problems(ctx)):
            if kind != self.kind:
                continue
            if not built:  # only the "Cite this article" block leaves it out: not fatal
                message += " (in cite-styles: the HTML page's citation block leaves it out)"
            severity = None if built else Severity.WARNING
            yield self.finding(file, line, column, message, self.fix, severity)


@register
class UnknownStyle(_StyleRule):
    """A citation style named in the settings exists nowhere; the build stops on it.

    Style names are looked up as a path, in the project's `styles/` folder, then among the
    bundled CSL styles (`presswork styles QUERY` searches them); the finding suggests the
    closest names. A name only in `cite-styles` is a warning: that block leaves it out.

    Bad:
        ==> presswork.toml <==
        styles = ["chicago-author-date", "american-psychological-association"]

    Good:
        ==> presswork.toml <==
        styles = ["chicago-author-date", "apa"]
    """

    id = "style/unknown"
    severity = Severity.ERROR
    kind = "unknown"
    fix = "use one of the suggested names, or put the .csl file in styles/"


@register
class InvalidStyle(_StyleRule):
    """A local `.csl` file is not a usable CSL style (broken XML, no <style>, no <citation>).

    Checked for every file in the project's `styles/` folder and every style path the
    settings name; the build stops on such a file when it is chosen.

    Bad:
        ==> styles/journal.csl <==
        <style xmlns="http://purl.org/net/xbiblio/csl"><info></style>

    Good:
        ==> styles/journal.csl <==
        <style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">
          <citation><layout><text variable="title"/></layout></citation>
        </style>
    """

    id = "style/invalid"
    severity = Severity.ERROR
    kind = "invalid"
    fix = "repair the XML, or download the style again from the CSL repository"
