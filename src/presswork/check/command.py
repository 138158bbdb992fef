"""`presswork check`: the arguments and the command, for the CLI to wire in."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `presswork check`."""
    parser.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a table (rich on a terminal); json: every result and message",
    )
    parser.add_argument(
        "--no-java",
        action="store_true",
        help="skip the Java validators (epubcheck, Nu HTML Checker); their rows say so",
    )
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 though a validator could not run (not installed, no Java); "
        "without it that is a failure",
    )


def run_check_command(args: argparse.Namespace) -> int:
    """Validate the outputs of the last build and print one table; 1 if any output failed."""
    from presswork.check import exit_code, missing, run_checks
    from presswork.check import table as render

    started = time.perf_counter()
    rows = run_checks(Path(args.dir), java=not args.no_java)
    seconds = time.perf_counter() - started
    if args.format == "json":
        sys.stdout.write(render.as_json(rows, seconds))
    elif sys.stdout.isatty() and not os.environ.get("CI"):
        render.print_rich(rows, seconds)
    else:
        sys.stdout.write(render.plain(rows, seconds))
    sys.stdout.flush()
    absent = sorted({row.validator for row in missing(rows)})
    if absent and not args.allow_missing:
        print(
            f"presswork check: {', '.join(absent)} could not run (see the skipped rows); "
            'install them (pip install "presswork[check]", the Nu HTML Checker: nox -s check) '
            "or pass --allow-missing",
            file=sys.stderr,
        )
    return exit_code(rows, args.allow_missing)
