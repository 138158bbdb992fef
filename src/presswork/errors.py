"""The errors a user can act on: each carries the file and line it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _one_line(text: str) -> str:
    """One printable line: file names may hold newlines or bytes that are not UTF-8."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


@dataclass
class PressworkError(Exception):
    """Something the user must fix; the CLI prints it as one line."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    column: int | None = None

    exit_code = 2

    def location(self) -> str:
        if self.file is None:
            return ""
        loc = str(self.file)
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def __str__(self) -> str:
        loc = self.location()
        return _one_line(f"{loc}: {self.message}" if loc else self.message)

    def __reduce__(self) -> tuple[object, ...]:
        # Errors raised in WeasyPrint worker processes must cross the process boundary intact.
        return (type(self), (self.message, self.file, self.line, self.column))


class InputError(PressworkError):
    """Unusable input (exit 2): bad YAML, BibTeX, CSL, unknown style, missing files."""


class BuildError(PressworkError):
    """A build step failed on input that looked valid (exit 1)."""

    exit_code = 1


class EnvironmentProblem(PressworkError):
    """The machine lacks something (such as Pango); the message says what to install."""

    exit_code = 1
