"""`presswork watch`: rebuild the HTML on every saved change, serve it and reload the browser.

Each settled change of the project's files (see `presswork.changes`) makes one build; a failed
build is shown in the terminal and over the page while the loop goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from presswork.changes import changed_files, next_change, snapshot
from presswork.errors import InputError, PressworkError

if TYPE_CHECKING:  # http.server is imported only when the server starts
    from presswork.serve import PreviewState


def _finding_key(finding: Any, sources: dict[str, str]) -> tuple[object, ...]:
    """A finding's identity across edits: its rule, file, message and line text, not number."""
    lines = sources.get(finding.file, "").split("\n")
    text = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
    return (finding.rule, finding.file, finding.message, text)


def _colour(stream: IO[str]) -> bool:
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


class Watcher:
    """Builds one style's HTML on each change, publishes it to the server, lints it."""

    def __init__(
        self, root: Path, style: str | None, state: PreviewState, out: IO[str], debug: bool = False
    ) -> None:
        self.root, self.style, self.state, self.out, self.debug = root, style, state, out, debug
        self._findings: set[tuple[object, ...]] | None = None  # None: not linted yet

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _settings(self) -> Any:
        from presswork import settings

        return settings.load(self.root)

    def build_dir(self) -> Path:
        try:
            return self.root / self._settings().build_dir
        except PressworkError:
            return self.root / "build"

    def build_once(self) -> bool:
        """Build, publish the page or the error; True when the project could be read."""
        from presswork.build import build
        from presswork.progress import Progress

        try:
            style = self.style or self._settings().styles[0]
            with Progress(stream=self.out) as progress:
                report = build(self.root, ["html"], [style], jobs=1, reporter=progress)
                page = self.build_dir() / report.outcomes[0].target.path
                progress.finish(report, page)
        except PressworkError as exc:
            self.say(f"presswork: error: {exc}")
            self.state.publish(None, str(exc))
            return not isinstance(exc, InputError)
        except Exception as exc:  # a bug must not end the author's loop; --debug shows it
            if self.debug:
                raise
            self.say(f"presswork: internal error: {type(exc).__name__}: {exc}")
            self.state.publish(None, f"internal error: {type(exc).__name__}: {exc}")
            return False
        _, _, error = self.state.snapshot()
        if error or any(o.status == "built" for o in report.outcomes) or not self.state.build:
            self.state.publish(page)
        return True

    def lint_once(self) -> None:
        """Print the findings not shown before, in the terminal format of `presswork lint`."""
        try:
            from presswork.lint import run_lint
            from presswork.lint.report import render
        except ImportError:  # a presswork without the linter: builds only
            return
        from presswork.project import load

        try:
            project = load(self.root)
            findings = run_lint(project)
        except PressworkError as exc:
            self.say(f"lint: {exc}")
            return
        except Exception as exc:  # the linter's bug must not end the author's loop either
            if self.debug:
                raise
            self.say(f"lint: internal error: {type(exc).__name__}: {exc}")
            return
        sources = {f.path: f.text for f in (*project.chapters, *project.reference_files)}
        if project.metadata_file is not None:
            sources[project.metadata_file.path] = project.metadata_file.text
        keys = {finding: _finding_key(finding, sources) for finding in findings}
        first, before = self._findings is None, self._findings or set()
        new = [finding for finding in findings if keys[finding] not in before]
        fixed = len(before - set(keys.values()))
        self._findings = set(keys.values())
        if new:
            colour = _colour(self.out)
            report = render("text", new, sources, colour=colour).rstrip("\n")
            # Its last line sums up only the new findings: our own line follows instead.
            self.out.write(report.rsplit("\n", 1)[0].rstrip("\n") + "\n")
        count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
        if first:
            self.say(f"lint: {count}")
        elif new or fixed:
            self.say(f"lint: {count} ({len(new)} new, {fixed} fixed)")

    def step(self) -> None:
        if self.build_once():
            self.lint_once()

    def loop(self, stop: threading.Event) -> None:
        """Build now, then again after every settled change, until `stop` is set."""
        seen = snapshot(self.root, self.build_dir())
        self.step()
        while True:
            now = next_change(self.root, self.build_dir, seen, stop)
            if now is None:
                return
            names = changed_files(seen, now)
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            self.say(f"changed: {', '.join(names[:3])}{more}")
            seen = now
            self.step()


def add_watch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help="project directory (default: .)")
    parser.add_argument("--style", "-s", help="the CSL style to preview (default: the first one)")
    parser.add_argument(
        "--port",
        "-p",
        type=int,
        default=8000,
        help="port on 127.0.0.1 (default: 8000; 0 picks a free one)",
    )
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")


def _open_browser(url: str) -> None:
    """Open the page unless in CI or with no display (a text browser would take the terminal)."""
    import webbrowser

    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if os.environ.get("CI") or headless:
        return
    with contextlib.suppress(webbrowser.Error):
        webbrowser.open(url)


def run_watch_command(args: argparse.Namespace) -> int:
    """Serve and rebuild until Ctrl-C; 0 after a clean stop."""
    from presswork.serve import PreviewServer, PreviewState

    root = Path(args.dir)
    if not root.is_dir():
        raise InputError("project directory not found", root)
    state = PreviewState()
    server = PreviewServer(state, args.port)
    server.start()
    out = sys.stderr
    print(f"serving {server.url} (Ctrl-C to stop)", file=out, flush=True)
    watcher = Watcher(root, args.style, state, out, debug=getattr(args, "debug", False))
    stop = threading.Event()
    try:
        if not args.no_open:
            opener = threading.Timer(0.5, _open_browser, (server.url,))
            opener.daemon = True
            opener.start()
        watcher.loop(stop)
    except KeyboardInterrupt:
        # One line; on a terminal it starts after the "^C" the terminal echoed.
        print(f"{chr(10) if out.isatty() else ''}presswork: stopped watching", file=out, flush=True)
    finally:
        server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m presswork.watch`: the same as `presswork watch`."""
    parser = argparse.ArgumentParser(prog="presswork watch", description=__doc__)
    add_watch_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_watch_command(args)
    except PressworkError as exc:
        print(f"presswork: error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
