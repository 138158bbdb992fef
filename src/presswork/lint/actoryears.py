"""The same event given different years, read from the people beside a month and year.

"Alexander Dubcek ... in January 1968" in one place and "Alexander Dubcek replaced Novotny
... on January 1958" in another: the same people in the same month, and a year that the
manuscript writes nowhere else, one keystroke from the year it keeps writing. See
events.py for the other reading (the same event phrase).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.lint.calendar import MONTH_NAMES, month_number, slips
from presswork.lint.context import Context
from presswork.lint.events import Place, places
from presswork.lint.finding import Finding, Severity
from presswork.lint.prose import Sentence, Token, actors, proper_words
from presswork.lint.registry import Rule, register


@dataclass(frozen=True)
class _Dated:
    place: Place
    sentence: Sentence
    month: int
    year: Token


_MONTH_YEAR = re.compile(
    r"\b(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December)(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+(?:of\s+)?(?P<year>\d{4})\b"
    r"(?!\s*(?:BCE?|B\.C\.))"
)
_YEAR = re.compile(r"(?<!\d)(1\d{3}|20\d{2})(?!\d|s\b)")  # "the 1960s" is no year
ISOLATION = 5  # years: a suspect year has no other year this close


@register
class InconsistentActorYear(Rule):
    """A month and year beside the same people as elsewhere, but with a year written once.

    Reported only when all of these hold: the year appears nowhere else in the manuscript,
    and no other year within five of it; the same month is given elsewhere with at least two
    of the same names and a year the text uses repeatedly; the two years differ by a slip of
    the keyboard that moves them a decade or more apart (1958 for 1968, 1986 for 1968, not
    1961 for 1968, which is as often another event of the same decade).

    Bad:
        In January 1968, Alexander Dubcek became First Secretary. Reforms followed in
        1968. Alexander Dubcek replaced Antonin Novotny in January 1958.

    Good:
        In January 1968, Alexander Dubcek became First Secretary. Reforms followed in
        1968. Alexander Dubcek replaced Antonin Novotny in January 1968.
    """

    id = "date/inconsistent-actor-year"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        found = places(ctx)
        counts: Counter[int] = Counter()
        for place, sentence in found:
            counts.update(int(y) for y in _YEAR.findall(place.text, sentence.start, sentence.end))
        body = [
            int(y)
            for place, s in found
            if place.file
            for y in _YEAR.findall(place.text, s.start, s.end)
        ]
        if not body:
            return
        middle = statistics.median(body)
        dated = [d for place, s in found if place.file for d in self._dated(place, s)]
        by_month_year: dict[tuple[int, int], list[_Dated]] = {}
        for item in dated:
            by_month_year.setdefault((item.month, int(item.year.text)), []).append(item)
        proper: set[str] | None = None
        for item in dated:
            year = int(item.year.text)
            near = range(year - ISOLATION, year + ISOLATION + 1)
            if counts[year] != 1 or any(counts[y] for y in near if y != year):
                continue
            # a decade or more apart: 1961 for 1968 is as often another event of the decade
            partners = [
                other
                for usual in sorted(slips(year))
                if counts[usual] >= 2 and abs(year - usual) >= 9
                for other in by_month_year.get((item.month, usual), [])
            ]
            for other in partners:
                usual = int(other.year.text)
                if proper is None:  # read every sentence's words only for a candidate
                    proper = proper_words([s for _, s in found])
                names = actors(item.sentence, proper)
                shared = sorted(names[w] for w in names.keys() & actors(other.sentence, proper))
                if len(shared) < 2 or abs(year - middle) <= abs(usual - middle):
                    continue
                line, column = item.place.where(item.year.start)
                other_line = other.place.where(other.year.start)[0]
                month = MONTH_NAMES[item.month - 1].title()
                yield self.finding(
                    item.place.file or "",
                    line,
                    column,
                    f"{month} {year} beside {', '.join(shared)}, who are in {month} {usual} at "
                    f"{other.place.file}:{other_line}; {year} is written nowhere else",
                    f"did you mean {usual}?",
                )
                break

    @staticmethod
    def _dated(place: Place, sentence: Sentence) -> Iterator[_Dated]:
        for match in _MONTH_YEAR.finditer(place.text, sentence.start, sentence.end):
            month = month_number(match.group("month"))
            if month is not None:
                yield _Dated(
                    place, sentence, month, Token(match.group("year"), match.start("year"))
                )
