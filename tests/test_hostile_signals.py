"""SIGTERM and SIGHUP (a cancelled CI job, a closed terminal) stop a build as Ctrl-C does."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from test_interrupt import command, temporaries, write_project


def session_processes(session: int) -> list[int]:
    """Processes still alive in a session (pandoc, the fork server, PDF workers)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def outliving(session: int) -> list[int]:
    """The session's processes still alive after a bounded wait for them to be reaped; each
    is killed, so that a failing test leaves nothing running."""
    for _ in range(100):
        if not session_processes(session):
            break
        time.sleep(0.1)
    left = session_processes(session)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("delay", [1.0, 2.5])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_stop_signals_end_pandoc_and_workers(tmp_path: Path, signum: int, delay: float) -> None:
    root = write_project(tmp_path / "paper", "1")
    proc = subprocess.Popen(command(root), stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(delay)
    proc.send_signal(signum)  # to presswork alone: it must stop pandoc and the workers itself
    _, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    assert proc.returncode in (0, 130), err
    assert err == ("presswork: interrupted\n" if proc.returncode == 130 else ""), err
    left = outliving(proc.pid)
    assert left == [], "processes outlived the build"
    assert temporaries(root) == [] if (root / "build").exists() else True
