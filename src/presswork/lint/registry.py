"""Rules register themselves here by id; the CLI, the config and the docs read the registry."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from presswork.lint.finding import Finding, Severity

if TYPE_CHECKING:
    from presswork.lint.context import Context

# Importing these modules registers their rules; the order is the order of `presswork rules`.
RULE_MODULES = (
    "footnotes",
    "ibid",
    "citations",
    "identifiers",
    "crossref",
    "dates",
    "prosedates",
    "events",
    "actoryears",
    "dois",
    "online",
    "images",
    "math",
    "safety",
    "styles",
    "glyphs",
    "suppress",
    "metadata",
    "bibtex",
)
_ID = re.compile(r"^[a-z]+/[a-z]+(?:-[a-z]+)*$")
_RULES: dict[str, type[Rule]] = {}


class Rule:
    """Base of every rule: an id `category/name`, a default severity, a docstring with examples.

    Subclasses implement `check`, which reads the shared analysis in the context and yields
    findings; rules never print and never touch files.
    """

    id: ClassVar[str]
    severity: ClassVar[Severity]
    online: ClassVar[bool] = False  # runs only with --online

    @classmethod
    def category(cls) -> str:
        return cls.id.split("/", 1)[0]

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line: the one-line explanation `presswork rules` shows."""
        return inspect.getdoc(cls).split("\n", 1)[0].strip()  # type: ignore[union-attr]

    def check(self, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        fix: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(self.id, severity or self.severity, file, line, column, message, fix)


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (ids are unique and well-formed)."""
    if not _ID.match(cls.id):
        raise ValueError(f"rule id {cls.id!r} is not 'category/name'")
    if cls.id in _RULES and _RULES[cls.id] is not cls:
        raise ValueError(f"rule id {cls.id!r} is registered twice")
    if not isinstance(cls.severity, Severity) or not inspect.getdoc(cls):
        raise ValueError(f"rule {cls.id!r} needs a Severity and a docstring")
    _RULES[cls.id] = cls
    return cls


def all_rules() -> list[type[Rule]]:
    """Every registered rule, in the order of RULE_MODULES and then of definition."""
    for name in RULE_MODULES:
        importlib.import_module(f"presswork.lint.{name}")
    order = {f"presswork.lint.{name}": i for i, name in enumerate(RULE_MODULES)}
    rules = list(_RULES.values())  # dicts keep registration order: the sort is stable
    return sorted(rules, key=lambda rule: order.get(rule.__module__, len(order)))


def rule_ids() -> list[str]:
    return [rule.id for rule in all_rules()]


def categories() -> list[str]:
    return sorted({rule.category() for rule in all_rules()})
