"""From measured series to the table's rows and the issue's targets."""

from __future__ import annotations

import os
from functools import reduce

import workspace
from measure import Series
from report import Results, Row, Target, seconds

STYLES = workspace.STYLES
ADDED = workspace.ADDED_STYLE
FORMATS = ("html", "epub", "pdf")
COLD_VS_RAW = 0.6
NO_CHANGE_LIMIT = 0.5
LINT_LIMIT = 0.3
FAR_FASTER = 0.1  # "far faster than Quarto": at most a tenth of its engines' time
LINEAR_SLACK = 1.1

PRESSWORK_ROWS = (
    ("pw.cold", "cold build"),
    ("pw.cold_jobs1", "cold build, --jobs 1"),
    ("pw.no_change", "no-change rebuild"),
    ("pw.no_change_nocache", "no-change rebuild, no bytecode cache"),
    ("pw.sentence", "one sentence changed"),
    ("pw.add_style_cli", "one style added, with --style"),
    ("pw.add_style_toml", "one style added, in presswork.toml"),
)


def total(series: dict[str, Series], keys: list[str]) -> Series | None:
    """The series added up repetition by repetition, or None if one is missing."""
    if not keys or any(k not in series for k in keys):
        return None
    return reduce(Series.plus, (series[k] for k in keys))


def _keys(prefixes: tuple[str, ...], styles: tuple[str, ...]) -> list[str]:
    return [f"{prefix}.{style}" for prefix in prefixes for style in styles]


def _outputs(runs: list[tuple[int, int] | None] | None) -> str:
    """What the runs built, e.g. '3 built, 12 up to date'; differing runs joined by ' / '."""
    shown: list[str] = []
    for counts in runs or []:
        if counts is None:
            continue
        built, unchanged = counts
        parts = [f"{built} built"] if built else []
        if unchanged:
            parts.append(f"{unchanged} up to date")
        text = ", ".join(parts) or "nothing"
        if text not in shown:
            shown.append(text)
    return " / ".join(shown)


def _ratio(value: float, reference: float | None) -> float | None:
    return value / reference if reference else None


def _compare(row: Row, raw: Series | None, quarto: Series | None) -> Row:
    """Fill in the row's ratios against the raw tools and Quarto's engines (same outputs)."""
    if row.series is None or not row.series.seconds:
        return row
    row.versus_raw = _ratio(row.series.median, raw.median if raw else None)
    row.versus_quarto = _ratio(row.series.median, quarto.median if quarto else None)
    row.versus_raw_cpu = _ratio(row.series.cpu_median, raw.cpu_median if raw else None)
    return row


def add_rows(
    results: Results,
    series: dict[str, Series],
    counts: dict[str, list[tuple[int, int] | None]],
    unavailable: dict[str, str],
    scale: int,
) -> None:
    """Every row of the table, with ratios against the raw tools and Quarto's engines."""
    raw = {fmt: total(series, _keys((f"raw.{fmt}",), STYLES)) for fmt in FORMATS}
    raw_all = total(series, _keys(tuple(f"raw.{f}" for f in FORMATS), STYLES))
    raw_added = total(series, _keys(tuple(f"raw.{f}" for f in FORMATS), (ADDED,)))
    quarto_kinds = ("raw.html", "raw.epub", "quarto.pdf")
    typst_pdf = total(series, _keys(("quarto.pdf",), STYLES))
    quarto_all = total(series, _keys(quarto_kinds, STYLES))
    quarto_added = total(series, _keys(quarto_kinds, (ADDED,)))
    fastest = _fastest_single(series, _keys(quarto_kinds, STYLES))
    no_quarto = unavailable.get("quarto.pdf", "")

    group = "presswork, flagship, 4 styles x 3 formats, --jobs 2"
    for key, label in PRESSWORK_ROWS:
        row = Row(key, group, label, _outputs(counts.get(key)), series.get(key), "not run")
        if key.startswith("pw.add_style"):
            results.rows.append(_compare(row, raw_added, quarto_added))
        else:
            results.rows.append(_compare(row, raw_all, quarto_all))

    group = "raw tools, sequential, one process per step"
    results.rows += [
        Row("raw.html", group, "pandoc --citeproc -> HTML", "4", raw["html"]),
        Row("raw.epub", group, "pandoc --citeproc -> EPUB", "4", raw["epub"]),
        Row("raw.pdf", group, "pandoc --citeproc -> HTML -> WeasyPrint", "4", raw["pdf"]),
        Row("raw.total", group, "all of the above", "12", raw_all),
        Row("raw.added", group, "the added style alone", "3", raw_added),
    ]

    group = "Quarto's engines (a lower bound of Quarto), sequential"
    results.rows += [
        Row("quarto.pdf", group, "pandoc -> Typst -> typst PDF", "4", typst_pdf, no_quarto),
        Row("quarto.total", group, "with HTML and EPUB as raw", "12", quarto_all, no_quarto),
        Row("quarto.added", group, "the added style alone", "3", quarto_added, no_quarto),
        Row("quarto.fastest", group, "fastest single render", "1", fastest, no_quarto),
    ]

    group = f"scale: flagship chapters x{scale}, same references"
    built = _outputs(counts.get("scale.build"))
    results.rows += [
        Row("scale.build", group, f"cold build x{scale}", built, series.get("scale.build")),
        Row("lint.flagship", group, "lint, flagship", "", series.get("lint.flagship"), ""),
        Row("lint.scaled", group, f"lint, flagship x{scale}", "", series.get("lint.scaled"), ""),
    ]
    for row in results.rows[-2:]:
        row.reason = unavailable.get(row.key, "not run")


