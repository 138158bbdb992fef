"""The command line: thin, each subcommand calls the same function the Python API exposes."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from presswork import __version__
from presswork.errors import PressworkError


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _cmd_build(args: argparse.Namespace) -> int:
    from presswork.build import build
    from presswork.progress import Progress

    if args.check_reproducible:
        return _check_reproducible(args)

    with Progress(args.quiet, args.verbose) as progress:
        report = build(
            args.dir,
            format_names=_split(args.format),
            style_names=_split(args.style),
            jobs=args.jobs,
            force=args.force,
            strict=args.strict,
            reporter=progress,
        )
        progress.finish(report, Path(args.dir) / "build")
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


_PLUGGED = {
    "lint": (
        "check footnotes, dates, DOIs and citations",
        "presswork.lint.command",
        "add_lint_arguments",
        "run_lint_command",
    ),
    "rules": (
        "list the lint rules",
        "presswork.lint.command",
        "add_rules_arguments",
        "run_rules_command",
    ),
    "check": (
        "validate the built outputs with epubcheck, vnu and more",
        "presswork.check.command",
        "add_check_arguments",
        "run_check_command",
    ),
    "watch": (
        "serve the HTML on 127.0.0.1 and rebuild it on every save",
        "presswork.watch",
        "add_watch_arguments",
        "run_watch_command",
    ),
    "refs": (
        "fetch the works cited by identifier (@doi:, @pmid:...) into references/",
        "presswork.identifiers.command",
        "add_refs_arguments",
        "run_refs_command",
    ),
    "new": (
        "start a manuscript project from the template",
        "presswork.new",
        "add_new_arguments",
        "run_new_command",
    ),
}


def _chosen_command(argv: Sequence[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _parser(chosen: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presswork",
        description="Build a manuscript into PDF, HTML and EPUB in any CSL style, and lint it.",
    )
    parser.add_argument("--version", action="version", version=f"presswork {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build the outputs into build/")
    p.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument(
        "--format", "-f", action="append", help="formats, comma-separated (pdf,html,epub)"
    )
    p.add_argument(
        "--style",
        "-s",
        action="append",
        help="CSL styles: bundled names, styles/NAME, or paths to .csl files",
    )
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel jobs (default: cores)")
    p.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    p.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors: unknown citation keys, refused images, links and raw HTML",
    )
    p.add_argument(
        "--check-reproducible",
        action="store_true",
        help="build twice in two temporary directories and compare every byte",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    p.add_argument("--verbose", "-v", action="store_true", help="print every target")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("styles", help="list or search the available citation styles")
    p.add_argument("query", nargs="*", help="words to look for in style names and titles")
    p.add_argument("--dir", default=".", help="project directory, for its styles/ folder")
    p.set_defaults(func=_cmd_styles)

    # The other subcommands live in their own modules, imported only when chosen: a
    # no-change build should cost no more than starting the command.
    for name, (help_text, module, add, run) in _PLUGGED.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:
            loaded = importlib.import_module(module)
            getattr(loaded, add)(p)
            p.set_defaults(func=getattr(loaded, run))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from_command_line = argv is None
    if from_command_line:
        from presswork.workers import stop_signals_interrupt

        stop_signals_interrupt()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(_chosen_command(argv))
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
        if from_command_line:
            _ignore_stop_signals()  # done: a late signal must not kill the exit (see below)
        return code
    except PressworkError as exc:
        if from_command_line:
            _ignore_stop_signals()
        if args.debug:
            raise
        print(f"presswork: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        if from_command_line:
            _ignore_stop_signals()
        print("presswork: interrupted", file=sys.stderr)
        if from_command_line:
            _exit_now(130)
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except OSError as exc:
        if args.debug or exc.errno != errno.ENAMETOOLONG:
            raise
        # A name from an untrusted file (metadata, a link, an image) too long for the file
        # system reached a lookup somewhere: bad input, so one line and 2, not a traceback.
        name = str(exc.filename or "")
        shown = name if len(name) <= 80 else f"{name[:77]}..."
        print(f"presswork: error: file name too long: '{shown}'", file=sys.stderr)
        return 2


def _exit_now(code: int) -> None:
    """End the interrupted process here: pandoc and the PDF workers are already stopped and
    build/ is consistent. Interpreter shutdown would restore the default SIGINT action, and a
    stop signal still in flight would then kill the process (exit -2, not 130)."""
    import contextlib
    import os
    from multiprocessing import util

    # What interpreter exit would do for multiprocessing (its semaphores, the pool's helpers);
    # the atexit function multiprocessing itself registers, run now, once.
    with contextlib.suppress(Exception):
        util._exit_function()
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _ignore_stop_signals() -> None:
    """Once interrupted or done, the process only exits: a stop signal still pending, or a
    second one, must not raise again while threads and pools shut down. Interpreter shutdown
    also puts back the default action of every signal with a Python handler, so a signal in
    its last milliseconds killed the process (exit -1 or -2, not its code or 130); an ignored
    signal stays ignored."""
    import signal

    from presswork.workers import STOP_SIGNALS

    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _reader_gone() -> int:
    """The reader of our output left (`presswork styles | head -1`): end quietly.

    Python would report the pipe again while flushing stdout at exit, so stdout is pointed
    at /dev/null first; 141 is what a shell reports for a process ended by SIGPIPE.
    """
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141
