"""Inline suppression: `<!-- presswork: ignore date/weekday -->` on the line before."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register, rule_ids


def _selector_known(selector: str, known: set[str]) -> bool:
    return selector == "all" or selector.rstrip("/*") in known


def suppressed_lines(ctx: Context) -> dict[str, dict[int, tuple[str, ...] | None]]:
    """file -> line -> the rules ignored there (None: every rule)."""
    table: dict[str, dict[int, tuple[str, ...] | None]] = {}
    for doc in ctx.documents:
        lines = table.setdefault(doc.path, {})
        for item in doc.suppressions:
            first = doc.position(item.start)[0]
            last = doc.position(item.end)[0]
            target = last + 1
            while target <= len(doc.line_starts) and not doc.line_text(target).strip():
                target += 1  # the next line with text, so a blank line between is harmless
            for line in (*range(first, last + 1), target):
                before = lines.get(line, ())
                if before is None or item.rules is None:
                    lines[line] = None
                else:
                    lines[line] = before + item.rules
    return table


def _covers(rules: tuple[str, ...] | None, rule: str) -> bool:
    if rules is None:
        return True
    category = rule.split("/", 1)[0]
    return any(r in ("all", rule) or r.rstrip("/*") == category for r in rules)


def apply(findings: Iterable[Finding], ctx: Context) -> Iterator[Finding]:
    table = suppressed_lines(ctx)
    for finding in findings:
        rules = table.get(finding.file, {}).get(finding.line, ())
        if rules == () or not _covers(rules, finding.rule):
            yield finding


@register
class UnknownRule(Rule):
    """A suppression comment names a rule that does not exist, so it suppresses nothing.

    Bad:
        <!-- presswork: ignore date/weekdays -->
        On Tuesday, 21 August 1968, the troops arrived.

    Good:
        <!-- presswork: ignore date/weekday -->
        On Tuesday, 21 August 1968, the troops arrived.
    """

    id = "suppression/unknown-rule"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        known = set(rule_ids()) | {r.split("/", 1)[0] for r in rule_ids()}
        for doc in ctx.documents:
            for item in doc.suppressions:
                for name in item.rules or ():
                    if _selector_known(name, known):
                        continue
                    at = doc.text.find(name, item.start, item.end)
                    line, column = doc.position(at if at >= 0 else item.start)
                    close = difflib.get_close_matches(name, sorted(known), n=1)
                    yield self.finding(
                        doc.path,
                        line,
                        column,
                        f"unknown rule '{name}' in a suppression comment",
                        f"write '{close[0]}'" if close else None,
                    )
