"""How long Ctrl-C takes to stop a cold flagship build, at several moments of the build.

The signal goes to the whole process group, as a terminal's Ctrl-C does: the build, its pandoc
runs and its PDF workers. Each row is the time from the signal to the build's exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import commands
import workspace

DELAYS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0)  # seconds into a build of about 8 s


def measure(root: Path, env: dict[str, str], say: Callable[[str], None]) -> dict:
    """Ctrl-C at each delay: seconds to exit, exit status and the last line printed."""
    project = workspace.copy_flagship(root / "interrupt")
    points = []
    for delay in DELAYS:
        shutil.rmtree(project / "build", ignore_errors=True)
        proc = subprocess.Popen(
            commands.presswork_build(project, "-q", jobs=2),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        time.sleep(delay)
        sent = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=300)
        seconds = time.perf_counter() - sent
        lines = err.decode("utf-8", "replace").strip().splitlines()
        points.append(
            {
                "delay_s": delay,
                "exit_s": round(seconds, 3),
                "exit": proc.returncode,
                "stderr_lines": len(lines),
                "last_line": lines[-1] if lines else "",
            }
        )
        say(f"Ctrl-C at {delay:.1f} s: exit {proc.returncode} after {seconds:.2f} s")
    return {"points": points, "max_exit_s": max(p["exit_s"] for p in points)}
