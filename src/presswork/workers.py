"""The build's concurrency: style threads, the PDF process pool, locks and Ctrl-C.

Kept apart from the build graph (build.py) so that how work runs, and how it stops when
interrupted, can be read in one place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from presswork import pandoc
from presswork.errors import InputError

# Ctrl-C, and what CI sends when a job is cancelled (SIGTERM) or a terminal closes (SIGHUP).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def stop_signals_interrupt() -> None:
    """For the whole of a command: SIGTERM and SIGHUP raise KeyboardInterrupt, as SIGINT does,
    whatever the command is doing (reading, building, printing its summary), so it ends with
    its one line and 130 rather than by the signal's default action."""
    if threading.current_thread() is threading.main_thread():
        for signum in STOP_SIGNALS:
            if signum != signal.SIGINT:
                signal.signal(signum, _interrupt)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a build the way Ctrl-C does: pandoc and PDF workers killed,
    build/ left consistent, one line and exit 130 (their default would leave pandoc running).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    others = [s for s in STOP_SIGNALS if s != signal.SIGINT]
    previous = {s: signal.signal(s, _interrupt) for s in others}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C (or SIGTERM, SIGHUP) during the final writes takes effect after them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in STOP_SIGNALS
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if caught and callable(previous[caught[0]]):
        previous[caught[0]](caught[0], None)


def block_interrupts() -> None:
    """Worker threads leave stop signals to the main thread; processes they start inherit the
    mask (pandoc and the PDF workers are stopped by the build, not by the signal)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))


@contextlib.contextmanager
def locked(build_dir: Path) -> Iterator[None]:
    """One build per build directory at a time; a second one waits for the first."""
    build_dir.mkdir(parents=True, exist_ok=True)
    # Never through a symlink planted as the lock (O_NOFOLLOW): it could truncate nothing, but
    # an outside file would be created or locked.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(build_dir / ".lock", flags, 0o644)
    except OSError as exc:
        reason = "it is a symlink" if exc.errno == errno.ELOOP else exc.strerror
        raise InputError(f"lock file refused: {reason}", build_dir / ".lock") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError("lock file is not a regular file", build_dir / ".lock")
    with open(fd, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks, run unlocked
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def in_threads(
    work: Callable[..., Any], tasks: list[tuple[Any, ...]], workers: int
) -> list[Future[Any]]:
    """Run work(*task) for every task on `workers` daemon threads; a future per task, in order.

    Daemon threads, not a ThreadPoolExecutor: on Ctrl-C the build returns at once instead of
    waiting for a PDF being laid out in one of them (they only fill memory; the main thread
    writes every file), and the interpreter does not wait for them at exit either.
    """
    futures: list[Future[Any]] = [Future() for _ in tasks]
    queue = list(zip(tasks, futures, strict=True))
    lock = threading.Lock()

    def loop() -> None:
        block_interrupts()
        while True:
            with lock:
                if not queue:
                    return
                task, future = queue.pop(0)
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(work(*task))
            except BaseException as exc:  # handed to the main thread, which raises it
                future.set_exception(exc)

    for n in range(max(1, min(workers, len(tasks)))):
        threading.Thread(target=loop, name=f"presswork-style-{n}", daemon=True).start()
    return futures


def stop_all(stop: Any) -> None:
    """Kill the pandoc runs and the PDF workers, so an interrupted build ends at once."""
    pandoc.stop_all()
    if stop is not None:
        stop.set()  # every PDF worker, and any still starting, exits (formats.pdf.exit_on)


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with SIGHUP blocked, as it blocks SIGINT and
    SIGTERM itself: a hangup sent to the build's process group (a closed terminal) killed it,
    a worker started a new one, and that one printed KeyError tracebacks. It still ends by
    itself once the build's processes are gone; the mask (kept across exec) is only its own.
    """
    from multiprocessing import resource_tracker

    if not hasattr(signal, "SIGHUP") or not hasattr(signal, "pthread_sigmask"):
        return  # pragma: no cover - Windows
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
    try:
        resource_tracker.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def process_pool(jobs: int) -> tuple[Executor, Any]:
    """The PDF workers, and the event that makes every one of them exit at once."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # only when PDFs are made: lazy

    from presswork.formats.pdf import exit_on

    # Not "fork": forking a process that runs threads can deadlock. A fork server imports
    # WeasyPrint once and forks the workers from there, instead of each importing it (1 s).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["presswork.formats.pdf", "weasyprint"])
    else:  # pragma: no cover - Windows and macOS defaults
        context = multiprocessing.get_context("spawn")
    _start_resource_tracker()
    # Not pool.shutdown() on Ctrl-C: it waits for a lock that a thread starting a worker
    # holds while the fork server imports WeasyPrint, and it leaves running layouts running.
    stop = context.Event()
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=exit_on, initargs=(stop,)
    )
    return pool, stop
