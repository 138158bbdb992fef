"""DOI syntax: `10.` + a registrant code of 4 to 9 digits, `/`, a non-empty ASCII suffix.

Unusual but valid suffixes pass: parentheses, semicolons, angle brackets, upper case
(`10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIXES = re.compile(r"(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|doi\.org/)")
_PAIRS = {")": "(", "]": "[", ">": "<", "}": "{"}


@dataclass(frozen=True)
class DoiProblem:
    message: str
    offset: int  # into the checked text
    fix: str | None = None


def strip_trailing(doi: str) -> str:
    """A DOI as found in prose, without the sentence's punctuation after it."""
    while doi:
        last = doi[-1]
        if last in ".,;:'\"”’" or (last in _PAIRS and doi.count(_PAIRS[last]) < doi.count(last)):
            doi = doi[:-1]
        else:
            break
    return doi


def check(doi: str) -> DoiProblem | None:
    """The first thing wrong with a bare DOI, or None."""
    if not doi.startswith("10."):
        return DoiProblem(f"'{doi}' does not start with '10.', as every DOI does", 0)
    match = re.match(r"10\.(\d*)((?:\.\d+)*)", doi)
    assert match is not None
    digits = match.group(1)
    if not 4 <= len(digits) <= 9:
        return DoiProblem(
            f"the DOI prefix '10.{digits}' has {len(digits)} digits; DOI prefixes have 4 to 9",
            3,
        )  # no fix to offer: the digits are missing, not misplaced
    at = match.end()
    if at >= len(doi) or doi[at] != "/":
        return DoiProblem(f"the DOI '{doi}' has no '/' after its prefix", at)
    suffix = doi[at + 1 :]
    if not suffix:
        return DoiProblem(f"the DOI '{doi}' has nothing after the '/'", at)
    for index, char in enumerate(suffix, start=at + 1):
        if char.isspace():
            return DoiProblem("the DOI contains a space", index, re.sub(r"\s+", "", doi))
        if not 0x21 <= ord(char) <= 0x7E:
            ascii_doi = re.sub("[\u2010-\u2015\u2212]", "-", doi)  # dashes from typesetting
            fix = ascii_doi if ascii_doi.isascii() else None
            return DoiProblem(
                f"the DOI contains '{char}' (U+{ord(char):04X}), not ASCII", index, fix
            )
    trimmed = strip_trailing(doi)
    if trimmed != doi:
        return DoiProblem(
            f"the DOI ends with a stray '{doi[len(trimmed) :]}'", len(trimmed), trimmed
        )
    return None
