"""The check table as text: rich on a terminal, aligned plain text otherwise, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO

from presswork.check.result import FAIL, OK, SKIP, Row

HEADERS = ("output", "validator", "status", "errors", "warnings", "detail")
MESSAGES_SHOWN = 20  # per row, below the table; --format json has them all
_COLOURS = {OK: "green", FAIL: "bold red", SKIP: "yellow"}
_OTHER_COLUMNS = 60  # validator, status, errors, warnings and the borders, in characters


def _cells(row: Row) -> tuple[str, ...]:
    detail = " ".join(row.detail.split())
    return (row.path, row.validator, row.status, str(row.errors), str(row.warnings), detail)


def summary(rows: Sequence[Row], seconds: float) -> str:
    counts = {status: sum(1 for r in rows if r.status == status) for status in (OK, FAIL, SKIP)}
    return f"{counts[OK]} ok, {counts[FAIL]} failed, {counts[SKIP]} skipped in {seconds:.1f} s"


def message_lines(rows: Sequence[Row]) -> list[str]:
    """Each row's errors and warnings, under the table, so warnings are seen though they pass."""
    lines = []
    for row in rows:
        for message in row.messages[:MESSAGES_SHOWN]:
            lines.append(f"{row.path}: {row.validator}: {message}")
        if len(row.messages) > MESSAGES_SHOWN:
            more = len(row.messages) - MESSAGES_SHOWN
            lines.append(f"{row.path}: {row.validator}: ... and {more} more (see --format json)")
    return lines


def plain(rows: Sequence[Row], seconds: float) -> str:
    """Aligned columns, numbers right-aligned, for logs and pipes."""
    table = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS) - 1)]
    out = []
    for line in table:
        cells = [
            cell.rjust(width) if i in (3, 4) else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=False))
        ]
        out.append("  ".join([*cells, line[-1]]).rstrip())
    notes = message_lines(rows)
    return "\n".join([*out, *(["", *notes] if notes else []), summary(rows, seconds)]) + "\n"


def as_json(rows: Sequence[Row], seconds: float) -> str:
    """The machine-readable result: every row with all its messages, and the totals."""
    body = {
        "results": [row.to_dict() for row in rows],
        "summary": {
            "ok": sum(1 for r in rows if r.status == OK),
            "fail": sum(1 for r in rows if r.status == FAIL),
            "skip": sum(1 for r in rows if r.status == SKIP),
            "seconds": round(seconds, 2),
        },
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def print_rich(
    rows: Sequence[Row], seconds: float, file: IO[str] | None = None, width: int | None = None
) -> None:
    """A rich table with coloured statuses, for a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file, width=width, highlight=False)
    table = Table(title="presswork check", title_justify="left")
    longest = max((len(row.path) for row in rows), default=6)
    # Paths whole on one line when the detail keeps 30 columns; else folded, never cut.
    if console.width - longest >= _OTHER_COLUMNS + 30:
        table.add_column(HEADERS[0], no_wrap=True, min_width=longest)
    else:
        table.add_column(HEADERS[0], overflow="fold")
    for header in HEADERS[1:3]:
        table.add_column(header, no_wrap=True)
    for header in HEADERS[3:5]:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column(HEADERS[5], ratio=1, min_width=20)
    for row in rows:
        cells = [Text(cell) for cell in _cells(row)]
        cells[2].stylize(_COLOURS.get(row.status, ""))
        table.add_row(*cells)
    console.print(table)
    for line in message_lines(rows):
        console.print(Text(line, style="red" if ": error: " in line else "yellow"))
    console.print(summary(rows, seconds))
