"""Build progress: plain lines in CI or a pipe, a live line per target on a terminal."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from presswork.build import BuildReport, Outcome
from presswork.progress import Progress, live_wanted


def target(style: str, fmt: str) -> SimpleNamespace:
    return SimpleNamespace(style=SimpleNamespace(name=style), format=SimpleNamespace(name=fmt))


HTML, PDF, EPUB = target("apa", "html"), target("apa", "pdf"), target("nature", "epub")
REPORT = BuildReport(
    [Outcome(EPUB, "unchanged"), Outcome(HTML, "built", 0.31), Outcome(PDF, "failed", 2.0, "boom")]
)


def play(progress: Progress) -> None:
    """A build of three targets: one up to date, one built, one failed, and a warning."""
    progress("unchanged", {"target": EPUB})
    progress("start", {"target": HTML})
    progress("start", {"target": PDF})
    progress("warning", {"message": "manuscript/01.md:3:5: citation '@x' is not in the references"})
    progress("built", {"target": HTML, "seconds": 0.31})
    progress("failed", {"target": PDF, "error": "boom"})
    progress.finish(REPORT, Path("paper") / "build")


def lines(stream: io.StringIO) -> list[str]:
    return [re.sub(r"in \d+\.\d s", "in T s", line) for line in stream.getvalue().splitlines()]


WARNING = "warning: manuscript/01.md:3:5: citation '@x' is not in the references"
SUMMARY = "1 built, 1 up to date, 1 failed in T s -> paper/build"


def test_plain_lines_by_default() -> None:
    stream = io.StringIO()
    play(Progress(quiet=False, verbose=False, stream=stream))
    assert lines(stream) == [
        WARNING,
        "built    apa/html (0.3 s)",
        "failed   apa/pdf: boom",
        SUMMARY,
    ]


def test_plain_verbose_also_lists_up_to_date_and_started_targets() -> None:
    stream = io.StringIO()
    play(Progress(quiet=False, verbose=True, stream=stream))
    assert lines(stream) == [
        "up to date nature/epub",
        "building apa/html",
        "building apa/pdf",
        WARNING,
        "built    apa/html (0.3 s)",
        "failed   apa/pdf: boom",
        SUMMARY,
    ]


def test_quiet_prints_only_warnings_and_errors() -> None:
    stream = io.StringIO()
    play(Progress(quiet=True, verbose=False, stream=stream))
    assert lines(stream) == [WARNING, "failed   apa/pdf: boom"]


def test_live_display_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=80, color_system="standard")
    play(Progress(quiet=False, verbose=False, console=console))
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())  # colours, cursor moves
    final = [line.rstrip() for line in lines(io.StringIO(text.rsplit("\r", 1)[-1]))]
    assert final == ["✓ apa/html 0.3 s", "✗ apa/pdf  boom", SUMMARY]  # the last frame, the sum
    assert "nature/epub" not in text  # up-to-date targets only with --verbose
    assert WARNING in text
    assert "\x1b[" in stream.getvalue()  # a terminal gets colours and cursor movement


def test_live_display_verbose_lists_up_to_date_targets() -> None:
    stream = io.StringIO()
    play(Progress(verbose=True, console=Console(file=stream, force_terminal=True, width=80)))
    assert "· nature/epub up to date" in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())


def test_events_from_many_threads() -> None:
    stream = io.StringIO()
    progress = Progress(console=Console(file=stream, force_terminal=True, width=80))
    targets = [target(f"style{i}", "html") for i in range(40)]

    def render(one: SimpleNamespace) -> None:
        progress("start", {"target": one})
        progress("built", {"target": one, "seconds": 0.1})

    threads = [threading.Thread(target=render, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.finish(BuildReport([Outcome(t, "built", 0.1) for t in targets]))
    assert stream.getvalue().count("✓") >= 40


@pytest.mark.parametrize(
    ("ci", "tty", "term", "expected"),
    [
        ("", True, "xterm", True),
        ("true", True, "xterm", False),
        ("", False, "xterm", False),
        ("", True, "dumb", False),
        ("false", True, "xterm", True),
    ],
)
def test_live_only_on_an_interactive_terminal_outside_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, tty: bool, term: str, expected: bool
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("TERM", term)
    stream = io.StringIO()
    stream.isatty = lambda: tty  # type: ignore[method-assign]
    assert live_wanted(stream) is expected
