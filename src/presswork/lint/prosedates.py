"""Dates written in the prose: "30 February 1968", "Tuesday, 21 August 1968", "1975–1968".

The patterns are anchored on month and weekday names and on four-digit years, and none
nests quantifiers, so a long run of digits and dashes costs linear time.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.lint.calendar import (
    GREGORIAN_FROM,
    MONTH_NAMES,
    WEEKDAYS,
    Problem,
    day_fix,
    days_in_month,
    iso_like,
    month_number,
)
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import Positioner
from presswork.lint.registry import Rule, register

_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?)"
)
_WEEKDAY = r"(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)"
_ERA = r"\s*(?:BCE|BC|B\.C\.|B\.C\.E\.)"
_YEAR = rf"(?:,?\s+(?P<year>\d{{3,4}})\b(?!{_ERA}|[-–]\d))"
_DMY = re.compile(
    rf"{_WEEKDAY}?(?:the\s+)?(?<![\w.,/–-])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s+of)?"
    rf"\s+{_MONTH}(?!\w){_YEAR}?"
)
_MDY = re.compile(
    rf"{_WEEKDAY}?{_MONTH}\s+(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]?\d)"
    rf"(?!\s+(?:BCE?|B\.C\.)){_YEAR}?"
)
# The lookbehinds come after the first digits, so that the regex engine only tries digits.
_ISO = re.compile(r"(?P<year>\d{4})(?<![\w/.–-]\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\w/–-])")
_RANGE = re.compile(
    r"(?P<a>\d{4})(?<![\w.,/–—-]\d{4})(?P<dash>\s?(?:–|—|--|-)\s?)(?P<b>\d{4})(?![\w/–—-]|"
    + _ERA
    + ")"
)
_NOT_YEARS = re.compile(r"(?i)(?:\bpp?\.|\bpages?|\bnos?\.|\bisbn|\bissn|§)\s*$")


@dataclass(frozen=True)
class ProseDate:
    """A calendar date found in text: offsets are into the scanned text."""

    start: int
    day: int | None
    month: int
    year: int | None
    day_at: int
    year_at: int
    weekday: str | None = None
    weekday_at: int = -1


# Every date below holds a month name: text without one (a line of digits) is skipped at
# C speed instead of trying the day patterns at each of its characters.
_ANY_MONTH = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


def find_dates(text: str) -> list[ProseDate]:
    """Day-month(-year) and month-day(-year) dates, as in "4 June 1968" or "June 4, 1968"."""
    found: dict[int, ProseDate] = {}
    if not _ANY_MONTH.search(text):
        return []
    for pattern in (_DMY, _MDY):
        for m in pattern.finditer(text):
            month = month_number(m.group("month"))
            if month is None:
                continue
            year = int(m.group("year")) if m.group("year") else None
            item = ProseDate(
                m.start("month") if pattern is _MDY else m.start("day"),
                int(m.group("day")),
                month,
                year,
                m.start("day"),
                m.start("year") if year else -1,
                m.group("weekday"),
                m.start("weekday") if m.group("weekday") else -1,
            )
            found.setdefault(item.day_at, item)
    return sorted(found.values(), key=lambda d: d.start)


def _problems(text: str) -> Iterator[tuple[int, Problem]]:
    for date in find_dates(text):
        assert date.day is not None
        if date.day < 1 or date.day > days_in_month(date.year, date.month):
            name = MONTH_NAMES[date.month - 1].title()
            when = f"{name} {date.year}" if date.year else name
            yield (
                date.day_at,
                Problem(
                    "impossible",
                    f"{when} has no day {date.day}",
                    fix=day_fix(date.year, date.month),
                ),
            )
            continue
        if date.weekday and date.year and GREGORIAN_FROM <= date.year <= 9999:
            actual = WEEKDAYS[datetime.date(date.year, date.month, date.day).weekday()]
            if actual != date.weekday.lower():
                shown = f"{date.day} {MONTH_NAMES[date.month - 1].title()} {date.year}"
                yield (
                    date.weekday_at,
                    Problem(
                        "weekday",
                        f"{shown} was a {actual.title()}, not a {date.weekday}",
                        fix=f"write {actual.title()}, or check the date",
                    ),
                )
    for m in _ISO.finditer(text):
        year, month, day = (int(x) for x in m.group("year", "month", "day"))
        if 1 <= month <= 12 and 1 <= day <= 31 and day > days_in_month(year, month):
            yield (
                m.start("day"),
                Problem(
                    "impossible",
                    f"{MONTH_NAMES[month - 1].title()} {year} has no day {day}",
                    fix=day_fix(year, month),
                ),
            )
    for m in _RANGE.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if 1000 <= b < a <= 2100 and not _NOT_YEARS.search(text, max(0, m.start() - 12), m.start()):
            yield (
                m.start(),
                Problem(
                    "reversed",
                    f"the range {a}{m.group('dash').strip()}{b} ends before it starts",
                    fix=f"write {b}–{a}",
                ),
            )


def prose_texts(ctx: Context) -> Iterator[tuple[str, str, Positioner]]:
    """(file, text, positioner) for every text the prose rules read: chapters and metadata."""
    for doc in ctx.documents:
        yield doc.path, doc.prose, doc
    for key in ("title", "subtitle", "abstract", "date", "description"):
        meta = ctx.metadata_for(key)
        if meta is not None:
            span = meta.scalar_span(key)
            if key == "date" and iso_like(str(ctx.project.metadata.get("date"))):
                continue  # read as a date by the reference-date rules
            if span is not None:
                masked = " " * span[0] + meta.index.text[span[0] : span[1]]
                yield meta.path, masked, meta.index


def prose_problems(ctx: Context) -> list[tuple[str, int, int, Problem]]:
    def compute() -> list[tuple[str, int, int, Problem]]:
        found = []
        for file, text, positioner in prose_texts(ctx):
            for offset, problem in _problems(text):
                line, column = positioner.position(offset)
                found.append((file, line, column, problem))
        return found

    return ctx.memo("prose-problems", compute)


@register
class Weekday(Rule):
    """A weekday that contradicts its date (Gregorian dates from 1583 on).

    Bad:
        On Tuesday, 21 August 1968, the troops entered Prague.

    Good:
        On Wednesday, 21 August 1968, the troops entered Prague.
    """

    id = "date/weekday"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        for file, line, column, problem in prose_problems(ctx):
            if problem.kind == "weekday":
                yield self.finding(file, line, column, problem.message, problem.fix)
