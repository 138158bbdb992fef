"""Dates as manuscripts and reference files write them: EDTF (levels 0-1), CSL date-parts.

Parsing never raises: a bad date becomes a Problem ("invalid": not a date at all,
"impossible": shaped like a date that does not exist, "reversed": an interval that ends
before it starts), with where in the text or value it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
MONTHS.update({name[:3]: i + 1 for i, name in enumerate(MONTH_NAMES)})
MONTHS["sept"] = 9
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# EDTF seasons 21-24 (spring..winter, northern hemisphere): the months they start and end in.
SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 12)}
GREGORIAN_FROM = 1583  # earlier dates are Julian in the sources: no Gregorian weekday checks


def is_leap(year: int) -> bool:
    if year < GREGORIAN_FROM:
        return year % 4 == 0  # Julian calendar (proleptic for year 0 and BCE)
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int | None, month: int) -> int:
    if month == 2:
        return 29 if year is None or is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True)
class Problem:
    kind: str  # "invalid" | "impossible" | "reversed"
    message: str
    offset: int = 0  # where in the text (0-based), for a column
    path: tuple[Any, ...] = ()  # where in a structured value (CSL date-parts)
    fix: str | None = None


@dataclass(frozen=True)
class DateValue:
    """A date of year, month or day precision; `year_high` > `year` for "19XX"."""

    year: int
    month: int | None = None
    day: int | None = None
    season: int | None = None
    year_high: int | None = None

    def low(self) -> tuple[int, int, int]:
        month = self.month or (SEASON_MONTHS[self.season][0] if self.season else 1)
        return (self.year, month, self.day or 1)

    def high(self) -> tuple[int, int, int]:
        year = self.year_high if self.year_high is not None else self.year
        month = self.month or (SEASON_MONTHS[self.season][1] if self.season else 12)
        return (year, month, self.day or days_in_month(year, month))

    def __str__(self) -> str:
        text = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        elif self.season:
            text += f"-{self.season}"
        return text


@dataclass(frozen=True)
class ParsedDate:
    """One date or an interval; `start`/`end` are None when open or unknown."""

    start: DateValue | None = None
    end: DateValue | None = None
    interval: bool = False
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and (self.start is not None or self.end is not None)

    def low(self) -> tuple[int, int, int] | None:
        return self.start.low() if self.start else None

    def high(self) -> tuple[int, int, int] | None:
        last = self.end if self.interval else self.start
        return last.high() if last else None


MONTH_FIX = "months run from 01 to 12 (21 to 24 are the seasons)"


def day_fix(year: int | None, month: int) -> str:
    """What to tell someone who wrote a day the month does not have."""
    name = MONTH_NAMES[month - 1].title()
    when = f"{name} {year}" if year is not None else name
    return f"{when} has {days_in_month(year, month)} days: check the day and the month"


def _bad(kind: str, message: str, offset: int = 0, fix: str | None = None) -> ParsedDate:
    return ParsedDate(problem=Problem(kind, message, offset, (), fix))


_EDTF = re.compile(
    r"(?P<year>Y-?\d{5,}|-?[\dX]{4})"
    r"(?:-(?P<month>[\dX]{2})(?:-(?P<day>[\dX]{2}))?)?"
    r"(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"(?P<qualifier>[?~%])?"
)


def _edtf_date(text: str, base: int) -> DateValue | ParsedDate:
    match = _EDTF.fullmatch(text)
    if match is None:
        return _bad(
            "invalid", f"'{text}' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)", base
        )
    year_text, month_text, day_text = match.group("year", "month", "day")
    year_text = year_text.lstrip("Y")
    if "X" in year_text:
        low, high = int(year_text.replace("X", "0")), int(year_text.replace("X", "9"))
        if "X" in year_text.lstrip("-").rstrip("X") or (month_text and "X" not in month_text):
            return _bad("invalid", f"'{text}': only trailing year digits may be X", base)
        return DateValue(low, year_high=high)
    year = int(year_text)
    if month_text is None or month_text == "XX":
        if day_text not in (None, "XX"):
            return _bad("invalid", f"'{text}': a day needs a month", base)
        return DateValue(year)
    month = int(month_text) if "X" not in month_text else -1
    month_at = base + match.start("month")
    if 21 <= month <= 24 and day_text is None:
        return DateValue(year, season=month)
    if not 1 <= month <= 12:
        return _bad(
            "impossible", f"there is no month {month_text} in '{text}'", month_at, MONTH_FIX
        )
    if day_text is None or day_text == "XX":
        return DateValue(year, month)
    day = int(day_text) if "X" not in day_text else -1
    if not 1 <= day <= days_in_month(year, month):
        return _bad(
            "impossible",
            f"{MONTH_NAMES[month - 1].title()} {year} has no day {day_text}",
            base + match.start("day"),
            day_fix(year, month),
        )
    return DateValue(year, month, day)


def parse_edtf(text: str) -> ParsedDate:
    """An EDTF level 0-1 date or interval (also ISO 8601 dates with a time)."""
    stripped = text.strip()
    base = len(text) - len(text.lstrip())
    if not stripped:
        return _bad("invalid", "the date is empty", 0)
    if "/" not in stripped:
        one = _edtf_date(stripped, base)
        return one if isinstance(one, ParsedDate) else ParsedDate(one)
    if stripped.count("/") > 1:
        slashed = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", stripped)
        fix = f"write {slashed[1]}-{int(slashed[2]):02d}-{int(slashed[3]):02d}" if slashed else None
        return _bad(
            "invalid", f"'{stripped}' is not a date: dates are written YYYY-MM-DD", base, fix
        )
    left, right = stripped.split("/")
    sides: list[DateValue | None] = []
    offset = base
    for part in (left, right):
        if part in ("", ".."):
            sides.append(None)
        else:
            one = _edtf_date(part, offset)
            if isinstance(one, ParsedDate):
                return one
            sides.append(one)
        offset += len(part) + 1
    start, end = sides
    if start is None and end is None:
        return _bad("invalid", f"'{stripped}' has neither a start nor an end", base)
    if start and end and start.low() > end.high():
        return ParsedDate(
            start,
            end,
            True,
            Problem(
                "reversed",
                f"the interval '{stripped}' ends before it starts",
                base,
                fix=f"write {end}/{start}",
            ),
        )
    return ParsedDate(start, end, True)


def _part(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,6}", value.strip()):
        return int(value)
    return None


def _date_part(parts: Any, path: tuple[Any, ...]) -> DateValue | Problem:
    if not isinstance(parts, list) or not 1 <= len(parts) <= 3:
        return Problem(
            "invalid",
            "each date-parts entry must be [year], [year, month] or [year, month, day]",
            path=path,
        )
    numbers = [_part(p) for p in parts]
    for i, number in enumerate(numbers):
        if number is None:
            return Problem(
                "invalid",
                f"date part {parts[i]!r} is not a number",
                path=(*path, i),
                fix="write numbers: [year, month, day]",
            )
    year = numbers[0]
    assert year is not None
    if len(numbers) == 1:
        return DateValue(year)
    month = numbers[1]
    assert month is not None
    if len(numbers) == 2 and (13 <= month <= 16 or 21 <= month <= 24):
        return DateValue(year, season=month if month > 20 else month + 8)
    if not 1 <= month <= 12:
        return Problem("impossible", f"there is no month {month}", path=(*path, 1), fix=MONTH_FIX)
    if len(numbers) == 2:
        return DateValue(year, month)
    day = numbers[2]
    assert day is not None
    if not 1 <= day <= days_in_month(year, month):
        name = MONTH_NAMES[month - 1].title()
        return Problem(
            "impossible",
            f"{name} {year} has no day {day}",
            path=(*path, 2),
            fix=day_fix(year, month),
        )
    return DateValue(year, month, day)


def parse_csl_date(value: Any) -> ParsedDate | None:
    """A CSL date variable: {"date-parts": ...}, {"raw"/"literal": ...} or an EDTF string.

    None when there is nothing to check (a literal, or no date at all).
    """
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return parse_edtf(str(value))
    if not isinstance(value, dict):
        return _bad("invalid", "a date must be an object with 'date-parts' or a date string")
    if "date-parts" in value:
        all_parts = value["date-parts"]
        if not isinstance(all_parts, list) or not 1 <= len(all_parts) <= 2:
            return ParsedDate(
                problem=Problem(
                    "invalid",
                    "'date-parts' must hold one date, or two for a range",
                    path=("date-parts",),
                )
            )
        values: list[DateValue] = []
        for i, parts in enumerate(all_parts):
            one = _date_part(parts, ("date-parts", i))
            if isinstance(one, Problem):
                return ParsedDate(problem=one)
            values.append(one)
        if len(values) == 2:
            start, end = values
            if start.low() > end.high():
                return ParsedDate(
                    start,
                    end,
                    True,
                    Problem(
                        "reversed",
                        f"the date range {start} to {end} ends before it starts",
                        path=("date-parts", 1),
                        fix="swap the two dates",
                    ),
                )
            return ParsedDate(start, end, True)
        return ParsedDate(values[0])
    if isinstance(value.get("raw"), str) and re.fullmatch(r"[\d\-/X?~%.]+", value["raw"].strip()):
        parsed = parse_edtf(value["raw"])
        if parsed.problem:
            return ParsedDate(
                problem=Problem(
                    parsed.problem.kind,
                    parsed.problem.message,
                    parsed.problem.offset,
                    ("raw",),
                    parsed.problem.fix,
                )
            )
        return parsed
    return None


_FREE_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+)?(?P<month>[A-Za-z]{3,9})\.?"
    r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?)?\s+(?P<year>\d{4})"
)


def parse_date_text(text: str) -> DateValue | None:
    """A manuscript's date as people write it: ISO, "June 2020", "15 June 2020", "June 15, 2020"."""
    parsed = parse_edtf(text)
    if parsed.ok and not parsed.interval:
        return parsed.start
    match = _FREE_DATE.fullmatch(text.strip())
    month = month_number(match.group("month")) if match else None
    if match is None or month is None:
        return None
    year, day = int(match.group("year")), match.group("d1") or match.group("d2")
    if day is None:
        return DateValue(year, month)
    return DateValue(year, month, int(day)) if 1 <= int(day) <= days_in_month(year, month) else None


def iso_like(text: str) -> bool:
    """Whether a text is written as an ISO/EDTF date (digits, dashes, slashes, qualifiers)."""
    return bool(re.fullmatch(r"[\dX\-/?~%.:TZ+ ]+", text)) and bool(re.search(r"\d", text))


def keyboard_slip(a: int, b: int) -> bool:
    """Whether two different years differ as a slip of the keyboard: one digit, or a swap."""
    x, y = str(a), str(b)
    if a == b or len(x) != len(y):
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and x[diff[0]] == y[diff[1]]
        and (x[diff[1]] == y[diff[0]])
    )


def slips(year: int) -> set[int]:
    """Every year one keyboard slip away: a digit changed, or two neighbours swapped."""
    text = str(year)
    found = set()
    for i in range(len(text)):
        for digit in "0123456789":
            found.add(text[:i] + digit + text[i + 1 :])
        if i + 1 < len(text):
            found.add(text[:i] + text[i + 1] + text[i] + text[i + 2 :])
    return {int(t) for t in found if not t.startswith("0")} - {year}


def month_number(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))