def add_start_rows(results: Results, series: dict[str, Series], labels: dict[str, str]) -> None:
    """What one process start costs, to explain the rows above."""
    group = "start-up costs, one process"
    results.rows += [
        Row(key, group, label, "", series.get(key), "not run") for key, label in labels.items()
    ]


def _fastest_single(series: dict[str, Series], keys: list[str]) -> Series | None:
    found = [series[k] for k in keys if k in series]
    return min(found, key=lambda s: s.median) if found else None


def _median(results: Results, key: str) -> float | None:
    row = results.row(key)
    return row.series.median if row.available and row.series else None


def add_targets(results: Results, scale: int) -> None:
    """The issue's targets, each with what was measured and whether it is met."""
    results.targets.append(_cold_target(results))
    no_change = _median(results, "pw.no_change")
    goal = f"no-change rebuild < {NO_CHANGE_LIMIT} s"
    results.targets.append(_at_most(goal, no_change, NO_CHANGE_LIMIT, " s"))
    fastest = _median(results, "quarto.fastest")
    for key, what in (("pw.no_change", "no-change"), ("pw.sentence", "one-sentence")):
        row = results.row(key)
        goal = (
            f"{what} rebuild far faster than Quarto "
            f"(<= {FAR_FASTER}x its engines redoing the 12 outputs)"
        )
        target = _at_most(goal, row.versus_quarto, FAR_FASTER, "x Quarto's engines")
        if fastest and row.available and row.series:
            target.why = (
                f"{row.series.median / fastest:.2f}x the fastest single Quarto-engine render "
                f"({seconds(fastest)} s), before Quarto's own start-up"
            )
        results.targets.append(target)
    lint = _median(results, "lint.flagship")
    results.targets.append(
        _at_most(f"lint of the flagship < {LINT_LIMIT} s", lint, LINT_LIMIT, " s")
    )
    results.targets.append(_linear(results, "pw.cold", "scale.build", scale, "build"))
    results.targets.append(_linear(results, "lint.flagship", "lint.scaled", scale, "lint"))


def _cold_target(results: Results) -> Target:
    cold, raw = results.row("pw.cold"), results.row("raw.total")
    goal = f"cold 12-output build <= {COLD_VS_RAW}x the raw tools' sequential time"
    target = _at_most(goal, cold.versus_raw, COLD_VS_RAW, "x raw")
    if cold.series and raw.series and cold.available and raw.available:
        target.why = (
            f"in CPU time {cold.versus_raw_cpu:.2f}x raw; other programs kept "
            f"{cold.series.other_load:.1f} of {os.cpu_count()} cores busy during the cold builds"
        )
    return target


def _at_most(goal: str, value: float | None, limit: float, unit: str) -> Target:
    if value is None:
        return Target(goal, "not measured", None)
    shown = f"{value:.3f}" if unit == " s" else f"{value:.2f}"
    return Target(goal, f"{shown}{unit}", value <= limit)


def _linear(results: Results, small: str, large: str, scale: int, what: str) -> Target:
    goal = f"linear growth of {what}: x{scale} costs <= {LINEAR_SLACK} x {scale} x its CPU time"
    one, many = results.row(small), results.row(large)
    if not (one.available and many.available and one.series and many.series):
        return Target(goal, "not measured", None)
    cpu = many.series.cpu_median / (scale * one.series.cpu_median)
    wall = many.series.median / (scale * one.series.median)
    memory = many.series.max_rss_kb / max(1, one.series.max_rss_kb)
    return Target(
        goal,
        f"{cpu:.2f} of linear in CPU time ({wall:.2f} in wall time), peak RSS x{memory:.1f}",
        cpu <= LINEAR_SLACK,
    )


NOTES = (
    "wall s: median over the repetitions (n); CPU s: user + system time of the process and "
    "every child it waited for (pandoc, WeasyPrint workers), which other programs' load "
    "disturbs less than wall time",
    "RSS MB: the largest single process (os.wait4 ru_maxrss), not the sum of processes that "
    "ran at the same time",
    "other: cores that other programs kept busy during the measurement (from /proc/stat), "
    "the noise of a shared machine",
    "/raw and /Quarto: presswork's median over theirs for the same outputs; rounds interleave "
    "presswork, the raw tools and Quarto's engines so that load falls on all of them",
    "Quarto's HTML and EPUB engines are the same pandoc commands as the raw tools' and are "
    "measured once; its PDF engine is pandoc -> Typst -> the typst package, with the keywords "
    "passed as quoted variables because pandoc's Typst template writes them unquoted",
    "every Python process runs with a warm bytecode cache in the scratch folder "
    "(PYTHONPYCACHEPREFIX), as an installed package has; the no-bytecode-cache row shows what "
    "a uv-made venv (no .pyc at install) costs where PYTHONDONTWRITEBYTECODE is set",
)
