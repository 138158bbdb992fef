"""Sentences and words of the prose, for the rules that compare what sentences say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from presswork.lint.calendar import MONTHS, WEEKDAYS

_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Prof|Gen|Col|Lt|Capt|Sgt|Rev|Jr|Sr|vs|cf|ca|c|p|pp|no|"
    r"No|vol|Vol|ed|eds|al|etc|e\.g|i\.e|fig|Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|"
    r"Nov|Dec)|\b[a-z]\.[a-z])\.[\"'”’)\]]*\s+$"
)
_TOKEN = re.compile(r"\w+(?:[’'-]\w+)*|[,()]")  # the punctuation the rules read
_STOP = {
    "a",
    "an",
    "the",
    "i",
    "in",
    "on",
    "at",
    "of",
    "and",
    "or",
    "but",
    "however",
    "although",
    "as",
    "by",
    "for",
    "from",
    "to",
    "with",
    "after",
    "before",
    "during",
    "while",
    "when",
    "thus",
    "hence",
    "moreover",
    "furthermore",
    "finally",
    "eventually",
    "meanwhile",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "his",
    "her",
    "their",
    "our",
    "there",
    "then",
    "since",
    "according",
    "later",
    "soon",
    "both",
    "all",
    "some",
    "many",
    "most",
    "such",
    "if",
    "so",
    "yet",
    "also",
    "additionally",
    "secondly",
    "firstly",
    "consequently",
    "nevertheless",
    "instead",
    "similarly",
    "particularly",
    "unsurprisingly",
}
NOT_NAMES = set(MONTHS) | set(WEEKDAYS) | _STOP


@dataclass(frozen=True)
class Token:
    text: str
    start: int  # offset in the scanned text

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()

    @property
    def year(self) -> int | None:
        """The token as a year of the common era (1000-2100), or None."""
        if len(self.text) == 4 and self.text.isdigit() and 1000 <= int(self.text) <= 2100:
            return int(self.text)
        return None

    @property
    def word(self) -> str:
        """Lower case, without a possessive 's or a '-led' suffix: "Soviet-led" -> "soviet"."""
        word = re.sub(r"[’']s?$", "", self.text)
        word = re.sub(r"-(?:led|backed|sponsored|era)$", "", word)
        return word.lower()


@dataclass(frozen=True, eq=False)
class Sentence:
    """text[start:end]; its words are read only when a rule asks (most never need them)."""

    text: str = field(repr=False)
    start: int
    end: int

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        found = _TOKEN.finditer(self.text, self.start, self.end)
        return tuple(Token(m.group(), m.start()) for m in found)


def sentences(text: str, start: int, end: int) -> Iterator[Sentence]:
    """The sentences of text[start:end] (one paragraph or heading), with their words."""
    at = start
    for boundary in _BOUNDARY.finditer(text, start, end):
        if _ABBREVIATION.search(text, max(at, boundary.start() - 6), boundary.end()):
            continue
        yield _sentence(text, at, boundary.start() + 1)
        at = boundary.end()
    if text[at:end].strip():
        yield _sentence(text, at, end)


def _sentence(text: str, start: int, end: int) -> Sentence:
    return Sentence(text, start, end)


def actors(sentence: Sentence, proper: set[str]) -> dict[str, str]:
    """The names a sentence mentions (lower case -> as written): capitalised words that are
    not at its start unless capitalised elsewhere too (`proper`), and not months, weekdays or
    stop words."""
    found: dict[str, str] = {}
    words = [t for t in sentence.tokens if t.text[:1].isalpha()]
    for k, token in enumerate(words):
        if not token.capitalized or token.word in NOT_NAMES or len(token.word) < 2:
            continue
        if k == 0 and token.word not in proper:
            continue
        found.setdefault(token.word, re.sub(r"[’']s?$", "", token.text))
    return found


def proper_words(all_sentences: list[Sentence]) -> set[str]:
    """Words capitalised somewhere other than at the start of a sentence: names."""
    found: set[str] = set()
    for sentence in all_sentences:
        words = [t for t in sentence.tokens if t.text[:1].isalpha()]
        found.update(t.word for t in words[1:] if t.capitalized)
    return found
