"""The `[lint]` table of presswork.toml (or `[tool.presswork.lint]`), validated into LintConfig.

Keys: `select` and `ignore` (rule ids or categories), `severity` ({rule or category: level,
or "off"}), `reference-date` (ISO date; default: the metadata `date`), `online` (bool; read
but never obeyed: only `--online` on the command line reaches the network).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from presswork.errors import InputError
from presswork.lint.finding import Severity
from presswork.lint.registry import categories, rule_ids

KEYS = ("select", "ignore", "severity", "reference-date", "online")
LEVELS = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class LintConfig:
    """Which rules run, at which severity, against which date."""

    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    reference_date: str | None = None
    online: bool = False
    source: str = ""

    def enabled(self, rule_id: str) -> bool:
        if self.select and not any(_matches(s, rule_id) for s in self.select):
            return False
        if any(_matches(s, rule_id) for s in self.ignore):
            return False
        return self._level(rule_id) != "off"

    def severity_for(self, rule_id: str, default: Severity) -> Severity:
        level = self._level(rule_id)
        return Severity(level) if level and level != "off" else default

    def _level(self, rule_id: str) -> str | None:
        # The rule's own entry wins over its category's.
        if rule_id in self.severity:
            return self.severity[rule_id]
        return self.severity.get(rule_id.split("/", 1)[0])

    def with_options(
        self,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        online: bool | None = None,
    ) -> LintConfig:
        """The command line's --select replaces the configured one; --ignore adds to it."""
        changes: dict[str, Any] = {}
        if select:
            changes["select"] = _selectors(list(select), "--select", "command line")
        if ignore:
            changes["ignore"] = self.ignore + _selectors(list(ignore), "--ignore", "command line")
        if online is not None:
            changes["online"] = online or self.online
        return replace(self, **changes)


def _matches(selector: str, rule_id: str) -> bool:
    if selector in ("all", rule_id):
        return True
    return selector.rstrip("/*") == rule_id.split("/", 1)[0]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _selectors(value: Any, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"lint setting '{key}' must be a list of rule ids", source or None)
    known = [*rule_ids(), *categories()]
    out = []
    for item in (v.strip() for v in value):
        if not item:
            continue
        if item != "all" and item.rstrip("/*") not in known:
            raise InputError(
                f"unknown lint rule '{item}' in '{key}'{_suggest(item, known)}", source or None
            )
        out.append(item)
    return tuple(out)


def from_table(table: Mapping[str, Any], source: str = "") -> LintConfig:
    """Validate the raw `[lint]` table; InputError names the key and suggests a close one."""
    values: dict[str, Any] = {"source": source}
    where = source or None
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key not in KEYS:
            raise InputError(f"unknown lint setting '{raw_key}'{_suggest(key, KEYS)}", where)
        if key in ("select", "ignore"):
            values[key] = _selectors(value, key, source)
        elif key == "severity":
            values[key] = MappingProxyType(_levels(value, source))
        elif key == "reference-date":
            values["reference_date"] = _reference_date(value, source)
        elif not isinstance(value, bool):
            raise InputError("lint setting 'online' must be true or false", where)
        # else: accepted but not obeyed. The settings come with the (untrusted) project: only
        # `presswork lint --online` on the command line may reach the network.
    return LintConfig(**values)


def _levels(value: Any, source: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InputError("lint setting 'severity' must be a table {rule = level}", source or None)
    levels = {}
    for rule, level in value.items():
        _selectors([rule], "severity", source)  # an unknown rule is an error
        if level not in LEVELS:
            hint = _suggest(str(level), LEVELS)
            raise InputError(
                f"severity of '{rule}' must be one of {', '.join(LEVELS)}{hint}", source or None
            )
        levels[str(rule).strip().rstrip("/*")] = level
    return levels


def _reference_date(value: Any, source: str) -> str:
    from presswork.lint.calendar import parse_edtf

    text = str(value)  # TOML dates arrive as datetime.date objects
    parsed = parse_edtf(text)
    if parsed.problem is not None or parsed.interval:
        raise InputError(
            f"lint setting 'reference-date' must be an ISO date like 2024-05-31, not {text!r}",
            source or None,
        )
    return text


def from_settings(lint_table: Mapping[str, Any], source: str = "") -> LintConfig:
    return from_table(lint_table or {}, source)
