"""A manuscript's date in any form pandoc accepts, as ISO 8601 (2015, 2015-01, 2015-01-31).

pandoc's own date normalisation (used for EPUB and DOCX) tries a list of strptime formats;
presswork tries the same kind of list, in English (the C locale's month names), once, here,
so the title block, the indexers' tags and "Cite this article" all see the same date.
"""

from __future__ import annotations

import re
from datetime import datetime

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)

# Most precise first; each with the ISO precision it gives.
_DAY_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %b. %Y",
    "%d. %B %Y",
    "%Y%m%d",
)
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%B %Y", "%b %Y", "%b. %Y", "%B, %Y", "%m/%Y", "%Y%m")


def iso_date(text: str) -> str:
    """The date as ISO 8601 at the precision written, or "" when it is not a date."""
    text = " ".join(text.split())
    match = _ISO.match(text)
    if match:
        year, month, day = match.groups()
        if month is None:
            return year
        try:
            if day is None:
                datetime(int(year), int(month), 1)
                return f"{year}-{int(month):02d}"
            datetime(int(year), int(month), int(day))
            return f"{year}-{int(month):02d}-{int(day):02d}"
        except ValueError:
            return ""
    text = _ORDINAL.sub("", text)
    for formats, width in ((_DAY_FORMATS, 10), (_MONTH_FORMATS, 7)):
        for fmt in formats:
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return parsed.date().isoformat()[:width]
    return ""
