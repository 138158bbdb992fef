"""Build progress: a live line per target on a terminal, plain lines in CI or a pipe.

A `Progress` is the `reporter` that `presswork.build.build` calls with (event, data); events
come from the rendering threads, so every state change holds a lock.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from presswork.build import BuildReport


def live_wanted(stream: IO[str]) -> bool:
    """A live display only on an interactive terminal, and never in CI."""
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    dumb = os.environ.get("TERM", "") == "dumb"
    return not ci and not dumb and hasattr(stream, "isatty") and stream.isatty()


def target_label(data: dict[str, Any]) -> str:
    """`style/format`, the name of a target in every progress line."""
    target = data.get("target")
    return f"{target.style.name}/{target.format.name}" if target is not None else ""


@dataclass
class _Row:
    status: str  # "building", "built", "unchanged" or "failed"
    started: float
    seconds: float = 0.0
    error: str = ""


class Progress:
    """The build reporter: `Progress(quiet, verbose)(event, data)`, then `finish(report)`."""

    def __init__(
        self,
        quiet: bool = False,
        verbose: bool = False,
        stream: IO[str] | None = None,
        console: Console | None = None,
    ) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.perf_counter()
        self._lock = threading.Lock()
        self._rows: dict[str, _Row] = {}
        self._live: Live | None = None
        self._live_lock = threading.Lock()  # starts and stops the live display
        self._spinners: dict[str, Any] = {}  # one per target, so that it turns
        if console is None and live_wanted(self.stream):
            from rich.console import Console

            console = Console(file=self.stream)
        self.console = console  # None: plain lines

    # ---- the reporter ----------------------------------------------------------------------

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        label, now = target_label(data), time.perf_counter()
        # Never print while holding the lock: the live display's refresh thread takes it too.
        with self._lock:
            if event == "start":
                self._rows[label] = _Row("building", now)
            elif event == "built":
                self._rows[label] = _Row("built", now, data.get("seconds", 0.0))
            elif event == "unchanged":
                self._rows[label] = _Row("unchanged", now)
            elif event == "failed":
                self._rows[label] = _Row("failed", now, error=str(data.get("error", "")))
        if event == "warning":
            self._say(f"warning: {data['message']}", "yellow")
        elif event == "failed" and (self.console is None or self.quiet):
            self._say(f"failed   {label}: {data.get('error', '')}", "red")
        elif event == "built":
            self._plain(f"built    {label} ({data.get('seconds', 0.0):.1f} s)", True)
        elif event == "start":
            self._plain(f"building {label}", self.verbose)
        elif event == "unchanged":
            self._plain(f"up to date {label}", self.verbose)
        if event in ("start", "built", "unchanged", "failed"):
            self._start_live()

    def finish(self, report: BuildReport, destination: Path | str | None = None) -> None:
        """Stop the live display and print the summary line (unless quiet)."""
        self.close()
        if self.quiet:
            return
        counts = {
            s: sum(1 for o in report.outcomes if o.status == s)
            for s in ("built", "unchanged", "failed")
        }
        text = f"{counts['built']} built, {counts['unchanged']} up to date"
        if counts["failed"]:
            text += f", {counts['failed']} failed"
        text += f" in {time.perf_counter() - self.started:.1f} s"
        if destination is not None:
            text += f" -> {destination}"
        self._say(text, "bold" if not counts["failed"] else "red")

    def close(self) -> None:
        """Stop the live display, leaving its last frame; safe to call twice."""
        with self._live_lock:
            if self._live is not None:
                self._live.stop()
            self._live = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- output ----------------------------------------------------------------------------

    def _say(self, text: str, colour: str) -> None:
        """A line that is always shown (warnings, errors, the summary)."""
        if self.console is not None:
            from rich.text import Text

            # A styled Text, not print(style=): the style would also paint the live frame.
            self.console.print(Text(text, style=colour))
        else:
            print(text, file=self.stream, flush=True)

    def _plain(self, text: str, shown: bool) -> None:
        if self.console is None and shown and not self.quiet:
            print(text, file=self.stream, flush=True)

    def _start_live(self) -> None:
        if self.console is None or self.quiet:
            return
        with self._lock:
            if not self.verbose and all(r.status == "unchanged" for r in self._rows.values()):
                return  # nothing to show yet: up-to-date targets are listed only when verbose
        from rich.live import Live

        with self._live_lock:
            if self._live is None:
                self._live = Live(self, console=self.console, refresh_per_second=8)
                self._live.start()

    def __rich__(self) -> RenderableType:
        """The live frame: one line per target, a spinner while it builds."""
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            rows = list(self._rows.items())
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column()
        grid.add_column()
        now = time.perf_counter()
        for label, row in rows:
            if row.status == "building":
                icon: RenderableType = self._spinners.setdefault(
                    label, Spinner("dots", "", style="cyan")
                )
                detail = Text(f"{now - row.started:.1f} s", style="dim")
            elif row.status == "built":
                icon, detail = Text("✓", style="green"), Text(f"{row.seconds:.1f} s")
            elif row.status == "failed":
                icon, detail = Text("✗", style="red"), Text(row.error, style="red")
            elif self.verbose:
                icon, detail = Text("·", style="dim"), Text("up to date", style="dim")
            else:
                continue
            grid.add_row(
                icon, Text(label, style="bold" if row.status != "unchanged" else "dim"), detail
            )
        return grid
