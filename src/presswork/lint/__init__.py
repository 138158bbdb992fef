"""The manuscript linter: footnotes, dates, DOIs and citations, with exact positions.

`run_lint(project, config)` returns the findings; `presswork.lint.report` formats them and
`presswork.lint.command` is the command line. Rules live one family per module and
register themselves (see `presswork.lint.registry`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from presswork.lint.config import LintConfig, from_table
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, all_rules, register
from presswork.project import Project

if TYPE_CHECKING:
    from presswork.lint.context import Context

__all__ = [
    "Finding",
    "LintConfig",
    "Rule",
    "Severity",
    "all_rules",
    "bench_lint",
    "config_for",
    "register",
    "run_lint",
    "run_rules",
]


def config_for(project: Project) -> LintConfig:
    """The project's `[lint]` settings, validated (InputError names the settings file)."""
    return from_table(project.settings.lint, project.settings.source)


def run_lint(project: Project, config: LintConfig | None = None) -> list[Finding]:
    """Every finding on the project, configured severities applied, suppressions removed."""
    from presswork.lint.context import Context

    config = config if config is not None else config_for(project)
    return run_rules(Context(project, config))


def run_rules(ctx: Context) -> list[Finding]:
    """The findings of the rules `ctx.config` enables, on an analysis already begun.

    The build lints the footnotes on the same scan it checks the brackets with.
    """
    from presswork.lint import suppress

    config = ctx.config
    found: set[Finding] = set()
    for rule_class in all_rules():
        if not config.enabled(rule_class.id) or (rule_class.online and not config.online):
            continue
        for finding in rule_class().check(ctx):
            severity = config.severity_for(finding.rule, finding.severity)
            found.add(
                finding if severity is finding.severity else replace(finding, severity=severity)
            )
    return sorted(suppress.apply(found, ctx), key=Finding.sort_key)


def bench_lint(project: Project, repeat: int = 5) -> float:
    """The best time of `repeat` runs of run_lint, in seconds (for the benchmark session)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run_lint(project)
        best = min(best, time.perf_counter() - started)
    return best
