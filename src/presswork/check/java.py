"""Running a validator's jar: find Java, start it lean, report what went wrong in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# A short-lived checker spends most of its time starting: the serial collector and the quick
# compiler halve its CPU time on a small machine; vnu needs a bigger thread stack than default.
JVM_OPTIONS = (
    "-Xss4m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    "-Duser.language=en",
    "-Duser.country=US",
)
TIMEOUT = 600  # seconds for one validator run
NO_JAVA = "Java not found (install a Java 11+ runtime, e.g. apt-get install default-jre-headless)"


def find_java() -> str | None:
    """The java command: $JAVA_HOME/bin/java, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("java")


def in_project(program: str, root: Path) -> bool:
    """Whether a program found is a file of the project (a PATH holding `.` or a relative
    folder finds a planted `java` there): such a program is never run."""
    real, project = os.path.realpath(program), os.path.realpath(root)
    return os.path.commonpath([real, project]) == project


@dataclass(frozen=True)
class JarRun:
    """What a jar printed, or why it could not run."""

    stdout: str = ""
    stderr: str = ""
    returncode: int = 0
    problem: str = ""  # set when the jar did not run to the end
    too_old: bool = False  # the Java runtime is older than the jar needs


def run_jar(java: str, jar: Path, args: list[str], timeout: float = TIMEOUT) -> JarRun:
    """Run `java -jar JAR ARGS` and capture its output as text."""
    command = [java, *JVM_OPTIONS, "-jar", str(jar), *args]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return JarRun(problem=f"{jar.name} did not finish in {timeout:.0f} s")
    except OSError as exc:
        return JarRun(problem=f"could not run {java}: {exc.strerror or exc}")
    too_old = "UnsupportedClassVersionError" in proc.stderr
    return JarRun(proc.stdout, proc.stderr, proc.returncode, too_old=too_old)


def last_line(text: str) -> str:
    """The last non-empty line of a tool's stderr, for a one-line explanation."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
