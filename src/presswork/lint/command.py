"""`presswork lint` and `presswork rules`: the functions the CLI wires into argparse."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from presswork.lint.finding import Severity
from presswork.lint.report import FORMATS, render


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def add_lint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="report format: text (default), json, sarif, or github "
        "(the default when GITHUB_ACTIONS=true)",
    )
    parser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules or categories, comma-separated (e.g. date,doi)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        metavar="RULES",
        help="skip these rules or categories, comma-separated",
    )
    parser.add_argument(
        "--online", action="store_true", help="also resolve DOIs through doi.org/Crossref (cached)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output"
    )


def run_lint_command(args: argparse.Namespace) -> int:
    """Lint the project in args.dir and print the report: 1 if any finding is an error."""
    from presswork.lint import config_for, run_lint
    from presswork.project import load

    project = load(args.dir)  # InputError propagates: the CLI prints it and exits 2
    config = config_for(project).with_options(
        select=_split(args.select), ignore=_split(args.ignore), online=args.online or None
    )
    findings = run_lint(project, config)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    sources = {f.path: f.text for f in (*project.chapters, *project.reference_files)}
    if project.metadata_file is not None:
        sources[project.metadata_file.path] = project.metadata_file.text
    prefix, base = _prefix(Path(args.dir)), Path.cwd()
    if fmt == "sarif" and not _under_cwd(Path(args.dir)):
        # Relative URIs must not climb out of their base (GitHub rejects `../`): the
        # project's own directory is the base instead.
        prefix, base = "", Path(args.dir)
    colour = not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = render(fmt, findings, sources, prefix=prefix, colour=colour, base=base)
    _emit(report, args.output)
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0


def _under_cwd(directory: Path) -> bool:
    return directory.resolve().is_relative_to(Path.cwd().resolve())


def _prefix(directory: Path) -> str:
    """The project's directory as GitHub and SARIF want paths: relative to where we run."""
    try:
        relative = directory.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        relative = directory
    text = relative.as_posix()
    return "" if text in ("", ".") else text.rstrip("/") + "/"


def _emit(text: str, output: str | None) -> None:
    """Print, or write a file whole (temporary file, then rename)."""
    if not output:
        sys.stdout.write(text)
        return
    from presswork import confine

    # The project may have planted a link where the report goes (lint.sarif in CI): refused,
    # and the temporary is created new (O_EXCL | O_NOFOLLOW), never written through a link.
    confine.write_atomic(Path(output), text.encode("utf-8"), refuse_link=True)


def add_rules_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text (default) or markdown (the docs/rules.md reference)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE")


def rules_markdown() -> str:
    """docs/rules.md, generated from the rules' docstrings."""
    from presswork.lint.docs import rules_markdown as generate

    return generate()


def run_rules_command(args: argparse.Namespace) -> int:
    """List every rule: id, default severity and a one-line explanation."""
    from presswork.lint.registry import all_rules

    if args.format == "markdown":
        _emit(rules_markdown(), getattr(args, "output", None))
        return 0
    rules = all_rules()
    width = max(len(rule.id) for rule in rules)
    lines = [f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.summary()}\n" for rule in rules]
    _emit("".join(lines), getattr(args, "output", None))
    return 0
