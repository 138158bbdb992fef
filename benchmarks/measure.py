"""Run a command as a subprocess and measure it: wall time, CPU time and peak memory (os.wait4).

Each run also reads the machine's CPU counters before and after, so that the load of other
programs during the run (other engineers' builds) is reported next to the figure it disturbs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), else None."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / _TICKS


@dataclass(frozen=True)
class Run:
    """One finished process: its wall time, CPU time (user + system) and peak RSS."""

    command: tuple[str, ...]
    seconds: float
    cpu_seconds: float
    max_rss_kb: int  # the largest single process: the command or any child it waited for
    other_cpu_seconds: float | None  # CPU that other programs used meanwhile
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> Run:
        """This run, or RuntimeError with the end of its stderr when it failed."""
        if self.returncode != 0:
            tail = " ".join(self.stderr.split()[-60:]) or f"exit status {self.returncode}"
            raise RuntimeError(f"{' '.join(self.command[:5])} ... failed: {tail}")
        return self


def run(command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Start the command, wait for it with os.wait4 and return what it cost."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy_before = busy_cpu_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        busy_after = busy_cpu_seconds()
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
        other = None
        if busy_before is not None and busy_after is not None:
            other = max(0.0, busy_after - busy_before - cpu)
        out.seek(0)
        err.seek(0)
        return Run(
            tuple(command),
            seconds,
            cpu,
            usage.ru_maxrss,
            other,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


@dataclass
class Series:
    """Repetitions of one measurement; each repetition may add up several processes."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    other_cpu_seconds: list[float] = field(default_factory=list)
    max_rss_kb: int = 0

    def add(self, runs: Sequence[Run]) -> None:
        """Record one repetition made of these processes, run one after the other."""
        self.seconds.append(sum(r.seconds for r in runs))
        self.cpu_seconds.append(sum(r.cpu_seconds for r in runs))
        self.other_cpu_seconds.append(sum(r.other_cpu_seconds or 0.0 for r in runs))
        self.max_rss_kb = max([self.max_rss_kb, *(r.max_rss_kb for r in runs)])

    def plus(self, other: Series) -> Series:
        """Both series added repetition by repetition, as parts of one sequential job."""
        return Series(
            [a + b for a, b in zip(self.seconds, other.seconds, strict=True)],
            [a + b for a, b in zip(self.cpu_seconds, other.cpu_seconds, strict=True)],
            [a + b for a, b in zip(self.other_cpu_seconds, other.other_cpu_seconds, strict=True)],
            max(self.max_rss_kb, other.max_rss_kb),
        )

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_seconds)

    @property
    def other_load(self) -> float:
        """Average cores other programs kept busy during these repetitions."""
        wall = sum(self.seconds)
        return sum(self.other_cpu_seconds) / wall if wall else 0.0
