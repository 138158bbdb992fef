"""Date rules on reference files and the metadata: malformed, impossible, out of order.

BibTeX `year`/`month`/`date`/`urldate`, CSL `issued`/`accessed` (date-parts or EDTF text)
and the metadata `date` (read as text, the way pandoc reads YAML, so `2023-02-29` is a
finding here and not a crash of the YAML loader).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from presswork.lint.calendar import (
    MONTH_FIX,
    MONTH_NAMES,
    DateValue,
    ParsedDate,
    Problem,
    day_fix,
    days_in_month,
    iso_like,
    month_number,
    parse_csl_date,
    parse_edtf,
)
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.registry import Rule, register
from presswork.references import Reference

_BIB_DATES = {"date": "issued", "urldate": "accessed", "origdate": "other", "eventdate": "other"}
_CSL_DATES = {
    "issued": "issued",
    "accessed": "accessed",
    "original-date": "other",
    "event-date": "other",
    "submitted": "other",
    "available-date": "other",
}
_SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
_YEAR_RANGE = re.compile(r"\s*(-?\d{1,4})\s*(?:-{1,2}|–|/)\s*(-?\d{1,4})\s*")


@dataclass(frozen=True)
class _Located:
    """A date or a problem, with the file, line and column to report."""

    file: str
    line: int
    column: int
    role: str  # "issued" | "accessed" | "other" | "manuscript"
    date: ParsedDate
    what: str  # how to name the value in a message, e.g. "smith2001: year"
    key: str = ""  # the reference's key


def _bibtex(ctx: Context, ref: Reference) -> Iterator[_Located]:
    files = ctx.reference_files

    def at(name: str, offset: int = 0) -> tuple[str, int, int]:
        return (ref.file, *files.value_position(ref, name, offset=offset))

    for name, role in _BIB_DATES.items():
        value = ref.get(name)
        if isinstance(value, str) and "#" not in value:
            parsed = parse_edtf(value)
            offset = parsed.problem.offset if parsed.problem else 0
            yield _Located(*at(name, offset), role, parsed, f"{ref.id}: {name}", ref.id)
    if ref.get("date") is not None:
        return
    year_text = ref.get("year")
    if not isinstance(year_text, str) or "#" in year_text:
        return
    found = _bibtex_year(year_text)
    if found is None:
        return
    parsed = found
    if parsed.ok and not parsed.interval and parsed.start is not None:
        parsed = _with_month_day(ctx, ref, parsed.start)
        if parsed.problem is not None and parsed.problem.path:
            name = parsed.problem.path[0]
            yield _Located(*at(name), "issued", parsed, f"{ref.id}: {name}", ref.id)
            return
    yield _Located(*at("year"), "issued", parsed, f"{ref.id}: year", ref.id)


def _bibtex_year(text: str) -> ParsedDate | None:
    value = text.strip().strip("{}").strip()
    if re.fullmatch(r"-?\d{1,4}[a-z]?", value):
        return ParsedDate(DateValue(int(value.rstrip("abcdefghijklmnopqrstuvwxyz"))))
    pair = _YEAR_RANGE.fullmatch(value)
    if pair:
        first, last = int(pair.group(1)), int(pair.group(2))
        if last < first:
            swapped = (
                value[: pair.start(1)]
                + pair.group(2)
                + value[pair.end(1) : pair.start(2)]
                + pair.group(1)
                + value[pair.end(2) :]
            )
            return ParsedDate(
                problem=Problem(
                    "reversed",
                    f"the year range '{value}' ends before it starts",
                    fix=f"write {swapped}",
                )
            )
        return ParsedDate(DateValue(first), DateValue(last), True)
    if re.search(r"\d{5}", value):  # "19688": a key held down; "[1968]", "ca. 1968" are text
        return ParsedDate(
            problem=Problem("invalid", f"year '{value}' is not a year", fix="write four digits")
        )
    return None  # "forthcoming", "n.d.", "[1968]": text, which styles print as it is


def _with_month_day(ctx: Context, ref: Reference, year: DateValue) -> ParsedDate:
    month_text = ref.get("month")
    if not isinstance(month_text, str) or "#" in month_text:
        return ParsedDate(year)
    raw = month_text.strip().strip("{}").strip()
    if not raw:  # `month = ""`: no month, as pandoc reads it
        return ParsedDate(year)
    month = int(raw) if raw.isdigit() else month_number(raw)
    if month is None and raw.lower() in _SEASONS:
        return ParsedDate(year)
    if month is None:
        close = difflib.get_close_matches(raw.lower(), MONTH_NAMES, n=1, cutoff=0.6)
        fix = f"write {close[0][:3]}" if close else "write the month as jan ... dec or 1 ... 12"
        return ParsedDate(
            problem=Problem("invalid", f"month '{raw}' is not a month", path=("month",), fix=fix)
        )
    if not 1 <= month <= 12:
        return ParsedDate(
            problem=Problem(
                "impossible", f"there is no month {raw}", path=("month",), fix=MONTH_FIX
            )
        )
    day_text = ref.get("day")
    if isinstance(day_text, str) and day_text.strip().isdigit():
        day = int(day_text)
        if not 1 <= day <= days_in_month(year.year, month):
            name = MONTH_NAMES[month - 1].title()
            return ParsedDate(
                problem=Problem(
                    "impossible",
                    f"{name} {year.year} has no day {day}",
                    path=("day",),
                    fix=day_fix(year.year, month),
                )
            )
        return ParsedDate(DateValue(year.year, month, day))
    return ParsedDate(DateValue(year.year, month))


def _csl(ctx: Context, ref: Reference) -> Iterator[_Located]:
    files = ctx.reference_files
    for name, role in _CSL_DATES.items():
        value: Any = ref.get(name)
        if value is None:
            continue
        parsed = parse_csl_date(value)
        if parsed is None:
            continue
        problem = parsed.problem
        path = problem.path if problem else ()
        offset = problem.offset if problem else 0
        line, column = files.value_position(ref, name, path, offset)
        yield _Located(ref.file, line, column, role, parsed, f"{ref.id}: {name}", ref.id)


def reference_dates(ctx: Context) -> list[_Located]:
    def compute() -> list[_Located]:
        found: list[_Located] = []
        for ref in ctx.references:
            found.extend(_bibtex(ctx, ref) if ref.syntax == "bibtex" else _csl(ctx, ref))
        found.extend(_metadata(ctx))
        return found

    return ctx.memo("reference-dates", compute)


def _metadata(ctx: Context) -> Iterator[_Located]:
    meta = ctx.metadata_for("date")
    value = ctx.project.metadata.get("date")
    node = meta.node("date") if meta is not None else None
    if meta is None or node is None or value is None:
        return
    text = str(value)
    if not iso_like(text):
        return  # free text such as "30 June 2020": the prose rules read it
    parsed = parse_edtf(text)
    start = int(node.start_mark.index) + (1 if getattr(node, "style", None) in ("'", '"') else 0)
    offset = parsed.problem.offset if parsed.problem else 0
    line, column = meta.index.position(start + offset)
    yield _Located(meta.path, line, column, "manuscript", parsed, "the manuscript's date")


class _ProblemRule(Rule):
    kind = ""

    def check(self, ctx: Context) -> Iterator[Finding]:
        from presswork.lint.prosedates import prose_problems

        for item in reference_dates(ctx):
            problem = item.date.problem
            if problem is not None and problem.kind == self.kind:
                yield self.finding(
                    item.file,
                    item.line,
                    item.column,
                    f"{item.what}: {problem.message}",
                    problem.fix,
                )
        for file, line, column, problem in prose_problems(ctx):
            if problem.kind == self.kind:
                yield self.finding(file, line, column, problem.message, problem.fix)


@register
class Invalid(_ProblemRule):
    """A date in a reference or in the metadata is not a date at all.

    Bad:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, month = {Febuary}}

    Good:
        ==> references/refs.bib <==
        @article{smith2001, title = {Title}, year = {2001}, month = feb}
    """

    id = "date/invalid"
    severity = Severity.ERROR
    kind = "invalid"


@register
class Impossible(_ProblemRule):
    """A date that does not exist: February 29 of a common year, June 31, month 13.

    Checked in reference files, in the metadata and in the prose.

    Bad:
        ==> manuscript/metadata.yaml <==
        title: Example
        date: 2023-02-29

    Good:
        ==> manuscript/metadata.yaml <==
        title: Example
        date: 2024-02-29
    """

    id = "date/impossible"
    severity = Severity.ERROR
    kind = "impossible"


@register
class ReversedRange(_ProblemRule):
    """A date range that ends before it starts, in a reference or in the prose ("1975–1968").

    Years before the common era (BCE, BC) count down, so "450–404 BCE" is correct.

    Bad:
        The regime lasted from 1975–1968.

    Good:
        The regime lasted from 1968–1975, and Athens fought Sparta in 431–404 BCE.
    """

    id = "date/reversed-range"
    severity = Severity.ERROR
    kind = "reversed"


def _issued(ctx: Context) -> dict[str, _Located]:
    found: dict[str, _Located] = {}
    for item in reference_dates(ctx):
        if item.role == "issued" and item.date.ok:
            found.setdefault(item.key, item)
    return found


_FORTHCOMING = re.compile(r"(?i)forthcoming|in press|accepted|submitted|to appear|early access")


def _forthcoming(ref: Reference) -> bool:
    """A work announced as not yet out (biblatex pubstate, CSL status, or a note saying so)."""
    return any(
        isinstance(ref.get(name), str) and _FORTHCOMING.search(ref.get(name))
        for name in ("pubstate", "status", "note", "howpublished", "year")
    )


@register
class FuturePublication(Rule):
    """A reference is dated after the manuscript itself (the metadata `date`, or `reference-date`).

    Works announced as forthcoming or in press (biblatex `pubstate`, CSL `status`, or a note
    saying so) may be dated later.

    Bad:
        ==> manuscript/metadata.yaml <==
        title: Example
        date: 2020-06
        ==> references/refs.bib <==
        @article{smith2021, title = {Title}, year = {2021}}

    Good:
        ==> manuscript/metadata.yaml <==
        title: Example
        date: 2021-06
        ==> references/refs.bib <==
        @article{smith2021, title = {Title}, year = {2021}}
    """

    id = "date/future-publication"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        own = ctx.reference_date
        if own is None:
            return
        for key, item in _issued(ctx).items():
            low = item.date.low()
            if low is not None and low > own.high() and not _forthcoming(ctx.refs_by_id[key]):
                yield self.finding(
                    item.file,
                    item.line,
                    item.column,
                    f"{key} is dated {item.date.start}, after the manuscript's date ({own})",
                    "check the year, or set the manuscript's date (metadata `date`)",
                )


@register
class AccessBeforeIssue(Rule):
    """A reference was accessed before it was published.

    Bad:
        ==> references/refs.bib <==
        @online{site, title = {Page}, date = {2021-05-01}, urldate = {2020-04-01}}

    Good:
        ==> references/refs.bib <==
        @online{site, title = {Page}, date = {2021-05-01}, urldate = {2021-06-01}}
    """

    id = "date/access-before-issue"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        issued = _issued(ctx)
        for item in reference_dates(ctx):
            if item.role != "accessed" or not item.date.ok:
                continue
            key = item.key
            published = issued.get(key)
            high, low = item.date.high(), published.date.low() if published else None
            if published is not None and high is not None and low is not None and high < low:
                yield self.finding(
                    item.file,
                    item.line,
                    item.column,
                    f"{key} was accessed ({item.date.start}) before it was published "
                    f"({published.date.start})",
                    "check the access date and the publication date",
                )
