"""The same event given different years in different places (one of two readings).

Here, an event named the same way ("the invasion of Czechoslovakia", "Czechoslovakia was
invaded") bound to a year: the year most places give, against one place giving another.
actoryears.py reads the other way: a month and year beside the same people. Both are
conservative, because a wrong year is rare and a false alarm costly: the odd year must look
like a slip of the keyboard (one digit changed, or two swapped) of the year the rest of the
text gives, or it is taken for another event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from presswork.lint.calendar import MONTHS, keyboard_slip
from presswork.lint.context import Context
from presswork.lint.finding import Finding, Severity
from presswork.lint.model import Positioner
from presswork.lint.prose import NOT_NAMES, Sentence, Token, sentences
from presswork.lint.registry import Rule, register

# Events that happen once to a given place or person (not elections, wars, crises, meetings).
EVENT_NOUNS = frozenset(
    {
        "invasion",
        "occupation",
        "annexation",
        "liberation",
        "revolution",
        "coup",
        "uprising",
        "revolt",
        "rebellion",
        "insurrection",
        "independence",
        "partition",
        "unification",
        "reunification",
        "assassination",
        "death",
        "birth",
        "founding",
        "foundation",
        "collapse",
        "fall",
        "massacre",
        "capitulation",
        "armistice",
        "abdication",
        "coronation",
        "execution",
        "siege",
        "bombing",
        "secession",
        "dissolution",
        "overthrow",
        "surrender",
        "murder",
        "sack",
        "destruction",
    }
)
EVENT_VERBS = {
    "invade": "invasion",
    "invaded": "invasion",
    "invading": "invasion",
    "occupy": "occupation",
    "occupied": "occupation",
    "occupying": "occupation",
    "annex": "annexation",
    "annexed": "annexation",
    "annexing": "annexation",
    "liberate": "liberation",
    "liberated": "liberation",
    "liberating": "liberation",
    "assassinate": "assassination",
    "assassinated": "assassination",
    "partitioned": "partition",
    "founded": "founding",
}
ORDINALS = {"first", "second", "third", "fourth", "fifth", "last", "final", "later", "earlier"}
_LINKS = {"in", "on", "of", "during", "at"}
_ERA = {"bc", "bce", "b.c", "ad", "ce"}


@dataclass(frozen=True)
class Place:
    """Where a sentence is: a file to report in (None for a reference's title) and a text."""

    file: str | None
    text: str
    positioner: Positioner | None  # None for a reference's title, never reported
    label: str = ""  # how to name a reference's title in a message

    def where(self, offset: int) -> tuple[int, int]:
        return self.positioner.position(offset) if self.positioner else (1, 1)


@dataclass(frozen=True)
class Mention:
    place: Place
    sentence: Sentence
    year: Token
    key: tuple[str, str]
    qualifier: str


def places(ctx: Context) -> list[tuple[Place, Sentence]]:
    def compute() -> list[tuple[Place, Sentence]]:
        from presswork.lint.prosedates import prose_texts

        found: list[tuple[Place, Sentence]] = []
        documents = {doc.path: doc for doc in ctx.documents}
        for file, text, positioner in prose_texts(ctx):
            place = Place(file, text, positioner)
            doc = documents.get(file)
            spans = (
                [(r.start, r.end) for r in doc.regions]
                if doc is not None
                else [(len(text) - len(text.lstrip()), len(text))]
            )
            for start, end in spans:
                found.extend((place, s) for s in sentences(text, start, end))
        for ref in ctx.references:
            title = ctx.ref_title(ref)
            if title:
                place = Place(None, title, None, f"the title of {ref.id}")
                found.extend((place, s) for s in sentences(title, 0, len(title)))
        return found

    return ctx.memo("sentences", compute)


def _year_after(tokens: tuple[Token, ...], k: int) -> Token | None:
    """A year written after tokens[k-1]: ", in August 1968", "of 1968", "(1968)"."""
    if k < len(tokens) and tokens[k].text == ",":
        k += 1
    if k < len(tokens) and tokens[k].text == "(":
        return _year(tokens, k + 1)
    if k >= len(tokens) or tokens[k].word not in _LINKS:
        return None
    for step in range(k + 1, min(k + 5, len(tokens))):
        token = tokens[step]
        if token.year is not None:
            return _year(tokens, step)
        if not (
            token.word in MONTHS
            or token.word in ("the", "of", ",")
            or (token.text.isdigit() and len(token.text) <= 2)
            or re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", token.text)
        ):
            return None
    return None


def _year(tokens: tuple[Token, ...], k: int) -> Token | None:
    if k >= len(tokens) or tokens[k].year is None:
        return None
    if k + 1 < len(tokens) and tokens[k + 1].word.rstrip(".") in _ERA:
        return None
    return tokens[k]


def _object(tokens: tuple[Token, ...], k: int) -> tuple[str, int]:
    """The capitalised name starting at tokens[k] (after an optional "the"), and its end."""
    if k < len(tokens) and tokens[k].word == "the":
        k += 1
    words = []
    while (
        k < len(tokens)
        and tokens[k].capitalized
        and tokens[k].text[:1].isalpha()
        and (tokens[k].word not in MONTHS)
    ):
        words.append(tokens[k].word)
        k += 1
    return " ".join(words), k


def trie_pattern(words: set[str] | frozenset[str]) -> str:
    """An alternation of words grouped by common prefixes ("in(?:vasion|vaded)"...).

    A flat alternation makes the regex engine try every word at every word start; grouped,
    it tests one letter at a time, so a long line of short words costs linear time.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body  # a word may end here: the rest optional

    return emit(trie)


_EVENT_WORDS = re.compile(r"(?i)\b" + trie_pattern(EVENT_NOUNS | set(EVENT_VERBS)) + r"\b")


def event_mentions(place: Place, sentence: Sentence) -> Iterator[Mention]:
    if not _EVENT_WORDS.search(sentence.text, sentence.start, sentence.end):
        return  # most sentences name no event: skip reading their words
    tokens = sentence.tokens
    for k, token in enumerate(tokens):
        word = token.word
        noun = word if word in EVENT_NOUNS else EVENT_VERBS.get(word)
        if noun is None:
            continue
        qualifier, before = "", k - 1
        previous = tokens[before] if before >= 0 else None
        if (
            previous is not None
            and previous.text[:1].isalpha()
            and (
                previous.word in ORDINALS
                or (previous.capitalized and previous.word not in NOT_NAMES)
            )
        ):
            qualifier = previous.word  # "Soviet", "German", "second": which invasion
            before -= 1
        if word in EVENT_NOUNS:
            if k + 1 >= len(tokens) or tokens[k + 1].word != "of":
                continue
            name, after = _object(tokens, k + 2)
        else:
            name, after = _object(tokens, k + 1)
            if not name and before >= 1 and tokens[before].word in ("was", "were"):
                name = tokens[before - 1].word if tokens[before - 1].capitalized else ""
        if not name:
            continue
        year = _year(tokens, before) if before >= 0 else None
        year = year or _year_after(tokens, after)
        if year is not None:
            yield Mention(place, sentence, year, (noun, name), qualifier)


@register
class InconsistentEventYear(Rule):
    """The same event is given a different year in one place than in the others.

    The odd year is reported when at least two other places agree on another year and the
    two differ by a slip of the keyboard (1938 for 1968, 1986 for 1968); reference titles
    count as places too. Events with different qualifiers ("German", "Soviet") are kept apart.

    Bad:
        The invasion of Czechoslovakia in 1968 ended the reforms. After the invasion of
        Czechoslovakia in 1968, many emigrated. The invasion of Czechoslovakia in 1938 was
        condemned abroad.

    Good:
        The invasion of Czechoslovakia in 1968 ended the reforms. After the invasion of
        Czechoslovakia in 1968, many emigrated. The invasion of Czechoslovakia in 1968 was
        condemned abroad.
    """

    id = "date/inconsistent-event-year"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        by_event: dict[tuple[str, str], list[Mention]] = {}
        for place, sentence in places(ctx):
            for mention in event_mentions(place, sentence):
                by_event.setdefault(mention.key, []).append(mention)
        for (noun, name), mentions in by_event.items():
            # plural subjects name the same side: "Soviets invaded", "the Soviet invasion"
            if len({m.qualifier.removesuffix("s") for m in mentions if m.qualifier}) > 1:
                continue  # "the German invasion" and "the Soviet invasion": two events
            # one sentence naming the event twice is one place
            years = Counter(y for _, y in {(id(m.sentence), int(m.year.text)) for m in mentions})
            yield from self._odd_ones(noun, name, mentions, years)

    def _odd_ones(
        self, noun: str, name: str, mentions: list[Mention], years: Counter[int]
    ) -> Iterator[Finding]:
        ranked = years.most_common()
        if len(ranked) < 2 or ranked[0][1] < 2 or ranked[0][1] == ranked[1][1]:
            return
        usual, count = ranked[0]
        for mention in mentions:
            year = mention.year.year
            if year is None or years[year] != 1 or not keyboard_slip(year, usual):
                continue
            if mention.place.file is None:
                continue  # a reference's title is what it is
            line, column = mention.place.where(mention.year.start)
            title = name.title() if name.islower() else name
            places = sorted({_where(m) for m in mentions if m.year.year == usual})
            shown = ", ".join(places[:3]) + (", ..." if len(places) > 3 else "")
            yield self.finding(
                mention.place.file,
                line,
                column,
                f"the {noun} of {title} is dated {year} here but {usual} in {count} other "
                f"places ({shown})",
                f"did you mean {usual}?",
            )


def _where(mention: Mention) -> str:
    if mention.place.file is None:
        return mention.place.label
    return f"{mention.place.file}:{mention.place.where(mention.year.start)[0]}"
