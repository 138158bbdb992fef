"""Dates: the EDTF subset (levels 0-1), CSL date-parts, leap years, keyboard slips."""

from __future__ import annotations

import pytest

from presswork.lint.calendar import (
    days_in_month,
    is_leap,
    keyboard_slip,
    parse_csl_date,
    parse_date_text,
    parse_edtf,
    slips,
)
from presswork.lint.pages import expand, page_ranges, parse_locator
from presswork.references import Reference, RefField


@pytest.mark.parametrize(
    "text",
    [
        "1968",
        "1968-08",
        "1968-08-21",
        "-0044",
        "0000",
        "1984-21",
        "1984-24",
        "2004?",
        "2004~",
        "2004-06%",
        "201X",
        "19XX",
        "2004-XX",
        "1985-04-XX",
        "1985-XX-XX",
        "2004-06/2006-08",
        "1985/..",
        "../1985",
        "1985/",
        "/1985",
        "2023-05-01T10:30:00Z",
        "Y170000002",
        "2024-02-29",
        "1600-02-29",
        "1500-02-29",
    ],
)
def test_valid_edtf(text: str) -> None:
    parsed = parse_edtf(text)
    assert parsed.problem is None and parsed.ok, text


@pytest.mark.parametrize(
    ("text", "kind", "offset"),
    [
        ("2023-02-29", "impossible", 8),
        ("1900-02-29", "impossible", 8),
        ("1968-13", "impossible", 5),
        ("1968-00-10", "impossible", 5),
        ("1968-06-31", "impossible", 8),
        ("1968-25", "impossible", 5),
        ("68-02-03", "invalid", 0),
        ("1968-2-3", "invalid", 0),
        ("1968/02/03", "invalid", 0),
        ("June 1968", "invalid", 0),
        ("", "invalid", 0),
        ("/", "invalid", 0),
        ("1975/1968", "reversed", 0),
        ("1968-09/1968-08", "reversed", 0),
        (" 1968-02-30", "impossible", 9),
        ("1968/1968-02-30", "impossible", 13),
    ],
)
def test_bad_edtf(text: str, kind: str, offset: int) -> None:
    problem = parse_edtf(text).problem
    assert problem is not None
    assert (problem.kind, problem.offset) == (kind, offset)


def test_edtf_bounds_for_comparisons() -> None:
    parsed = parse_edtf("19XX")
    assert parsed.low() == (1900, 1, 1) and parsed.high() == (1999, 12, 31)
    assert parse_edtf("1984-21").high() == (1984, 5, 31)  # spring ends in May
    assert parse_edtf("2024-02").high() == (2024, 2, 29)


def test_csl_date_parts() -> None:
    assert parse_csl_date({"date-parts": [[1968, 8, 21]]}).ok
    assert parse_csl_date({"date-parts": [["1968", "8"]]}).ok
    assert parse_csl_date({"date-parts": [[1968, 14]]}).ok  # citeproc-js season
    assert parse_csl_date({"literal": "Spring 1968"}) is None
    assert parse_csl_date({"raw": "Summer 1968"}) is None
    problem = parse_csl_date({"date-parts": [[1968, 2, 30]]}).problem
    assert problem is not None and problem.path == ("date-parts", 0, 2)
    problem = parse_csl_date({"date-parts": [[1975], [1968]]}).problem
    assert problem is not None and problem.kind == "reversed"
    problem = parse_csl_date({"date-parts": [[True]]}).problem
    assert problem is not None and problem.kind == "invalid"
    problem = parse_csl_date({"raw": "1968-02-31"}).problem
    assert problem is not None and (problem.path, problem.offset) == (("raw",), 8)
    assert parse_csl_date(["not", "a", "date"]).problem is not None


def test_calendar_rules() -> None:
    assert is_leap(2000) and not is_leap(1900) and is_leap(1500)  # 1500: Julian
    assert days_in_month(None, 2) == 29 and days_in_month(2023, 2) == 28


@pytest.mark.parametrize(
    ("a", "b", "slip"),
    [
        (1968, 1958, True),
        (1968, 1938, True),
        (1968, 1986, True),
        (1968, 1969, True),
        (1968, 1975, False),
        (1968, 1948 + 100, False),
        (1968, 1968, False),
        (968, 1968, False),
    ],
)
def test_keyboard_slip(a: int, b: int, slip: bool) -> None:
    assert keyboard_slip(a, b) is slip


@pytest.mark.parametrize(
    ("locator", "pages"),
    [
        ("106", [(106, 106)]),
        ("p. 33", [(33, 33)]),
        ("pp. 33-35", [(33, 35)]),
        ("33–5", [(33, 35)]),
        ("581–90", [(581, 590)]),
        ("106n3", [(106, 106)]),
        ("12, 14-16", [(12, 12), (14, 16)]),
        ("p. 12, emphasis added", [(12, 12)]),
        ("{12-14}", [(12, 14)]),
        ("chap. 3", None),
        ("xii", None),
        ("§ 4", None),
        ("", None),
    ],
)
def test_locators(locator: str, pages: list[tuple[int, int]] | None) -> None:
    assert parse_locator(locator) == pages


def test_page_ranges() -> None:
    def ref(pages: str, syntax: str = "bibtex") -> Reference:
        name = "pages" if syntax == "bibtex" else "page"
        return Reference("k", "article", "r.bib", 1, 1, {name: RefField(pages, 1, 1)}, syntax)

    assert page_ranges(ref("581--590")) == [(581, 590)]
    assert page_ranges(ref("581-90", "csl")) == [(581, 590)]
    assert page_ranges(ref("581")) == [(581, None)]
    assert page_ranges(ref("1-5, 10-12")) == [(1, 5), (10, 12)]
    assert page_ranges(ref("e1234")) is None
    assert expand(1999, "2001") == (1999, 2001)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2020-06", (2020, 6, None)),
        ("June 2020", (2020, 6, None)),
        ("15 June 2020", (2020, 6, 15)),
        ("June 15, 2020", (2020, 6, 15)),
        ("Sept. 2020", (2020, 9, None)),
        ("2020", (2020, None, None)),
        ("31 June 2020", None),
        ("Spring 2020", None),
        ("soon", None),
    ],
)
def test_manuscript_dates_as_people_write_them(
    text: str, value: tuple[int, int | None, int | None] | None
) -> None:
    found = parse_date_text(text)
    assert (None if found is None else (found.year, found.month, found.day)) == value


def test_slips_are_the_years_one_keystroke_away() -> None:
    assert {1958, 1938, 1986, 1969, 9168} <= slips(1968)
    assert 1968 not in slips(1968) and 1975 not in slips(1968)
    assert all(keyboard_slip(1968, year) for year in slips(1968))
