"""Profile one cold build in-process with cProfile (jobs=1) and say where its time goes.

Usage: python benchmarks/profile_build.py PROJECT OUT.json. Run it in its own process, so that
imports count as they do for a user. The build's style threads (presswork.workers.in_threads) are
replaced by a loop that runs each task at once, because cProfile sees only the thread it runs in.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

Key = tuple[str, int, str]
StatsTable = dict[Key, tuple[int, int, float, float, dict[Key, Any]]]

OWN_CODE = "presswork's own code, imports and start-up"

# (label, parent label or "", file path ending, function name): cumulative time of that function
ENTRY_POINTS: tuple[tuple[str, str, str, str], ...] = (
    ("pandoc subprocesses", "", "presswork/pandoc.py", "run"),
    ("print HTML (notes moved to their calls, lxml)", "", "presswork/formats/pdf.py", "print_html"),
    ("WeasyPrint, all of it", "", "presswork/formats/pdf.py", "render_pdf"),
    ("import weasyprint", "WeasyPrint, all of it", "weasyprint/__init__.py", "<module>"),
    ("@font-face loading", "WeasyPrint, all of it", "weasyprint/text/fonts.py", "add_font_face"),
    (
        "CSS cascade",
        "WeasyPrint, all of it",
        "weasyprint/css/__init__.py",
        "get_all_computed_styles",
    ),
    (
        "box tree",
        "WeasyPrint, all of it",
        "weasyprint/formatting_structure/build.py",
        "build_formatting_structure",
    ),
    (
        "layout (pagination, footnotes)",
        "WeasyPrint, all of it",
        "weasyprint/layout/__init__.py",
        "layout_document",
    ),
    (
        "line breaking and shaping (Pango)",
        "layout (pagination, footnotes)",
        "weasyprint/text/line_break.py",
        "split_first_line",
    ),
    ("PDF writing", "WeasyPrint, all of it", "weasyprint/document.py", "write_pdf"),
    ("font subsetting (HarfBuzz)", "PDF writing", "weasyprint/pdf/fonts.py", "subset"),
    ("JSON encode of the AST for pandoc", OWN_CODE, "json/__init__.py", "dumps"),
    ("JSON decode of pandoc's AST", OWN_CODE, "json/__init__.py", "loads"),
)


def inline_threads(
    work: Callable[..., Any], tasks: list[tuple[Any, ...]], workers: int
) -> list[Future[Any]]:
    """presswork.workers.in_threads, but each task runs at once in the caller's thread."""
    futures = []
    for task in tasks:
        future: Future[Any] = Future()
        try:
            future.set_result(work(*task))
        except BaseException as exc:
            future.set_exception(exc)
        futures.append(future)
    return futures


def _norm(path: str) -> str:
    return path.replace("\\", "/")


def cumulative(table: StatsTable, path_end: str, function: str) -> tuple[float, int]:
    """Cumulative seconds and calls of every function of that name in a file ending so."""
    seconds, calls = 0.0, 0
    for (filename, _, name), (_, ncalls, _, cumtime, _) in table.items():
        if name == function and _norm(filename).endswith(path_end):
            seconds += cumtime
            calls += ncalls
    return seconds, calls


def breakdown(table: StatsTable, total: float) -> list[dict[str, Any]]:
    """Time per entry point, with presswork's own code as what the top-level ones leave."""
    rows = []
    top_level = 0.0
    for label, parent, path_end, function in ENTRY_POINTS:
        seconds, calls = cumulative(table, path_end, function)
        rows.append({"label": label, "parent": parent, "seconds": seconds, "calls": calls})
        if not parent:
            top_level += seconds
    rows.insert(0, {"label": OWN_CODE, "parent": "", "seconds": total - top_level, "calls": 1})
    for row in rows:
        row["share"] = row["seconds"] / total if total else 0.0
    return rows


def _where(key: Key) -> str:
    filename, line, name = key
    marker = "site-packages/"
    short = _norm(filename)
    short = short.split(marker, 1)[1] if marker in short else short.rsplit("/src/", 1)[-1]
    return f"{short}:{line}({name})" if line else name


def top_entries(table: StatsTable, by: int, count: int) -> list[dict[str, Any]]:
    """The functions with the most exclusive (by=2) or cumulative (by=3) time."""
    ranked = sorted(table.items(), key=lambda item: item[1][by], reverse=True)[:count]
    return [
        {"function": _where(key), "calls": value[1], "tottime": value[2], "cumtime": value[3]}
        for key, value in ranked
    ]


def profile(project: Path) -> dict[str, Any]:
    """Build the project once from scratch under cProfile and summarise the profile."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    import presswork.build as build_mod
    import presswork.workers as workers_mod

    workers_mod.in_threads = inline_threads  # type: ignore[assignment]
    report = build_mod.build(project, jobs=1, force=True)
    profiler.disable()
    wall = time.perf_counter() - started
    table: StatsTable = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    from presswork import pandoc

    return {
        "wall_seconds": wall,
        "targets_built": sum(1 for o in report.outcomes if o.status == "built"),
        "pandoc_starts": pandoc.starts,
        "breakdown": breakdown(table, wall),
        "top_exclusive": top_entries(table, 2, 20),
        "top_cumulative": top_entries(table, 3, 40),
    }


def main(argv: list[str]) -> int:
    """Profile the project named on the command line and write the summary as JSON."""
    project, out = Path(argv[0]), Path(argv[1])
    out.write_text(json.dumps(profile(project), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
