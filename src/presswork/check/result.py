"""What a validator says about one output: one row of the check table, with its messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass(frozen=True)
class Message:
    """One error or warning of a validator, at a place inside the output when it gives one."""

    severity: str  # "error" or "warning"
    text: str
    location: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.severity}: {where}{self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "location": self.location, "text": self.text}


@dataclass(frozen=True)
class Row:
    """One output checked by one validator: ok, fail (an error was found) or skip (not checked)."""

    path: str  # relative to the build directory, as in manifest.json
    validator: str
    status: str
    errors: int = 0
    warnings: int = 0
    detail: str = ""
    messages: tuple[Message, ...] = field(default_factory=tuple)
    missing: bool = False  # skipped because its validator could not run (not by choice)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of `presswork check --format json`."""
        return {
            "path": self.path,
            "validator": self.validator,
            "status": self.status,
            "errors": self.errors,
            "warnings": self.warnings,
            "detail": self.detail,
            "messages": [m.to_dict() for m in self.messages],
            "missing": self.missing,
        }


def judged(path: str, validator: str, messages: list[Message], detail: str = "") -> Row:
    """A row whose status follows from its messages: any error fails it."""
    errors = sum(1 for m in messages if m.severity == "error")
    warnings = sum(1 for m in messages if m.severity == "warning")
    if not detail:
        first = next((m for m in messages if m.severity == "error"), None) or next(
            iter(messages), None
        )
        detail = str(first) if first is not None else ""
    return Row(path, validator, FAIL if errors else OK, errors, warnings, detail, tuple(messages))


def skipped(path: str, validator: str, reason: str, missing: bool = True) -> Row:
    """Not checked, and saying why: a skip is never a pass.

    `missing` unless the user chose it (--no-java) or there is nothing to check: a validator
    that could not run fails `presswork check` unless it is told --allow-missing.
    """
    return Row(path, validator, SKIP, detail=f"skipped: {reason}", missing=missing)
