"""`presswork watch`: the preview server, the change loop, and a real browser following edits."""

from __future__ import annotations

import io
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cdp import CHROMIUM, DevToolsError, chromium_page, fetch
from presswork import changes
from presswork.changes import changed_files, next_change, snapshot
from presswork.errors import EnvironmentProblem
from presswork.new import create
from presswork.serve import PreviewServer, PreviewState, inject
from presswork.watch import Watcher

ADDED = "A sentence written while the browser watched."


def wait_for(condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    """Poll until `condition()` is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.05)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    return create(tmp_path / "paper", title="Watched Paper")


# ---- the server --------------------------------------------------------------------------


def test_inject_adds_the_script_and_an_escaped_overlay_before_body_end() -> None:
    page = "<html><body><p>text</p></body></html>"
    served = inject(page, 3, "metadata.yaml:2:1: bad <tag>")
    assert served.endswith("</body></html>")
    assert 'data-build="3"' in served and "/__presswork/live.js" in served
    assert "bad &lt;tag&gt;" in served and "<tag>" not in served
    assert "presswork-error" not in inject(page, 4)


def test_server_serves_the_page_and_version_on_loopback_only(tmp_path: Path) -> None:
    page = tmp_path / "paper.html"
    page.write_bytes(b"<html><body><p>caf\xc3\xa9</p></body></html>")
    state = PreviewState()
    server = PreviewServer(state, 0)
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert json.loads(fetch(server.url + "__presswork/version")) == {"build": 0, "error": ""}
        state.publish(page)
        served = fetch(server.url).decode()
        assert "café" in served and 'data-build="1"' in served
        assert fetch(server.url + "paper.html").decode() == served
        assert (
            page.read_bytes() == b"<html><body><p>caf\xc3\xa9</p></body></html>"
        )  # disk untouched
        state.publish(None, "manuscript/01.md:1:1: broken")
        assert "broken" in fetch(server.url).decode()  # the last good page, with the error
        assert json.loads(fetch(server.url + "__presswork/version"))["build"] == 2
        with pytest.raises(urllib.error.HTTPError, match="404"):
            fetch(server.url + "../../etc/passwd")
        request = urllib.request.Request(server.url, headers={"Host": "attacker.example:80"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError, match="403"):
            opener.open(request, timeout=5)
    finally:
        server.stop()


def test_a_busy_port_is_one_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(EnvironmentProblem, match="--port 0"):
            PreviewServer(PreviewState(), busy.getsockname()[1])


# ---- the change loop ---------------------------------------------------------------------


def test_snapshot_sees_inputs_not_outputs_hidden_or_editor_files(paper: Path) -> None:
    before = snapshot(paper, paper / "build")
    assert "manuscript/01-introduction.md" in before and "presswork.toml" in before
    (paper / "build" / "apa").mkdir(parents=True)
    (paper / "build" / "apa" / "paper.html").write_text("out")
    (paper / "manuscript" / ".01-introduction.md.swp").write_text("swap")
    (paper / "manuscript" / "01-introduction.md~").write_text("backup")
    assert snapshot(paper, paper / "build") == before
    append(paper / "references" / "references.bib", "\n")
    (paper / "manuscript" / "02-more.md").write_text("More.\n")
    after = snapshot(paper, paper / "build")
    assert changed_files(before, after) == ["manuscript/02-more.md", "references/references.bib"]


def test_a_burst_of_saves_is_one_change(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = {"x.md": (1, 1)}, {"x.md": (2, 5)}, {"x.md": (3, 9)}
    polls = iter([a, a, b, c, c])  # still, then two saves in a row, then still again
    monkeypatch.setattr(changes, "snapshot", lambda root, skip: next(polls))
    monkeypatch.setattr(changes, "POLL_SECONDS", 0.001)
    monkeypatch.setattr(changes, "SETTLE_SECONDS", 0.001)
    stop = threading.Event()
    assert next_change(Path("."), lambda: Path("build"), a, stop) == c
    stop.set()
    assert next_change(Path("."), lambda: Path("build"), c, stop) is None


@pytest.mark.slow
def test_loop_rebuilds_shows_errors_and_new_findings(paper: Path) -> None:
    state, out = PreviewState(), io.StringIO()
    watcher = Watcher(paper, "apa", state, out)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.loop, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: "lint:" in out.getvalue(), what="the first build and lint")
        page = paper / "build" / "apa" / "paper.html"
        assert state.build == 1 and state.page == page and state.error == ""
        html_before = page.read_bytes()

        append(paper / "manuscript" / "01-introduction.md", f"\n{ADDED} [@nobody1999]\n")
        wait_for(lambda: "(1 new, " in out.getvalue(), what="the rebuild and its lint")
        assert state.build == 2
        assert ADDED.encode() in page.read_bytes() and b"/__presswork/" not in page.read_bytes()
        assert page.read_bytes() != html_before
        assert "changed: manuscript/01-introduction.md" in out.getvalue()
        assert "nobody1999" in out.getvalue()  # the build's warning and the lint finding

        metadata = paper / "manuscript" / "metadata.yaml"
        good = metadata.read_text(encoding="utf-8")
        metadata.write_text('title: "unclosed\n', encoding="utf-8")
        wait_for(lambda: state.error != "", what="the failed build")
        assert "metadata.yaml" in state.error and "presswork: error:" in out.getvalue()
        assert state.page == page  # the last good page stays served
        metadata.write_text(good, encoding="utf-8")
        wait_for(lambda: state.error == "", what="the repaired build")
    finally:
        stop.set()
        thread.join(timeout=30)
        print(out.getvalue())  # shown by pytest when the test fails
    assert not thread.is_alive()


# ---- the command, and a real browser -----------------------------------------------------


@pytest.fixture
def watching(paper: Path) -> Iterator[tuple[str, subprocess.Popen[str], list[str]]]:
    """`python -m presswork.watch` on the new project: its URL, its process, its stderr lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "presswork.watch", str(paper), "--port", "0", "--no-open"],
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    urls: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if found:
                urls.put(found.group(1))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        url = urls.get(timeout=20)
        wait_for(
            lambda: json.loads(fetch(url + "__presswork/version"))["build"] >= 1,
            what="the first build",
        )
        yield url, process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        reader.join(timeout=5)
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.slow
def test_ctrl_c_stops_the_watch_with_one_line(watching: tuple) -> None:
    _, process, lines = watching
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    wait_for(lambda: lines and lines[-1].startswith("presswork: stopped"), 5, "the last line")
    assert lines[-1] == "presswork: stopped watching"
    assert not any("Traceback" in line for line in lines)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium on PATH (apt-get install chromium)")
def test_the_browser_page_follows_edits(watching: tuple, paper: Path, tmp_path: Path) -> None:
    url, process, lines = watching

    with chromium_page(url, tmp_path / "chromium-profile") as browser:

        def text() -> str:
            try:
                return browser.evaluate("document.body ? document.body.innerText : ''") or ""
            except DevToolsError:  # the page is reloading
                return ""

        wait_for(lambda: "Watched Paper" in text(), what="the page in Chromium")
        assert ADDED not in text()
        append(paper / "manuscript" / "01-introduction.md", f"\n{ADDED}\n")
        wait_for(lambda: ADDED in text(), what="the edit in Chromium")

        metadata = paper / "manuscript" / "metadata.yaml"
        good = metadata.read_text(encoding="utf-8")
        metadata.write_text("title: [unclosed\n", encoding="utf-8")
        wait_for(lambda: "the last build failed" in text(), what="the error overlay")
        assert "metadata.yaml" in text() and ADDED in text()  # the last good page beneath
        metadata.write_text(good, encoding="utf-8")
        wait_for(lambda: "the last build failed" not in text(), what="the overlay to go")
    assert process.poll() is None, "\n".join(lines)
