"""The one diagnostic type of the linter: immutable, comparable, serialisable."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How bad a finding is; only `error` makes `presswork lint` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One problem at one place: `line` and `column` are 1-based and point at the text itself."""

    rule: str
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    fix: str | None = None

    @property
    def category(self) -> str:
        return self.rule.split("/", 1)[0]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `presswork lint --format json` (other tools consume it)."""
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
        }
