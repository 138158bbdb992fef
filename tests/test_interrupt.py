"""Concurrent and interrupted builds: outputs are whole, the manifest tells the truth."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

FORMATS = "pdf,html,epub"
STYLES = "apa,chicago-author-date"  # two PDFs, so WeasyPrint runs in worker processes


def write_project(root: Path, version: str) -> Path:
    """A small project that takes a few seconds to build in every format and two styles."""
    (root / "manuscript").mkdir(parents=True, exist_ok=True)
    (root / "references").mkdir(exist_ok=True)
    (root / "manuscript" / "metadata.yaml").write_text(
        "title: A Small Paper\nlang: en-US\ndate: 2024-01-01\n"
    )
    paragraphs = [f"# Version {version}\n"] + [
        f"Paragraph {i} of version {version} says something, as shown [@doe2020, {i + 1}]."
        f"^[Note {i}, with a few more words to lay out.]\n"
        for i in range(25)
    ]
    (root / "manuscript" / "01-body.md").write_text("\n".join(paragraphs))
    (root / "references" / "refs.bib").write_text(
        "@article{doe2020,\n  author = {Doe, Jane},\n  title = {A Title},\n"
        "  journal = {Journal},\n  year = {2020}\n}\n"
    )
    return root


def output_hashes(root: Path) -> dict[str, str]:
    build = root / "build"
    return {
        p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file() and p.suffix in (".pdf", ".html", ".epub")
    }


def complete_version(path: Path) -> str:
    """Which version a whole output holds; AssertionError when the file is cut short."""
    if path.suffix == ".html":
        text = path.read_text()
        assert text.rstrip().endswith("</html>"), f"{path} is cut short"
    elif path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, f"{path} is damaged"
            text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        from pypdf import PdfReader

        assert path.read_bytes().rstrip().endswith(b"%%EOF"), f"{path} is cut short"
        text = PdfReader(path).pages[0].extract_text() or ""
    found = {v for v in ("1", "2") if f"Version {v}" in text}
    assert len(found) == 1, f"{path} holds versions {found}"
    return found.pop()


def command(root: Path, *extra: str, formats: str = FORMATS) -> list[str]:
    return [
        sys.executable,
        "-m",
        "presswork",
        "build",
        str(root),
        "-f",
        formats,
        "-s",
        STYLES,
        "-j",
        "2",
        "-q",
        *extra,
    ]


@pytest.fixture(scope="module")
def version_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project built at version 1, and the hashes of its outputs."""
    from presswork.build import build

    old = write_project(tmp_path_factory.mktemp("old") / "paper", "1")
    build(old, FORMATS.split(","), STYLES.split(","), jobs=2)
    hashes = output_hashes(old)
    assert len(hashes) == 6 and {complete_version(old / "build" / p) for p in hashes} == {"1"}
    return old, hashes


def assert_consistent(root: Path, old: dict[str, str], final: bool = False) -> None:
    """Every output is the old file untouched or a whole new one; every manifest entry is true."""
    current = output_hashes(root)
    assert set(current) == set(old)
    for path, digest in current.items():
        if digest != old[path] or final:
            assert complete_version(root / "build" / path) == "2"
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    for entry in manifest["outputs"]:
        on_disk = root / "build" / entry["path"]
        assert hashlib.sha256(on_disk.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
        assert on_disk.stat().st_size == entry["size"]


def temporaries(root: Path) -> list[Path]:
    return sorted((root / "build").rglob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_build_leaves_old_or_new_outputs(
    tmp_path: Path,
    version_one: tuple[Path, dict[str, str]],
    signum: int,
    delay: float,
) -> None:
    built, old = version_one
    root = tmp_path / "paper"
    shutil.copytree(built, root)
    write_project(root, "2")
    # start_new_session: the signal goes to the whole group, as Ctrl-C in a terminal does
    proc = subprocess.Popen(command(root), stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(delay)
    os.killpg(proc.pid, signum)
    _, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    assert_consistent(root, old)
    if signum == signal.SIGINT:
        # One line, no traceback from the main process or the WeasyPrint workers.
        assert proc.returncode in (0, 130), err
        assert err == ("presswork: interrupted\n" if proc.returncode == 130 else ""), err
        assert temporaries(root) == []
        return
    # A worker may die a moment before the main process does: then it reports a failure.
    assert proc.returncode in (0, 1, -signal.SIGKILL), err
    # Whatever was left, the next build cleans up stale temp files and finishes the job.
    (root / "build" / "apa" / ".paper.pdf.999999999.tmp").write_bytes(b"half a PDF")
    finish = subprocess.run(command(root), capture_output=True, text=True, timeout=120)
    assert finish.returncode == 0, finish.stderr
    assert_consistent(root, old, final=True)
    assert temporaries(root) == []


def test_second_build_waits_for_the_lock(tmp_path: Path) -> None:
    root = write_project(tmp_path / "paper", "1")
    lock = root / "build" / ".lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # a first build, holding the lock
        proc = subprocess.Popen(
            [sys.executable, "-m", "presswork", "build", str(root), "-f", "html", "-s", "apa"],
            stderr=subprocess.PIPE,
        )
        time.sleep(1.5)
        assert proc.poll() is None, "the second build did not wait for the lock"
        assert not (root / "build" / "apa").exists()
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (root / "build" / "apa" / "paper.html").is_file()


def test_two_concurrent_builds_do_not_interleave(tmp_path: Path) -> None:
    root = write_project(tmp_path / "paper", "1")
    args = command(root, "--force", formats="html,epub")
    first = subprocess.Popen(args, stderr=subprocess.PIPE)
    second = subprocess.Popen(args, stderr=subprocess.PIPE)
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    assert len(manifest["outputs"]) == 4
    for entry in manifest["outputs"]:
        data = (root / "build" / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert temporaries(root) == []


def test_stopped_pandoc_runs_are_killed_and_refused() -> None:
    """Ctrl-C kills the pandoc runs of every style thread, not only the main thread's."""
    import threading

    from presswork import pandoc

    outcome: list[BaseException] = []

    def long_run() -> None:
        # A document big enough that pandoc is still reading it when the stop comes.
        text = ("word " * 200 + "\n\n") * 20_000
        try:
            pandoc.run(["--from", "markdown", "--to", "json"], stdin=text.encode())
        except BaseException as exc:  # the thread's outcome, for the main thread to check
            outcome.append(exc)

    thread = threading.Thread(target=long_run)
    thread.start()
    deadline = time.monotonic() + 30
    while not pandoc._running and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        pandoc.stop_all()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], pandoc.Stopped)
        with pytest.raises(pandoc.Stopped):
            pandoc.run(["--version"])
    finally:
        pandoc.resume()
    assert pandoc.run(["--version"]).output.startswith(b"pandoc")


def test_pdf_workers_exit_when_the_build_stops() -> None:
    """A worker busy laying out a PDF exits as soon as the stop event is set."""
    from concurrent.futures.process import BrokenProcessPool

    from presswork.workers import process_pool

    pool, stop = process_pool(2)
    try:
        busy = pool.submit(time.sleep, 120)  # stands for a long WeasyPrint layout
        time.sleep(0.5)
        stop.set()
        with pytest.raises(BrokenProcessPool):
            busy.result(timeout=60)
    finally:
        pool.shutdown(cancel_futures=True)
