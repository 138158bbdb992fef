"""The only module that starts pandoc: JSON AST in, JSON AST or bytes out, always sandboxed.

`--sandbox` keeps pandoc's readers and writers from touching any file not named on the
command line and from the network, so a manuscript cannot pull in /etc/passwd or a URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from presswork.errors import BuildError, EnvironmentProblem

# Markdown extensions on top of pandoc's default: none removed, so users get the pandoc
# Markdown they know; raw_attribute and friends stay on.
MARKDOWN = "markdown"

_lock = threading.Lock()
starts = 0  # process starts in this interpreter: tests assert on it, so regressions show


@dataclass
class Result:
    output: bytes
    warnings: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def executable() -> str:
    """The pandoc binary bundled by pypandoc-binary (or PRESSWORK_PANDOC, for packagers)."""
    override = os.environ.get("PRESSWORK_PANDOC")
    if override:
        return override
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the install
        raise EnvironmentProblem(
            f"pandoc not found ({exc}); install presswork with its dependencies "
            "(pip install presswork pulls in pypandoc-binary)"
        ) from None


@lru_cache(maxsize=1)
def version() -> str:
    out = run(["--version"]).output.decode("utf-8", "replace")
    return out.split("\n", 1)[0].split()[-1]


class TimedOut(BuildError):
    """A pandoc run took longer than the build allows (`pandoc-timeout`)."""


_timeout = 300.0  # seconds; the build sets the project's `pandoc-timeout`


def set_timeout(seconds: float) -> None:
    """How long one pandoc run may take (the project's `pandoc-timeout`)."""
    global _timeout
    _timeout = seconds


class Stopped(Exception):
    """The build was interrupted: pandoc runs are killed and no new one starts."""


_running: set[subprocess.Popen[bytes]] = set()
_stopping = threading.Event()


def stop_all() -> None:
    """Kill every pandoc this interpreter runs and refuse new ones, until `resume()`.

    Ctrl-C reaches only the main thread; without this, the style threads would finish their
    pandoc runs (seconds each) before the build could stop.
    """
    with _lock:
        _stopping.set()
        for proc in _running:
            proc.kill()


def resume() -> None:
    """Allow pandoc runs again (a new build in the same process, e.g. `presswork watch`)."""
    _stopping.clear()


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Kill a pandoc run, wait for it and close its pipes."""
    proc.kill()
    proc.communicate()


def run(
    args: list[str],
    stdin: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run pandoc once; BuildError with pandoc's own words when it fails."""
    global starts
    proc_env = {k: v for k, v in os.environ.items() if not k.startswith("PANDOC_")}
    proc_env.update(env or {})
    with _lock:
        if _stopping.is_set():
            raise Stopped
        starts += 1
        try:
            proc = subprocess.Popen(
                [executable(), *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=proc_env,
            )
        except OSError as exc:
            raise EnvironmentProblem(f"cannot start pandoc: {exc.strerror}") from None
        _running.add(proc)
    try:
        stdout, stderr_bytes = proc.communicate(stdin, timeout=_timeout)
    except subprocess.TimeoutExpired:
        _reap(proc)
        raise TimedOut(f"pandoc did not finish in {_timeout:g} s (pandoc-timeout)") from None
    except BaseException:  # Ctrl-C in the main thread: pandoc must not outlive the build
        _reap(proc)
        raise
    finally:
        with _lock:
            _running.discard(proc)
    if _stopping.is_set():
        raise Stopped
    stderr = stderr_bytes.decode("utf-8", "replace")
    if proc.returncode != 0:
        message = " ".join(stderr.split()) or f"exit status {proc.returncode}"
        raise BuildError(f"pandoc failed: {message}")
    warnings = [line for line in stderr.splitlines() if line.strip()]
    return Result(stdout, warnings)


@lru_cache(maxsize=64)
def default_data_file(name: str) -> bytes | None:
    """One of pandoc's own data files (e.g. translations/de.yaml), or None if it has none."""
    try:
        return run(["--print-default-data-file", name]).output
    except BuildError:
        return None


def parse_markdown(markdown: str, cwd: Path) -> dict[str, Any]:
    """Markdown (with YAML front matter) -> pandoc's JSON AST. Called once per build."""
    result = run(
        ["--sandbox", "--from", MARKDOWN, "--to", "json"],
        stdin=markdown.encode("utf-8"),
        cwd=cwd,
    )
    return json.loads(result.output)


def citeproc(
    ast: dict[str, Any],
    csl: Path,
    bibliographies: list[str],
    cwd: Path,
    metadata: dict[str, str],
) -> tuple[dict[str, Any], list[str]]:
    """Resolve citations with one style: AST -> AST. Called once per style."""
    args = ["--sandbox", "--from", "json", "--to", "json", "--citeproc", "--csl", str(csl)]
    for bib in bibliographies:
        args += ["--bibliography", bib]
    for key, value in metadata.items():
        args += ["--metadata", f"{key}={value}"]
    result = run(args, stdin=encode(ast), cwd=cwd)
    return json.loads(result.output), result.warnings


def encode(ast: dict[str, Any]) -> bytes:
    """The AST as pandoc reads it; callers writing several formats encode it once."""
    return json.dumps(ast).encode("utf-8")


def write(
    ast: dict[str, Any] | bytes,
    to: str,
    cwd: Path,
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> bytes:
    """AST (or its encoded JSON) -> one output format (html5, epub3, docx, jats...), as bytes."""
    args = ["--sandbox", "--from", "json", "--to", to, "--output", "-", *(extra or [])]
    stdin = ast if isinstance(ast, bytes) else encode(ast)
    return run(args, stdin=stdin, cwd=cwd, env=env).output
