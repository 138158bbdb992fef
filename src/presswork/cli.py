"""The command line: thin, each subcommand calls the same function the Python API exposes."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from presswork import __version__
from presswork.errors import PressworkError


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class _Progress:
    """One line per target: live with rich on a terminal, plain lines in CI or a pipe."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.console = None
        if sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console

            self.console = Console(stderr=True)
        self.started = time.perf_counter()

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        target = data.get("target")
        label = f"{target.style.name}/{target.format.name}" if target is not None else ""
        if event == "warning":
            self._say(f"warning: {data['message']}", "yellow", always=True)
        elif event == "failed":
            self._say(f"failed   {label}: {data['error']}", "red", always=True)
        elif event == "built":
            self._say(f"built    {label} ({data['seconds']:.1f} s)", "green")
        elif event == "unchanged" and self.verbose:
            self._say(f"up to date {label}", "dim")
        elif event == "start" and self.verbose:
            self._say(f"building {label}", "dim")

    def _say(self, text: str, colour: str, always: bool = False) -> None:
        if self.quiet and not always:
            return
        if self.console is not None:
            self.console.print(text, style=colour, highlight=False)
        else:
            print(text, file=sys.stderr, flush=True)


def _cmd_build(args: argparse.Namespace) -> int:
    from presswork.build import build

    if args.check_reproducible:
        return _check_reproducible(args)

    progress = _Progress(args.quiet, args.verbose)
    report = build(
        args.dir,
        format_names=_split(args.format),
        style_names=_split(args.style),
        jobs=args.jobs,
        force=args.force,
        strict=args.strict,
        reporter=progress,
    )
    built = sum(1 for o in report.outcomes if o.status == "built")
    unchanged = sum(1 for o in report.outcomes if o.status == "unchanged")
    if not args.quiet:
        elapsed = time.perf_counter() - progress.started
        print(f"{built} built, {unchanged} up to date in {elapsed:.1f} s -> "
              f"{Path(args.dir) / 'build'}", file=sys.stderr)
    return 0


def _check_reproducible(args: argparse.Namespace) -> int:
    from presswork.reproducible import check_reproducible

    differing = check_reproducible(
        Path(args.dir), _split(args.format), _split(args.style), args.jobs
    )
    if differing:
        for path in differing:
            print(f"not reproducible: {path}", file=sys.stderr)
        return 1
    print("reproducible: two builds in two directories made identical bytes", file=sys.stderr)
    return 0


def _cmd_styles(args: argparse.Namespace) -> int:
    from presswork.styles import search

    found = search(" ".join(args.query), Path(args.dir))
    for name, title in found:
        print(f"{name}\t{title}")
    if not found:
        print(f"no style matches '{' '.join(args.query)}'", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presswork",
        description="Build a manuscript into PDF, HTML and EPUB in any CSL style, and lint it.",
    )
    parser.add_argument("--version", action="version", version=f"presswork {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the outputs into build/")
    p.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument("--format", "-f", action="append", help="formats, comma-separated (pdf,html,epub)")
    p.add_argument("--style", "-s", action="append",
                   help="CSL styles: bundled names, styles/NAME, or paths to .csl files")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel jobs (default: cores)")
    p.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings as errors: unknown citation keys, refused images, "
                   "links and raw HTML")
    p.add_argument("--check-reproducible", action="store_true",
                   help="build twice in two temporary directories and compare every byte")
    p.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    p.add_argument("--verbose", "-v", action="store_true", help="print every target")
    p.set_defaults(func=_cmd_build)

    from presswork.check import command as check_command

    p = sub.add_parser("check", help="validate the built outputs with epubcheck, vnu and more")
    check_command.add_check_arguments(p)
    p.set_defaults(func=check_command.run_check_command)

    p = sub.add_parser("styles", help="list or search the available citation styles")
    p.add_argument("query", nargs="*", help="words to look for in style names and titles")
    p.add_argument("--dir", default=".", help="project directory, for its styles/ folder")
    p.set_defaults(func=_cmd_styles)

    try:
        from presswork.lint import command as lint_command
    except ImportError:  # the linter is optional while it is being built
        lint_command = None  # type: ignore[assignment]
    if lint_command is not None:
        p = sub.add_parser("lint", help="check footnotes, dates, DOIs and citations")
        lint_command.add_lint_arguments(p)
        p.set_defaults(func=lint_command.run_lint_command)
        p = sub.add_parser("rules", help="list the lint rules")
        lint_command.add_rules_arguments(p)
        p.set_defaults(func=lint_command.run_rules_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PressworkError as exc:
        if args.debug:
            raise
        print(f"presswork: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("presswork: interrupted", file=sys.stderr)
        return 130
